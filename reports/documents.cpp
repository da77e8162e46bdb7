// The project's own documents built from the store (schema reports/schema/dps-1.0.xsd), serialised
// and validated before they are returned.
#include "reports/documents.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>

#include "core/audit.h"
#include "core/error.h"
#include "core/scoring.h"
#include "reports/builders.h"

#ifndef DPS_REPORTS_SCHEMA_DIR
#error "DPS_REPORTS_SCHEMA_DIR must be defined by the build (reports/CMakeLists.txt)"
#endif

namespace reports {

using core::Error;
using core::ErrorCode;
using core::Id;
using xercesc::DOMElement;

namespace detail {

std::string schemaPath(const std::string& schema_dir) {
  const std::string dir = schema_dir.empty() ? defaultSchemaDir() : schema_dir;
  return dir + "/" + kSchemaFile;
}

void throwProblems(ErrorCode code, const std::string& heading, const std::vector<std::string>& problems,
                   const std::string& advice) {
  constexpr std::size_t kListed = 50;
  std::string message = heading + " (" + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem):" : " problems):");
  for (std::size_t i = 0; i < problems.size() && i < kListed; ++i) message += "\n" + problems[i];
  if (problems.size() > kListed) message += "\n... and " + std::to_string(problems.size() - kListed) + " more";
  if (!advice.empty()) message += "\n" + advice;
  throw Error(code, message);
}

std::string decimalText(core::Decimal d) { return d.toString(); }

std::string coordinateText(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string boolText(bool b) { return b ? "true" : "false"; }

}  // namespace detail

namespace {

using detail::boolText;
using detail::coordinateText;
using detail::decimalText;

std::string time(core::TimePoint t) { return core::formatTime(t); }

// Reads what several documents need and remembers names already looked up.
class Reader {
 public:
  explicit Reader(core::Tx& tx) : tx_(tx) {}

  core::Dps dps(Id id) {
    auto d = tx_.getDps(id);
    if (!d) throw Error(ErrorCode::kNotFound, "DPS " + std::to_string(id) + " does not exist; list the DPS ids first");
    return *d;
  }
  core::Round round(Id id) {
    auto r = tx_.getRound(id);
    if (!r)
      throw Error(ErrorCode::kNotFound, "round " + std::to_string(id) + " does not exist; check the round id");
    return *r;
  }
  std::string supplierName(Id id) {
    if (const auto it = suppliers_.find(id); it != suppliers_.end()) return it->second;
    const auto s = tx_.getSupplier(id);
    return suppliers_[id] = s ? s->name : "supplier " + std::to_string(id);
  }
  core::GeoPoint dispatchLocation(Id id) {
    if (const auto it = dispatch_.find(id); it != dispatch_.end()) return it->second;
    const auto d = tx_.getDispatchPoint(id);
    return dispatch_[id] = d ? d->location : core::GeoPoint{};
  }
  const core::DeliveryPoint& deliveryPoint(Id id) {
    if (const auto it = points_.find(id); it != points_.end()) return it->second;
    const auto p = tx_.getDeliveryPoint(id);
    if (!p)
      throw Error(ErrorCode::kInternal, "delivery point " + std::to_string(id) +
                                            " named by a lot's demand does not exist; the store is inconsistent");
    return points_[id] = *p;
  }
  std::optional<core::Decimal> roadDistance(Id dispatch_point, Id delivery_point) {
    const auto key = std::make_pair(dispatch_point, delivery_point);
    if (const auto it = road_.find(key); it != road_.end()) return it->second;
    return road_[key] = tx_.getRoadDistance(dispatch_point, delivery_point);
  }
  core::Tx& tx() { return tx_; }

