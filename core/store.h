#pragma once
// core::Store: durable storage of the DPS behind one interface, with SQLite (core/sqlite) and
// MySQL/MariaDB (core/mysql) implementations sharing one schema and one set of migrations.
//
// All reads and writes happen inside Store::transact(): the callback gets a Tx; when it returns the
// transaction commits durably (SQLite WAL with synchronous=FULL; InnoDB with
// innodb_flush_log_at_trx_commit=1), when it throws everything is rolled back and the exception
// propagates. A transaction that loses a deadlock or a lock wait is retried by transact() itself, so
// the callback must have no effects outside the Tx.
//
// Thread-safety: one Store may be shared by many threads; each transact() call uses its own
// connection. A Tx must not leave the callback that received it. Several processes may use one
// database at once: lockRound() and appendAudit() serialise what must be serialised.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"

namespace core {

enum class LockMode {
  kShared,     // others may read and take shared locks (bids submitted concurrently)
  kExclusive,  // nobody else may lock the row until commit (opening, award)
};

class Tx {
 public:
  virtual ~Tx() = default;

  virtual Id insertAuthority(const Authority& a) = 0;
  virtual std::optional<Authority> getAuthority(Id id) = 0;
  virtual std::vector<Authority> listAuthorities() = 0;

  // Inserts the DPS with its vehicle factors; returns the new id.
  virtual Id insertDps(const Dps& d) = 0;
  // Replaces every field (and the vehicle factors) of the DPS with d.id.
  virtual void updateDps(const Dps& d) = 0;
  virtual std::optional<Dps> getDps(Id id) = 0;
  virtual std::vector<Dps> listDps() = 0;
  // The DPS's vehicle factors alone (what getDps also loads), in their order.
  virtual std::vector<VehicleFactor> listVehicleFactors(Id dps_id) = 0;

  virtual Id insertCategory(const Category& c) = 0;
  virtual std::optional<Category> getCategory(Id id) = 0;
  virtual std::vector<Category> listCategories(Id dps_id) = 0;

  // Criteria are versioned: a version once written is never changed (rule 7).
  virtual void insertCriteria(Id dps_id, int version, const std::vector<Criterion>& criteria) = 0;
  virtual std::vector<Criterion> listCriteria(Id dps_id, int version) = 0;

  // Inserts the supplier with certificates and dispatch points (their ids are assigned).
  virtual Id insertSupplier(const Supplier& s) = 0;
  // Replaces the supplier's fields, certificates and dispatch points. Dispatch points keep their id
  // when it is given (non-zero) and exists; points no longer listed are kept but detached from
  // nothing else: bids refer to them, so they are never deleted.
  virtual void updateSupplier(const Supplier& s) = 0;
  virtual std::optional<Supplier> getSupplier(Id id) = 0;
  virtual std::optional<Supplier> findSupplierByTaxNumber(const std::string& tax_number) = 0;
  virtual std::vector<Supplier> listSuppliers() = 0;
  // One page of the suppliers: at most `limit` whose id is greater than `after`, by id.
  virtual std::vector<Supplier> listSuppliers(Id after, std::size_t limit) = 0;
  // Batched forms for imports (a few statements per several hundred suppliers instead of several per
  // supplier: on MariaDB each statement is a network round trip). insertSuppliers inserts each
  // supplier as insertSupplier does and returns the new ids in the same order.
  virtual std::vector<Id> insertSuppliers(const std::vector<Supplier>& suppliers) = 0;
  // The stored suppliers (with certificates and dispatch points) whose tax number is listed, in no
  // particular order; numbers not stored are simply absent.
  virtual std::vector<Supplier> findSuppliersByTaxNumbers(const std::vector<std::string>& tax_numbers) = 0;
  virtual std::optional<DispatchPoint> getDispatchPoint(Id id) = 0;
  // The dispatch points with these ids, removed ones too (bids name them), in no particular order;
  // unknown ids are absent. One read per batch of ids (evaluation reads every bid's point).
  virtual std::vector<DispatchPoint> findDispatchPoints(const std::vector<Id>& ids) = 0;
  // Copies the supplier's current certificates to the archive as in effect until `until`; called
  // before an update that changes them.
  virtual void archiveCertificates(Id supplier_id, TimePoint until) = 0;
  virtual std::vector<ArchivedCertificate> listArchivedCertificates(Id supplier_id) = 0;
  // The supplier's current certificates alone (what getSupplier also loads), in their order.
  virtual std::vector<Certificate> listCertificates(Id supplier_id) = 0;
  // The supplier's current dispatch points alone (what getSupplier also loads), in their order; a
  // point the supplier removed keeps its row (bids name it) but is not listed.
  virtual std::vector<DispatchPoint> listDispatchPoints(Id supplier_id) = 0;

  virtual Id insertDeliveryPoint(const DeliveryPoint& p) = 0;
  virtual void updateDeliveryPoint(const DeliveryPoint& p) = 0;
  virtual std::optional<DeliveryPoint> getDeliveryPoint(Id id) = 0;
  // The delivery points with these ids, in no particular order; unknown ids are absent.
  virtual std::vector<DeliveryPoint> findDeliveryPoints(const std::vector<Id>& ids) = 0;
  virtual std::optional<DeliveryPoint> findDeliveryPoint(Id authority_id, const std::string& code) = 0;
  virtual std::vector<DeliveryPoint> listDeliveryPoints(Id authority_id) = 0;

