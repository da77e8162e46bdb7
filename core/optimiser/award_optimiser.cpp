// The engine's award optimiser (core/optimiser/award_optimiser.h): adapter from the engine's lot,
// bids and per-point evaluation to solveTransport, with the certificate checked before use.

#include "core/optimiser/award_optimiser.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace core {
namespace {

class TransportAwardOptimiser final : public AwardOptimiser {
 public:
  explicit TransportAwardOptimiser(TransportOptions options) : options_(options) {}

  std::vector<AwardLine> allocate(const Lot& lot, const std::vector<BidOnLot>& bids,
                                  const std::vector<LotEvaluation>& per_point, std::string& certificate,
                                  std::vector<std::string>& unmet) const override {
    const TransportProblem problem = transportProblemFor(lot, bids, per_point);
    const TransportSolution solution = solveTransport(problem, options_);
    const std::vector<std::string> problems = checkCertificate(problem, solution);
    if (!problems.empty()) {
      std::string msg = "lot " + std::to_string(lot.number) +
                        ": the optimal allocation failed its own certificate check, so it is not awarded; "
                        "report this defect with the round's data:";
      for (const std::string& p : problems) msg += "\n- " + p;
      throw Error(ErrorCode::kInternal, msg);
    }
    std::map<Id, const BidOnLot*> bid_of;
    for (const BidOnLot& b : bids) bid_of[b.bid_id] = &b;
    std::vector<AwardLine> lines;
    for (const AllocationLine& a : solution.lines) {
      AwardLine l;
      l.round_id = lot.round_id;
      l.lot_id = lot.id;
      l.bid_id = a.bid_id;
      l.supplier_id = a.supplier_id;
      l.delivery_point_id = a.delivery_point_id;
      l.quantity = a.quantity;
      l.unit_price = bid_of.at(a.bid_id)->line.unit_price;
      l.score = a.score_per_unit;
      lines.push_back(std::move(l));
    }
    certificate = solution.certificate.text;
    for (const UnmetDemand& u : solution.unmet)
      unmet.push_back("delivery point " + std::to_string(u.delivery_point_id) + ": " + u.quantity.toString() + " " +
                      lot.unit + " not covered by any admissible bid");
    return lines;
  }

 private:
  TransportOptions options_;
};

}  // namespace

TransportProblem transportProblemFor(const Lot& lot, const std::vector<BidOnLot>& bids,
                                     const std::vector<LotEvaluation>& per_point) {
  TransportProblem p;
  p.min_delivery = lot.min_delivery;
  std::map<Id, std::size_t> point_index;
  for (const Demand& d : lot.demands) {
    point_index[d.delivery_point_id] = p.points.size();
    p.points.push_back({d.delivery_point_id, d.quantity});
  }
  std::map<Id, std::size_t> supply_index;
  for (const BidOnLot& b : bids) {
    if (b.line.lot_id != 0 && b.line.lot_id != lot.id)
      throw Error(ErrorCode::kInvalidArgument,
                  "bid " + std::to_string(b.bid_id) + " is for lot " + std::to_string(b.line.lot_id) + ", not lot " +
                      std::to_string(lot.id) + "; pass the lot's own bids",
                  "bids");
    supply_index[b.bid_id] = p.supplies.size();
    TransportSupply s;
    s.bid_id = b.bid_id;
    s.supplier_id = b.supplier_id;
    s.capacity = b.line.quantity;
    s.submitted_at = b.submitted_at;
    for (const PointOffer& o : b.line.point_offers)
      if (point_index.count(o.delivery_point_id)) s.point_caps.push_back(o);
    p.supplies.push_back(std::move(s));
  }
  // Per-point evaluations in the order of the point ids, so that "the first point" is well defined.
  std::vector<const LotEvaluation*> evaluations;
  for (const LotEvaluation& e : per_point) evaluations.push_back(&e);
  const auto pointOf = [](const LotEvaluation& e) -> Id {
    if (!e.results.empty()) return e.results.front().delivery_point_id;
    return 0;
  };
  std::stable_sort(evaluations.begin(), evaluations.end(),
                   [&](const LotEvaluation* a, const LotEvaluation* b) { return pointOf(*a) < pointOf(*b); });
  std::set<Id> priced;
  // Pairs already taken, one bit per (bid, point): linear, where a set of pairs would allocate per pair.
  std::vector<bool> seen(p.supplies.size() * p.points.size(), false);
  for (const LotEvaluation* e : evaluations) {
    for (const ScoreRecord& r : e->scores) {
      if (r.kind != CriterionKind::kPrice || priced.count(r.bid_id)) continue;
      const auto s = supply_index.find(r.bid_id);
      if (s == supply_index.end()) continue;
      p.supplies[s->second].price_points = r.points;
      priced.insert(r.bid_id);
    }
    for (const LotResult& r : e->results) {
      if (!r.admissible || r.rank <= 0) continue;
      const auto pt = point_index.find(r.delivery_point_id);
      const auto s = supply_index.find(r.bid_id);
      if (pt == point_index.end() || s == supply_index.end())
        throw Error(ErrorCode::kInvalidArgument,
                    "the per-point evaluation of lot " + std::to_string(lot.number) + " ranks bid " +
                        std::to_string(r.bid_id) + " at delivery point " + std::to_string(r.delivery_point_id) +
                        ", which is not one of the lot's bids and points; evaluate the round again",
                    "per_point");
      const std::size_t pair = s->second * p.points.size() + pt->second;
      if (seen[pair]) continue;
      seen[pair] = true;
      p.arcs.push_back({s->second, pt->second, r.total});
    }
  }
  return p;
}

std::unique_ptr<AwardOptimiser> makeAwardOptimiser(const TransportOptions& options) {
  return std::make_unique<TransportAwardOptimiser>(options);
}

}  // namespace core