 private:
  core::Tx& tx_;
  std::map<std::pair<Id, Id>, std::optional<core::Decimal>> road_;
  std::map<Id, std::string> suppliers_;
  std::map<Id, core::GeoPoint> dispatch_;
  std::map<Id, core::DeliveryPoint> points_;
};

void documentAttributes(xml::Document& doc, core::TimePoint generated_at) {
  doc.attr(doc.root(), "schema-version", "1.0");
  doc.attr(doc.root(), "generated-at", time(generated_at));
}

void writeCriteria(xml::Emitter& out, int version, const std::vector<core::Criterion>& criteria,
                   const std::vector<core::Criterion>* published) {
  out.start("criteria");
  out.attr("version", std::to_string(version));
  for (const core::Criterion& c : criteria) {
    out.start("criterion");
    out.attr("kind", core::toString(c.kind));
    out.attr("formula", core::toString(c.formula));
    out.attr("weight", std::to_string(c.weight));
    if (published != nullptr) {
      for (const core::Criterion& p : *published)
        if (p.kind == c.kind) out.attr("published-weight", std::to_string(p.weight));
    }
    out.attr("min-weight", std::to_string(c.min_weight));
    out.attr("max-weight", std::to_string(c.max_weight));
    if (c.formula == core::Formula::kLinearBand) {
      out.attr("a", decimalText(c.a));
      out.attr("b", decimalText(c.b));
    }
    if (!c.fact.empty()) out.attr("fact", c.fact);
    if (!c.description.empty()) out.element("description", c.description);
    for (const core::Band& band : c.bands) {
      out.start("band");
      out.attr("threshold", decimalText(band.threshold));
      out.attr("points", band.points.toString());
      out.end();
    }
    out.end();
  }
  out.end();
}

void writeCriteria(xml::Document& doc, DOMElement* parent, int version, const std::vector<core::Criterion>& criteria,
                   const std::vector<core::Criterion>* published) {
  xml::DomEmitter out(doc, parent);
  writeCriteria(out, version, criteria, published);
}

void writeVehicleFactors(xml::Emitter& out, const std::vector<core::VehicleFactor>& factors) {
  out.start("vehicle-factors");
  for (const core::VehicleFactor& f : factors) {
    out.start("vehicle-factor");
    out.attr("vehicle", f.vehicle);
    out.attr("kg-co2e-per-tkm", decimalText(f.kg_co2e_per_tkm));
    out.end();
  }
  out.end();
}

void writeVehicleFactors(xml::Document& doc, DOMElement* parent, const std::vector<core::VehicleFactor>& factors) {
  xml::DomEmitter out(doc, parent);
  writeVehicleFactors(out, factors);
}

void writeCategory(xml::Document& doc, DOMElement* parent, const core::Category& c) {
  DOMElement* e = doc.add(parent, "category");
  doc.attr(e, "id", std::to_string(c.id));
  doc.attr(e, "code", c.code);
  doc.attr(e, "cpv", c.cpv);
  if (!c.area.empty()) doc.attr(e, "area", c.area);
  doc.addText(e, "name", c.name);
}

void writeRoundReference(xml::Emitter& out, const core::Round& r) {
  out.start("round");
  out.attr("id", std::to_string(r.id));
  out.attr("reference", r.reference);
  out.attr("status", core::toString(r.status));
  out.attr("award-mode", core::toString(r.award_mode));
  out.attr("allow-partial", boolText(r.allow_partial));
  out.attr("criteria-version", std::to_string(r.criteria_version));
  if (r.dispatched_at) {
    out.attr("dispatched-at", time(*r.dispatched_at));
    out.attr("deadline", time(r.deadline));
  }
  if (r.opened_at) out.attr("opened-at", time(*r.opened_at));
  out.element("title", r.title);
  out.end();
}

void writeRoundReference(xml::Document& doc, DOMElement* parent, const core::Round& r) {
  xml::DomEmitter out(doc, parent);
  writeRoundReference(out, r);
}

void writeBidLine(xml::Emitter& out, const core::BidLine& l) {
  out.start("line");
  out.attr("lot-id", std::to_string(l.lot_id));
  out.attr("unit-price", decimalText(l.unit_price));
  out.attr("quantity", decimalText(l.quantity));
  out.attr("dispatch-point-id", std::to_string(l.dispatch_point_id));
  out.attr("organic", boolText(l.organic));
  out.attr("quality-scheme", boolText(l.quality_scheme));
  out.attr("hours-from-harvest", std::to_string(l.hours_from_harvest));
  out.attr("intermediaries", std::to_string(l.intermediaries));
  out.attr("vehicle", l.vehicle);
  for (const core::PointOffer& o : l.point_offers) {
    out.start("point-offer");
    out.attr("delivery-point-id", std::to_string(o.delivery_point_id));
    out.attr("quantity", decimalText(o.quantity));
    out.end();
  }
  out.end();
}

void writeBidLine(xml::Document& doc, DOMElement* parent, const core::BidLine& l) {
  xml::DomEmitter out(doc, parent);
  writeBidLine(out, l);
}

// ---------------------------------------------------------------- the DPS

std::unique_ptr<xml::Document> buildDps(Reader& in, Id dps_id, core::TimePoint generated_at) {
  const core::Dps d = in.dps(dps_id);
  auto doc = std::make_unique<xml::Document>(kNamespace, "dps");
  DOMElement* root = doc->root();
  documentAttributes(*doc, generated_at);
  doc->attr(root, "id", std::to_string(d.id));
  doc->attr(root, "reference", d.reference);
  doc->attr(root, "cpv", d.cpv);
  doc->attr(root, "status", core::toString(d.status));
  if (d.published_at) doc->attr(root, "published-at", time(*d.published_at));
  doc->attr(root, "request-deadline", time(d.request_deadline));
  doc->attr(root, "valid-until", time(d.valid_until));
  if (d.first_invitation_at) doc->attr(root, "first-invitation-at", time(*d.first_invitation_at));
  if (d.initial_assessment_extended_until)
    doc->attr(root, "initial-assessment-extended-until", time(*d.initial_assessment_extended_until));

  const auto authority = in.tx().getAuthority(d.authority_id);
  DOMElement* a = doc->add(root, "authority");
  doc->attr(a, "id", std::to_string(d.authority_id));
  doc->attr(a, "country", authority ? authority->country : "");
  doc->attr(a, "time-zone", authority ? authority->time_zone : "");
  doc->addText(a, "name", authority ? authority->name : "");
  doc->addText(root, "title", d.title);
  for (const core::Category& c : in.tx().listCategories(d.id)) writeCategory(*doc, root, c);
  const std::vector<core::Criterion> criteria = in.tx().listCriteria(d.id, d.criteria_version);
  if (!criteria.empty()) writeCriteria(*doc, root, d.criteria_version, criteria, nullptr);
  writeVehicleFactors(*doc, root, d.vehicle_factors);
  return doc;
}

// ---------------------------------------------------------------- a round's invitation

std::unique_ptr<xml::Document> buildRound(Reader& in, Id round_id, core::TimePoint generated_at) {
  const core::Round r = in.round(round_id);
  const core::Dps d = in.dps(r.dps_id);
  auto doc = std::make_unique<xml::Document>(kNamespace, "round");
  DOMElement* root = doc->root();
  documentAttributes(*doc, generated_at);
  doc->attr(root, "id", std::to_string(r.id));
  doc->attr(root, "reference", r.reference);
  doc->attr(root, "status", core::toString(r.status));
  doc->attr(root, "award-mode", core::toString(r.award_mode));
  doc->attr(root, "allow-partial", boolText(r.allow_partial));
  doc->attr(root, "criteria-version", std::to_string(r.criteria_version));
  if (r.dispatched_at) {
    doc->attr(root, "dispatched-at", time(*r.dispatched_at));
    doc->attr(root, "deadline", time(r.deadline));
  }
  DOMElement* dref = doc->add(root, "dps");
  doc->attr(dref, "id", std::to_string(d.id));
  doc->attr(dref, "reference", d.reference);
  doc->addText(dref, "title", d.title);
  doc->addText(root, "title", r.title);
  const auto category = in.tx().getCategory(r.category_id);
  if (!category)
    throw Error(ErrorCode::kInternal, "round " + r.reference + " names category " + std::to_string(r.category_id) +
                                          ", which does not exist; the store is inconsistent");
  writeCategory(*doc, root, *category);
  for (const core::WeightRefinement& ref : r.refinements) {
    DOMElement* e = doc->add(root, "refinement");
    doc->attr(e, "kind", core::toString(ref.kind));
    doc->attr(e, "weight", std::to_string(ref.weight));
  }
  const std::vector<core::Criterion> published = in.tx().listCriteria(r.dps_id, r.criteria_version);
  writeCriteria(*doc, root, r.criteria_version, core::applyRefinements(published, r.refinements), &published);

  const std::vector<core::Lot> lots = in.tx().listLots(r.id);
  std::vector<Id> point_ids;
  for (const core::Lot& l : lots)
    for (const core::Demand& dm : l.demands)
      if (std::find(point_ids.begin(), point_ids.end(), dm.delivery_point_id) == point_ids.end())
        point_ids.push_back(dm.delivery_point_id);
  std::sort(point_ids.begin(), point_ids.end());
  for (const Id pid : point_ids) {
    const core::DeliveryPoint& p = in.deliveryPoint(pid);
    DOMElement* e = doc->add(root, "delivery-point");
    doc->attr(e, "id", std::to_string(p.id));
    doc->attr(e, "code", p.code);
    doc->attr(e, "lat", coordinateText(p.location.lat));
    doc->attr(e, "lon", coordinateText(p.location.lon));
    doc->addText(e, "name", p.name);
    if (!p.address.empty()) doc->addText(e, "address", p.address);
  }
  for (const core::Lot& l : lots) {
    DOMElement* e = doc->add(root, "lot");
    core::Decimal total;
    for (const core::Demand& dm : l.demands) total += dm.quantity;
    doc->attr(e, "id", std::to_string(l.id));
    doc->attr(e, "number", std::to_string(l.number));
    doc->attr(e, "cpv", l.cpv);
    doc->attr(e, "unit", l.unit);
    doc->attr(e, "unit-mass-kg", decimalText(l.unit_mass_kg));
    doc->attr(e, "min-delivery", decimalText(l.min_delivery));
    doc->attr(e, "total-quantity", decimalText(total));
    doc->addText(e, "description", l.description);
    if (!l.quality_spec.empty()) doc->addText(e, "quality-spec", l.quality_spec);
    for (const core::Demand& dm : l.demands) {
      DOMElement* de = doc->add(e, "demand");
      doc->attr(de, "delivery-point-id", std::to_string(dm.delivery_point_id));
      doc->attr(de, "quantity", decimalText(dm.quantity));
      if (!dm.schedule.empty()) doc->addText(de, "schedule", dm.schedule);
    }
  }
  if (r.dispatched_at) {
    const std::vector<core::Invitation> invitations = in.tx().listInvitations(r.id);
    DOMElement* list = doc->add(root, "invitees");
    doc->attr(list, "frozen-at", time(*r.dispatched_at));
    doc->attr(list, "count", std::to_string(invitations.size()));
    for (const core::Invitation& inv : invitations) {
      DOMElement* e = doc->add(list, "invitee");
      doc->attr(e, "supplier-id", std::to_string(inv.supplier_id));
      doc->attr(e, "invited-at", time(inv.invited_at));
      doc->addText(e, "name", in.supplierName(inv.supplier_id));
    }
  }
  return doc;
}

// ---------------------------------------------------------------- the bid register

std::unique_ptr<xml::Document> buildBidRegister(Reader& in, Id round_id, core::TimePoint generated_at) {
  const core::Round r = in.round(round_id);
  if (!r.opened_at)
    throw Error(ErrorCode::kConflict, "round " + r.reference + " is " + core::toString(r.status) +
                                          "; the bid register exists only after opening, because bids stay "
                                          "sealed until the deadline (rule 8, Art. 22(3)); export it after opening");
  const core::Dps d = in.dps(r.dps_id);
  auto doc = std::make_unique<xml::Document>(kNamespace, "bid-register");
  DOMElement* root = doc->root();
  documentAttributes(*doc, generated_at);
  doc->attr(root, "dps-reference", d.reference);
  writeRoundReference(*doc, root, r);
  for (const core::Bid& b : in.tx().listBids(r.id)) {
    DOMElement* e = doc->add(root, "bid");
    doc->attr(e, "id", std::to_string(b.id));
    doc->attr(e, "supplier-id", std::to_string(b.supplier_id));
    doc->attr(e, "version", std::to_string(b.version));
    doc->attr(e, "status", core::toString(b.status));
    doc->attr(e, "submitted-at", time(b.submitted_at));
    doc->attr(e, "digest", b.digest);
    doc->addText(e, "supplier-name", in.supplierName(b.supplier_id));
    if (!b.status_reason.empty()) doc->addText(e, "status-reason", b.status_reason);
    for (const core::BidLine& l : in.tx().listBidLines(b.id)) writeBidLine(*doc, e, l);
  }
  return doc;
}

// ---------------------------------------------------------------- the evaluation report

void writeResult(xml::Emitter& out, const core::LotResult& res, const std::vector<const core::ScoreRecord*>& scores) {
  out.start("result");
  out.attr("bid-id", std::to_string(res.bid_id));
  out.attr("supplier-id", std::to_string(res.supplier_id));
  out.attr("rank", std::to_string(res.rank));
  out.attr("total", res.total.toString());
  out.attr("total-display", res.total.toDecimalString(3));
  out.attr("admissible", boolText(res.admissible));
  out.attr("abnormally-low", boolText(res.abnormally_low));
  if (!res.note.empty()) out.element("note", res.note);
  for (const core::ScoreRecord* s : scores) {
    out.start("score");
    out.attr("kind", core::toString(s->kind));
    out.attr("formula", core::toString(s->formula));
    out.attr("weight", std::to_string(s->weight));
    std::string_view rest = s->inputs;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      const std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos)
        throw Error(ErrorCode::kInternal, "score inputs of bid " + std::to_string(s->bid_id) + " on lot " +
                                              std::to_string(s->lot_id) + " are not key=value pairs: '" +
                                              s->inputs + "'; the stored evaluation is corrupt, evaluate again");
      out.start("input");
      out.attr("key", pair.substr(0, eq));
      out.text(pair.substr(eq + 1));
      out.end();
    }
    out.element("value", s->value.toString());
    out.start("points");
    out.attr("exact", s->points.toString());
    out.attr("display", s->points.toDecimalString(3));
    out.end();
    out.end();
  }
  out.end();
}

