#include "core/engine.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/audit.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/scoring.h"

namespace core {
namespace {

std::string obj(const char* kind, Id id) { return std::string(kind) + ":" + std::to_string(id); }

[[noreturn]] void fail(ErrorCode code, const std::string& message, const std::string& field = {},
                       Localized localized = {}) {
  throw Error(code, message, field, std::move(localized));
}

// Collects every problem of one input so that it is rejected whole, with all problems listed.
// A problem may name its message in the interface's catalogue (core::Localized), and so may the
// heading given to throwIfAny.
class Problems {
 public:
  void add(const std::string& field, const std::string& message, Localized localized = {}) {
    if (first_field_.empty()) first_field_ = field;
    text_ += (text_.empty() ? "" : "\n") + field + ": " + message;
    items_.push_back({field, message, std::move(localized)});
  }
  // A nested refusal as one problem of this input: its English text as it is, and its catalogue
  // messages (each of its problems, else its own) for the pages.
  void addError(const std::string& field, const Error& e) {
    if (first_field_.empty()) first_field_ = field;
    text_ += (text_.empty() ? "" : "\n") + field + ": " + e.what();
    if (e.problems().empty()) items_.push_back({field, e.what(), e.localized()});
    for (const Problem& p : e.problems()) items_.push_back({field, p.message, p.localized});
  }
  void throwIfAny(const std::string& what, Localized heading = {}) const {
    if (!text_.empty())
      throw Error(ErrorCode::kInvalidArgument, what + " was rejected:\n" + text_, first_field_, std::move(heading),
                  items_);
  }

