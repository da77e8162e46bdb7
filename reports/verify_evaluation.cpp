// Recomputation of an exported evaluation document with core/scoring.h, field by field.
#include "reports/verify_evaluation.h"

#include <cstdlib>
#include <map>
#include <optional>

#include "core/error.h"
#include "core/scoring.h"
#include "reports/builders.h"
#include "reports/xml.h"

namespace reports {

using core::Error;
using core::ErrorCode;
using core::Id;
using xercesc::DOMElement;

namespace {

// Reading typed values from the (already schema-valid) document; a value the schema admits but
// the product cannot represent (an id beyond 64 bits, a decimal with too many digits) is an error.
class Fields {
 public:
  explicit Fields(std::vector<std::string>& problems) : problems_(problems) {}

  Id id(const DOMElement* e, const char* name) { return static_cast<Id>(integer(e, name)); }
  int number(const DOMElement* e, const char* name) { return static_cast<int>(integer(e, name)); }
  long long integer(const DOMElement* e, const char* name) {
    const std::string text = xml::attrOf(e, name);
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') problems_.push_back(std::string(name) + " '" + text + "' is not an integer");
    return v;
  }
  core::Decimal decimal(const DOMElement* e, const char* name) {
    const std::string text = xml::attrOf(e, name);
    const auto d = core::Decimal::tryParse(text);
    if (!d) problems_.push_back(std::string(name) + " '" + text + "' is not a decimal of at most six places");
    return d.value_or(core::Decimal());
  }
  double real(const DOMElement* e, const char* name) {
    const std::string text = xml::attrOf(e, name);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') problems_.push_back(std::string(name) + " '" + text + "' is not a number");
    return v;
  }
  bool flag(const DOMElement* e, const char* name) {
    const std::string text = xml::attrOf(e, name);
    return text == "true" || text == "1";
  }
  std::optional<core::Exact> exact(const std::string& text, const std::string& what) {
    try {
      return core::Exact::parse(text);
    } catch (const Error&) {
      problems_.push_back(what + " '" + text + "' is not an exact number");
      return std::nullopt;
    }
  }
  core::TimePoint instant(const DOMElement* e, const char* name) {
    try {
      return core::parseTime(xml::attrOf(e, name), name);
    } catch (const Error& err) {
      problems_.push_back(err.what());
      return core::TimePoint{};
    }
  }

 private:
  std::vector<std::string>& problems_;
};

core::BidLine readLine(Fields& f, const DOMElement* e) {
  core::BidLine l;
  l.lot_id = f.id(e, "lot-id");
  l.unit_price = f.decimal(e, "unit-price");
  l.quantity = f.decimal(e, "quantity");
  l.dispatch_point_id = f.id(e, "dispatch-point-id");
  l.organic = f.flag(e, "organic");
  l.quality_scheme = f.flag(e, "quality-scheme");
  l.hours_from_harvest = f.number(e, "hours-from-harvest");
  l.intermediaries = f.number(e, "intermediaries");
  l.vehicle = xml::attrOf(e, "vehicle");
  for (const DOMElement* p : xml::children(e, "point-offer"))
    l.point_offers.push_back({f.id(p, "delivery-point-id"), f.decimal(p, "quantity")});
  return l;
}

std::vector<core::Criterion> readCriteria(Fields& f, const DOMElement* list, std::vector<std::string>& problems) {
  std::vector<core::Criterion> out;
  for (const DOMElement* e : xml::children(list, "criterion")) {
    core::Criterion c;
    try {
      c.kind = core::parseCriterionKind(xml::attrOf(e, "kind"));
      c.formula = core::parseFormula(xml::attrOf(e, "formula"));
    } catch (const Error& err) {
      problems.push_back(err.what());
    }
    c.weight = f.number(e, "weight");
    c.min_weight = f.number(e, "min-weight");
    c.max_weight = f.number(e, "max-weight");
    if (xml::hasAttr(e, "a")) c.a = f.decimal(e, "a");
    if (xml::hasAttr(e, "b")) c.b = f.decimal(e, "b");
    c.fact = xml::attrOf(e, "fact");
    c.description = xml::textOf(xml::child(e, "description"));
    for (const DOMElement* b : xml::children(e, "band")) {
      core::Band band;
      band.threshold = f.decimal(b, "threshold");
      band.points = f.exact(xml::attrOf(b, "points"), "band points").value_or(core::Exact());
      c.bands.push_back(band);
    }
    out.push_back(c);
  }
  return out;
}

std::string inputsText(const DOMElement* score) {
  std::string text;
  for (const DOMElement* in : xml::children(score, "input")) {
    if (!text.empty()) text += ';';
    text += xml::attrOf(in, "key");
    text += '=';
    text += xml::textOf(in);
  }
  return text;
}

// Compares the document's results of one field (the lot, or one delivery point) with the recomputation.
class Comparer {
 public:
  Comparer(EvaluationCheck& check, Fields& fields) : check_(check), f_(fields) {}