// Results in the engine's order: ranked best first, then the inadmissible by bid id.
void sortResults(std::vector<const core::LotResult*>& results) {
  std::sort(results.begin(), results.end(), [](const core::LotResult* x, const core::LotResult* y) {
    const bool xr = x->rank > 0;
    const bool yr = y->rank > 0;
    if (xr != yr) return xr;
    if (xr && x->rank != y->rank) return x->rank < y->rank;
    return x->bid_id < y->bid_id;
  });
}

// The optimiser's certificate per lot number: AwardDecision::certificate holds, for each lot, a line
// "lot N" followed by that lot's certificate (core::Engine::awardRound).
std::map<int, std::string> certificatesByLot(const std::string& certificate) {
  std::map<int, std::string> out;
  std::string* current = nullptr;
  std::size_t pos = 0;
  while (pos < certificate.size()) {
    std::size_t eol = certificate.find('\n', pos);
    if (eol == std::string::npos) eol = certificate.size();
    const std::string_view line(certificate.data() + pos, eol - pos);
    pos = eol + 1;
    int number = 0;
    if (line.size() > 4 && line.substr(0, 4) == "lot ") {
      const auto [end, ec] = std::from_chars(line.data() + 4, line.data() + line.size(), number);
      if (ec == std::errc() && end == line.data() + line.size()) {
        current = &out[number];
        continue;
      }
    }
    if (current == nullptr || line.empty()) continue;
    *current += line;
    *current += '\n';
  }
  return out;
}

