#pragma once
// core::solveTransport: the award of one lot across (bid, delivery point) pairs that maximises the
// total weighted score (DESIGN.md, Award: "per delivery point"), solved exactly, with a certificate
// of optimality that an auditor can check with checkCertificate() alone.
//
// The objective is lexicographic:
//   1. cover as much demand as possible: demand is never left open while an admissible bid could
//      still cover it, even where the only remaining bid scores lower than bids already used;
//   2. among the allocations that cover the most, maximise sum(quantity x score per unit);
//   3. among those, apply the published tie rule (higher price points, then earlier submission,
//      then lower bid id): each bid gets the tie weight (number of bids - its rank under that rule)
//      and sum(quantity x tie weight) is maximised, so that at equal score quantity goes to the bid
//      the rule puts first. Allocations still equal after this are resolved by a canonical order
//      (bids by the tie rule, points by id), so the result does not depend on the order of the input
//      and is the same on every run.
//
// Without a minimum delivery this is a transportation problem, solved with LEMON's network simplex
// (a maximum flow for tier 1, then a minimum-cost flow of that value for tiers 2 and 3). Its
// certificate is exact: a minimum cut proving tier 1 and node potentials (dual prices) proving
// tiers 2 and 3 through reduced costs and complementary slackness, in exact rational arithmetic.
//
// With a minimum delivery (Lot::min_delivery > 0) a (bid, point) pair that gets anything gets at
// least min(min_delivery, demand of the point): a small kitchen can still be served, by one supplier
// delivering all it needs. That makes the decisions semi-continuous, so the problem is a mixed
// integer program solved with GLPK (one integer program per tier, within a time limit); its record
// is GLPK's status and bound per tier, and it is proven optimal only when every tier closed with a
// zero gap.
//
// Thread-safety: pure functions over values. The network path shares nothing; the integer path
// serialises its calls into GLPK, so concurrent calls are safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "core/exact.h"
#include "core/model.h"

namespace core {

struct TransportPoint {
  Id delivery_point_id = 0;  // unique within the problem
  Decimal demand;            // >= 0
};

struct TransportSupply {
  Id bid_id = 0;  // unique within the problem
  Id supplier_id = 0;
  Decimal capacity;  // total quantity the bid offers for the lot, >= 0
  // Optional per-point caps (the bid line's point offers); a point without an entry is limited
  // only by `capacity`. Every entry must name a point of the problem, at most once.
  std::vector<PointOffer> point_caps;
  // Keys of the published tie rule: higher price points first, then earlier submission, then
  // lower bid id.
  Exact price_points;
  TimePoint submitted_at{};
};

// A (bid, delivery point) pair the bid may serve. Pairs without an arc get nothing.
struct TransportArc {
  std::size_t supply = 0;  // index into TransportProblem::supplies
  std::size_t point = 0;   // index into TransportProblem::points
  Exact score_per_unit;    // the bid's total score at that point, per unit of quantity
};

struct TransportProblem {
  std::vector<TransportPoint> points;
  std::vector<TransportSupply> supplies;
  std::vector<TransportArc> arcs;  // at most one per (supply, point)
  Decimal min_delivery;            // 0: none
};

struct TransportOptions {
  // Wall-clock budget of the integer path (all tiers together). The network path has none: it
  // always finishes with a proof.
  std::chrono::milliseconds milp_time_limit{10'000};
  // The integer solve ranks scores rounded to multiples of 2^-bits; by default the finest that
  // keeps every sum inside 64 bits. The result and the certificate are exact whatever is chosen:
  // wherever rounding changed the optimum, exact cycle cancelling repairs it. Set only to test
  // that repair.
  std::optional<int> score_scale_bits;
};

struct AllocationLine {
  Id bid_id = 0;
  Id supplier_id = 0;
  Id delivery_point_id = 0;
  Decimal quantity;
  Exact score_per_unit;
  Exact line_score;  // quantity x score_per_unit
};

struct UnmetDemand {
  Id delivery_point_id = 0;
  Decimal quantity;
};

enum class TransportMethod { kNetworkSimplex, kMixedInteger };

// A node's dual price in the lexicographic minimum-cost form, as a pair compared first on `score`
// then on `tie`. The arcs of the network are source -> bid (capacity: the bid's capacity; cost
// (0, -tie weight)), bid -> point (capacity: min(bid capacity, per-point cap, point demand); cost
// (-score per unit, 0)) and point -> sink (capacity: demand; cost (0, 0)). The reduced cost of an
// arc u -> v is cost + potential(u) - potential(v); it must be >= (0, 0) where the arc's flow is
// below its capacity and <= (0, 0) where the flow is above zero.
struct Potential {
  Id id = 0;  // bid id for supplies, delivery point id for points, 0 for the source and the sink
  Exact score;
  std::int64_t tie = 0;
};

// One tier of the integer path, as GLPK reported it.
struct MilpTier {
  std::string name;    // "coverage", "score", "tie rule"
  std::string status;  // "optimal", "feasible (time limit)", ...
  double objective = 0;
  double bound = 0;  // best bound known when GLPK stopped; equal to objective when proven
  bool proven = false;
};

struct OptimalityCertificate {
  TransportMethod method = TransportMethod::kNetworkSimplex;
  bool proven_optimal = false;
  // Network path: the minimum cut (nodes on the source's side) whose capacity equals the covered
  // quantity, and the potentials of every node.
  std::vector<Id> cut_bids;
  std::vector<Id> cut_points;
  Potential source;
  Potential sink;
  std::vector<Potential> supply_potentials;  // one per bid
  std::vector<Potential> point_potentials;   // one per delivery point
  int score_scale_bits = 0;                  // rounding used by the integer solve (see options)
  int exact_repairs = 0;                     // cycles cancelled in exact arithmetic after it
  // Integer path.
  std::vector<MilpTier> tiers;
  // Human-readable record of all of the above, for the award decision and the audit trail.
  std::string text;
};

struct TransportSolution {
  std::vector<AllocationLine> lines;  // by delivery point id, then by the tie rule's bid order
  Exact total_score;
  Decimal covered;
  std::vector<UnmetDemand> unmet;  // points left short, by delivery point id
  OptimalityCertificate certificate;
};

// Solves the problem. Throws Error(kInvalidArgument) naming the field when the input is malformed
// (negative quantities, duplicate ids or arcs, indices out of range, caps for unknown points).
TransportSolution solveTransport(const TransportProblem& problem, const TransportOptions& options = {});

// Checks a solution against its problem and returns every problem found; empty means the
// certificate proves the solution optimal: primal feasibility (capacities, caps, demand, minimum
// delivery), the stated totals, and for the network path the minimum cut and dual feasibility with
// complementary slackness in exact arithmetic; for the integer path GLPK's zero-gap proof per tier.
std::vector<std::string> checkCertificate(const TransportProblem& problem, const TransportSolution& solution);

// The per-point rank-order fill: points in id order, each filled from the bids that score best at
// that point (ties by the published rule), each bid up to what it has left. For comparison with
// the optimum only (benchmarks, tests, explaining the award); it carries no certificate.
TransportSolution rankOrderFill(const TransportProblem& problem);

}  // namespace core