 private:
  std::string text_;
  std::string first_field_;
  std::vector<Problem> items_;
};

Dps requireDps(Tx& tx, Id id) {
  auto d = tx.getDps(id);
  if (!d)
    fail(ErrorCode::kNotFound, "no DPS with id " + std::to_string(id) + "; list them with GET /api/v1/dps", {},
         {"notfound.dps", {std::to_string(id)}});
  return *d;
}

Round requireRound(std::optional<Round> r, Id id) {
  if (!r)
    fail(ErrorCode::kNotFound, "no round with id " + std::to_string(id), {}, {"notfound.round", {std::to_string(id)}});
  return *r;
}

Supplier requireSupplier(Tx& tx, Id id) {
  auto s = tx.getSupplier(id);
  if (!s)
    fail(ErrorCode::kNotFound, "no supplier with id " + std::to_string(id), {},
         {"notfound.supplier", {std::to_string(id)}});
  return *s;
}

// The DPS's status as the law sees it now: a published or operating DPS past its validity has expired.
DpsStatus effectiveStatus(const Dps& d, TimePoint now) {
  if ((d.status == DpsStatus::kPublished || d.status == DpsStatus::kOperating) && now > d.valid_until)
    return DpsStatus::kExpired;
  return d.status;
}

void requireLive(const Dps& d, TimePoint now, const std::string& what) {
  const DpsStatus s = effectiveStatus(d, now);
  if (s == DpsStatus::kPublished || s == DpsStatus::kOperating) return;
  if (s == DpsStatus::kDraft)
    fail(ErrorCode::kConflict,
         what + ": DPS " + d.reference + " is still a draft; publish the call for competition first (Art. 34(2))", {},
         {"dps.refused.draft", {d.reference}});
  fail(ErrorCode::kConflict,
       what + ": DPS " + d.reference + " is " + toString(s) +
           (s == DpsStatus::kExpired ? " (valid until " + formatTime(d.valid_until) + ")" : "") +
           "; a DPS is open only during its period of validity (rule 2, Art. 34(2), "
           "Art. 34(8)): nothing more can be done under it",
       {},
       s == DpsStatus::kExpired ? Localized{"dps.refused.expired", {d.reference, formatTime(d.valid_until)}}
                                : Localized{"dps.refused.terminated", {d.reference}});
}

// Serialises this transaction with every other engine writer, in every process, by taking the
// audit chain's head (which the transaction appends to at its end anyway). Under MySQL's READ
// COMMITTED the checks that precede a write (request still pending, code still free, latest bid
// version, no invitation yet) would otherwise race with the same operation in another process;
// SQLite's BEGIN IMMEDIATE already serialises writers. Taken after lockRound(), never before, so
// that every transaction takes its locks in one order.
void serialiseWriters(Tx& tx) { tx.lastAuditEntry(); }

// --- Notifications -------------------------------------------------------------------------------
// Written to the outbox in the transaction of the change they report, so that a committed change
// always has its message and a rolled-back one never does; web/server/outbox.cpp delivers them.
// Each is bilingual: Slovenian first, then English, and names the DPS or round and what to do next.

void queueNotification(Tx& tx, TimePoint now, const std::string& recipient, const std::string& object,
                       const std::string& subject_sl, const std::string& subject_en, const std::string& body_sl,
                       const std::string& body_en) {
  // A supplier without an e-mail address cannot be written to; the change itself still stands and
  // the supplier sees it on its pages.
  if (recipient.empty()) return;
  OutboxMessage m;
  m.recipient = recipient;
  m.subject = subject_sl + " / " + subject_en;
  m.body = body_sl + "\n\n----------------------------------------\n\n" + body_en +
           "\n\n-- \nDinamični nabavni sistem / Dynamic purchasing system\n";
  m.object = object;
  m.status = OutboxStatus::kPending;
  m.created_at = now;
  m.next_attempt_at = now;
  tx.insertOutboxMessage(m);
}

// Times in a mail are in the authority's legal time, with the offset (Calendar::formatLocal).
void notifyInvitation(Tx& tx, TimePoint now, const Calendar& cal, const Dps& d, const Round& r, const Supplier& s) {
  queueNotification(
      tx, now, s.email, obj("round", r.id), "Povabilo k oddaji ponudbe: " + r.reference,
      "Invitation to bid: " + r.reference,
      "Spoštovani " + s.name + ",\n\nvabimo vas k oddaji ponudbe v krogu " + r.reference + " (" + r.title +
          ") dinamičnega nabavnega sistema " + d.reference + " (" + d.title + ").\nRok za oddajo ponudb: " +
          cal.formatLocal(r.deadline) + ".\n\nKaj storiti: prijavite se v DNS, odprite krog " + r.reference +
          " med povabili in oddajte ponudbo pred rokom. Do roka jo lahko spremenite ali umaknete; po oddaji "
          "prejmete potrdilo s časom in povzetkom SHA-256.",
      "Dear " + s.name + ",\n\nyou are invited to bid in round " + r.reference + " (" + r.title +
          ") of the dynamic purchasing system " + d.reference + " (" + d.title + ").\nTender deadline: " +
          cal.formatLocal(r.deadline) + ".\n\nWhat to do: sign in to the DPS, open round " + r.reference +
          " among your invitations and submit your bid before the deadline. You may amend or withdraw it until "
          "then; each submission gives you a receipt with its time and SHA-256 digest.");
}

void notifyAdmission(Tx& tx, TimePoint now, const Dps& d, const Category& c, const AdmissionRequest& r,
                     const Supplier& s) {
  const bool admitted = r.status == AdmissionStatus::kAdmitted;
  const std::string what_sl = "kategorijo " + c.code + " (" + c.name + ") sistema " + d.reference + " (" + d.title + ")";
  const std::string what_en = "category " + c.code + " (" + c.name + ") of " + d.reference + " (" + d.title + ")";
  const std::string reason = r.reason.empty() ? std::string() : "\n\n" + r.reason;
  queueNotification(
      tx, now, s.email, obj("admission", r.id),
      std::string(admitted ? "Sprejeti ste v " : "Zahteva za sodelovanje zavrnjena: ") + d.reference + " " + c.code,
      std::string(admitted ? "Admitted to " : "Request to participate rejected: ") + d.reference + " " + c.code,
      "Spoštovani " + s.name + ",\n\n" +
          (admitted ? "vaša zahteva za sodelovanje za " + what_sl + " je sprejeta." + reason +
                          "\n\nKaj storiti: nič. Povabila k oddaji ponudb v tej kategoriji boste prejemali po "
                          "e-pošti; poskrbite, da bodo certifikati veljavni, sicer ne boste povabljeni."
                    : "vaša zahteva za sodelovanje za " + what_sl + " je zavrnjena. Razlog:" + reason +
                          "\n\nKaj storiti: odpravite razlog in vložite novo zahtevo; to je mogoče ves čas "
                          "veljavnosti sistema in brez plačila."),
      "Dear " + s.name + ",\n\n" +
          (admitted ? "your request to participate in " + what_en + " is admitted." + reason +
                          "\n\nWhat to do: nothing. Invitations to bid in this category will reach you by e-mail; "
                          "keep your certificates valid or you will not be invited."
                    : "your request to participate in " + what_en + " is rejected. Reason:" + reason +
                          "\n\nWhat to do: remedy the reason and file a new request; you may do so at any time "
                          "while the system is valid, free of charge."));
}

void notifyRenewal(Tx& tx, TimePoint now, const Calendar& cal, const std::vector<std::string>& dps_references,
                   const RenewalRequest& r, const Supplier& s) {
  std::string refs;
  for (const std::string& ref : dps_references) refs += (refs.empty() ? "" : ", ") + ref;
  const std::string in_sl = refs.empty() ? std::string() : " za " + refs;
  const std::string in_en = refs.empty() ? std::string() : " for " + refs;
  queueNotification(
      tx, now, s.email, obj("supplier", s.id), "Obnovite lastno izjavo (ESPD) do " + cal.formatLocal(r.due_at),
      "Renew your self-declaration (ESPD) by " + cal.formatLocal(r.due_at),
      "Spoštovani " + s.name + ",\n\nnaročnik prosi za obnovljeno lastno izjavo (ESPD)" + in_sl +
          ". Rok: " + cal.formatLocal(r.due_at) +
          " (5 delovnih dni).\n\nKaj storiti: prijavite se v DNS in oddajte obnovljeno izjavo pred rokom. Če je "
          "ne oddate pravočasno, do oddaje ne boste povabljeni k oddaji ponudb.",
      "Dear " + s.name + ",\n\nthe contracting authority asks for a renewed self-declaration (ESPD)" + in_en +
          ". Due: " + cal.formatLocal(r.due_at) +
          " (5 working days).\n\nWhat to do: sign in to the DPS and submit the renewed declaration before it is "
          "due. If it is late, you will not be invited to bid until you submit it.");
}

// One message per bidder (every supplier with a bid that was not withdrawn or replaced), telling
// it what it was awarded, if anything, and when the standstill ends.
void notifyAward(Tx& tx, TimePoint now, const Calendar& cal, const Dps& d, const Round& r, const std::vector<Lot>& lots,
                 const std::vector<AwardLine>& lines, const AwardDecision& decision) {
  std::map<Id, int> lot_numbers;
  std::map<Id, std::string> lot_units;
  for (const Lot& l : lots) {
    lot_numbers[l.id] = l.number;
    lot_units[l.id] = l.unit;
  }
  std::set<Id> bidders;
  for (const Bid& b : tx.listBids(r.id))
    if (b.status != BidStatus::kWithdrawn && b.status != BidStatus::kSuperseded) bidders.insert(b.supplier_id);
  const std::string standstill_sl =
      decision.standstill_end ? "Mirovalni rok poteče " + cal.formatLocal(*decision.standstill_end) +
                                    "; do takrat pogodba ne bo sklenjena in lahko vložite zahtevek za revizijo."
                              : "Mirovalnega roka ni.";
  const std::string standstill_en = decision.standstill_end
                                        ? "The standstill period ends " + cal.formatLocal(*decision.standstill_end) +
                                              "; no contract is concluded before then and you may ask for a review."
                                        : "There is no standstill period.";
  for (const Id supplier_id : bidders) {
    const auto s = tx.getSupplier(supplier_id);
    if (!s) continue;
    std::string won_sl;
    std::string won_en;
    for (const AwardLine& l : lines) {
      if (l.supplier_id != supplier_id) continue;
      const std::string lot = std::to_string(lot_numbers[l.lot_id]);
      const std::string qty = l.quantity.toString() + " " + lot_units[l.lot_id];
      won_sl += "\n- sklop " + lot + ": " + qty + " po " + l.unit_price.toString(2) + " EUR";
      won_en += "\n- lot " + lot + ": " + qty + " at " + l.unit_price.toString(2) + " EUR";
    }
    const bool won = !won_sl.empty();
    queueNotification(
        tx, now, s->email, obj("round", r.id), "Odločitev o oddaji: " + r.reference, "Award decision: " + r.reference,
        "Spoštovani " + s->name + ",\n\nnaročnik je odločil o oddaji v krogu " + r.reference + " (" + r.title +
            ") sistema " + d.reference + ".\n" +
            (won ? "Vaši ponudbi je oddano:" + won_sl : std::string("Vaša ponudba ni bila izbrana.")) + "\n" +
            standstill_sl + "\n\nKaj storiti: prijavite se v DNS in pri krogu " + r.reference +
            " poglejte rezultate: svoje točke, mesto in razloge." +
            (won ? " Po izteku mirovalnega roka vas naročnik pokliče k podpisu pogodbe." : ""),
        "Dear " + s->name + ",\n\nthe contracting authority has decided the award of round " + r.reference + " (" +
            r.title + ") of " + d.reference + ".\n" +
            (won ? "Awarded to your bid:" + won_en : std::string("Your bid was not selected.")) + "\n" + standstill_en +
            "\n\nWhat to do: sign in to the DPS and open the results of round " + r.reference +
            " to see your points, rank and the reasons." +
            (won ? " After the standstill the authority will ask you to sign the contract." : ""));
  }
}

}  // namespace

const char* toString(Role r) {
  switch (r) {
    case Role::kAdministrator: return "administrator";
    case Role::kOfficer: return "officer";
    case Role::kSupplier: return "supplier";
    case Role::kAuditor: return "auditor";
    case Role::kSystem: return "system";
  }
  return "?";
}

Engine::Engine(Store& store, const Clock& clock, const CalendarRegistry& calendars, const Sealer& sealer,
               const AwardOptimiser* optimiser)
    : store_(store), clock_(clock), calendars_(calendars), sealer_(sealer), optimiser_(optimiser) {}

namespace {

// Role checks. Officers act only for their own authority; administrators and the system for all.
void requireOfficerOf(const Actor& a, Id authority_id, const std::string& what) {
  if (a.role == Role::kAdministrator || a.role == Role::kSystem) return;
  if (a.role == Role::kOfficer && a.authority_id == authority_id) return;
  fail(ErrorCode::kForbidden,
       what + " is for procurement officers of the contracting authority " + std::to_string(authority_id) + "; " +
           a.name + " (" + toString(a.role) + ") may not do it",
       {}, {"access.refused.officer", {std::to_string(authority_id), a.name}});
}

void requireSupplierSelf(const Actor& a, Id supplier_id, const std::string& what) {
  if (a.role == Role::kSystem || a.role == Role::kAdministrator) return;
  if (a.role == Role::kSupplier && a.supplier_id == supplier_id) return;
  fail(ErrorCode::kForbidden,
       what + " can only be done by the supplier itself; " + a.name + " (" + toString(a.role) +
           ") may not do it for supplier " + std::to_string(supplier_id),
       {}, {"access.refused.supplier_self", {a.name, std::to_string(supplier_id)}});
}

const Calendar& calendarOf(Tx& tx, const CalendarRegistry& calendars, Id authority_id) {
  auto a = tx.getAuthority(authority_id);
  if (!a)
    fail(ErrorCode::kNotFound, "no contracting authority with id " + std::to_string(authority_id), {},
         {"notfound.authority", {std::to_string(authority_id)}});
  return calendars.forCountry(a->country);
}

TimePoint admissionDue(const Calendar& cal, const AdmissionRequest& r) {
  return cal.periodEndWorkingDays(r.received_at, r.extension_justification.empty() ? 10 : 15);
}

// Rule 5 at `at` for a supplier the caller knows is stored (an unknown id has no certificates and
// no renewal requests, so it would read as not suspended).
Suspension suspensionOf(Tx& tx, Id supplier_id, TimePoint at) {
  Suspension s;
  // The certificates in effect at `at`: the set an update replaced first after `at`, else the current.
  SuspensionRecords records = tx.suspensionRecords(supplier_id);
  std::vector<Certificate>& in_effect = records.certificates;
  const std::vector<ArchivedCertificate>& archived = records.archived;
  const auto replaced = std::find_if(archived.begin(), archived.end(),
                                     [&](const ArchivedCertificate& a) { return a.in_effect_until > at; });
  if (replaced != archived.end()) {
    in_effect.clear();
    for (auto it = replaced; it != archived.end() && it->in_effect_until == replaced->in_effect_until; ++it)
      in_effect.push_back(it->certificate);
  }
  for (const Certificate& c : in_effect) {
    if (c.valid_until && *c.valid_until < at)
      s.reasons.push_back("certificate '" + c.name + "' expired at " + formatTime(*c.valid_until) +
                          " (rule 5); upload the renewed certificate to be reinstated");
  }
  for (const SuspensionRecords::Renewal& r : records.renewals) {
    const bool fulfilled_in_time = r.fulfilled_at && *r.fulfilled_at <= at;
    if (r.requested_at <= at && r.due_at < at && !fulfilled_in_time)
      s.reasons.push_back("renewed self-declaration requested at " + formatTime(r.requested_at) +
                          " was due at " + formatTime(r.due_at) +
                          " and not given (Art. 34(7)); submit it to be reinstated");
  }
  s.suspended = !s.reasons.empty();
  return s;
}

bool admittedTo(Tx& tx, Id supplier_id, Id category_id) {
  for (const AdmissionRequest& r : tx.listSupplierAdmissions(supplier_id))
    if (r.category_id == category_id && r.status == AdmissionStatus::kAdmitted) return true;
  return false;
}

std::string describeCriteria(const std::vector<Criterion>& cs) {
  std::string out;
  for (const Criterion& c : cs) {
    out += std::string(toString(c.kind)) + "/" + toString(c.formula) + "/" + std::to_string(c.weight) + "[" +
           std::to_string(c.min_weight) + "," + std::to_string(c.max_weight) + "];a=" + c.a.toString() +
           ";b=" + c.b.toString() + ";fact=" + c.fact + ";bands=";
    for (const Band& b : c.bands) out += b.threshold.toString() + ":" + b.points.toString() + ",";
    out += "\n";
  }
  return out;
}

Decimal totalDemand(const Lot& lot) {
  Decimal total;
  for (const Demand& d : lot.demands) total += d.quantity;
  return total;
}

}  // namespace

const Calendar& Engine::calendarFor(Id authority_id) {
  const Calendar* cal = nullptr;
  store_.read([&](Tx& tx) { cal = &calendarOf(tx, calendars_, authority_id); });
  return *cal;
}

// ---------------------------------------------------------------------------------------------
// Set-up

Id Engine::createAuthority(const Actor& actor, const Authority& authority) {
  if (actor.role != Role::kAdministrator && actor.role != Role::kSystem)
    fail(ErrorCode::kForbidden, "only an administrator may register a contracting authority", {},
         {"access.refused.authority", {}});
  Problems p;
  if (authority.name.empty()) p.add("name", "the authority's name is required", {"authority.problem.name", {}});
  p.throwIfAny("the contracting authority", {"authority.rejected", {}});
  calendars_.forCountry(authority.country);  // refuses a country without a holiday calendar
  Id id = 0;
  store_.transact([&](Tx& tx) {
    id = tx.insertAuthority(authority);
    appendAudit(tx, clock_.now(), actor.name, "authority.create", obj("authority", id),
                authority.name + "\n" + authority.country + "\n" + authority.time_zone);
  });
  return id;
}

Id Engine::createDps(const Actor& actor, const Dps& draft) {
  requireOfficerOf(actor, draft.authority_id, "setting up a DPS");
  Problems p;
  if (draft.reference.empty())
    p.add("reference", "the procedure identifier (BT-04) is required", {"dps.problem.reference", {}});
  if (draft.title.empty()) p.add("title", "a title is required", {"input.problem.title", {}});
  if (draft.cpv.size() != 8 || draft.cpv.find_first_not_of("0123456789") != std::string::npos)
    p.add("cpv", "'" + draft.cpv + "' is not an 8-digit CPV code (food: division 03 or 15, e.g. 15000000)",
          {"dps.problem.cpv", {draft.cpv}});
  if (draft.valid_until <= draft.request_deadline)
    p.add("valid_until", "the DPS must stay valid after the first period for requests ends",
          {"dps.problem.valid_until", {}});
  for (const VehicleFactor& v : draft.vehicle_factors)
    if (v.vehicle.empty() || v.kg_co2e_per_tkm.isNegative() || v.kg_co2e_per_tkm.isZero())
      p.add("vehicle_factors", "each vehicle needs a name and a positive kg CO2e per tonne-km",
            {"dps.problem.vehicle", {}});
  p.throwIfAny("the DPS", {"dps.rejected", {}});
  Id id = 0;
  store_.transact([&](Tx& tx) {
    calendarOf(tx, calendars_, draft.authority_id);
    Dps d = draft;
    d.status = DpsStatus::kDraft;
    d.published_at.reset();
    d.first_invitation_at.reset();
    d.criteria_version = 0;
    id = tx.insertDps(d);
    appendAudit(tx, clock_.now(), actor.name, "dps.create", obj("dps", id),
                d.reference + "\n" + d.title + "\n" + d.cpv + "\n" + formatTime(d.request_deadline) + "\n" +
                    formatTime(d.valid_until));
  });
  return id;
}

Id Engine::addCategory(const Actor& actor, const Category& category) {
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    const Dps d = requireDps(tx, category.dps_id);
    requireOfficerOf(actor, d.authority_id, "adding a category");
    if (d.status != DpsStatus::kDraft)
      fail(ErrorCode::kConflict,
           "categories are fixed once DPS " + d.reference +
               " is published (Art. 34(1)); set up a new DPS for a new category",
           {}, {"category.refused.published", {d.reference}});
    Problems p;
    if (category.code.empty()) p.add("code", "a short code is required (e.g. VEG)", {"category.problem.code", {}});
    if (category.name.empty()) p.add("name", "a name is required", {"input.problem.name", {}});
    for (const Category& c : tx.listCategories(d.id))
      if (c.code == category.code)
        p.add("code", "category code '" + category.code + "' is already used in this DPS",
              {"category.problem.code_taken", {category.code}});
    p.throwIfAny("the category", {"category.rejected", {}});
    id = tx.insertCategory(category);
    appendAudit(tx, clock_.now(), actor.name, "category.create", obj("category", id),
                std::to_string(d.id) + "\n" + category.code + "\n" + category.name + "\n" + category.cpv + "\n" +
                    category.area);
  });
  return id;
}