// Award mode optimal_by_delivery_point, once awarded: what the optimiser allocated per (supplier,
// delivery point) with its score, the demand left open and the lot's certificate of optimality.
void writeAllocation(xml::Emitter& out, Reader& in, const std::vector<const core::AwardLine*>& lines,
                     const std::string* certificate) {
  out.start("allocation");
  for (const core::AwardLine* l : lines) {
    out.start("allocated");
    out.attr("bid-id", std::to_string(l->bid_id));
    out.attr("supplier-id", std::to_string(l->supplier_id));
    if (l->delivery_point_id) out.attr("delivery-point-id", std::to_string(*l->delivery_point_id));
    out.attr("quantity", decimalText(l->quantity));
    out.attr("unit-price", decimalText(l->unit_price));
    out.attr("score", l->score.toString());
    out.attr("score-display", l->score.toDecimalString(3));
    out.attr("supplier-name", in.supplierName(l->supplier_id));
    out.end();
  }
  if (certificate != nullptr) {
    std::string_view rest = *certificate;
    while (!rest.empty()) {
      const std::size_t eol = rest.find('\n');
      const std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
      constexpr std::string_view kOpen = "open point ";
      if (line.substr(0, kOpen.size()) != kOpen) continue;
      const std::string_view tail = line.substr(kOpen.size());
      const std::size_t space = tail.find(' ');
      if (space == std::string_view::npos) continue;
      out.start("open");
      out.attr("delivery-point-id", tail.substr(0, space));
      out.attr("quantity", tail.substr(space + 1));
      out.end();
    }
    out.element("certificate", *certificate);
  }
  out.end();
}

// The round, when its evaluation report exists.
core::Round evaluatedRound(Reader& in, Id round_id) {
  const core::Round r = in.round(round_id);
  if (r.status != core::RoundStatus::kEvaluated && r.status != core::RoundStatus::kAwarded)
    throw Error(ErrorCode::kConflict, "round " + r.reference + " is " + core::toString(r.status) +
                                          "; the evaluation report exists once the round was evaluated");
  return r;
}

// Called before each lot is written: its index, the number of lots, its id.
using LotHook = std::function<void(std::size_t, std::size_t, Id)>;

