#pragma once
// core::Engine: the DPS's rules (DESIGN.md rules 1-14, Directive 2014/24/EU) as operations.
//
// Every operation that changes state runs in one Store transaction and appends one audit entry in
// it; a refusal throws core::Error whose message cites the rule and article and says what to do.
// The engine reads time only from its Clock. It keeps no state of its own between calls, so several
// processes may run engines over one database (DESIGN.md, Architecture).
// Thread-safety: an Engine may be shared by threads as its Store, Clock and Sealer are.

#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/model.h"
#include "core/notices.h"
#include "core/scoring.h"
#include "core/sealer.h"
#include "core/store.h"

namespace core {

enum class Role { kAdministrator, kOfficer, kSupplier, kAuditor, kSystem };
const char* toString(Role r);

// Who asks. Officers act for their authority; suppliers for their own supplier record.
struct Actor {
  std::string name;
  Role role = Role::kSystem;
  Id authority_id = 0;
  Id supplier_id = 0;
};

struct BidReceipt {
  Id bid_id = 0;
  int version = 0;
  TimePoint submitted_at{};
  std::string digest;  // SHA-256 hex of the canonical bid content (encodeBidLines)
  std::vector<std::string> warnings;  // e.g. the supplier is suspended now
};

// A pending admission request with its legal due date (rule 3).
struct AdmissionDue {
  AdmissionRequest request;
  TimePoint due_at{};
  int working_days_left = 0;  // negative never: 0 when due today or overdue
  bool overdue = false;
};

struct Suspension {
  bool suspended = false;
  std::vector<std::string> reasons;  // "certificate 'organic' expired on 2026-12-15", ...
};

// Why an optimal award is optimal (award mode optimal_by_delivery_point): recorded in
// AwardDecision::certificate and checked before the award is stored.
class AwardOptimiser {
 public:
  virtual ~AwardOptimiser() = default;
  // Allocates one lot over (bid, delivery point) pairs. `per_point` holds one evaluation per point
  // (core::evaluatePerPoint). Returns award lines with delivery_point_id set, and writes a textual
  // certificate of optimality to `certificate`; `unmet` receives text for demand left open.
  virtual std::vector<AwardLine> allocate(const Lot& lot, const std::vector<BidOnLot>& bids,
                                          const std::vector<LotEvaluation>& per_point,
                                          std::string& certificate, std::vector<std::string>& unmet) const = 0;
};

class Engine {
 public:
  // `optimiser` may be null: rounds in award mode optimal_by_delivery_point are then refused.
  Engine(Store& store, const Clock& clock, const CalendarRegistry& calendars, const Sealer& sealer,
         const AwardOptimiser* optimiser = nullptr);

  // --- Set-up (administrator / officer) ---
  Id createAuthority(const Actor& actor, const Authority& authority);
  Id createDps(const Actor& actor, const Dps& draft);
  Id addCategory(const Actor& actor, const Category& category);
  // Draft only; validated (weights sum to 100, formulas fit kinds, no radius cliff: rule 14).
  void setCriteria(const Actor& actor, Id dps_id, const std::vector<Criterion>& criteria);
  // Rule 2: the first period for requests runs at least 30 days from publication (Art. 34(2)(a)).
  // Criteria are frozen as version 1 (rule 7).
  void publishDps(const Actor& actor, Id dps_id);
  // Rule 3: extends the assessment of the initial wave; no invitation may be sent until it ends.
  void extendInitialAssessment(const Actor& actor, Id dps_id, TimePoint until, const std::string& justification);
  void terminateDps(const Actor& actor, Id dps_id, const std::string& reason);
  // The DPS's status as the law sees it now: a published or operating DPS past its validity is
  // expired although its stored status is unchanged.
  DpsStatus dpsStatus(Id dps_id);
  Id addDeliveryPoint(const Actor& actor, const DeliveryPoint& point);