void Engine::setCriteria(const Actor& actor, Id dps_id, const std::vector<Criterion>& criteria) {
  validateCriteria(criteria);
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    Dps d = requireDps(tx, dps_id);
    requireOfficerOf(actor, d.authority_id, "setting award criteria");
    if (d.status != DpsStatus::kDraft)
      fail(ErrorCode::kConflict,
           "award criteria and weights of DPS " + d.reference +
               " were fixed at publication (rule 7, Art. 34(6), Art. 67(5)); a round may "
               "only refine weights within the published ranges",
           {}, {"criteria.refused.published", {d.reference}});
    d.criteria_version += 1;
    tx.insertCriteria(d.id, d.criteria_version, criteria);
    tx.updateDps(d);
    appendAudit(tx, clock_.now(), actor.name, "dps.criteria", obj("dps", d.id),
                "version " + std::to_string(d.criteria_version) + "\n" + describeCriteria(criteria));
  });
}

void Engine::publishDps(const Actor& actor, Id dps_id) {
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    Dps d = requireDps(tx, dps_id);
    requireOfficerOf(actor, d.authority_id, "publishing a DPS");
    if (d.status != DpsStatus::kDraft)
      fail(ErrorCode::kConflict, "DPS " + d.reference + " is already published", {},
           {"dps.refused.published", {d.reference}});
    const TimePoint now = clock_.now();
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    Problems p;
    if (tx.listCategories(d.id).empty())
      p.add("categories", "add at least one category before publishing", {"dps.problem.no_category", {}});
    if (d.criteria_version == 0)
      p.add("criteria", "set the award criteria before publishing (rule 7)", {"dps.problem.no_criteria", {}});
    else
      validateCriteria(tx.listCriteria(d.id, d.criteria_version));
    const TimePoint min_deadline = cal.periodEndCalendarDays(now, 30);
    if (d.request_deadline < min_deadline)
      p.add("request_deadline",
            "the first period for requests to participate must last at least 30 days "
            "from the call (rule 2, Art. 34(2)(a)); it ends at " +
                formatTime(d.request_deadline) + ", the earliest lawful end is " + formatTime(min_deadline),
            {"dps.problem.request_period", {formatTime(d.request_deadline), formatTime(min_deadline)}});
    if (d.valid_until <= d.request_deadline)
      p.add("valid_until", "the validity must end after the first period", {"dps.problem.valid_until", {}});
    p.throwIfAny("publication of DPS " + d.reference, {"dps.publish_rejected", {d.reference}});
    d.status = DpsStatus::kPublished;
    d.published_at = now;
    tx.updateDps(d);
    appendAudit(tx, now, actor.name, "dps.publish", obj("dps", d.id),
                "criteria version " + std::to_string(d.criteria_version) + "\nrequests until " +
                    formatTime(d.request_deadline) + "\nvalid until " + formatTime(d.valid_until));
  });
}

void Engine::extendInitialAssessment(const Actor& actor, Id dps_id, TimePoint until,
                                     const std::string& justification) {
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    Dps d = requireDps(tx, dps_id);
    requireOfficerOf(actor, d.authority_id, "extending the initial assessment");
    requireLive(d, clock_.now(), "extending the initial assessment");
    if (d.first_invitation_at)
      fail(ErrorCode::kConflict,
           "the assessment of the initial wave can only be extended while no invitation "
           "to tender has been sent (rule 3, Art. 34(5)); the first was sent at " +
               formatTime(*d.first_invitation_at),
           {}, {"dps.refused.extend_after_invitation", {formatTime(*d.first_invitation_at)}});
    if (justification.empty())
      fail(ErrorCode::kInvalidArgument, "record why the initial assessment is extended (Art. 34(5))", "justification",
           {"dps.refused.extend_no_reason", {}});
    if (until <= clock_.now())
      fail(ErrorCode::kInvalidArgument, "the extension must end in the future", "until",
           {"dps.refused.extend_past", {}});
    d.initial_assessment_extended_until = until;
    tx.updateDps(d);
    appendAudit(tx, clock_.now(), actor.name, "dps.extend_initial_assessment", obj("dps", d.id),
                formatTime(until) + "\n" + justification);
  });
}

void Engine::terminateDps(const Actor& actor, Id dps_id, const std::string& reason) {
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    Dps d = requireDps(tx, dps_id);
    requireOfficerOf(actor, d.authority_id, "terminating a DPS");
    if (d.status == DpsStatus::kTerminated)
      fail(ErrorCode::kConflict, "DPS " + d.reference + " is terminated already (Art. 34(8))", {},
           {"dps.refused.terminated_already", {d.reference}});
    if (reason.empty())
      fail(ErrorCode::kInvalidArgument,
           "give the reason for terminating the DPS: the termination is notified with it (Art. 34(8))", "reason",
           {"dps.refused.terminate_no_reason", {}});
    d.status = DpsStatus::kTerminated;
    tx.updateDps(d);
    appendAudit(tx, clock_.now(), actor.name, "dps.terminate", obj("dps", d.id), reason);
  });
}

DpsStatus Engine::dpsStatus(Id dps_id) {
  DpsStatus status = DpsStatus::kDraft;
  store_.read([&](Tx& tx) { status = effectiveStatus(requireDps(tx, dps_id), clock_.now()); });
  return status;
}

Id Engine::addDeliveryPoint(const Actor& actor, const DeliveryPoint& point) {
  requireOfficerOf(actor, point.authority_id, "adding a delivery point");
  Problems p;
  if (point.code.empty()) p.add("code", "a code is required", {"delivery_point.problem.code", {}});
  if (point.name.empty()) p.add("name", "a name is required", {"input.problem.name", {}});
  if (point.location.lat < -90 || point.location.lat > 90)
    p.add("lat", "latitude must be between -90 and 90", {"delivery_point.problem.lat", {}});
  if (point.location.lon < -180 || point.location.lon > 180)
    p.add("lon", "longitude must be between -180 and 180", {"delivery_point.problem.lon", {}});
  p.throwIfAny("the delivery point", {"delivery_point.rejected", {}});
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    calendarOf(tx, calendars_, point.authority_id);
    if (tx.findDeliveryPoint(point.authority_id, point.code))
      fail(ErrorCode::kConflict, "delivery point code '" + point.code + "' is already used by this authority", "code",
           {"delivery_point.refused.code_taken", {point.code}});
    id = tx.insertDeliveryPoint(point);
    appendAudit(tx, clock_.now(), actor.name, "delivery_point.create", obj("delivery_point", id),
                point.code + "\n" + point.name + "\n" + point.address);
  });
  return id;
}

// ---------------------------------------------------------------------------------------------
// Suppliers

namespace {

// A farmer registering meets these, so each also names its message in the catalogue.
void validateSupplier(const Supplier& s) {
  Problems p;
  if (s.name.empty()) p.add("name", "the supplier's name is required", {"supplier.problem.name", {}});
  if (s.tax_number.empty()) p.add("tax_number", "the tax number is required", {"supplier.problem.tax_number", {}});
  if (!s.size_class.empty() && !isSizeClass(s.size_class))
    p.add("size_class",
          "'" + s.size_class +
              "' is not a size class; use micro, small, medium or large (EU Recommendation 2003/361/EC), or leave it "
              "empty",
          {"supplier.problem.size_class", {s.size_class}});
  else if (!s.size_class.empty() && s.is_sme != (s.size_class != "large"))
    p.add("is_sme",
          std::string("a ") + s.size_class + " enterprise " + (s.is_sme ? "is not" : "is") + " an SME: give is_sme " +
              (s.is_sme ? "false" : "true") + " or another size class",
          {"supplier.problem.is_sme", {s.size_class}});
  if (s.dispatch_points.empty())
    p.add("dispatch_points", "give at least one dispatch point (farm, hub or cooperative) with coordinates",
          {"supplier.problem.no_dispatch_point", {}});
  for (std::size_t i = 0; i < s.dispatch_points.size(); ++i) {
    const DispatchPoint& d = s.dispatch_points[i];
    const std::string f = "dispatch_points[" + std::to_string(i) + "]";
    const std::string n = std::to_string(i + 1);
    if (d.name.empty()) p.add(f + ".name", "a name is required", {"supplier.problem.dispatch_name", {n}});
    if (d.location.lat < -90 || d.location.lat > 90)
      p.add(f + ".lat", "latitude must be between -90 and 90", {"supplier.problem.lat", {n}});
    if (d.location.lon < -180 || d.location.lon > 180)
      p.add(f + ".lon", "longitude must be between -180 and 180", {"supplier.problem.lon", {n}});
  }
  p.throwIfAny("the supplier", {"supplier.rejected", {}});
}

std::string describeSupplier(const Supplier& s) {
  std::string out = s.tax_number + "\n" + s.name + "\n" + s.address + "\n" +
                    (s.size_class.empty() ? std::string(s.is_sme ? "sme" : "large") : s.size_class) + "\n";
  for (const Certificate& c : s.certificates)
    out += "cert " + c.name + " " + c.number + " " + (c.valid_until ? formatTime(*c.valid_until) : "-") + "\n";
  for (const DispatchPoint& d : s.dispatch_points) out += "dispatch " + d.name + "\n";
  return out;
}

}  // namespace

Id Engine::registerSupplier(const Actor& actor, const Supplier& supplier) {
  validateSupplier(supplier);
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    if (tx.findSupplierByTaxNumber(supplier.tax_number))
      fail(ErrorCode::kConflict,
           "a supplier with tax number " + supplier.tax_number +
               " is already registered; sign in to that account instead",
           "tax_number", {"supplier.refused.tax_taken", {supplier.tax_number}});
    id = tx.insertSupplier(supplier);
    appendAudit(tx, clock_.now(), actor.name, "supplier.register", obj("supplier", id), describeSupplier(supplier));
  });
  return id;
}