// The whole evaluation report in document order into `out`, whose root element is "evaluation".
// The store is read list by list (no query per lot or per bid) and indexed once.
void writeEvaluation(Reader& in, const core::Round& r, xml::Emitter& out, core::TimePoint generated_at,
                     const LotHook& before_lot = {}) {
  core::Tx& tx = in.tx();
  const core::Dps d = in.dps(r.dps_id);
  const std::vector<core::Criterion> published = tx.listCriteria(r.dps_id, r.criteria_version);
  const std::vector<core::Criterion> criteria = core::applyRefinements(published, r.refinements);

  // The optimal award, once decided: per (supplier, point) quantities and scores, and the certificate.
  std::vector<core::AwardLine> award_lines;
  std::map<int, std::string> certificates;
  std::map<Id, std::vector<const core::AwardLine*>> award_of;
  bool allocation = false;
  if (r.award_mode == core::AwardMode::kOptimalByDeliveryPoint && r.status == core::RoundStatus::kAwarded) {
    if (const auto decision = tx.getAwardDecision(r.id)) {
      allocation = true;
      certificates = certificatesByLot(decision->certificate);
      award_lines = tx.listAwardLines(r.id);
      for (const core::AwardLine& l : award_lines) award_of[l.lot_id].push_back(&l);
    }
  }

  out.attr("schema-version", allocation ? "1.1" : "1.0");  // 1.1: the allocation element
  out.attr("generated-at", time(generated_at));
  out.attr("dps-reference", d.reference);
  writeRoundReference(out, r);
  writeCriteria(out, r.criteria_version, criteria, &published);
  writeVehicleFactors(out, d.vehicle_factors);
  out.element("tie-rule",
              "equal totals are ranked by the higher price score, then the earlier submission, then the lower "
              "bid id");

  // Bids as the evaluation received them (what core::Engine passes to core::evaluateLot).
  std::vector<std::pair<Id, Id>> rejected;
  for (const core::AbnormalLowCase& c : tx.listAbnormalLowCases(r.id))
    if (c.rejected) rejected.emplace_back(c.lot_id, c.bid_id);
  std::sort(rejected.begin(), rejected.end());
  const std::vector<core::Bid> bids = tx.listBids(r.id);
  std::map<Id, std::vector<core::BidLine>> lines;
  std::map<Id, std::vector<std::pair<const core::Bid*, const core::BidLine*>>> lines_of_lot;  // in bid order
  for (const core::Bid& b : bids)
    if (b.status == core::BidStatus::kSubmitted || b.status == core::BidStatus::kInvalid)
      lines[b.id] = tx.listBidLines(b.id);
  for (const core::Bid& b : bids) {
    const auto it = lines.find(b.id);
    if (it == lines.end()) continue;
    for (const core::BidLine& line : it->second) lines_of_lot[line.lot_id].emplace_back(&b, &line);
  }

  // Results and scores by lot.
  const std::vector<core::LotResult> results = tx.listLotResults(r.id);
  const std::vector<core::ScoreRecord> scores = tx.listScores(r.id);
  std::map<std::tuple<Id, Id, Id>, std::vector<const core::ScoreRecord*>> scores_of;  // (lot, point, bid)
  for (const core::ScoreRecord& s : scores) scores_of[{s.lot_id, s.delivery_point_id, s.bid_id}].push_back(&s);
  auto criterionIndex = [&](core::CriterionKind kind) {
    for (std::size_t k = 0; k < criteria.size(); ++k)
      if (criteria[k].kind == kind) return k;
    return criteria.size();
  };
  for (auto& [key, list] : scores_of)
    std::stable_sort(list.begin(), list.end(), [&](const core::ScoreRecord* x, const core::ScoreRecord* y) {
      return criterionIndex(x->kind) < criterionIndex(y->kind);
    });
  std::map<Id, std::map<Id, std::vector<const core::LotResult*>>> results_of;  // lot -> point -> results
  for (const core::LotResult& res : results) results_of[res.lot_id][res.delivery_point_id].push_back(&res);

  static const std::vector<const core::ScoreRecord*> kNone;
  const std::vector<core::Lot> lots = tx.listLots(r.id);
  for (std::size_t lot_index = 0; lot_index < lots.size(); ++lot_index) {
    const core::Lot& lot = lots[lot_index];
    if (before_lot) before_lot(lot_index, lots.size(), lot.id);
    out.start("lot");
    out.attr("id", std::to_string(lot.id));
    out.attr("number", std::to_string(lot.number));
    out.attr("cpv", lot.cpv);
    out.attr("unit", lot.unit);
    out.attr("unit-mass-kg", decimalText(lot.unit_mass_kg));
    out.element("description", lot.description);
    for (const core::Demand& dm : lot.demands) {
      const core::DeliveryPoint& p = in.deliveryPoint(dm.delivery_point_id);
      out.start("point");
      out.attr("delivery-point-id", std::to_string(p.id));
      out.attr("code", p.code);
      out.attr("lat", coordinateText(p.location.lat));
      out.attr("lon", coordinateText(p.location.lon));
      out.attr("quantity", decimalText(dm.quantity));
      out.end();
    }
    if (const auto it = lines_of_lot.find(lot.id); it != lines_of_lot.end()) {
      for (const auto& [bp, lp] : it->second) {
        const core::Bid& b = *bp;
        const core::BidLine& line = *lp;
        const core::GeoPoint dispatch = in.dispatchLocation(line.dispatch_point_id);
        bool admissible = true;
        std::string note;
        if (b.status == core::BidStatus::kInvalid) {
          admissible = false;
          note = b.status_reason;
        } else if (std::binary_search(rejected.begin(), rejected.end(), std::make_pair(lot.id, b.id))) {
          admissible = false;
          note = "rejected as abnormally low after an explanation was requested (Art. 69)";
        }
        out.start("bid");
        out.attr("bid-id", std::to_string(b.id));
        out.attr("supplier-id", std::to_string(b.supplier_id));
        out.attr("supplier-name", in.supplierName(b.supplier_id));
        out.attr("submitted-at", time(b.submitted_at));
        out.attr("dispatch-lat", coordinateText(dispatch.lat));
        out.attr("dispatch-lon", coordinateText(dispatch.lon));
        out.attr("entered-admissible", boolText(admissible));
        writeBidLine(out, line);
        for (const core::Demand& dm : lot.demands) {
          if (const auto km = in.roadDistance(line.dispatch_point_id, dm.delivery_point_id)) {
            out.start("road-distance");
            out.attr("delivery-point-id", std::to_string(dm.delivery_point_id));
            out.attr("km", decimalText(*km));
            out.end();
          }
        }
        if (!note.empty()) out.element("entry-note", note);
        out.end();
      }
    }
    auto& by_point = results_of[lot.id];
    auto scoresFor = [&](Id point, Id bid) -> const std::vector<const core::ScoreRecord*>& {
      const auto it = scores_of.find({lot.id, point, bid});
      return it == scores_of.end() ? kNone : it->second;
    };
    if (auto it = by_point.find(0); it != by_point.end()) {
      sortResults(it->second);
      for (const core::LotResult* res : it->second) writeResult(out, *res, scoresFor(0, res->bid_id));
    }
    for (const core::Demand& dm : lot.demands) {
      const auto it = by_point.find(dm.delivery_point_id);
      if (it == by_point.end()) continue;
      out.start("point-evaluation");
      out.attr("delivery-point-id", std::to_string(dm.delivery_point_id));
      sortResults(it->second);
      for (const core::LotResult* res : it->second) writeResult(out, *res, scoresFor(dm.delivery_point_id, res->bid_id));
      out.end();
    }
    if (allocation) {
      static const std::vector<const core::AwardLine*> kNoLines;
      const auto lit = award_of.find(lot.id);
      const auto cit = certificates.find(lot.number);
      writeAllocation(out, in, lit == award_of.end() ? kNoLines : lit->second,
                      cit == certificates.end() ? nullptr : &cit->second);
    }
    out.end();
  }
}

