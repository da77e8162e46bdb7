#pragma once
// core::sql::SqlTx: core::Tx over one Connection inside an open transaction, with the same SQL for
// every dialect except upserts and locking reads. Used by SqlStore::transact(); not thread-safe (a
// Tx belongs to the callback that received it).

#include "core/sql/connection.h"
#include "core/store.h"

namespace core::sql {

class SqlTx final : public core::Tx {
 public:
  explicit SqlTx(Connection& connection) : c_(connection) {}

  Id insertAuthority(const Authority& a) override;
  std::optional<Authority> getAuthority(Id id) override;
  std::vector<Authority> listAuthorities() override;

  Id insertDps(const Dps& d) override;
  void updateDps(const Dps& d) override;
  std::optional<Dps> getDps(Id id) override;
  std::vector<Dps> listDps() override;
  std::vector<VehicleFactor> listVehicleFactors(Id dps_id) override;

  Id insertCategory(const Category& c) override;
  std::optional<Category> getCategory(Id id) override;
  std::vector<Category> listCategories(Id dps_id) override;

  void insertCriteria(Id dps_id, int version, const std::vector<Criterion>& criteria) override;
  std::vector<Criterion> listCriteria(Id dps_id, int version) override;

  Id insertSupplier(const Supplier& s) override;
  void updateSupplier(const Supplier& s) override;
  std::optional<Supplier> getSupplier(Id id) override;
  std::optional<Supplier> findSupplierByTaxNumber(const std::string& tax_number) override;
  std::vector<Supplier> listSuppliers() override;
  std::vector<Supplier> listSuppliers(Id after, std::size_t limit) override;
  std::vector<Id> insertSuppliers(const std::vector<Supplier>& suppliers) override;
  std::vector<Supplier> findSuppliersByTaxNumbers(const std::vector<std::string>& tax_numbers) override;
  std::optional<DispatchPoint> getDispatchPoint(Id id) override;
  std::vector<DispatchPoint> findDispatchPoints(const std::vector<Id>& ids) override;
  void archiveCertificates(Id supplier_id, TimePoint until) override;
  std::vector<ArchivedCertificate> listArchivedCertificates(Id supplier_id) override;
  std::vector<Certificate> listCertificates(Id supplier_id) override;
  std::vector<DispatchPoint> listDispatchPoints(Id supplier_id) override;

  Id insertDeliveryPoint(const DeliveryPoint& p) override;
  void updateDeliveryPoint(const DeliveryPoint& p) override;
  std::optional<DeliveryPoint> getDeliveryPoint(Id id) override;
  std::vector<DeliveryPoint> findDeliveryPoints(const std::vector<Id>& ids) override;
  std::optional<DeliveryPoint> findDeliveryPoint(Id authority_id, const std::string& code) override;
  std::vector<DeliveryPoint> listDeliveryPoints(Id authority_id) override;

  Id insertProduct(const Product& p) override;
  void updateProduct(const Product& p) override;
  std::optional<Product> findProductByCode(const std::string& code) override;
  std::vector<Product> listProducts() override;

  Id insertAdmissionRequest(const AdmissionRequest& r) override;
  void updateAdmissionRequest(const AdmissionRequest& r) override;
  std::optional<AdmissionRequest> getAdmissionRequest(Id id) override;
  std::vector<AdmissionRequest> listAdmissionRequests(Id dps_id) override;
  std::vector<AdmissionRequest> listSupplierAdmissions(Id supplier_id) override;
  std::vector<Id> listAdmittedSuppliers(Id category_id) override;

  Id insertRenewalRequest(const RenewalRequest& r) override;
  void updateRenewalRequest(const RenewalRequest& r) override;
  std::vector<RenewalRequest> listRenewalRequests(Id supplier_id) override;
  SuspensionRecords suspensionRecords(Id supplier_id) override;

  void putRoadDistance(Id dispatch_point_id, Id delivery_point_id, Decimal km) override;
  std::optional<Decimal> getRoadDistance(Id dispatch_point_id, Id delivery_point_id) override;
  std::vector<RoadDistance> listRoadDistances(const std::vector<Id>& dispatch_point_ids) override;

  Id insertRound(const Round& r) override;
  void updateRound(const Round& r) override;
  std::optional<Round> getRound(Id id) override;
  std::optional<Round> lockRound(Id id, LockMode mode) override;
  std::vector<Round> listRounds(Id dps_id) override;