void Engine::updateSupplier(const Actor& actor, const Supplier& supplier) {
  requireSupplierSelf(actor, supplier.id, "updating a supplier's record");
  validateSupplier(supplier);
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    const Supplier old = requireSupplier(tx, supplier.id);
    if (old.tax_number != supplier.tax_number)
      fail(ErrorCode::kInvalidArgument, "the tax number identifies the supplier and cannot change", "tax_number",
           {"supplier.refused.tax_change", {}});
    if (!sameCertificates(old.certificates, supplier.certificates)) tx.archiveCertificates(supplier.id, clock_.now());
    tx.updateSupplier(supplier);
    appendAudit(tx, clock_.now(), actor.name, "supplier.update", obj("supplier", supplier.id),
                describeSupplier(supplier));
  });
}

Id Engine::requestAdmission(const Actor& actor, Id supplier_id, Id category_id, const std::string& self_declaration) {
  requireSupplierSelf(actor, supplier_id, "requesting admission");
  if (self_declaration.empty())
    fail(ErrorCode::kInvalidArgument,
         "attach the self-declaration (ESPD response, Art. 59) to the request: it is all a supplier needs to give "
         "to join (rule 10: no fee is charged)",
         "self_declaration", {"admission.refused.no_espd", {}});
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    const TimePoint now = clock_.now();
    requireSupplier(tx, supplier_id);
    const auto cat = tx.getCategory(category_id);
    if (!cat)
      fail(ErrorCode::kNotFound, "no category with id " + std::to_string(category_id), {},
           {"notfound.category", {std::to_string(category_id)}});
    const Dps d = requireDps(tx, cat->dps_id);
    requireLive(d, now, "requesting admission");
    for (const AdmissionRequest& r : tx.listSupplierAdmissions(supplier_id)) {
      if (r.category_id != category_id) continue;
      if (r.status == AdmissionStatus::kPending)
        fail(ErrorCode::kConflict,
             "a request to join category " + cat->code +
                 " is already waiting for a decision, due within 10 working days (rule 3, Art. 34(5)); wait for it",
             {}, {"admission.refused.pending", {cat->code}});
      if (r.status == AdmissionStatus::kAdmitted)
        fail(ErrorCode::kConflict,
             "the supplier is already admitted to category " + cat->code +
                 " and stays admitted for the DPS's validity (Art. 34(2)); nothing to request",
             {}, {"admission.refused.admitted", {cat->code}});
    }
    AdmissionRequest r;
    r.supplier_id = supplier_id;
    r.category_id = category_id;
    r.received_at = now;
    r.self_declaration = self_declaration;
    id = tx.insertAdmissionRequest(r);
    appendAudit(tx, now, actor.name, "admission.request", obj("admission", id),
                std::to_string(supplier_id) + "\n" + std::to_string(category_id) + "\n" + sha256Hex(self_declaration));
  });
  return id;
}

void Engine::extendAdmissionPeriod(const Actor& actor, Id request_id, const std::string& justification) {
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    auto r = tx.getAdmissionRequest(request_id);
    if (!r)
      fail(ErrorCode::kNotFound, "no admission request with id " + std::to_string(request_id), {},
           {"notfound.admission", {std::to_string(request_id)}});
    const auto cat = tx.getCategory(r->category_id);
    const Dps d = requireDps(tx, cat->dps_id);
    requireOfficerOf(actor, d.authority_id, "extending an admission decision period");
    if (r->status != AdmissionStatus::kPending)
      fail(ErrorCode::kConflict,
           "the request is decided already; only a pending request's period can be extended "
           "(Art. 34(5))",
           {}, {"admission.refused.extend_decided", {}});
    if (!r->extension_justification.empty())
      fail(ErrorCode::kConflict,
           "the period was already extended to 15 working days, the most Art. 34(5) allows; "
           "decide the request",
           {}, {"admission.refused.extended_already", {}});
    if (justification.empty())
      fail(ErrorCode::kInvalidArgument, "the extension to 15 working days needs a recorded justification (Art. 34(5))",
           "justification", {"admission.refused.extend_no_reason", {}});
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    const TimePoint due10 = cal.periodEndWorkingDays(r->received_at, 10);
    if (clock_.now() > due10)
      fail(ErrorCode::kDeadline,
           "the 10 working days for this decision ended at " + formatTime(due10) +
               "; an extension must be recorded before then (rule 3, Art. 34(5)). Decide now.",
           {}, {"admission.refused.extend_late", {formatTime(due10)}});
    r->extension_justification = justification;
    tx.updateAdmissionRequest(*r);
    appendAudit(tx, clock_.now(), actor.name, "admission.extend", obj("admission", r->id), justification);
  });
}

void Engine::decideAdmission(const Actor& actor, Id request_id, bool admit, const std::string& reason) {
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    auto r = tx.getAdmissionRequest(request_id);
    if (!r)
      fail(ErrorCode::kNotFound, "no admission request with id " + std::to_string(request_id), {},
           {"notfound.admission", {std::to_string(request_id)}});
    const auto cat = tx.getCategory(r->category_id);
    const Dps d = requireDps(tx, cat->dps_id);
    requireOfficerOf(actor, d.authority_id, "deciding an admission request");
    if (r->status != AdmissionStatus::kPending)
      fail(ErrorCode::kConflict,
           "admission request " + std::to_string(request_id) + " was decided already (" + toString(r->status) +
               ", Art. 34(5)); the supplier may file a new request",
           {},
           {"admission.refused.decided",
            {std::to_string(request_id), std::string("@status.admission.") + toString(r->status)}});
    if (!admit && reason.empty())
      fail(ErrorCode::kInvalidArgument, "a rejection must give its reason: the supplier is told why (Art. 55(2))",
           "reason", {"admission.refused.no_reason", {}});
    const TimePoint now = clock_.now();
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    const TimePoint due = admissionDue(cal, *r);
    r->status = admit ? AdmissionStatus::kAdmitted : AdmissionStatus::kRejected;
    r->decided_at = now;
    r->decided_by = actor.name;
    r->reason = reason;
    tx.updateAdmissionRequest(*r);
    notifyAdmission(tx, now, d, *cat, *r, requireSupplier(tx, r->supplier_id));
    appendAudit(tx, now, actor.name, admit ? "admission.admit" : "admission.reject", obj("admission", r->id),
                reason + (now > due ? "\nlate: due " + formatTime(due) : std::string()));
  });
}

std::vector<AdmissionDue> Engine::pendingAdmissions(Id dps_id, bool only_overdue) {
  std::vector<AdmissionDue> out;
  store_.read([&](Tx& tx) {
    out.clear();  // a retried transaction runs this again
    const Dps d = requireDps(tx, dps_id);
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    const TimePoint now = clock_.now();
    for (const AdmissionRequest& r : tx.listAdmissionRequests(dps_id)) {
      if (r.status != AdmissionStatus::kPending) continue;
      AdmissionDue due{r, admissionDue(cal, r), 0, false};
      due.overdue = now > due.due_at;
      due.working_days_left = due.overdue ? 0 : cal.workingDaysBetween(now, due.due_at);
      if (!only_overdue || due.overdue) out.push_back(std::move(due));
    }
  });
  return out;
}

Id Engine::requestRenewal(const Actor& actor, Id supplier_id) {
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    requireSupplier(tx, supplier_id);
    if (actor.role != Role::kOfficer && actor.role != Role::kAdministrator && actor.role != Role::kSystem)
      fail(ErrorCode::kForbidden, "only a procurement officer may request a renewed self-declaration", {},
           {"access.refused.renewal", {}});
    // An officer may ask suppliers admitted to a category of a DPS of the officer's authority.
    if (actor.role == Role::kOfficer) {
      bool related = false;
      for (const AdmissionRequest& r : tx.listSupplierAdmissions(supplier_id)) {
        const auto cat = tx.getCategory(r.category_id);
        if (cat && requireDps(tx, cat->dps_id).authority_id == actor.authority_id) related = true;
      }
      if (!related)
        fail(ErrorCode::kForbidden,
             "supplier " + std::to_string(supplier_id) + " has no admission request with your authority's DPS", {},
             {"access.refused.renewal_unrelated", {std::to_string(supplier_id)}});
    }
    const TimePoint now = clock_.now();
    Id authority_id = actor.authority_id;
    if (authority_id == 0) {
      const auto all = tx.listAuthorities();
      if (all.empty())
        fail(ErrorCode::kConflict, "no contracting authority is registered", {}, {"renewal.refused.no_authority", {}});
      authority_id = all.front().id;
    }
    const Calendar& cal = calendarOf(tx, calendars_, authority_id);
    RenewalRequest r;
    r.supplier_id = supplier_id;
    r.requested_at = now;
    r.due_at = cal.periodEndWorkingDays(now, 5);
    id = tx.insertRenewalRequest(r);
    std::vector<std::string> dps_references;
    for (const AdmissionRequest& a : tx.listSupplierAdmissions(supplier_id)) {
      if (a.status != AdmissionStatus::kAdmitted) continue;
      const auto cat = tx.getCategory(a.category_id);
      if (!cat) continue;
      const Dps related = requireDps(tx, cat->dps_id);
      if (related.authority_id == authority_id &&
          std::find(dps_references.begin(), dps_references.end(), related.reference) == dps_references.end())
        dps_references.push_back(related.reference);
    }
    r.id = id;
    notifyRenewal(tx, now, cal, dps_references, r, requireSupplier(tx, supplier_id));
    appendAudit(tx, now, actor.name, "renewal.request", obj("supplier", supplier_id),
                "due " + formatTime(r.due_at));
  });
  return id;
}

void Engine::submitRenewal(const Actor& actor, Id supplier_id, const std::string& self_declaration) {
  requireSupplierSelf(actor, supplier_id, "submitting a renewed self-declaration");
  if (self_declaration.empty())
    fail(ErrorCode::kInvalidArgument, "attach the renewed self-declaration (ESPD response)", "self_declaration",
         {"renewal.refused.no_espd", {}});
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    const TimePoint now = clock_.now();
    int fulfilled = 0;
    for (RenewalRequest r : tx.listRenewalRequests(supplier_id)) {
      if (r.fulfilled_at) continue;
      r.fulfilled_at = now;
      r.self_declaration = self_declaration;
      tx.updateRenewalRequest(r);
      ++fulfilled;
    }
    if (fulfilled == 0)
      fail(ErrorCode::kConflict,
           "no renewed self-declaration was requested from this supplier (Art. 34(7)); "
           "nothing to submit",
           {}, {"renewal.refused.not_requested", {}});
    appendAudit(tx, now, actor.name, "renewal.submit", obj("supplier", supplier_id), sha256Hex(self_declaration));
  });
}