  // --- Suppliers ---
  Id registerSupplier(const Actor& actor, const Supplier& supplier);
  // Replaces certificates and dispatch points (e.g. a renewed certificate reinstates the supplier).
  void updateSupplier(const Actor& actor, const Supplier& supplier);
  // Rule 2: open for the DPS's whole validity. Rule 10: no fee is ever asked.
  Id requestAdmission(const Actor& actor, Id supplier_id, Id category_id, const std::string& self_declaration);
  // Rule 3: records the justification that extends the decision period to 15 working days;
  // only before the 10-day period ends.
  void extendAdmissionPeriod(const Actor& actor, Id request_id, const std::string& justification);
  // Rule 3/4: decide with a reason (required to reject). No limit on the number admitted.
  void decideAdmission(const Actor& actor, Id request_id, bool admit, const std::string& reason);
  // Pending requests with due dates, oldest first; `only_overdue` filters.
  std::vector<AdmissionDue> pendingAdmissions(Id dps_id, bool only_overdue = false);
  // Rule 9: a renewed self-declaration is due within 5 working days.
  Id requestRenewal(const Actor& actor, Id supplier_id);
  void submitRenewal(const Actor& actor, Id supplier_id, const std::string& self_declaration);
  // Rule 5/9: expired certificate or renewed self-declaration overdue.
  Suspension suspension(Id supplier_id, TimePoint at);
  // Admitted to the category (a decided, admitting request), regardless of suspension.
  bool isAdmitted(Id supplier_id, Id category_id);

  // --- Rounds ---
  // A draft round with its lots; demand must name the authority's delivery points.
  Id createRound(const Actor& actor, const Round& draft, const std::vector<Lot>& lots);
  // Rules 3, 5, 6, 7: invites every supplier admitted to the category and not suspended now
  // (frozen, recorded), with a deadline at least 10 days away (Art. 34(2)(b), Art. 34(6)).
  std::vector<Invitation> dispatchRound(const Actor& actor, Id round_id, TimePoint deadline);
  // Rule 8: before the deadline, only invitees; a new submission replaces the previous one.
  BidReceipt submitBid(const Actor& actor, Id round_id, const std::vector<BidLine>& lines);
  void withdrawBid(const Actor& actor, Id round_id);
  // Rule 8: refused (and recorded in the audit log) before opening, for everybody.
  std::vector<BidLine> readBid(const Actor& actor, Id bid_id);
  // After the deadline: unseals the bids, re-checks admission at the deadline (rule 5).
  void openRound(const Actor& actor, Id round_id);
  // Scores and ranks every lot; flags abnormally low bids (rule 11).
  void evaluateRound(const Actor& actor, Id round_id);
  // Rule 11 (Art. 69): an explanation must be requested before an abnormally low bid is rejected.
  void requestExplanation(const Actor& actor, Id round_id, Id lot_id, Id bid_id);
  // Accepts the explanation, or rejects the bid (only after requestExplanation); a rejection
  // re-evaluates the round without the bid.
  void decideAbnormalLow(const Actor& actor, Id round_id, Id lot_id, Id bid_id, bool reject,
                         const std::string& explanation);
  // Awards every lot by the round's award mode; standstill per the country (rule 12).
  AwardDecision awardRound(const Actor& actor, Id round_id);

  // --- Award notices (rule 13, Art. 50(3)) ---
  // Records that the award notice of one round (round_id) or of a calendar quarter (quarter,
  // "2026-Q1") was published, with its publication number; once per round or quarter.
  Id recordNoticePublication(const Actor& actor, const NoticePublication& notice);
  // Every awarded round of the DPS with the due dates of its notice and whether it is published.
  std::vector<AwardNoticeStatus> awardNotices(Id dps_id);

  Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const Calendar& calendarFor(Id authority_id);

 private:
  Store& store_;
  const Clock& clock_;
  const CalendarRegistry& calendars_;
  const Sealer& sealer_;
  const AwardOptimiser* optimiser_;
};

}  // namespace core