  void compare(const std::string& where, const std::vector<const DOMElement*>& documented,
               const core::LotEvaluation& recomputed) {
    std::map<Id, const DOMElement*> by_bid;
    for (const DOMElement* e : documented) {
      const Id bid = f_.id(e, "bid-id");
      if (!by_bid.emplace(bid, e).second)
        diff(where + ", bid " + std::to_string(bid) + ": the document lists the bid's result more than once");
    }
    std::map<Id, std::vector<const core::ScoreRecord*>> scores;
    for (const core::ScoreRecord& s : recomputed.scores) scores[s.bid_id].push_back(&s);
    for (const core::LotResult& r : recomputed.results) {
      const std::string at = where + ", bid " + std::to_string(r.bid_id);
      const auto it = by_bid.find(r.bid_id);
      if (it == by_bid.end()) {
        diff(at + ": the document has no result for this bid; recomputed rank " + std::to_string(r.rank) +
             ", total " + r.total.toString());
        continue;
      }
      const DOMElement* e = it->second;
      by_bid.erase(it);
      ++check_.results;
      same(at, "rank", xml::attrOf(e, "rank"), std::to_string(r.rank));
      sameExact(at, "total", xml::attrOf(e, "total"), r.total);
      same(at, "total-display", xml::attrOf(e, "total-display"), r.total.toDecimalString(3));
      same(at, "admissible", xml::attrOf(e, "admissible"), detail::boolText(r.admissible));
      same(at, "abnormally-low", xml::attrOf(e, "abnormally-low"), detail::boolText(r.abnormally_low));
      same(at, "supplier-id", xml::attrOf(e, "supplier-id"), std::to_string(r.supplier_id));
      same(at, "note", xml::textOf(xml::child(e, "note")), r.note);
      compareScores(at, xml::children(e, "score"), scores[r.bid_id]);
    }
    for (const auto& [bid, e] : by_bid)
      diff(where + ", bid " + std::to_string(bid) +
           ": the document has a result for a bid that did not enter the evaluation of this lot");
  }

 private:
  void compareScores(const std::string& at, const std::vector<const DOMElement*>& documented,
                     const std::vector<const core::ScoreRecord*>& recomputed) {
    if (documented.size() != recomputed.size())
      diff(at + ": the document has " + std::to_string(documented.size()) + " criterion scores, recomputed " +
           std::to_string(recomputed.size()));
    for (std::size_t k = 0; k < recomputed.size(); ++k) {
      const core::ScoreRecord& s = *recomputed[k];
      const std::string where = at + ", " + core::toString(s.kind);
      const DOMElement* e = nullptr;
      for (const DOMElement* d : documented)
        if (xml::attrOf(d, "kind") == core::toString(s.kind)) e = d;
      if (e == nullptr) {
        diff(where + ": the document has no score for this criterion; recomputed " + s.points.toString() + " points");
        continue;
      }
      ++check_.scores;
      same(where, "formula", xml::attrOf(e, "formula"), core::toString(s.formula));
      same(where, "weight", xml::attrOf(e, "weight"), std::to_string(s.weight));
      same(where, "inputs", inputsText(e), s.inputs);
      sameExact(where, "value", xml::textOf(xml::child(e, "value")), s.value);
      const DOMElement* points = xml::child(e, "points");
      sameExact(where, "points", xml::attrOf(points, "exact"), s.points);
      same(where, "points display", xml::attrOf(points, "display"), s.points.toDecimalString(3));
    }
    for (const DOMElement* d : documented) {
      bool known = false;
      for (const core::ScoreRecord* s : recomputed) known |= xml::attrOf(d, "kind") == core::toString(s->kind);
      if (!known)
        diff(at + ", " + xml::attrOf(d, "kind") + ": the document scores a criterion the recomputation does not");
    }
  }

  void same(const std::string& where, const char* field, const std::string& documented, const std::string& recomputed) {
    if (documented != recomputed)
      diff(where + ": " + field + " is '" + documented + "' in the document, recomputed '" + recomputed + "'");
  }
  void sameExact(const std::string& where, const char* field, const std::string& documented,
                 const core::Exact& recomputed) {
    const auto value = f_.exact(documented, where + " " + field);
    if (!value || !(*value == recomputed))
      diff(where + ": " + field + " is " + documented + " in the document, recomputed " + recomputed.toString());
  }
  void diff(std::string text) { check_.differences.push_back(std::move(text)); }