  Id insertLot(const Lot& l) override;
  std::vector<Id> insertLots(const std::vector<Lot>& lots) override;
  std::vector<Lot> listLots(Id round_id) override;
  std::vector<Lot> findLots(Id round_id, const std::vector<Id>& lot_ids) override;

  void insertInvitations(const std::vector<Invitation>& invitations) override;
  std::vector<Invitation> listInvitations(Id round_id) override;
  std::optional<Invitation> lockInvitation(Id round_id, Id supplier_id) override;

  Id insertBid(const Bid& b) override;
  void updateBidStatus(Id bid_id, BidStatus status, const std::string& reason) override;
  std::optional<Bid> getBid(Id id) override;
  std::vector<Bid> listBids(Id round_id) override;
  std::optional<Bid> latestBid(Id round_id, Id supplier_id) override;
  void insertBidLines(Id bid_id, const std::vector<BidLine>& lines) override;
  std::vector<BidLine> listBidLines(Id bid_id) override;

  void insertScores(const std::vector<ScoreRecord>& scores) override;
  std::vector<ScoreRecord> listScores(Id round_id) override;
  void insertLotResults(const std::vector<LotResult>& results) override;
  void updateLotResult(const LotResult& r) override;
  std::vector<LotResult> listLotResults(Id round_id) override;
  void deleteEvaluation(Id round_id) override;

  void putAbnormalLowCase(const AbnormalLowCase& c) override;
  std::vector<AbnormalLowCase> listAbnormalLowCases(Id round_id) override;

  void insertAwardLines(const std::vector<AwardLine>& lines) override;
  std::vector<AwardLine> listAwardLines(Id round_id) override;
  void insertAwardDecision(const AwardDecision& d) override;
  std::optional<AwardDecision> getAwardDecision(Id round_id) override;
  Id insertNoticePublication(const NoticePublication& p) override;
  std::vector<NoticePublication> listNoticePublications(Id dps_id) override;

  Id insertAccount(const Account& a) override;
  void updateAccount(const Account& a) override;
  std::optional<Account> getAccount(Id id) override;
  std::optional<Account> findAccountByUsername(const std::string& username) override;
  std::vector<Account> listAccounts() override;

  void insertSession(const Session& s) override;
  std::optional<Session> findSession(const std::string& token_hash) override;
  std::optional<std::pair<Session, Account>> findSessionWithAccount(const std::string& token_hash) override;
  void deleteSession(const std::string& token_hash) override;
  void deleteAccountSessions(Id account_id) override;
  void deleteExpiredSessions(TimePoint now) override;

  Id insertApiToken(const ApiToken& t) override;
  std::optional<ApiToken> findApiToken(const std::string& token_hash) override;
  std::optional<Account> findAccountByApiToken(const std::string& token_hash) override;
  void revokeApiToken(Id id) override;

  void insertLoginAttempt(const LoginAttempt& a) override;
  int countFailedLogins(const std::string& username, const std::string& address, TimePoint since) override;

  void putSetting(const std::string& key, const std::string& value) override;
  std::optional<std::string> getSetting(const std::string& key) override;

  Id insertOutboxMessage(const OutboxMessage& m) override;
  void updateOutboxMessage(const OutboxMessage& m) override;
  std::vector<OutboxMessage> listDueOutbox(TimePoint now, std::size_t limit) override;
  std::vector<OutboxMessage> listOutbox(std::size_t limit) override;

  std::optional<AuditEntry> lastAuditEntry() override;
  void appendAudit(const AuditEntry& e) override;
  std::vector<AuditEntry> listAudit(std::int64_t from_seq, std::size_t limit) override;

 private:
  bool mysql() const { return c_.dialect() == Dialect::kMysql; }
  void loadSupplierChildren(Supplier& s);
  // The certificates and current dispatch points of the suppliers (few statements per batch).
  void loadSupplierChildren(std::vector<Supplier>& suppliers);
  void insertVehicleFactors(const Dps& d);
  void insertCertificates(Id supplier_id, const std::vector<Certificate>& certificates);
  void insertRefinements(Id round_id, const std::vector<WeightRefinement>& refinements);

  Connection& c_;
};

}  // namespace core::sql