  virtual Id insertProduct(const Product& p) = 0;
  virtual void updateProduct(const Product& p) = 0;
  virtual std::optional<Product> findProductByCode(const std::string& code) = 0;
  virtual std::vector<Product> listProducts() = 0;

  virtual Id insertAdmissionRequest(const AdmissionRequest& r) = 0;
  virtual void updateAdmissionRequest(const AdmissionRequest& r) = 0;
  virtual std::optional<AdmissionRequest> getAdmissionRequest(Id id) = 0;
  // Every request of the DPS (all its categories), oldest first.
  virtual std::vector<AdmissionRequest> listAdmissionRequests(Id dps_id) = 0;
  // Requests of one supplier (all categories), oldest first.
  virtual std::vector<AdmissionRequest> listSupplierAdmissions(Id supplier_id) = 0;
  // The suppliers admitted to the category, ascending: who is invited (one read, without the ESPD
  // responses' text).
  virtual std::vector<Id> listAdmittedSuppliers(Id category_id) = 0;

  virtual Id insertRenewalRequest(const RenewalRequest& r) = 0;
  virtual void updateRenewalRequest(const RenewalRequest& r) = 0;
  virtual std::vector<RenewalRequest> listRenewalRequests(Id supplier_id) = 0;
  // listCertificates, listArchivedCertificates and the dates of listRenewalRequests in one read:
  // what a suspension check needs (every bid makes one).
  virtual SuspensionRecords suspensionRecords(Id supplier_id) = 0;

  // Distance in km by road from a dispatch point to a delivery point, when imported.
  virtual void putRoadDistance(Id dispatch_point_id, Id delivery_point_id, Decimal km) = 0;
  virtual std::optional<Decimal> getRoadDistance(Id dispatch_point_id, Id delivery_point_id) = 0;
  // Every imported distance from these dispatch points, in no particular order.
  virtual std::vector<RoadDistance> listRoadDistances(const std::vector<Id>& dispatch_point_ids) = 0;

  virtual Id insertRound(const Round& r) = 0;
  virtual void updateRound(const Round& r) = 0;
  virtual std::optional<Round> getRound(Id id) = 0;
  // Reads the round and locks its row until the transaction ends (SQLite: the write transaction
  // already excludes other writers; MariaDB: SELECT ... FOR UPDATE / LOCK IN SHARE MODE).
  virtual std::optional<Round> lockRound(Id id, LockMode mode) = 0;
  virtual std::vector<Round> listRounds(Id dps_id) = 0;

  // Inserts the lot with its demands; returns the new id.
  virtual Id insertLot(const Lot& l) = 0;
  // Inserts the lots with their demands as insertLot does, in batched statements (imports); returns
  // the new ids in the same order.
  virtual std::vector<Id> insertLots(const std::vector<Lot>& lots) = 0;
  virtual std::vector<Lot> listLots(Id round_id) = 0;
  // The lots of the round among `lot_ids`, with their demands, in number order; ids that are not
  // lots of the round are absent. A bid reads only the lots it names, however large the round.
  virtual std::vector<Lot> findLots(Id round_id, const std::vector<Id>& lot_ids) = 0;

  virtual void insertInvitations(const std::vector<Invitation>& invitations) = 0;
  virtual std::vector<Invitation> listInvitations(Id round_id) = 0;
  // The supplier's invitation to the round, locked until the transaction ends (MariaDB: SELECT ...
  // FOR UPDATE; SQLite: the write transaction already excludes other writers), so that the
  // supplier's own submissions and withdrawals in one round take turns; nullopt when not invited.
  virtual std::optional<Invitation> lockInvitation(Id round_id, Id supplier_id) = 0;

  virtual Id insertBid(const Bid& b) = 0;
  virtual void updateBidStatus(Id bid_id, BidStatus status, const std::string& reason) = 0;
  virtual std::optional<Bid> getBid(Id id) = 0;
  // Every bid of the round (all versions and statuses), ordered by id.
  virtual std::vector<Bid> listBids(Id round_id) = 0;
  // The supplier's newest bid version in the round, whatever its status; nullopt when it has none.
  virtual std::optional<Bid> latestBid(Id round_id, Id supplier_id) = 0;
  // The opened content, written once at opening.
  virtual void insertBidLines(Id bid_id, const std::vector<BidLine>& lines) = 0;
  virtual std::vector<BidLine> listBidLines(Id bid_id) = 0;

  virtual void insertScores(const std::vector<ScoreRecord>& scores) = 0;
  virtual std::vector<ScoreRecord> listScores(Id round_id) = 0;
  virtual void insertLotResults(const std::vector<LotResult>& results) = 0;
  virtual void updateLotResult(const LotResult& r) = 0;
  virtual std::vector<LotResult> listLotResults(Id round_id) = 0;
  // Removes the round's scores and lot results (a re-evaluation replaces them whole).
  virtual void deleteEvaluation(Id round_id) = 0;