  EvaluationCheck& check_;
  Fields& f_;
};

}  // namespace

EvaluationCheck verifyEvaluation(const std::string& xml_text, const std::string& schema_dir) {
  const auto schema = xml::Schema::load(detail::schemaPath(schema_dir));
  std::vector<std::string> problems;
  const xml::DomPtr dom = schema->parse(xml_text, "evaluation document", problems);
  if (!dom)
    detail::throwProblems(ErrorCode::kInvalidArgument,
                          "the file is not a valid document of the schema " + schema->path(), problems,
                          "give the evaluation document as exported by `export evaluation`");
  const DOMElement* root = dom->getDocumentElement();
  const std::string root_name = xml::fromXml(root->getLocalName());
  if (root_name != "evaluation")
    throw Error(ErrorCode::kInvalidArgument, "the file is a " + root_name +
                                                 " document, not an evaluation; give the file written by "
                                                 "`export evaluation ROUND`");

  EvaluationCheck check;
  Fields f(problems);
  const DOMElement* round = xml::child(root, "round");
  check.round_reference = xml::attrOf(round, "reference");
  const bool allow_partial = f.flag(round, "allow-partial");
  const std::string award_mode = xml::attrOf(round, "award-mode");
  const Id round_id = f.id(round, "id");

  core::ScoringContext ctx;
  ctx.criteria = readCriteria(f, xml::child(root, "criteria"), problems);
  for (const DOMElement* v : xml::children(xml::child(root, "vehicle-factors"), "vehicle-factor"))
    ctx.vehicle_factors.push_back({xml::attrOf(v, "vehicle"), f.decimal(v, "kg-co2e-per-tkm")});

  Comparer comparer(check, f);
  for (const DOMElement* lot : xml::children(root, "lot")) {
    const std::string lot_name = "lot " + xml::attrOf(lot, "number") + " (id " + xml::attrOf(lot, "id") + ")";
    core::LotInput in;
    in.round_id = round_id;
    in.lot_id = f.id(lot, "id");
    in.unit_mass_kg = f.decimal(lot, "unit-mass-kg");
    in.allow_partial = allow_partial;
    for (const DOMElement* p : xml::children(lot, "point"))
      in.points.push_back({f.id(p, "delivery-point-id"), {f.real(p, "lat"), f.real(p, "lon")}, f.decimal(p, "quantity")});
    std::vector<core::BidOnLot> bids;
    auto road = std::make_shared<std::map<std::pair<Id, Id>, core::Decimal>>();
    for (const DOMElement* b : xml::children(lot, "bid")) {
      core::BidOnLot bid;
      bid.bid_id = f.id(b, "bid-id");
      bid.supplier_id = f.id(b, "supplier-id");
      bid.submitted_at = f.instant(b, "submitted-at");
      bid.line = readLine(f, xml::child(b, "line"));
      bid.dispatch = {f.real(b, "dispatch-lat"), f.real(b, "dispatch-lon")};
      bid.admissible = f.flag(b, "entered-admissible");
      bid.note = xml::textOf(xml::child(b, "entry-note"));
      if (bid.line.lot_id != in.lot_id)
        check.differences.push_back(lot_name + ", bid " + std::to_string(bid.bid_id) + ": its line names lot id " +
                                    std::to_string(bid.line.lot_id));
      for (const DOMElement* rd : xml::children(b, "road-distance")) {
        const auto key = std::make_pair(bid.line.dispatch_point_id, f.id(rd, "delivery-point-id"));
        const core::Decimal km = f.decimal(rd, "km");
        const auto [it, fresh] = road->emplace(key, km);
        if (!fresh && it->second != km)
          check.differences.push_back(lot_name + ": road distance from dispatch point " + std::to_string(key.first) +
                                      " to delivery point " + std::to_string(key.second) + " is given as both " +
                                      it->second.toString() + " and " + km.toString() + " km");
      }
      bids.push_back(std::move(bid));
    }
    ctx.road_distance = [road](Id from, Id to) -> std::optional<core::Decimal> {
      const auto it = road->find({from, to});
      return it == road->end() ? std::nullopt : std::optional<core::Decimal>(it->second);
    };
    if (!problems.empty()) break;
    ++check.lots;
    try {
      comparer.compare(lot_name, xml::children(lot, "result"), core::evaluateLot(in, bids, ctx));
      const std::vector<const DOMElement*> per_point = xml::children(lot, "point-evaluation");
      if (award_mode == "optimal_by_delivery_point" || !per_point.empty()) {
        const std::vector<core::LotEvaluation> evaluations = core::evaluatePerPoint(in, bids, ctx);
        std::map<Id, const DOMElement*> documented;
        for (const DOMElement* pe : per_point) documented[f.id(pe, "delivery-point-id")] = pe;
        for (std::size_t p = 0; p < evaluations.size(); ++p) {
          const Id point = in.points[p].delivery_point_id;
          const std::string where = lot_name + ", delivery point " + std::to_string(point);
          const auto it = documented.find(point);
          if (it == documented.end()) {
            check.differences.push_back(where + ": the document has no per-point evaluation, which award mode " +
                                        award_mode + " needs");
            continue;
          }
          comparer.compare(where, xml::children(it->second, "result"), evaluations[p]);
          documented.erase(it);
        }
        for (const auto& [point, pe] : documented)
          check.differences.push_back(lot_name + ": the document evaluates delivery point " + std::to_string(point) +
                                      ", which is not a point of the lot");
      }
    } catch (const Error& e) {
      check.differences.push_back(lot_name + ": the document's inputs cannot be evaluated: " + e.what());
    }
  }
  if (!problems.empty())
    detail::throwProblems(ErrorCode::kInvalidArgument, "the evaluation document holds values the product cannot read",
                          problems, "give the evaluation document as exported by `export evaluation`");
  return check;
}

}  // namespace reports