std::unique_ptr<xml::Document> buildEvaluation(Reader& in, Id round_id, core::TimePoint generated_at) {
  const core::Round r = evaluatedRound(in, round_id);
  auto doc = std::make_unique<xml::Document>(kNamespace, "evaluation");
  xml::DomEmitter out(*doc);
  writeEvaluation(in, r, out, generated_at);
  return doc;
}

// ---------------------------------------------------------------- the award decision

std::unique_ptr<xml::Document> buildAward(Reader& in, Id round_id, core::TimePoint generated_at) {
  core::Tx& tx = in.tx();
  const core::Round r = in.round(round_id);
  const auto decision = tx.getAwardDecision(r.id);
  if (!decision)
    throw Error(ErrorCode::kConflict, "round " + r.reference + " is " + core::toString(r.status) +
                                          "; the award decision exists once the round was awarded");
  const core::Dps d = in.dps(r.dps_id);
  const std::vector<core::AwardLine> award_lines = tx.listAwardLines(r.id);
  const std::vector<core::LotResult> results = tx.listLotResults(r.id);

  auto doc = std::make_unique<xml::Document>(kNamespace, "award-decision");
  DOMElement* root = doc->root();
  documentAttributes(*doc, generated_at);
  doc->attr(root, "dps-reference", d.reference);
  doc->attr(root, "decided-at", time(decision->decided_at));
  doc->attr(root, "decided-by", decision->decided_by);
  if (decision->standstill_end) doc->attr(root, "standstill-end", time(*decision->standstill_end));
  writeRoundReference(*doc, root, r);
  core::Decimal total_value;
  for (const core::Lot& lot : tx.listLots(r.id)) {
    core::Decimal demand;
    for (const core::Demand& dm : lot.demands) demand += dm.quantity;
    int admissible = 0;
    for (const core::LotResult& res : results)
      if (res.lot_id == lot.id && res.delivery_point_id == 0 && res.admissible) ++admissible;
    DOMElement* le = doc->add(root, "lot");
    doc->addText(le, "description", lot.description);
    core::Decimal awarded;
    for (const core::AwardLine& l : award_lines) {
      if (l.lot_id != lot.id) continue;
      awarded += l.quantity;
      const core::Decimal value = l.quantity * l.unit_price;
      total_value += value;
      int rank = 0;
      for (const core::LotResult& res : results)
        if (res.lot_id == lot.id && res.delivery_point_id == 0 && res.bid_id == l.bid_id) rank = res.rank;
      std::string reason = "ranked " + std::to_string(rank) + " of " + std::to_string(admissible) +
                           " admissible bids on lot " + std::to_string(lot.number) + " with " +
                           l.score.toDecimalString(3) + " points; ";
      switch (r.award_mode) {
        case core::AwardMode::kBestBid:
          reason += "the lot goes to the best admissible bid";
          break;
        case core::AwardMode::kPartialFill:
          reason += "the demand is filled in rank order, each bid up to the quantity it offered";
          break;
        case core::AwardMode::kOptimalByDeliveryPoint:
          reason += "allocated by the award across delivery points that maximises the total score within the "
                    "bids' capacities and the demand per point (certificate of optimality below)";
          break;
      }
      DOMElement* we = doc->add(le, "winner");
      doc->attr(we, "bid-id", std::to_string(l.bid_id));
      doc->attr(we, "supplier-id", std::to_string(l.supplier_id));
      if (l.delivery_point_id) doc->attr(we, "delivery-point-id", std::to_string(*l.delivery_point_id));
      doc->attr(we, "quantity", decimalText(l.quantity));
      doc->attr(we, "unit-price", decimalText(l.unit_price));
      doc->attr(we, "value", decimalText(value));
      doc->attr(we, "score", l.score.toString());
      doc->attr(we, "score-display", l.score.toDecimalString(3));
      doc->addText(we, "supplier-name", in.supplierName(l.supplier_id));
      doc->addText(we, "reason", reason);
    }
    if (awarded < demand) {
      doc->addText(le, "unawarded",
                   (demand - awarded).toString() + " " + lot.unit + " of the demand " + demand.toString() + " " +
                       lot.unit + " is not awarded: " +
                       (admissible == 0 ? std::string("no admissible bid was received")
                                        : std::string("the admissible bids do not offer more")));
    }
    doc->attr(le, "id", std::to_string(lot.id));
    doc->attr(le, "number", std::to_string(lot.number));
    doc->attr(le, "demand", decimalText(demand));
    doc->attr(le, "awarded", decimalText(awarded));
    doc->attr(le, "unit", lot.unit);
  }
  if (!decision->certificate.empty()) doc->addText(root, "certificate", decision->certificate);
  doc->attr(root, "total-value", decimalText(total_value));
  return doc;
}

