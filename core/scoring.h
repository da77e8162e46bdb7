#pragma once
// Scoring of bids on a lot (DESIGN.md, Scoring): every criterion kind and formula family, distance
// per delivery point, CO2, exact arithmetic, the published tie rule, the abnormally-low flag
// (Art. 69) and an explanation record for every score. Pure functions; thread-safe.

#include <functional>
#include <optional>
#include <vector>

#include "core/model.h"

namespace core {

// Great-circle (haversine, WGS84 mean radius 6371.0088 km) distance in km, rounded half up to the
// metre so that it is an exact input from then on.
Decimal haversineKm(GeoPoint a, GeoPoint b);

// Throws Error(kInvalidArgument) listing every problem: unknown formula for a kind, weights not
// summing to 100, bands not ascending, a >= b, refinement ranges not containing the weight, and a
// distance or CO2 criterion that only rewards being inside a radius (a cliff; CJEU C-21/88, Art. 67).
void validateCriteria(const std::vector<Criterion>& criteria);

// The criteria with the round's refinements applied; throws Error(kInvalidArgument) when a
// refinement names an unpublished kind, leaves its published range or the weights do not sum to 100
// (rule 7, Art. 34(6), Art. 67(5)).
std::vector<Criterion> applyRefinements(const std::vector<Criterion>& published,
                                        const std::vector<WeightRefinement>& refinements);

struct PointInput {
  Id delivery_point_id = 0;
  GeoPoint location;
  Decimal quantity;  // demanded quantity
};

struct LotInput {
  Id round_id = 0;
  Id lot_id = 0;
  Decimal unit_mass_kg = Decimal::fromInt(1);
  bool allow_partial = false;
  std::vector<PointInput> points;
};

struct BidOnLot {
  Id bid_id = 0;
  Id supplier_id = 0;
  TimePoint submitted_at{};
  BidLine line;
  GeoPoint dispatch;        // location of line.dispatch_point_id
  bool admissible = true;   // false: scored nowhere, ranked 0, `note` says why
  std::string note;
};

// Road distance in km from a dispatch point to a delivery point, when a matrix was imported.
using RoadDistanceFn = std::function<std::optional<Decimal>(Id dispatch_point_id, Id delivery_point_id)>;

struct ScoringContext {
  std::vector<Criterion> criteria;  // effective (refined) criteria, weights summing to 100
  std::vector<VehicleFactor> vehicle_factors;
  RoadDistanceFn road_distance;     // may be empty: haversine everywhere
};

struct LotEvaluation {
  std::vector<ScoreRecord> scores;  // one per admissible bid and criterion
  std::vector<LotResult> results;   // one per bid, best first (rank 1, 2, ...), inadmissible last with rank 0
};

// Scores and ranks every bid of one lot. Ties on total are broken by the higher price score, then
// the earlier submission, then the lower bid id (the published tie rule).
LotEvaluation evaluateLot(const LotInput& lot, const std::vector<BidOnLot>& bids, const ScoringContext& ctx);

// For award mode optimal_by_delivery_point: one evaluation per delivery point of the lot, each as
// if the lot were that point alone (distance and CO2 to that point, best values taken per point
// among admissible bids). Records carry the point's id in delivery_point_id.
std::vector<LotEvaluation> evaluatePerPoint(const LotInput& lot, const std::vector<BidOnLot>& bids,
                                            const ScoringContext& ctx);

// Award of one lot from its ranked results (kBestBid: the best admissible bid, up to the demand;
// kPartialFill: the demand filled in rank order, each bid up to its offered quantity). Bids whose
// results are not admissible, or that are listed in `excluded`, get nothing.
std::vector<AwardLine> awardLot(const LotInput& lot, const LotEvaluation& evaluation,
                                const std::vector<BidOnLot>& bids, AwardMode mode,
                                const std::vector<Id>& excluded = {});

}  // namespace core