  virtual void putAbnormalLowCase(const AbnormalLowCase& c) = 0;  // insert or replace by (round, lot, bid)
  virtual std::vector<AbnormalLowCase> listAbnormalLowCases(Id round_id) = 0;

  virtual void insertAwardLines(const std::vector<AwardLine>& lines) = 0;
  virtual std::vector<AwardLine> listAwardLines(Id round_id) = 0;
  virtual void insertAwardDecision(const AwardDecision& d) = 0;
  virtual std::optional<AwardDecision> getAwardDecision(Id round_id) = 0;
  // Rule 13: one publication per round, and one per (DPS, quarter); a second throws kConflict.
  virtual Id insertNoticePublication(const NoticePublication& p) = 0;
  virtual std::vector<NoticePublication> listNoticePublications(Id dps_id) = 0;

  // --- accounts, sessions and settings (the web service) ---
  // Usernames are unique: inserting a taken one throws Error(kConflict).
  virtual Id insertAccount(const Account& a) = 0;
  virtual void updateAccount(const Account& a) = 0;  // every field but id and created_at
  virtual std::optional<Account> getAccount(Id id) = 0;
  virtual std::optional<Account> findAccountByUsername(const std::string& username) = 0;
  virtual std::vector<Account> listAccounts() = 0;

  virtual void insertSession(const Session& s) = 0;
  virtual std::optional<Session> findSession(const std::string& token_hash) = 0;
  // The session and its account in one read (the sign-in check of every browser request).
  virtual std::optional<std::pair<Session, Account>> findSessionWithAccount(const std::string& token_hash) = 0;
  virtual void deleteSession(const std::string& token_hash) = 0;
  // Removes every session of the account (log out everywhere, password change).
  virtual void deleteAccountSessions(Id account_id) = 0;
  virtual void deleteExpiredSessions(TimePoint now) = 0;

  virtual Id insertApiToken(const ApiToken& t) = 0;
  virtual std::optional<ApiToken> findApiToken(const std::string& token_hash) = 0;
  // The account a token that is not revoked belongs to, in one read (the sign-in check of every
  // API request); nullopt for an unknown or revoked token.
  virtual std::optional<Account> findAccountByApiToken(const std::string& token_hash) = 0;
  virtual void revokeApiToken(Id id) = 0;

  virtual void insertLoginAttempt(const LoginAttempt& a) = 0;
  // Failed attempts since `since` for the username (when not empty) or the address (when not empty).
  virtual int countFailedLogins(const std::string& username, const std::string& address, TimePoint since) = 0;

  // Small persistent settings ("clock.simulated_now", ...); nullopt when never set.
  virtual void putSetting(const std::string& key, const std::string& value) = 0;
  virtual std::optional<std::string> getSetting(const std::string& key) = 0;

  virtual Id insertOutboxMessage(const OutboxMessage& m) = 0;
  virtual void updateOutboxMessage(const OutboxMessage& m) = 0;
  // Pending messages whose next attempt is due at `now`, oldest first, at most `limit`.
  virtual std::vector<OutboxMessage> listDueOutbox(TimePoint now, std::size_t limit) = 0;
  // Every message, newest first, at most `limit` (for the officer's delivery view).
  virtual std::vector<OutboxMessage> listOutbox(std::size_t limit) = 0;

  // The newest audit entry, read under a lock that serialises appends across processes; nullopt
  // when the log is empty.
  virtual std::optional<AuditEntry> lastAuditEntry() = 0;
  // Appends e (its seq must be last seq + 1; hashes computed by the caller).
  virtual void appendAudit(const AuditEntry& e) = 0;
  // Entries with seq >= from_seq, at most `limit`, in seq order.
  virtual std::vector<AuditEntry> listAudit(std::int64_t from_seq, std::size_t limit) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs fn in one transaction (see above) and returns once it is durably committed.
  virtual void transact(const std::function<void(Tx&)>& fn) = 0;
  // Runs fn in a transaction that only reads (page views, sign-in checks): the store refuses any
  // write in it, and it does not wait for writers (on SQLite it reads a snapshot beside the write
  // queue instead of queueing behind the bids). Retried like transact().
  virtual void read(const std::function<void(Tx&)>& fn) { transact(fn); }
  // Applies any missing schema migrations; idempotent. Returns the schema version now in force.
  virtual int migrate() = 0;
  // "sqlite" or "mysql".
  virtual std::string backend() const = 0;
};

// Opens the store named by `uri`:
//   sqlite:PATH                       a file (created if absent), e.g. sqlite:var/dps.sqlite
//   mysql://USER@HOST:PORT/DATABASE   MySQL or MariaDB; password from the environment variable
//                                     DPS_MYSQL_PASSWORD; also mysql://USER@unix:SOCKET/DATABASE
// Throws Error(kInvalidArgument) for a malformed uri, kUnavailable when the database cannot be reached.
// The factory lives in core/store_factory.cpp, linked from the `core_stores` target.
std::unique_ptr<Store> openStore(const std::string& uri);

}  // namespace core
