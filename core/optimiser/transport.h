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
//      then lower bid id): each bid gets the tie weight (number of bids - its place under that rule)
//      and sum(quantity x tie weight) is maximised, so that at equal score quantity goes to the bid
//      the rule puts first. Allocations still equal after this are resolved by a canonical order
//      (bids by the tie rule, points by id), so the result does not depend on the order of the input
//      and is the same on every run.
//
// Quantities are solved in integer units: every quantity of the problem divided by the greatest
// common divisor of all of them (exact, no rounding). Scores are exact rationals (core::Exact).
//
// Without a minimum delivery this is a transportation problem, solved as one minimum-cost flow with
// LEMON's network simplex over the network
//   source -> bid (capacity: the bid's capacity; cost: -tie weight),
//   bid -> point (capacity: min(bid capacity, per-point cap, demand); cost: -score x T),
//   point -> sink (capacity: demand; cost: -M),
//   source -> sink (capacity: total demand; cost 0; its flow is the demand left open),
// carrying the total demand from source to sink. Networks of more than
// TransportOptions::whole_network_pairs pairs are solved by pricing: LEMON solves the network over a
// subset of the pairs (the best-scoring few of every bid and every point), every other pair is
// priced with the potentials found, the most improving ones join, and so on until no pair outside
// has a negative reduced cost; the potentials are then optimal for the whole network (a national
// lot of 2,000,000 pairs ends on about 40,000). Scores enter as integers: the nearest integer to
// double(score) x 2^k (k = score_scale_bits, the finest that a double still rounds to within 3/4 of a
// unit). T = 2 x bids + 1 and M = T x (bids + points + 1) x (largest |scaled score| + 1) + 2 x bids + 1
// make the three tiers strictly lexicographic for every simple cycle of the network.
//
// Certificate (kScaledInteger): the integer node potentials p of that network. Every residual arc
// has reduced cost c + p(u) - p(v) >= 0, so the flow is optimal for the scaled costs. It is exact for
// the true scores too when the "tight" residual arcs (reduced cost below
// Theta = T x (bids + points + 1) + 2 x bids) form a forest: a simple cycle that could improve the
// exact objective would have to consist of tight arcs only, because the rounding moves the score of a
// cycle by less than one unit per arc. When they do not form a forest (equal scores, degenerate
// bounds, a coarse scale), the solver decides the cycles of the tight arcs in exact arithmetic:
// Bellman-Ford over the tight residual arcs with exact lexicographic costs (coverage, score, tie).
// Without an improving cycle the certificate is the scaled potentials plus exact potentials under
// which every tight residual arc has a lexicographic reduced cost >= 0 (kScaledWithExactTight).
// Otherwise the solver repairs the flow in exact arithmetic (Bellman-Ford over the whole residual
// network, cancelling every improving cycle it finds) and the certificate is exact potentials for
// every node (kExact). The scaled path does the work on large lots; the exact ones stay small or
// rare. Costs and potentials are 128-bit integers: at the finest scale the coverage cost M alone is
// about 2^73 on a national lot, so 64 bits would need a scale coarse enough to make the margin test
// fail (and the exact steps run) on most large lots.
//
// With a minimum delivery (min_delivery > 0) a (bid, point) pair that gets anything gets at least
// min(min_delivery, demand of the point): a small kitchen can still be served by one supplier
// delivering all it needs. That makes the decisions semi-continuous, so the choice of the pairs that
// deliver is a mixed integer program, solved with GLPK (one integer program per tier, within a time
// limit; GLPK works in floating point). The quantities on the chosen pairs are then solved again
// exactly by the network path with the minimum as lower bound on those pairs, and that solve's
// certificate proves them optimal for the chosen pairs; the choice itself is proven by GLPK's
// status per tier (optimal with a zero gap).
//
// Thread-safety: pure functions over values. The network path shares nothing (it scales the scores
// on a second thread of its own while it checks the input); the integer path serialises its calls
// into GLPK, so concurrent calls are safe.

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
  // Scale 2^k of the integer scores; by default (and at most) the finest a double resolves. The
  // result and the certificate are exact whatever is chosen: where the rounding could matter the
  // exact repair takes over. Set a coarse scale only to test that repair.
  std::optional<int> score_scale_bits;
  // Networks of up to this many (bid, point) pairs are solved whole; larger ones by pricing (LEMON
  // solves a subset of the pairs, grown by those with a negative reduced cost until there are none;
  // see transport.cpp). The result is optimal either way; a test may set 0 to force pricing.
  std::size_t whole_network_pairs = 20'000;
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
enum class CertificateKind { kScaledInteger, kScaledWithExactTight, kExact };

// A node's dual price. `scaled` is the integer potential of the scaled network (kScaledInteger and
// kScaledWithExactTight). `coverage`, `score` and `tie` form the exact lexicographic potential
// (kScaledWithExactTight and kExact), compared in that order, with arc costs
// (-1 on point -> sink arcs, 0 elsewhere), (-score on bid -> point arcs), (-tie weight on source ->
// bid arcs). Either way the reduced cost of an arc u -> v is cost + potential(u) - potential(v).
struct Potential {
  Id id = 0;  // bid id for supplies, delivery point id for points, 0 for the source and the sink
  Exact scaled;
  std::int64_t coverage = 0;
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
  CertificateKind kind = CertificateKind::kScaledInteger;
  bool proven_optimal = false;
  Decimal unit;            // the quantity unit (gcd of all quantities); flows are multiples of it
  int score_scale_bits = 0;
  int exact_repairs = 0;   // improving cycles cancelled in exact arithmetic
  int pricing_rounds = 0;  // network simplex solves (1: the whole network at once; see TransportOptions)
  std::size_t pairs_solved = 0;  // (bid, point) pairs in the network of the last solve
  Potential source;
  Potential sink;
  std::vector<Potential> supply_potentials;  // one per supply, in the problem's order
  std::vector<Potential> point_potentials;   // one per point, in the problem's order
  // Integer path: GLPK's record per tier. Its network certificate covers the pairs that deliver.
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

// Solves the problem. Throws Error(kInvalidArgument) listing every problem when the input is
// malformed (negative quantities, duplicate ids or arcs, indices out of range, caps for unknown
// points, quantities too large for 64-bit units).
TransportSolution solveTransport(const TransportProblem& problem, const TransportOptions& options = {});

// Checks a solution against its problem and returns every problem found; empty means the
// certificate proves the solution optimal: primal feasibility (capacities, caps, demand, minimum
// delivery), the stated totals, and dual feasibility of the potentials on every residual arc with
// the margin argument (kScaledInteger) or exact lexicographic reduced costs (kExact); for the integer
// path also GLPK's zero-gap proof per tier. Written independently of the solver. Linear in the size
// of the problem and keeps nothing per pair; on large problems it checks the pairs on two threads
// (the result does not depend on them).
std::vector<std::string> checkCertificate(const TransportProblem& problem, const TransportSolution& solution);

// The per-point rank-order fill: points in id order, each filled from the bids that score best at
// that point (ties by the published rule), each bid up to what it has left. For comparison with
// the optimum only (benchmarks, tests, explaining the award); it carries no certificate.
TransportSolution rankOrderFill(const TransportProblem& problem);

}  // namespace core