// ---------------------------------------------------------------- the audit log

std::unique_ptr<xml::Document> buildAudit(Reader& in, core::TimePoint generated_at) {
  auto doc = std::make_unique<xml::Document>(kNamespace, "audit-log");
  DOMElement* root = doc->root();
  documentAttributes(*doc, generated_at);
  std::vector<std::pair<std::int64_t, std::string>> problems;
  constexpr std::size_t kPage = 5000;
  std::int64_t from = 1;
  std::int64_t expected = 1;
  std::int64_t count = 0;
  std::string prev_hash(64, '0');
  for (;;) {
    const std::vector<core::AuditEntry> page = in.tx().listAudit(from, kPage);
    for (const core::AuditEntry& e : page) {
      if (e.seq != expected)
        problems.emplace_back(expected, e.seq > expected ? "entries " + std::to_string(expected) + " to " +
                                                               std::to_string(e.seq - 1) + " are missing: the log was cut"
                                                         : "entry " + std::to_string(e.seq) + " appears out of order");
      if (e.prev_hash != prev_hash)
        problems.emplace_back(e.seq, "entry " + std::to_string(e.seq) +
                                         " does not follow the entry before it (its previous-hash differs): an entry "
                                         "was removed, inserted or reordered");
      if (core::auditEntryHash(e) != e.hash)
        problems.emplace_back(e.seq, "entry " + std::to_string(e.seq) +
                                         " was altered: its hash does not match its content");
      DOMElement* x = doc->add(root, "entry");
      doc->attr(x, "seq", std::to_string(e.seq));
      doc->attr(x, "at", time(e.at));
      doc->attr(x, "actor", e.actor);
      doc->attr(x, "action", e.action);
      doc->attr(x, "object", e.object);
      doc->attr(x, "digest", e.digest);
      doc->attr(x, "prev-hash", e.prev_hash);
      doc->attr(x, "hash", e.hash);
      prev_hash = e.hash;
      expected = e.seq + 1;
      from = e.seq + 1;
      ++count;
    }
    if (page.size() < kPage) break;
  }
  for (const auto& [seq, what] : problems) {
    DOMElement* p = doc->addText(root, "problem", what);
    doc->attr(p, "seq", std::to_string(seq));
  }
  doc->attr(root, "entries", std::to_string(count));
  doc->attr(root, "chain-intact", boolText(problems.empty()));
  return doc;
}

}  // namespace

namespace detail {

std::unique_ptr<xml::Document> buildDocument(core::Tx& tx, DocumentKind kind, Id id, core::TimePoint generated_at) {
  Reader in(tx);
  switch (kind) {
    case DocumentKind::kDps:
      return buildDps(in, id, generated_at);
    case DocumentKind::kRound:
      return buildRound(in, id, generated_at);
    case DocumentKind::kBidRegister:
      return buildBidRegister(in, id, generated_at);
    case DocumentKind::kEvaluation:
      return buildEvaluation(in, id, generated_at);
    case DocumentKind::kAward:
      return buildAward(in, id, generated_at);
    case DocumentKind::kAuditLog:
      return buildAudit(in, generated_at);
  }
  throw Error(ErrorCode::kInternal, "unknown document kind");
}

std::string finish(const xml::Document& doc, DocumentKind kind, const ExportOptions& options) {
  const std::shared_ptr<const xml::Schema> schema = xml::Schema::load(schemaPath(options.schema_dir));
  std::string bytes = xml::serialise(doc, options.pretty);
  const std::vector<std::string> problems = schema->validate(bytes, std::string(toString(kind)) + ".xml");
  if (!problems.empty())
    throwProblems(ErrorCode::kInternal,
                  std::string("the ") + toString(kind) + " document is not valid against " + schema->path(), problems,
                  "no file was written; the stored data does not fit the published schema: correct the data named "
                  "above or report this defect");
  return bytes;
}

namespace {

// What one part of a split document leaves out, as the line breaks and the columns that stand in
// for it, so that the part keeps every line and column of the whole document.
struct Gap {
  std::size_t lines = 0;
  std::size_t tail = 0;  // UTF-16 code units after the last line break (Xerces-C counts columns so)