Suspension Engine::suspension(Id supplier_id, TimePoint at) {
  Suspension s;
  store_.read([&](Tx& tx) {
    requireSupplier(tx, supplier_id);
    s = suspensionOf(tx, supplier_id, at);
  });
  return s;
}

bool Engine::isAdmitted(Id supplier_id, Id category_id) {
  bool admitted = false;
  store_.read([&](Tx& tx) { admitted = admittedTo(tx, supplier_id, category_id); });
  return admitted;
}

// ---------------------------------------------------------------------------------------------
// Rounds

Id Engine::createRound(const Actor& actor, const Round& draft, const std::vector<Lot>& lots) {
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    const Dps d = requireDps(tx, draft.dps_id);
    requireOfficerOf(actor, d.authority_id, "creating a round");
    requireLive(d, clock_.now(), "creating a round");
    Problems p;
    const auto cat = tx.getCategory(draft.category_id);
    if (!cat || cat->dps_id != d.id)
      p.add("category_id", "the category is not one of DPS " + d.reference, {"round.problem.category", {d.reference}});
    if (draft.title.empty()) p.add("title", "a title is required", {"input.problem.title", {}});
    if (draft.award_mode == AwardMode::kOptimalByDeliveryPoint && optimiser_ == nullptr)
      p.add("award_mode", "this installation has no award optimiser; choose best_bid or partial_fill",
            {"round.problem.no_optimiser", {}});
    if (draft.award_mode == AwardMode::kPartialFill && !draft.allow_partial)
      p.add("award_mode", "partial_fill needs allow_partial: suppliers must be able to offer part of a lot",
            {"round.problem.partial_fill", {}});
    try {
      applyRefinements(tx.listCriteria(d.id, d.criteria_version), draft.refinements);
    } catch (const Error& e) {
      p.addError("refinements", e);
    }
    if (lots.empty()) p.add("lots", "a round needs at least one lot", {"round.problem.no_lot", {}});
    std::set<int> numbers;
    for (std::size_t i = 0; i < lots.size(); ++i) {
      const Lot& l = lots[i];
      const std::string f = "lots[" + std::to_string(i) + "]";
      // The page names a lot by its number, the English text by its place in the input.
      const std::string n = std::to_string(l.number);
      if (!numbers.insert(l.number).second)
        p.add(f + ".number", "lot number " + n + " is used twice", {"round.problem.lot_twice", {n}});
      if (l.cpv.size() != 8 || l.cpv.find_first_not_of("0123456789") != std::string::npos)
        p.add(f + ".cpv", "'" + l.cpv + "' is not an 8-digit CPV code", {"round.problem.cpv", {n, l.cpv}});
      if (l.description.empty()) p.add(f + ".description", "describe the product", {"round.problem.description", {n}});
      if (l.unit_mass_kg.isNegative() || l.unit_mass_kg.isZero())
        p.add(f + ".unit_mass_kg", "must be positive", {"round.problem.unit_mass", {n}});
      if (l.min_delivery.isNegative())
        p.add(f + ".min_delivery", "must not be negative", {"round.problem.min_delivery", {n}});
      if (!l.min_delivery.isZero() && draft.award_mode != AwardMode::kOptimalByDeliveryPoint)
        p.add(f + ".min_delivery",
              "a smallest delivery per point applies only in award mode "
              "optimal_by_delivery_point; leave it empty or choose that mode",
              {"round.problem.min_delivery_mode", {n}});
      if (l.demands.empty())
        p.add(f + ".demands", "give the demanded quantity for at least one delivery point",
              {"round.problem.no_demand", {n}});
      std::set<Id> points;
      for (std::size_t j = 0; j < l.demands.size(); ++j) {
        const Demand& dm = l.demands[j];
        const std::string g = f + ".demands[" + std::to_string(j) + "]";
        const std::string point = std::to_string(dm.delivery_point_id);
        const auto dp = tx.getDeliveryPoint(dm.delivery_point_id);
        if (!dp || dp->authority_id != d.authority_id)
          p.add(g + ".delivery_point_id", "delivery point " + point + " is not one of the authority's delivery points",
                {"round.problem.foreign_point", {n, point}});
        if (!points.insert(dm.delivery_point_id).second)
          p.add(g, "the same delivery point is listed twice", {"round.problem.point_twice", {n}});
        if (dm.quantity.isNegative() || dm.quantity.isZero())
          p.add(g + ".quantity", "must be positive", {"round.problem.demand_quantity", {n}});
      }
    }
    const std::vector<Round> existing = tx.listRounds(d.id);
    const auto taken = [&](const std::string& ref) {
      return std::any_of(existing.begin(), existing.end(), [&](const Round& x) { return x.reference == ref; });
    };
    if (!draft.reference.empty() && taken(draft.reference))
      p.add("reference",
            "round reference '" + draft.reference + "' is used by another round of DPS " + d.reference +
                "; choose another or leave it empty for the next free one",
            {"round.problem.reference_taken", {draft.reference, d.reference}});
    p.throwIfAny("the round", {"round.rejected", {}});
    Round r = draft;
    r.status = RoundStatus::kDraft;
    r.criteria_version = d.criteria_version;
    r.dispatched_at.reset();
    r.opened_at.reset();
    for (std::size_t n = existing.size() + 1; r.reference.empty() || taken(r.reference); ++n)
      r.reference = d.reference + "/R" + std::to_string(n);
    id = tx.insertRound(r);
    std::string change = r.reference + "\n" + r.title + "\n" + toString(r.award_mode) + "\n";
    for (Lot l : lots) {
      l.round_id = id;
      const Id lot_id = tx.insertLot(l);
      change += "lot " + std::to_string(lot_id) + " " + l.cpv + " " + l.description + " " + totalDemand(l).toString() +
                " " + l.unit + "\n";
    }
    appendAudit(tx, clock_.now(), actor.name, "round.create", obj("round", id), change);
  });
  return id;
}

std::vector<Invitation> Engine::dispatchRound(const Actor& actor, Id round_id, TimePoint deadline) {
  std::vector<Invitation> invitations;
  store_.transact([&](Tx& tx) {
    invitations.clear();  // a retried transaction runs this again
    Round r = requireRound(tx.lockRound(round_id, LockMode::kExclusive), round_id);
    serialiseWriters(tx);  // the DPS's first invitation and initial-assessment extension
    Dps d = requireDps(tx, r.dps_id);
    requireOfficerOf(actor, d.authority_id, "dispatching invitations");
    const TimePoint now = clock_.now();
    requireLive(d, now, "dispatching invitations");
    if (r.status != RoundStatus::kDraft)
      fail(ErrorCode::kConflict,
           "round " + r.reference + " was dispatched already; its invitee list is frozen (rule 5, Art. 34(6))", {},
           {"round.refused.dispatched", {r.reference}});
    if (now <= d.request_deadline)
      fail(ErrorCode::kDeadline,
           "the first period for requests to participate runs until " + formatTime(d.request_deadline) +
               "; invite after it, when the initial wave is assessed (rule 2, Art. 34(2)(a))",
           {}, {"round.refused.request_period", {formatTime(d.request_deadline)}});
    if (d.initial_assessment_extended_until && now < *d.initial_assessment_extended_until)
      fail(ErrorCode::kDeadline,
           "the assessment of the initial wave was extended until " + formatTime(*d.initial_assessment_extended_until) +
               "; no invitation may be sent during the extension (rule 3, Art. 34(5))",
           {}, {"round.refused.assessment_extended", {formatTime(*d.initial_assessment_extended_until)}});
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    const TimePoint min_deadline = cal.periodEndCalendarDays(now, 10);
    if (deadline < min_deadline)
      fail(ErrorCode::kDeadline,
           "the tender period must last at least 10 days from dispatch (rule 6, Art. 34(2)(b); "
           "no urgency reduction in a DPS): the earliest lawful deadline is " +
               formatTime(min_deadline),
           "deadline", {"round.refused.ten_days", {formatTime(min_deadline)}});
    if (deadline >= d.valid_until)
      fail(ErrorCode::kDeadline,
           "the tender deadline must fall within the DPS's period of validity (until " + formatTime(d.valid_until) +
               ", Art. 34(2), Art. 34(8))",
           "deadline", {"round.refused.after_validity", {formatTime(d.valid_until)}});
    std::string change = "deadline " + formatTime(deadline) + "\ninvitees";
    const std::vector<Id> admitted = tx.listAdmittedSuppliers(r.category_id);
    std::vector<Supplier> invitees;
    for (Supplier& s : tx.listSuppliers()) {
      if (!std::binary_search(admitted.begin(), admitted.end(), s.id)) continue;
      if (suspensionOf(tx, s.id, now).suspended) continue;  // rule 5: suspended suppliers are not invited
      invitations.push_back({r.id, s.id, now});
      change += " " + std::to_string(s.id);
      invitees.push_back(std::move(s));
    }
    if (invitations.empty())
      fail(ErrorCode::kConflict,
           "no supplier is admitted to the round's category and free of suspension, so "
           "nobody could be invited (rule 5, Art. 34(6)); decide pending admission requests "
           "first",
           {}, {"round.refused.nobody_to_invite", {}});
    tx.insertInvitations(invitations);
    r.status = RoundStatus::kOpen;
    r.dispatched_at = now;
    r.deadline = deadline;
    tx.updateRound(r);
    for (const Supplier& s : invitees) notifyInvitation(tx, now, cal, d, r, s);
    if (!d.first_invitation_at) {
      d.first_invitation_at = now;
      d.status = DpsStatus::kOperating;
      tx.updateDps(d);
    }
    appendAudit(tx, now, actor.name, "round.dispatch", obj("round", r.id), change);
  });
  return invitations;
}