  void add(std::string_view bytes) {
    const auto breaks = static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    if (breaks > 0) {
      lines += breaks;
      tail = 0;
      bytes = bytes.substr(bytes.rfind('\n') + 1);
    }
    for (const char ch : bytes) {
      const auto b = static_cast<unsigned char>(ch);
      if ((b & 0xC0) != 0x80) tail += b >= 0xF0 ? 2 : 1;
    }
  }
  std::shared_ptr<const std::string> padding() const {
    auto text = std::make_shared<std::string>(lines, '\n');
    text->append(tail, ' ');
    return text;
  }
};

// Problems of the parts in document order, each once (the parts share the head and the end).
std::vector<std::string> mergeProblems(std::vector<std::string> a, const std::vector<std::string>& b) {
  for (const std::string& p : b)
    if (std::find(a.begin(), a.end(), p) == a.end()) a.push_back(p);
  const auto position = [](const std::string& p) {
    std::uint64_t line = 0;
    std::uint64_t column = 0;
    const char* const end = p.data() + p.size();
    const auto l = std::from_chars(p.data(), end, line);
    if (l.ec == std::errc() && l.ptr != end && *l.ptr == ':') std::from_chars(l.ptr + 1, end, column);
    return std::make_pair(line, column);
  };
  std::stable_sort(a.begin(), a.end(),
                   [&](const std::string& x, const std::string& y) { return position(x) < position(y); });
  return a;
}

}  // namespace

// The lots are validated in two halves at once, each half a whole document (the head, its lots, the
// end; the lots are the last and only repeated content of <evaluation>, with nothing referring from
// one lot to another) padded to keep the lines and columns of the whole. The one constraint that
// spans the halves, a lot id appearing once, is checked here as the lots are written.
std::string exportEvaluation(core::Store& store, Id round_id, const ExportOptions& options) {
  const std::shared_ptr<const xml::Schema> schema = xml::Schema::load(schemaPath(options.schema_dir));
  std::vector<std::shared_ptr<const std::string>> chunks;  // the document as it leaves
  std::optional<xml::StreamValidator> first;               // the head, the first half of the lots, the end
  std::optional<xml::StreamValidator> second;              // the head, the second half of the lots, the end
  store.read([&](core::Tx& tx) {
    first.reset();  // a retried transaction starts the document again
    second.reset();
    chunks.clear();
    Reader in(tx);
    const core::Round r = evaluatedRound(in, round_id);
    first.emplace(schema, "evaluation.xml");
    enum class To { kBoth, kFirst, kSecond } to = To::kBoth;
    Gap left_out_of_first;
    Gap left_out_of_second;
    xml::Writer out(kNamespace, "evaluation", options.pretty, [&](std::string&& bytes) {
      auto chunk = std::make_shared<const std::string>(std::move(bytes));
      chunks.push_back(chunk);
      if (to != To::kSecond) {
        first->feed(chunk);
      } else {
        left_out_of_first.add(*chunk);
      }
      if (!second) return;
      if (to != To::kFirst) {
        second->feed(chunk);
      } else {
        left_out_of_second.add(*chunk);
      }
    });
    std::vector<Id> lot_ids;
    writeEvaluation(in, r, out, options.generated_at, [&](std::size_t index, std::size_t count, Id lot_id) {
      lot_ids.push_back(lot_id);
      if (count < 2) return;
      if (index == 0) {
        out.flush();  // the head, so far fed to the first part only
        second.emplace(schema, "evaluation.xml");
        for (const auto& chunk : chunks) second->feed(chunk);
        to = To::kFirst;
      } else if (index == count / 2) {
        out.flush();
        second->feed(left_out_of_second.padding());
        to = To::kSecond;
      }
    });
    if (second) {
      out.flush();
      first->feed(left_out_of_first.padding());
      to = To::kBoth;
    }
    std::sort(lot_ids.begin(), lot_ids.end());
    if (const auto twice = std::adjacent_find(lot_ids.begin(), lot_ids.end()); twice != lot_ids.end())
      throw Error(ErrorCode::kInternal, "lot " + std::to_string(*twice) + " appears twice in round " + r.reference +
                                            "; the store is inconsistent, no file was written");
    out.finish();
  });
  // Assembled while the parsers are still reading.
  std::size_t total = 0;
  for (const auto& chunk : chunks) total += chunk->size();
  std::string bytes;
  bytes.reserve(total);
  for (const auto& chunk : chunks) bytes += *chunk;
  chunks.clear();
  std::vector<std::string> problems = first->finishAgainst(bytes);
  if (second) problems = mergeProblems(std::move(problems), second->finishAgainst(bytes));
  if (!problems.empty())
    throwProblems(ErrorCode::kInternal, std::string("the evaluation document is not valid against ") + schema->path(),
                  problems,
                  "no file was written; the stored data does not fit the published schema: correct the data named "
                  "above or report this defect");
  return bytes;
}

}  // namespace detail

const char* toString(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kDps:
      return "dps";
    case DocumentKind::kRound:
      return "round";
    case DocumentKind::kBidRegister:
      return "bids";
    case DocumentKind::kEvaluation:
      return "evaluation";
    case DocumentKind::kAward:
      return "award";
    case DocumentKind::kAuditLog:
      return "audit";
  }
  return "?";
}

DocumentKind parseDocumentKind(const std::string& name) {
  for (const DocumentKind k : {DocumentKind::kDps, DocumentKind::kRound, DocumentKind::kBidRegister,
                               DocumentKind::kEvaluation, DocumentKind::kAward, DocumentKind::kAuditLog})
    if (name == toString(k)) return k;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown document '" + name + "'; use one of dps, round, bids, evaluation, award, audit");
}

std::string defaultSchemaDir() {
  if (const char* env = std::getenv("DPS_SCHEMA_DIR"); env != nullptr && *env != '\0') return env;
  return DPS_REPORTS_SCHEMA_DIR;
}

std::string exportDocument(core::Store& store, DocumentKind kind, Id id, const ExportOptions& options) {
  if (kind == DocumentKind::kEvaluation) return detail::exportEvaluation(store, id, options);
  std::unique_ptr<xml::Document> doc;
  store.read([&](core::Tx& tx) { doc = detail::buildDocument(tx, kind, id, options.generated_at); });
  return detail::finish(*doc, kind, options);
}

std::vector<std::string> validateDocument(const std::string& xml_text, const std::string& schema_dir) {
  return xml::Schema::load(detail::schemaPath(schema_dir))->validate(xml_text, "document");
}

}  // namespace reports