BidReceipt Engine::submitBid(const Actor& actor, Id round_id, const std::vector<BidLine>& lines) {
  if (actor.role != Role::kSupplier)
    fail(ErrorCode::kForbidden, "only a supplier can submit a bid; " + actor.name + " is " + toString(actor.role), {},
         {"bid.refused.not_supplier", {actor.name}});
  // The canonical encoding, its digest (the receipt) and the sealing depend on the input alone, so
  // they are done before the transaction and do not lengthen it: on SQLite every writer waits for
  // it. A bid refused below has merely been sealed for nothing.
  const std::string plain = encodeBidLines(lines);
  const std::string digest = sha256Hex(plain);
  const std::string sealed = sealer_.seal(round_id, actor.supplier_id, plain);
  BidReceipt receipt;
  store_.transact([&](Tx& tx) {
    receipt.warnings.clear();  // a retried transaction runs this again
    const Round r = requireRound(tx.lockRound(round_id, LockMode::kShared), round_id);
    const TimePoint now = clock_.now();
    if (r.status != RoundStatus::kOpen || now >= r.deadline)
      fail(ErrorCode::kDeadline,
           "round " + r.reference + " does not accept bids: " +
               (r.status == RoundStatus::kDraft
                    ? std::string("invitations are not sent yet (Art. 34(6))")
                    : "the tender deadline passed at " + formatTime(r.deadline) + " (Art. 34(2)(b))"),
           {},
           r.status == RoundStatus::kDraft ? Localized{"bid.refused.not_sent", {r.reference}}
                                           : Localized{"bid.refused.deadline", {r.reference, formatTime(r.deadline)}});
    // The supplier's invitation, locked until the transaction ends: two submissions of the same
    // supplier (two tabs, two service instances) take turns, so that they cannot both read version n
    // and both supersede it, leaving two live bids; other suppliers' submissions go on side by side.
    if (!tx.lockInvitation(r.id, actor.supplier_id))
      fail(ErrorCode::kForbidden,
           "only suppliers invited at dispatch may bid in round " + r.reference +
               " (rule 5, Art. 34(6)); request admission for the next round",
           {}, {"bid.refused.not_invited", {r.reference}});
    // Only what the lines are checked against: the DPS's published vehicle types, the lots the bid
    // names (a lot of another round is simply not found among them) and the supplier's own current
    // dispatch points, one read each however many lines there are.
    const std::vector<VehicleFactor> vehicles = tx.listVehicleFactors(r.dps_id);
    std::vector<Id> named;
    named.reserve(lines.size());
    for (const BidLine& l : lines) named.push_back(l.lot_id);
    const std::vector<Lot> lots = tx.findLots(r.id, named);
    const std::vector<DispatchPoint> own_points =
        lines.empty() ? std::vector<DispatchPoint>{} : tx.listDispatchPoints(actor.supplier_id);
    // Each problem also names its message in the interface's catalogue, with the lot's number, so
    // that a farmer reads it in the page's language (core::Localized).
    Problems p;
    if (lines.empty()) p.add("lines", "bid on at least one lot", {"bid.problem.no_line", {}});
    std::set<Id> seen;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const BidLine& l = lines[i];
      const std::string f = "lines[" + std::to_string(i) + "]";
      const auto lot = std::find_if(lots.begin(), lots.end(), [&](const Lot& x) { return x.id == l.lot_id; });
      if (lot == lots.end()) {
        p.add(f + ".lot_id", "lot " + std::to_string(l.lot_id) + " is not part of round " + r.reference,
              {"bid.problem.unknown_lot", {std::to_string(l.lot_id), r.reference}});
        continue;
      }
      const std::string number = std::to_string(lot->number);
      if (!seen.insert(l.lot_id).second)
        p.add(f + ".lot_id", "lot " + number + " appears twice", {"bid.problem.lot_twice", {number}});
      if (l.unit_price.isNegative() || l.unit_price.isZero())
        p.add(f + ".unit_price", "must be positive", {"bid.problem.price", {number}});
      if (l.quantity.isNegative() || l.quantity.isZero())
        p.add(f + ".quantity", "must be positive", {"bid.problem.quantity", {number}});
      const Decimal demand = totalDemand(*lot);
      if (!r.allow_partial && l.quantity < demand)
        p.add(f + ".quantity",
              "this round does not accept partial quantities: offer the whole " + demand.toString() + " " + lot->unit +
                  " of lot " + number,
              {"bid.problem.whole_demand", {number, demand.toString(), lot->unit}});
      if (std::none_of(own_points.begin(), own_points.end(),
                       [&](const DispatchPoint& dp) { return dp.id == l.dispatch_point_id; }))
        p.add(f + ".dispatch_point_id", "choose one of your own dispatch points",
              {"bid.problem.dispatch_point", {number}});
      if (l.hours_from_harvest < 0)
        p.add(f + ".hours_from_harvest", "must not be negative", {"bid.problem.hours", {number}});
      if (l.intermediaries < 0)
        p.add(f + ".intermediaries", "must not be negative", {"bid.problem.intermediaries", {number}});
      if (!vehicles.empty()) {
        const bool known = std::any_of(vehicles.begin(), vehicles.end(),
                                       [&](const VehicleFactor& v) { return v.vehicle == l.vehicle; });
        if (!known) {
          std::string names;
          for (const VehicleFactor& v : vehicles) names += (names.empty() ? "" : ", ") + v.vehicle;
          p.add(f + ".vehicle", "'" + l.vehicle + "' is not a published vehicle type; use one of: " + names,
                {"bid.problem.vehicle", {number, l.vehicle, names}});
        }
      }
      for (const PointOffer& o : l.point_offers) {
        const bool demanded = std::any_of(lot->demands.begin(), lot->demands.end(),
                                          [&](const Demand& dm) { return dm.delivery_point_id == o.delivery_point_id; });
        if (!demanded)
          p.add(f + ".point_offers", "delivery point " + std::to_string(o.delivery_point_id) + " is not in this lot",
                {"bid.problem.point_not_in_lot", {number, std::to_string(o.delivery_point_id)}});
        if (o.quantity.isNegative() || o.quantity.isZero())
          p.add(f + ".point_offers", "quantities must be positive", {"bid.problem.point_quantity", {number}});
      }
    }
    p.throwIfAny("the bid", {"bid.rejected", {}});
    Bid bid;
    bid.round_id = r.id;
    bid.supplier_id = actor.supplier_id;
    bid.status = BidStatus::kSubmitted;
    bid.submitted_at = now;
    bid.digest = digest;
    bid.sealed = sealed;
    // Only the newest version can be live: each submission supersedes the one before it and a
    // withdrawal ends the newest.
    const std::optional<Bid> current = tx.latestBid(r.id, actor.supplier_id);
    const int version = current ? current->version + 1 : 1;
    if (current && current->status == BidStatus::kSubmitted)
      tx.updateBidStatus(current->id, BidStatus::kSuperseded, "amended");
    bid.version = version;
    receipt.bid_id = tx.insertBid(bid);
    receipt.version = version;
    receipt.submitted_at = now;
    receipt.digest = bid.digest;
    const Suspension s = suspensionOf(tx, actor.supplier_id, now);
    for (const std::string& reason : s.reasons)
      receipt.warnings.push_back("you are suspended: " + reason +
                                 "; the bid becomes invalid if this still holds at the deadline (rule 5)");
    appendAudit(tx, now, actor.name, "bid.submit", obj("bid", receipt.bid_id),
                "round " + std::to_string(r.id) + " version " + std::to_string(version) + " digest " + bid.digest);
  });
  return receipt;
}

void Engine::withdrawBid(const Actor& actor, Id round_id) {
  if (actor.role != Role::kSupplier)
    fail(ErrorCode::kForbidden, "only the supplier may withdraw its bid", {},
         {"bid.refused.withdraw_not_supplier", {}});
  store_.transact([&](Tx& tx) {
    const Round r = requireRound(tx.lockRound(round_id, LockMode::kShared), round_id);
    const TimePoint now = clock_.now();
    if (r.status != RoundStatus::kOpen || now >= r.deadline)
      fail(ErrorCode::kDeadline,
           "a bid can only be withdrawn before the tender deadline (" + formatTime(r.deadline) + ", Art. 34(2)(b))", {},
           {"bid.refused.withdraw_deadline", {formatTime(r.deadline)}});
    // Taken in turn with a concurrent submission of the same supplier (see submitBid).
    const bool invited = tx.lockInvitation(r.id, actor.supplier_id).has_value();
    const std::optional<Bid> current = invited ? tx.latestBid(r.id, actor.supplier_id) : std::nullopt;
    if (!current || current->status != BidStatus::kSubmitted)
      fail(ErrorCode::kNotFound, "you have no bid to withdraw in round " + r.reference, {},
           {"bid.refused.nothing_to_withdraw", {r.reference}});
    tx.updateBidStatus(current->id, BidStatus::kWithdrawn, "withdrawn by the supplier");
    appendAudit(tx, now, actor.name, "bid.withdraw", obj("bid", current->id), "round " + std::to_string(r.id));
  });
}

std::vector<BidLine> Engine::readBid(const Actor& actor, Id bid_id) {
  std::vector<BidLine> lines;
  std::string refusal;
  Localized refusal_localized;
  store_.transact([&](Tx& tx) {
    const auto bid = tx.getBid(bid_id);
    if (!bid)
      fail(ErrorCode::kNotFound, "no bid with id " + std::to_string(bid_id), {},
           {"notfound.bid", {std::to_string(bid_id)}});
    const Round r = requireRound(tx.getRound(bid->round_id), bid->round_id);
    const bool opened = r.status == RoundStatus::kOpened || r.status == RoundStatus::kEvaluated ||
                        r.status == RoundStatus::kAwarded;
    if (!opened) {
      refusal = "bids of round " + r.reference + " are sealed until they are opened after the tender deadline (" +
                formatTime(r.deadline) + "); nobody may read them before (rule 8, Art. 22(3), Annex IV). "
                "The attempt is recorded in the audit log.";
      refusal_localized = {"bid.refused.sealed", {r.reference, formatTime(r.deadline)}};
      return;
    }
    const Dps d = requireDps(tx, r.dps_id);
    const bool allowed = actor.role == Role::kAuditor || actor.role == Role::kSystem ||
                         actor.role == Role::kAdministrator ||
                         (actor.role == Role::kOfficer && actor.authority_id == d.authority_id) ||
                         (actor.role == Role::kSupplier && actor.supplier_id == bid->supplier_id);
    if (!allowed)
      fail(ErrorCode::kForbidden,
           actor.role == Role::kSupplier ? "a supplier may read only its own bids"
                                         : "only officers of the contracting authority that runs round " + r.reference +
                                               ", auditors and administrators may read its bids",
           {},
           actor.role == Role::kSupplier ? Localized{"bid.refused.read_own", {}}
                                         : Localized{"bid.refused.read_other", {r.reference}});
    lines = tx.listBidLines(bid_id);
  });
  if (!refusal.empty()) {
    // The refusal is recorded in its own transaction: the attempt must leave a trace even though the
    // operation fails.
    store_.transact([&](Tx& tx) {
      appendAudit(tx, clock_.now(), actor.name, "bid.read_refused", obj("bid", bid_id),
                  std::string(toString(actor.role)) + " " + actor.name);
    });
    fail(ErrorCode::kForbidden, refusal, {}, refusal_localized);
  }
  return lines;
}

void Engine::openRound(const Actor& actor, Id round_id) {
  store_.transact([&](Tx& tx) {
    Round r = requireRound(tx.lockRound(round_id, LockMode::kExclusive), round_id);
    const Dps d = requireDps(tx, r.dps_id);
    requireOfficerOf(actor, d.authority_id, "opening bids");
    const TimePoint now = clock_.now();
    if (r.status != RoundStatus::kOpen)
      fail(ErrorCode::kConflict,
           "round " + r.reference + " is " + toString(r.status) + "; only an open round is opened", {},
           {"round.refused.open_status", {r.reference, std::string("@status.round.") + toString(r.status)}});
    if (now < r.deadline)
      fail(ErrorCode::kDeadline,
           "bids are opened only after the tender deadline " + formatTime(r.deadline) +
               " (rule 8, Art. 22(3)); wait until then",
           {}, {"round.refused.open_early", {formatTime(r.deadline)}});
    std::string change = "opened";
    for (const Bid& b : tx.listBids(r.id)) {
      if (b.status != BidStatus::kSubmitted) continue;
      const std::string plain = sealer_.open(r.id, b.supplier_id, b.sealed);
      if (sha256Hex(plain) != b.digest)
        fail(ErrorCode::kInternal,
             "bid " + std::to_string(b.id) +
                 " does not match its receipt digest; stop and "
                 "call the auditor: the stored bid was altered",
             {}, {"bid.altered", {std::to_string(b.id)}});
      tx.insertBidLines(b.id, decodeBidLines(plain));
      // Rule 5: a supplier still suspended at the deadline has an invalid bid.
      const Suspension s = suspensionOf(tx, b.supplier_id, r.deadline);
      if (s.suspended) {
        std::string why = "supplier suspended at the deadline: ";
        for (const std::string& reason : s.reasons) why += reason + "; ";
        tx.updateBidStatus(b.id, BidStatus::kInvalid, why);
        change += "\ninvalid " + std::to_string(b.id);
      } else {
        change += "\nvalid " + std::to_string(b.id) + " " + b.digest;
      }
    }
    r.status = RoundStatus::kOpened;
    r.opened_at = now;
    tx.updateRound(r);
    appendAudit(tx, now, actor.name, "round.open", obj("round", r.id), change);
  });
}

namespace {

// Everything evaluation and award need about one round, read in the caller's transaction.
struct RoundInputs {
  Round round;
  Dps dps;
  std::vector<Lot> lots;
  std::vector<LotInput> lot_inputs;
  std::vector<std::vector<BidOnLot>> bids;  // per lot
  ScoringContext context;
};

RoundInputs loadRoundInputs(Tx& tx, const Round& r) {
  RoundInputs in;
  in.round = r;
  in.dps = requireDps(tx, r.dps_id);
  in.lots = tx.listLots(r.id);
  in.context.criteria = applyRefinements(tx.listCriteria(in.dps.id, r.criteria_version), r.refinements);
  in.context.vehicle_factors = in.dps.vehicle_factors;
  // Road distances are read once here so that scoring does not reach back into the store.
  std::map<std::pair<Id, Id>, Decimal> road;
  std::map<Id, GeoPoint> dispatch_location;
  std::map<Id, GeoPoint> point_location;
  std::set<std::tuple<Id, Id, Id>> rejected;  // (lot, bid) rejected as abnormally low
  for (const AbnormalLowCase& c : tx.listAbnormalLowCases(r.id))
    if (c.rejected) rejected.insert({c.lot_id, c.bid_id, 0});
  const std::vector<Bid> all_bids = tx.listBids(r.id);
  std::map<Id, std::vector<BidLine>> lines_by_bid;
  for (const Bid& b : all_bids)
    if (b.status == BidStatus::kSubmitted || b.status == BidStatus::kInvalid) lines_by_bid[b.id] = tx.listBidLines(b.id);
  // The places and distances the bids need, a read per kind (not one per point or pair).
  std::vector<Id> delivery_ids;
  for (const Lot& lot : in.lots)
    for (const Demand& dm : lot.demands) delivery_ids.push_back(dm.delivery_point_id);
  for (const DeliveryPoint& p : tx.findDeliveryPoints(delivery_ids)) point_location[p.id] = p.location;
  std::vector<Id> dispatch_ids;
  for (const auto& [bid_id, lines] : lines_by_bid)
    for (const BidLine& line : lines) dispatch_ids.push_back(line.dispatch_point_id);
  for (const DispatchPoint& p : tx.findDispatchPoints(dispatch_ids)) dispatch_location[p.id] = p.location;
  for (const RoadDistance& d : tx.listRoadDistances(dispatch_ids))
    road[{d.dispatch_point_id, d.delivery_point_id}] = d.km;
  for (const Lot& lot : in.lots) {
    LotInput li;
    li.round_id = r.id;
    li.lot_id = lot.id;
    li.unit_mass_kg = lot.unit_mass_kg;
    li.allow_partial = r.allow_partial;
    for (const Demand& dm : lot.demands) {
      const auto at = point_location.find(dm.delivery_point_id);
      if (at == point_location.end())
        fail(ErrorCode::kInternal,
             "delivery point " + std::to_string(dm.delivery_point_id) + " of lot " + std::to_string(lot.number) +
                 " is missing from the store: report this defect",
             {}, {"round.missing_point", {std::to_string(dm.delivery_point_id), std::to_string(lot.number)}});
      li.points.push_back({dm.delivery_point_id, at->second, dm.quantity});
    }
    std::vector<BidOnLot> bids;
    for (const Bid& b : all_bids) {
      const auto it = lines_by_bid.find(b.id);
      if (it == lines_by_bid.end()) continue;
      for (const BidLine& line : it->second) {
        if (line.lot_id != lot.id) continue;
        BidOnLot bl;
        bl.bid_id = b.id;
        bl.supplier_id = b.supplier_id;
        bl.submitted_at = b.submitted_at;
        bl.line = line;
        const auto dispatch = dispatch_location.find(line.dispatch_point_id);
        bl.dispatch = dispatch == dispatch_location.end() ? GeoPoint{} : dispatch->second;
        if (b.status == BidStatus::kInvalid) {
          bl.admissible = false;
          bl.note = b.status_reason;
        } else if (rejected.count({lot.id, b.id, 0})) {
          bl.admissible = false;
          bl.note = "rejected as abnormally low after an explanation was requested (Art. 69)";
        }
        bids.push_back(std::move(bl));
      }
    }
    in.lot_inputs.push_back(std::move(li));
    in.bids.push_back(std::move(bids));
  }
  in.context.road_distance = [road = std::move(road)](Id from, Id to) -> std::optional<Decimal> {
    const auto it = road.find({from, to});
    if (it == road.end()) return std::nullopt;
    return it->second;
  };
  return in;
}

}  // namespace

namespace {

// Scores and ranks every lot of the round (locked exclusively by the caller), flags abnormally low
// bids and records the evaluation with its audit entry, replacing any earlier evaluation.
void evaluateLocked(Tx& tx, Round r, const std::string& actor_name, TimePoint now) {
  const RoundInputs in = loadRoundInputs(tx, r);
  tx.deleteEvaluation(r.id);
  const std::vector<AbnormalLowCase> cases = tx.listAbnormalLowCases(r.id);
  std::string change;
  // Scores and results are written a few thousand at a time, not lot by lot: a lot has only a few
  // dozen, and on MariaDB each write is a round trip while the round is locked.
  constexpr std::size_t kWriteRows = 4096;
  std::vector<ScoreRecord> scores;
  std::vector<LotResult> results;
  const auto write = [&](bool all) {
    if (scores.size() >= kWriteRows || (all && !scores.empty())) {
      tx.insertScores(scores);
      scores.clear();
    }
    if (results.size() >= kWriteRows || (all && !results.empty())) {
      tx.insertLotResults(results);
      results.clear();
    }
  };
  for (std::size_t i = 0; i < in.lots.size(); ++i) {
    const LotEvaluation ev = evaluateLot(in.lot_inputs[i], in.bids[i], in.context);
    scores.insert(scores.end(), ev.scores.begin(), ev.scores.end());
    results.insert(results.end(), ev.results.begin(), ev.results.end());
    for (const LotResult& res : ev.results) {
      change += "lot " + std::to_string(res.lot_id) + " bid " + std::to_string(res.bid_id) + " rank " +
                std::to_string(res.rank) + " total " + res.total.toString() + "\n";
      if (!res.abnormally_low) continue;
      const bool known = std::any_of(cases.begin(), cases.end(), [&](const AbnormalLowCase& c) {
        return c.lot_id == res.lot_id && c.bid_id == res.bid_id;
      });
      if (!known) tx.putAbnormalLowCase({r.id, res.lot_id, res.bid_id, std::nullopt, "", std::nullopt, false});
    }
    if (r.award_mode == AwardMode::kOptimalByDeliveryPoint) {
      for (const LotEvaluation& pe : evaluatePerPoint(in.lot_inputs[i], in.bids[i], in.context)) {
        scores.insert(scores.end(), pe.scores.begin(), pe.scores.end());
        results.insert(results.end(), pe.results.begin(), pe.results.end());
      }
    }
    write(false);
  }
  write(true);
  r.status = RoundStatus::kEvaluated;
  tx.updateRound(r);
  appendAudit(tx, now, actor_name, "round.evaluate", obj("round", r.id), change);
}

}  // namespace

void Engine::evaluateRound(const Actor& actor, Id round_id) {
  store_.transact([&](Tx& tx) {
    const Round r = requireRound(tx.lockRound(round_id, LockMode::kExclusive), round_id);
    const Dps d = requireDps(tx, r.dps_id);
    requireOfficerOf(actor, d.authority_id, "evaluating bids");
    if (r.status != RoundStatus::kOpened && r.status != RoundStatus::kEvaluated)
      fail(ErrorCode::kConflict,
           "round " + r.reference + " is " + toString(r.status) +
               "; bids are evaluated after opening and before award (Art. 67)",
           {}, {"round.refused.evaluate_status", {r.reference, std::string("@status.round.") + toString(r.status)}});
    evaluateLocked(tx, r, actor.name, clock_.now());
  });
}

void Engine::requestExplanation(const Actor& actor, Id round_id, Id lot_id, Id bid_id) {
  store_.transact([&](Tx& tx) {
    const Round r = requireRound(tx.lockRound(round_id, LockMode::kExclusive), round_id);
    requireOfficerOf(actor, requireDps(tx, r.dps_id).authority_id, "requesting an explanation");
    if (r.status != RoundStatus::kEvaluated)
      fail(ErrorCode::kConflict,
           "explanations of abnormally low bids are requested after evaluation and before "
           "award (rule 11, Art. 69)",
           {}, {"abnormal.refused.request_status", {}});
    for (AbnormalLowCase c : tx.listAbnormalLowCases(round_id)) {
      if (c.lot_id != lot_id || c.bid_id != bid_id) continue;
      if (c.explanation_requested_at)
        fail(ErrorCode::kConflict,
             "an explanation was already requested at " + formatTime(*c.explanation_requested_at) +
                 " (Art. 69(1)); decide the case",
             {}, {"abnormal.refused.requested_already", {formatTime(*c.explanation_requested_at)}});
      c.explanation_requested_at = clock_.now();
      tx.putAbnormalLowCase(c);
      appendAudit(tx, clock_.now(), actor.name, "abnormal_low.request", obj("bid", bid_id),
                  "lot " + std::to_string(lot_id));
      return;
    }
    fail(ErrorCode::kNotFound,
         "bid " + std::to_string(bid_id) + " is not flagged as abnormally low on lot " + std::to_string(lot_id) +
             " (rule 11, Art. 69)",
         {}, {"notfound.abnormal", {std::to_string(bid_id), std::to_string(lot_id)}});
  });
}

void Engine::decideAbnormalLow(const Actor& actor, Id round_id, Id lot_id, Id bid_id, bool reject,
                               const std::string& explanation) {
  store_.transact([&](Tx& tx) {
    const Round r = requireRound(tx.lockRound(round_id, LockMode::kExclusive), round_id);
    requireOfficerOf(actor, requireDps(tx, r.dps_id).authority_id, "deciding on an abnormally low bid");
    if (r.status != RoundStatus::kEvaluated)
      fail(ErrorCode::kConflict,
           "abnormally low bids are decided after evaluation and before award (rule 11, "
           "Art. 69)",
           {}, {"abnormal.refused.decide_status", {}});
    for (AbnormalLowCase c : tx.listAbnormalLowCases(round_id)) {
      if (c.lot_id != lot_id || c.bid_id != bid_id) continue;
      if (c.decided_at)
        fail(ErrorCode::kConflict,
             "this abnormally low bid was decided already at " + formatTime(*c.decided_at) + " (Art. 69)", {},
             {"abnormal.refused.decided_already", {formatTime(*c.decided_at)}});
      if (reject && !c.explanation_requested_at)
        fail(ErrorCode::kConflict,
             "an abnormally low bid may be rejected only after the supplier was asked to "
             "explain its price (rule 11, Art. 69(1)); request an explanation first",
             {}, {"abnormal.refused.no_explanation", {}});
      c.decided_at = clock_.now();
      c.rejected = reject;
      c.explanation = explanation;
      tx.putAbnormalLowCase(c);
      appendAudit(tx, clock_.now(), actor.name, reject ? "abnormal_low.reject" : "abnormal_low.accept",
                  obj("bid", bid_id), "lot " + std::to_string(lot_id) + "\n" + explanation);
      // A rejection re-ranks the round without the bid in the same transaction, so that the stored
      // ranking never shows a rejected bid as admissible.
      if (reject) evaluateLocked(tx, r, actor.name, clock_.now());
      return;
    }
    fail(ErrorCode::kNotFound,
         "bid " + std::to_string(bid_id) + " is not flagged as abnormally low on lot " + std::to_string(lot_id) +
             " (rule 11, Art. 69)",
         {}, {"notfound.abnormal", {std::to_string(bid_id), std::to_string(lot_id)}});
  });
}

AwardDecision Engine::awardRound(const Actor& actor, Id round_id) {
  AwardDecision decision;
  store_.transact([&](Tx& tx) {
    Round r = requireRound(tx.lockRound(round_id, LockMode::kExclusive), round_id);
    const Dps d = requireDps(tx, r.dps_id);
    requireOfficerOf(actor, d.authority_id, "awarding");
    if (r.status == RoundStatus::kAwarded)
      fail(ErrorCode::kConflict, "round " + r.reference + " is awarded already; an award decision is taken once", {},
           {"award.refused.awarded", {r.reference}});
    if (r.status != RoundStatus::kEvaluated)
      fail(ErrorCode::kConflict,
           "round " + r.reference + " is " + toString(r.status) +
               "; evaluate it against the published criteria before award (Art. 67)",
           {}, {"award.refused.not_evaluated", {r.reference, std::string("@status.round.") + toString(r.status)}});
    const TimePoint now = clock_.now();
    const RoundInputs in = loadRoundInputs(tx, r);
    const std::vector<AbnormalLowCase> cases = tx.listAbnormalLowCases(r.id);
    std::vector<AwardLine> lines;
    std::string change;
    std::string certificate;
    std::string undecided;
    std::vector<Problem> waiting;  // the same, one problem per bid, for the pages
    for (std::size_t i = 0; i < in.lots.size(); ++i) {
      const LotEvaluation ev = evaluateLot(in.lot_inputs[i], in.bids[i], in.context);
      std::vector<AwardLine> lot_lines;
      if (r.award_mode == AwardMode::kOptimalByDeliveryPoint) {
        std::vector<std::string> unmet;
        std::string lot_certificate;
        lot_lines = optimiser_->allocate(in.lots[i], in.bids[i], evaluatePerPoint(in.lot_inputs[i], in.bids[i], in.context),
                                         lot_certificate, unmet);
        certificate += "lot " + std::to_string(in.lots[i].number) + "\n" + lot_certificate + "\n";
        for (const std::string& u : unmet) change += "lot " + std::to_string(in.lots[i].number) + " open: " + u + "\n";
      } else {
        lot_lines = awardLot(in.lot_inputs[i], ev, in.bids[i], r.award_mode);
      }
      for (const AwardLine& l : lot_lines) {
        for (const AbnormalLowCase& c : cases) {
          if (c.lot_id != l.lot_id || c.bid_id != l.bid_id || c.decided_at) continue;
          const std::string lot = std::to_string(in.lots[i].number);
          const std::string message = "lot " + lot + ": bid " + std::to_string(l.bid_id) +
                                      " is abnormally low and undecided: request an explanation and accept or "
                                      "reject it first (rule 11, Art. 69)";
          undecided += "\n" + message;
          waiting.push_back({"lots", message, {"award.problem.undecided", {lot, std::to_string(l.bid_id)}}});
        }
        change += "lot " + std::to_string(l.lot_id) + " bid " + std::to_string(l.bid_id) + " supplier " +
                  std::to_string(l.supplier_id) + " quantity " + l.quantity.toString() + "\n";
      }
      lines.insert(lines.end(), lot_lines.begin(), lot_lines.end());
    }
    if (!undecided.empty())
      throw Error(ErrorCode::kConflict, "the award of round " + r.reference + " must wait:" + undecided, {},
                  {"award.refused.undecided", {r.reference}}, waiting);
    for (AwardLine& l : lines) l.round_id = r.id;
    tx.insertAwardLines(lines);
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    decision.round_id = r.id;
    decision.decided_at = now;
    decision.decided_by = actor.name;
    decision.certificate = certificate;
    if (const auto days = cal.standstillDays()) decision.standstill_end = cal.periodEndCalendarDays(now, *days);
    tx.insertAwardDecision(decision);
    r.status = RoundStatus::kAwarded;
    tx.updateRound(r);
    notifyAward(tx, now, cal, d, r, in.lots, lines, decision);
    appendAudit(tx, now, actor.name, "round.award", obj("round", r.id),
                change + (decision.standstill_end ? "standstill until " + formatTime(*decision.standstill_end)
                                                  : std::string("no standstill")));
  });
  return decision;
}

Id Engine::recordNoticePublication(const Actor& actor, const NoticePublication& notice) {
  Id id = 0;
  store_.transact([&](Tx& tx) {
    serialiseWriters(tx);
    const Dps d = requireDps(tx, notice.dps_id);
    requireOfficerOf(actor, d.authority_id, "recording the publication of an award notice");
    const Calendar& cal = calendarOf(tx, calendars_, d.authority_id);
    const TimePoint now = clock_.now();
    Problems p;
    if (notice.reference.empty())
      p.add("reference", "give the notice's publication number as the Publications Office (TED) shows it",
            {"notice.problem.reference", {}});
    if (notice.reference.size() > 100)
      p.add("reference", "a publication number has at most 100 characters", {"notice.problem.reference_long", {}});
    if (notice.published_at > now)
      p.add("published_at",
            "the publication date " + formatTime(notice.published_at) +
                " lies in the future; record a notice once it is published",
            {"notice.problem.future", {formatTime(notice.published_at)}});
    if ((notice.round_id == 0) == notice.quarter.empty())
      p.add("round_id",
            "name either one round (a notice for that round) or a quarter (the notice grouping the "
            "quarter's rounds), not both and not neither",
            {"notice.problem.round_or_quarter", {}});
    TimePoint earliest{};  // a notice cannot be published before the decisions it reports
    if (notice.round_id != 0) {
      const auto r = tx.getRound(notice.round_id);
      const auto decision = r ? tx.getAwardDecision(r->id) : std::nullopt;
      if (!r || r->dps_id != d.id)
        p.add("round_id", "round " + std::to_string(notice.round_id) + " is not a round of DPS " + d.reference,
              {"notice.problem.foreign_round", {std::to_string(notice.round_id), d.reference}});
      else if (!decision)
        p.add("round_id", "round " + r->reference + " is not awarded yet; its award notice follows the award decision",
              {"notice.problem.not_awarded", {r->reference}});
      else
        earliest = decision->decided_at;
    } else if (!notice.quarter.empty()) {
      try {
        checkQuarter(notice.quarter);
        int awarded = 0;
        for (const AwardNoticeStatus& s : awardNoticeStatus(tx, cal, d.id, now)) {
          if (s.quarter != notice.quarter) continue;
          ++awarded;
          earliest = std::max(earliest, s.decided_at);
        }
        if (awarded == 0)
          p.add("quarter",
                "no round of DPS " + d.reference + " was awarded in " + notice.quarter +
                    "; a grouped notice reports the quarter's awards",
                {"notice.problem.no_award_in_quarter", {d.reference, notice.quarter}});
        else if (notice.published_at <= endOfQuarter(cal, notice.quarter))
          p.add("published_at",
                "the notice grouping " + notice.quarter + " is sent after the quarter ends (" +
                    formatTime(endOfQuarter(cal, notice.quarter)) + ", Art. 50(3))",
                {"notice.problem.quarter_not_ended", {notice.quarter, formatTime(endOfQuarter(cal, notice.quarter))}});
      } catch (const Error& e) {
        p.add("quarter", e.what(), e.localized());
      }
    }
    if (earliest != TimePoint{} && notice.published_at < earliest)
      p.add("published_at",
            "the notice cannot be published (" + formatTime(notice.published_at) +
                ") before the award decision it reports (" + formatTime(earliest) + ")",
            {"notice.problem.before_award", {formatTime(notice.published_at), formatTime(earliest)}});
    p.throwIfAny("the award notice publication", {"notice.rejected", {}});
    NoticePublication record = notice;
    record.recorded_at = now;
    record.recorded_by = actor.name;
    id = tx.insertNoticePublication(record);
    appendAudit(tx, now, actor.name, "notice.publish",
                notice.round_id != 0 ? obj("round", notice.round_id) : obj("dps", d.id),
                "award notice " + notice.reference + " published " + formatTime(notice.published_at) +
                    (notice.round_id != 0 ? " for round " + std::to_string(notice.round_id)
                                          : " for the quarter " + notice.quarter));
  });
  return id;
}

std::vector<AwardNoticeStatus> Engine::awardNotices(Id dps_id) {
  std::vector<AwardNoticeStatus> out;
  store_.read([&](Tx& tx) {
    const Dps d = requireDps(tx, dps_id);
    out = awardNoticeStatus(tx, calendarOf(tx, calendars_, d.authority_id), d.id, clock_.now());
  });
  return out;
}

}  // namespace core
