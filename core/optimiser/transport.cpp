// The transportation solver of core/optimiser/transport.h: input checks, integer units, the scaled
// network solved with LEMON's network simplex (on a growing subset of the pairs, priced against all
// of them), the margin test and the exact repair, the minimum-lot integer program with GLPK, and the
// rank-order fill used for comparison.

#include "core/optimiser/transport.h"

#include <glpk.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include "core/error.h"

namespace core {
namespace {

__extension__ typedef __int128 Int128;

constexpr std::int64_t kMaxUnits = std::numeric_limits<std::int64_t>::max() / 4;

std::string int128Text(Int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string digits;
  while (v != 0) {
    const int d = static_cast<int>(v % 10);
    digits.push_back(static_cast<char>('0' + (negative ? -d : d)));
    v /= 10;
  }
  if (negative) digits.push_back('-');
  return {digits.rbegin(), digits.rend()};
}

// The problem after its checks: integer units, the canonical orders and the tie weights. The
// (bid, point) pairs are kept in the canonical order (bids by the tie rule, then points by id) in
// flat arrays, so that a pass over all pairs reads memory in sequence.
struct Prepared {
  const TransportProblem* problem = nullptr;
  std::int64_t unit_raw = 1;
  std::vector<std::int64_t> demand;    // per point, units
  std::vector<std::int64_t> capacity;  // per supply, units
  std::vector<std::size_t> supply_order;  // supplies by the tie rule
  std::vector<std::size_t> point_order;   // points by id
  std::vector<std::int64_t> tie_weight;   // per supply: number of supplies - place under the tie rule
  std::int64_t total_demand = 0;
  // Per pair, at its canonical place r:
  std::vector<std::uint32_t> arc_order;    // the problem arc (prepare() refuses more than 2^30 pairs)
  std::vector<std::uint32_t> pair_supply;  // its supply index
  std::vector<std::uint32_t> pair_point;   // its point index
  std::vector<std::int64_t> upper;         // min(capacity, cap, demand), units
  std::vector<std::int64_t> min_lot;       // min(min_delivery, demand), units; empty without a minimum
};

bool tieRuleBefore(const TransportSupply& a, const TransportSupply& b) {
  if (const auto c = a.price_points <=> b.price_points; c != 0) return c > 0;
  if (a.submitted_at != b.submitted_at) return a.submitted_at < b.submitted_at;
  return a.bid_id < b.bid_id;
}

std::string problemList(const std::vector<std::string>& problems) {
  std::string msg = "the allocation problem is not valid (" + std::to_string(problems.size()) + " problem" +
                    (problems.size() == 1 ? "" : "s") + "); correct the lot, its demand and the bids:";
  for (const std::string& s : problems) msg += "\n- " + s;
  return msg;
}

// Linear in the size of the input: index arrays instead of maps, error texts only for errors.
Prepared prepare(const TransportProblem& p) {
  std::vector<std::string> problems;
  const std::size_t nb = p.supplies.size();
  const std::size_t np = p.points.size();
  if (nb + np + 2 > static_cast<std::size_t>(INT_MAX / 2) || p.arcs.size() > static_cast<std::size_t>(INT_MAX / 2))
    throw Error(ErrorCode::kInvalidArgument,
                "the allocation problem has too many bids, points or pairs for one solve; split the lot", "problem");
  Prepared out;
  out.problem = &p;
  out.point_order.resize(np);
  std::iota(out.point_order.begin(), out.point_order.end(), std::size_t{0});
  std::sort(out.point_order.begin(), out.point_order.end(), [&](std::size_t a, std::size_t b) {
    return p.points[a].delivery_point_id < p.points[b].delivery_point_id;
  });
  for (std::size_t r = 0; r < np; ++r) {
    const std::size_t j = out.point_order[r];
    if (r > 0 && p.points[out.point_order[r - 1]].delivery_point_id == p.points[j].delivery_point_id)
      problems.push_back("points[" + std::to_string(j) + "]: delivery point " +
                         std::to_string(p.points[j].delivery_point_id) + " is listed twice");
  }
  for (std::size_t j = 0; j < np; ++j)
    if (p.points[j].demand.isNegative())
      problems.push_back("points[" + std::to_string(j) + "].demand: " + p.points[j].demand.toString() + " is negative");
  // Point index by id: binary search over the points in id order.
  const auto pointIndex = [&](Id id) -> std::ptrdiff_t {
    const auto it = std::lower_bound(out.point_order.begin(), out.point_order.end(), id,
                                     [&](std::size_t j, Id v) { return p.points[j].delivery_point_id < v; });
    if (it == out.point_order.end() || p.points[*it].delivery_point_id != id) return -1;
    return static_cast<std::ptrdiff_t>(*it);
  };

  out.supply_order.resize(nb);
  std::iota(out.supply_order.begin(), out.supply_order.end(), std::size_t{0});
  std::sort(out.supply_order.begin(), out.supply_order.end(),
            [&](std::size_t a, std::size_t b) { return tieRuleBefore(p.supplies[a], p.supplies[b]); });
  {
    std::vector<std::size_t> by_id(nb);
    std::iota(by_id.begin(), by_id.end(), std::size_t{0});
    std::sort(by_id.begin(), by_id.end(), [&](std::size_t a, std::size_t b) {
      return p.supplies[a].bid_id != p.supplies[b].bid_id ? p.supplies[a].bid_id < p.supplies[b].bid_id : a < b;
    });
    for (std::size_t r = 1; r < nb; ++r)
      if (p.supplies[by_id[r - 1]].bid_id == p.supplies[by_id[r]].bid_id)
        problems.push_back("supplies[" + std::to_string(by_id[r]) + "]: bid " + std::to_string(p.supplies[by_id[r]].bid_id) +
                           " is listed twice");
  }
  // Per-point caps: value per point index, marked by the supply that set it.
  std::vector<std::int64_t> cap_of(np, 0);
  std::vector<std::size_t> cap_mark(np, SIZE_MAX);
  for (std::size_t i = 0; i < nb; ++i) {
    const TransportSupply& s = p.supplies[i];
    if (s.capacity.isNegative())
      problems.push_back("supplies[" + std::to_string(i) + "].capacity: " + s.capacity.toString() + " is negative");
    for (std::size_t c = 0; c < s.point_caps.size(); ++c) {
      const PointOffer& o = s.point_caps[c];
      const auto where = [&] { return "supplies[" + std::to_string(i) + "].point_caps[" + std::to_string(c) + "]"; };
      const std::ptrdiff_t j = pointIndex(o.delivery_point_id);
      if (j < 0) {
        problems.push_back(where() + ": delivery point " + std::to_string(o.delivery_point_id) + " is not a point of the lot");
      } else if (cap_mark[static_cast<std::size_t>(j)] == i) {
        problems.push_back(where() + ": delivery point " + std::to_string(o.delivery_point_id) + " is capped twice");
      } else {
        cap_mark[static_cast<std::size_t>(j)] = i;
      }
      if (o.quantity.isNegative()) problems.push_back(where() + ".quantity: " + o.quantity.toString() + " is negative");
    }
  }
  bool indices_ok = true;
  for (std::size_t a = 0; a < p.arcs.size(); ++a) {
    const TransportArc& arc = p.arcs[a];
    if (arc.supply < nb && arc.point < np) continue;
    indices_ok = false;
    if (arc.supply >= nb)
      problems.push_back("arcs[" + std::to_string(a) + "].supply: index " + std::to_string(arc.supply) + " is out of range");
    if (arc.point >= np)
      problems.push_back("arcs[" + std::to_string(a) + "].point: index " + std::to_string(arc.point) + " is out of range");
  }
  if (p.min_delivery.isNegative()) problems.push_back("min_delivery: " + p.min_delivery.toString() + " is negative");

  // The canonical order of the pairs by two stable counting sorts (by point place, then by supply
  // place), linear in the number of pairs. Pairs keep their input order on equal keys, so a pair
  // given twice shows as equal neighbours and the later one is reported. Pairs with an index out of
  // range are reported above and left out here.
  {
    std::vector<std::uint32_t> supply_place(nb), point_place(np);
    for (std::size_t r = 0; r < nb; ++r) supply_place[out.supply_order[r]] = static_cast<std::uint32_t>(r);
    for (std::size_t r = 0; r < np; ++r) point_place[out.point_order[r]] = static_cast<std::uint32_t>(r);
    const auto valid = [&](std::size_t a) { return indices_ok || (p.arcs[a].supply < nb && p.arcs[a].point < np); };
    std::vector<std::size_t> count(std::max(nb, np) + 1, 0);
    std::size_t kept = 0;
    for (std::size_t a = 0; a < p.arcs.size(); ++a)
      if (valid(a)) {
        ++count[point_place[p.arcs[a].point] + 1];
        ++kept;
      }
    for (std::size_t r = 0; r < np; ++r) count[r + 1] += count[r];
    std::vector<std::uint32_t> by_point(kept);
    for (std::size_t a = 0; a < p.arcs.size(); ++a)
      if (valid(a)) by_point[count[point_place[p.arcs[a].point]]++] = static_cast<std::uint32_t>(a);
    std::fill(count.begin(), count.end(), 0);
    for (std::size_t a : by_point) ++count[supply_place[p.arcs[a].supply] + 1];
    for (std::size_t r = 0; r < nb; ++r) count[r + 1] += count[r];
    out.arc_order.resize(kept);
    for (std::size_t a : by_point) out.arc_order[count[supply_place[p.arcs[a].supply]]++] = a;
  }
  out.pair_supply.resize(out.arc_order.size());
  out.pair_point.resize(out.arc_order.size());
  for (std::size_t r = 0; r < out.arc_order.size(); ++r) {
    const TransportArc& arc = p.arcs[out.arc_order[r]];
    out.pair_supply[r] = static_cast<std::uint32_t>(arc.supply);
    out.pair_point[r] = static_cast<std::uint32_t>(arc.point);
    if (r > 0 && out.pair_supply[r - 1] == arc.supply && out.pair_point[r - 1] == arc.point)
      problems.push_back("arcs[" + std::to_string(out.arc_order[r]) + "]: the same (bid, point) pair is given twice (also arcs[" +
                         std::to_string(out.arc_order[r - 1]) + "])");
  }
  if (!problems.empty()) throw Error(ErrorCode::kInvalidArgument, problemList(problems), "problem");

  std::int64_t g = 0;
  const auto take = [&](Decimal d) { g = std::gcd(g, d.raw()); };
  for (const TransportPoint& pt : p.points) take(pt.demand);
  for (const TransportSupply& s : p.supplies) {
    take(s.capacity);
    for (const PointOffer& o : s.point_caps) take(o.quantity);
  }
  take(p.min_delivery);
  out.unit_raw = g == 0 ? 1 : g;

  Int128 total = 0;
  out.demand.reserve(np);
  for (const TransportPoint& pt : p.points) {
    out.demand.push_back(pt.demand.raw() / out.unit_raw);
    total += out.demand.back();
  }
  if (total > kMaxUnits)
    throw Error(ErrorCode::kInvalidArgument,
                "the total demand of the lot is too large to allocate exactly; split the lot", "points");
  out.total_demand = static_cast<std::int64_t>(total);
  out.capacity.reserve(nb);
  for (const TransportSupply& s : p.supplies) out.capacity.push_back(s.capacity.raw() / out.unit_raw);
  const std::int64_t min_units = p.min_delivery.raw() / out.unit_raw;
  out.upper.resize(out.arc_order.size());
  if (min_units > 0) out.min_lot.resize(out.arc_order.size());
  // Caps of the supply whose pairs are being read (pairs are grouped by supply): mark per point.
  std::fill(cap_mark.begin(), cap_mark.end(), SIZE_MAX);
  std::size_t capped_supply = SIZE_MAX;
  for (std::size_t r = 0; r < out.arc_order.size(); ++r) {
    const std::size_t i = out.pair_supply[r];
    const std::size_t j = out.pair_point[r];
    if (i != capped_supply) {
      capped_supply = i;
      for (const PointOffer& o : p.supplies[i].point_caps) {
        const auto at = static_cast<std::size_t>(pointIndex(o.delivery_point_id));
        cap_mark[at] = i;
        cap_of[at] = o.quantity.raw() / out.unit_raw;
      }
    }
    std::int64_t u = std::min(out.capacity[i], out.demand[j]);
    if (cap_mark[j] == i) u = std::min(u, cap_of[j]);
    out.upper[r] = u;
    if (min_units > 0) out.min_lot[r] = std::min(min_units, out.demand[j]);
  }

  out.tie_weight.assign(nb, 0);
  for (std::size_t r = 0; r < nb; ++r) out.tie_weight[out.supply_order[r]] = static_cast<std::int64_t>(nb - r);
  return out;
}

// The largest scale 2^k at which double(score) x 2^k is within 1/4 of the exact value: a double
// within one ulp of x (|x| < 2^e) errs by less than 2^(e-52).
int finestScaleBits(double max_abs) {
  int e = 0;
  if (max_abs > 0) std::frexp(max_abs, &e);
  return 50 - std::max(e, 0);
}

// A flow network in canonical order. Nodes: 0 source, 1 + supply index, 1 + number of supplies +
// point index, last the sink (indices of the problem, not the canonical order).
struct Network {
  enum class Kind : std::uint8_t { kSourceBid, kBidPoint, kPointSink, kBypass };
  // Widest fields first: 64 bytes an arc.
  struct Arc {
    Int128 cost = 0;
    std::int64_t lower = 0;
    std::int64_t upper = 0;
    std::int64_t flow = 0;
    std::size_t ref = 0;  // supply index, canonical pair place, or point index
    int from = 0;
    int to = 0;
    Kind kind = Kind::kBypass;
  };
  static Arc arc(int from, int to, Kind kind, std::size_t ref, std::int64_t lower, std::int64_t upper, Int128 cost) {
    Arc a;
    a.cost = cost;
    a.lower = lower;
    a.upper = upper;
    a.ref = ref;
    a.from = from;
    a.to = to;
    a.kind = kind;
    return a;
  }
  int nodes = 0;
  int source = 0;
  int sink = 0;
  std::vector<Arc> arcs;
  std::vector<Int128> potential;
};

struct Scaling {
  int bits = 0;
  std::vector<std::int64_t> scaled;  // per pair: per problem arc from scale(), canonical after placed()
  Int128 tie_scale = 0;              // T
  Int128 coverage_cost = 0;          // M
  Int128 margin = 0;                 // Theta
};

// Reads only the problem, so that it can run beside prepare().
Scaling scale(const TransportProblem& p, std::optional<int> requested) {
  Scaling s;
  s.scaled.resize(p.arcs.size());
  double max_abs = 0;
  // The doubles go through the integer array (bit-for-bit) to spare a second array of 8 bytes a pair.
  for (std::size_t a = 0; a < p.arcs.size(); ++a) {
    const double d = p.arcs[a].score_per_unit.toDouble();
    max_abs = std::max(max_abs, std::fabs(d));
    static_assert(sizeof(double) == sizeof(std::int64_t));
    __builtin_memcpy(&s.scaled[a], &d, sizeof d);
  }
  s.bits = finestScaleBits(max_abs);
  if (requested) s.bits = std::min(s.bits, *requested);
  std::int64_t max_scaled = 0;
  for (std::size_t a = 0; a < p.arcs.size(); ++a) {
    double d = 0;
    __builtin_memcpy(&d, &s.scaled[a], sizeof d);
    s.scaled[a] = std::llround(std::ldexp(d, s.bits));
    max_scaled = std::max(max_scaled, s.scaled[a] < 0 ? -s.scaled[a] : s.scaled[a]);
  }
  const Int128 nb = static_cast<Int128>(p.supplies.size());
  const Int128 np = static_cast<Int128>(p.points.size());
  s.tie_scale = 2 * nb + 1;
  s.coverage_cost = s.tie_scale * (nb + np + 1) * (static_cast<Int128>(max_scaled) + 1) + 2 * nb + 1;
  s.margin = s.tie_scale * (nb + np + 1) + 2 * nb;
  return s;
}

// Puts the scaled scores in the canonical order of the pairs.
void placed(Scaling& s, const Prepared& pr) {
  std::vector<std::int64_t> by_place(pr.arc_order.size());
  for (std::size_t r = 0; r < pr.arc_order.size(); ++r) by_place[r] = s.scaled[pr.arc_order[r]];
  s.scaled = std::move(by_place);
}

int supplyNode(std::size_t i) { return 1 + static_cast<int>(i); }
int pointNode(const Prepared& pr, std::size_t j) {
  return 1 + static_cast<int>(pr.capacity.size()) + static_cast<int>(j);
}

// The network over the pairs at the canonical places `pairs` (ascending); `with_lower`: the integer
// path, whose pairs must carry their minimum lot.
Network buildNetwork(const Prepared& pr, const Scaling& sc, const std::vector<std::size_t>& pairs, bool with_lower) {
  Network n;
  const std::size_t nb = pr.capacity.size();
  const std::size_t np = pr.demand.size();
  n.nodes = static_cast<int>(nb + np + 2);
  n.source = 0;
  n.sink = n.nodes - 1;
  n.arcs.reserve(pairs.size() + nb + np + 1);
  for (std::size_t i : pr.supply_order)
    n.arcs.push_back(Network::arc(0, supplyNode(i), Network::Kind::kSourceBid, i, 0, pr.capacity[i],
                                  -static_cast<Int128>(pr.tie_weight[i])));
  for (std::size_t r : pairs)
    n.arcs.push_back(Network::arc(supplyNode(pr.pair_supply[r]), pointNode(pr, pr.pair_point[r]), Network::Kind::kBidPoint,
                                  r, with_lower ? pr.min_lot[r] : 0, pr.upper[r],
                                  -static_cast<Int128>(sc.scaled[r]) * sc.tie_scale));
  for (std::size_t j : pr.point_order)
    n.arcs.push_back(Network::arc(pointNode(pr, j), n.sink, Network::Kind::kPointSink, j, 0, pr.demand[j], -sc.coverage_cost));
  n.arcs.push_back(Network::arc(n.source, n.sink, Network::Kind::kBypass, 0, 0, pr.total_demand, 0));
  return n;
}

// A LEMON read map over one field of the network's arcs (arc ids are their positions).
template <typename V, V Network::Arc::*field>
struct ArcField {
  typedef lemon::SmartDigraph::Arc Key;
  typedef V Value;
  const lemon::SmartDigraph* graph = nullptr;
  const std::vector<Network::Arc>* arcs = nullptr;
  V operator[](const Key& a) const { return (*arcs)[static_cast<std::size_t>(graph->id(a))].*field; }
};

// Costs stay 128-bit inside LEMON: at the finest score scale the coverage cost M alone exceeds 2^63
// on national lots, and LEMON's artificial arcs cost max/2 of a 64-bit type, which leaves no room
// for a proven bound. The networks LEMON sees are small (see runNetwork), so this costs little.
void solveNetwork(Network& n) {
  typedef lemon::NetworkSimplex<lemon::SmartDigraph, std::int64_t, Int128> Simplex;
  lemon::SmartDigraph g;
  g.reserveNode(n.nodes);
  g.reserveArc(static_cast<int>(n.arcs.size()));
  std::vector<lemon::SmartDigraph::Node> nodes;
  nodes.reserve(static_cast<std::size_t>(n.nodes));
  for (int v = 0; v < n.nodes; ++v) nodes.push_back(g.addNode());
  const ArcField<std::int64_t, &Network::Arc::lower> lower{&g, &n.arcs};
  const ArcField<std::int64_t, &Network::Arc::upper> upper{&g, &n.arcs};
  const ArcField<Int128, &Network::Arc::cost> cost{&g, &n.arcs};
  bool has_lower = false;
  std::int64_t total = 0;
  for (const Network::Arc& a : n.arcs) {
    g.addArc(nodes[static_cast<std::size_t>(a.from)], nodes[static_cast<std::size_t>(a.to)]);
    has_lower |= a.lower != 0;
    if (a.kind == Network::Kind::kBypass) total = a.upper;
  }
  Simplex ns(g);
  ns.upperMap(upper).costMap(cost).stSupply(nodes[static_cast<std::size_t>(n.source)],
                                            nodes[static_cast<std::size_t>(n.sink)], total);
  if (has_lower) ns.lowerMap(lower);
  const auto result = ns.run(Simplex::BLOCK_SEARCH);
  if (result != Simplex::OPTIMAL)
    throw Error(ErrorCode::kInternal,
                "the network simplex found no optimal flow although the open-demand arc makes every problem "
                "feasible; report this defect with the lot's data");
  int id = 0;
  for (Network::Arc& a : n.arcs) a.flow = ns.flow(g.arcFromId(id++));
  n.potential.resize(static_cast<std::size_t>(n.nodes));
  for (int v = 0; v < n.nodes; ++v) n.potential[static_cast<std::size_t>(v)] = ns.potential(nodes[static_cast<std::size_t>(v)]);
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(static_cast<std::size_t>(n)) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[static_cast<std::size_t>(x)] != x) {
      parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
      x = parent[static_cast<std::size_t>(x)];
    }
    return x;
  }
  bool unite(int a, int b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    parent[static_cast<std::size_t>(a)] = b;
    return true;
  }
};

// The scaled reduced cost of the pair at canonical place r under the potentials of `n`.
Int128 pairReducedCost(const Prepared& pr, const Scaling& sc, const Network& n, std::size_t r) {
  return -static_cast<Int128>(sc.scaled[r]) * sc.tie_scale + n.potential[static_cast<std::size_t>(supplyNode(pr.pair_supply[r]))] -
         n.potential[static_cast<std::size_t>(pointNode(pr, pr.pair_point[r]))];
}

// True when the scaled potentials prove exact optimality: the tight residual arcs form a forest.
// The arcs of `n` and, with flow 0, the pairs marked kCandidate in `state` (not in `n`).
bool marginHolds(const Network& n, const Prepared& pr, const Scaling& sc, const std::vector<std::uint8_t>& state,
                 std::uint8_t candidate) {
  UnionFind uf(n.nodes);
  for (const Network::Arc& a : n.arcs) {
    const Int128 rc = a.cost + n.potential[static_cast<std::size_t>(a.from)] - n.potential[static_cast<std::size_t>(a.to)];
    const bool forward = a.flow < a.upper;
    const bool backward = a.flow > a.lower;
    const bool tight = (forward && rc < sc.margin) || (backward && -rc < sc.margin);
    if (tight && !uf.unite(a.from, a.to)) return false;
  }
  for (std::size_t r = 0; r < state.size(); ++r)
    if (state[r] == candidate && pairReducedCost(pr, sc, n, r) < sc.margin &&
        !uf.unite(supplyNode(pr.pair_supply[r]), pointNode(pr, pr.pair_point[r])))
      return false;
  return true;
}

// Exact lexicographic cost or potential: (coverage, score, tie), compared in that order.
struct Lex {
  std::int64_t coverage = 0;
  Exact score;
  std::int64_t tie = 0;
  Lex operator+(const Lex& o) const { return {coverage + o.coverage, score + o.score, tie + o.tie}; }
  Lex negated() const { return {-coverage, Exact() - score, -tie}; }
  bool operator<(const Lex& o) const {
    if (coverage != o.coverage) return coverage < o.coverage;
    if (const auto c = score <=> o.score; c != 0) return c < 0;
    return tie < o.tie;
  }
};

Lex exactCost(const Network::Arc& a, const Prepared& pr) {
  switch (a.kind) {
    case Network::Kind::kSourceBid:
      return {0, Exact(), -pr.tie_weight[a.ref]};
    case Network::Kind::kBidPoint:
      return {0, Exact() - pr.problem->arcs[pr.arc_order[a.ref]].score_per_unit, 0};
    case Network::Kind::kPointSink:
      return {-1, Exact(), 0};
    case Network::Kind::kBypass:
      break;
  }
  return {};
}
struct Residual {
  int from = 0;
  int to = 0;
  std::size_t arc = 0;
  bool forward = true;
  Lex cost;  // exact, in the residual direction
};

// The residual arcs of the flow; with `tight`, only those whose scaled reduced cost is below the
// margin (the only arcs an exactly improving cycle can use, see transport.h).
std::vector<Residual> residualArcs(const Network& n, const Prepared& pr, const Scaling* tight) {
  std::vector<Residual> res;
  for (std::size_t e = 0; e < n.arcs.size(); ++e) {
    const Network::Arc& a = n.arcs[e];
    Int128 rc = 0;
    if (tight != nullptr)
      rc = a.cost + n.potential[static_cast<std::size_t>(a.from)] - n.potential[static_cast<std::size_t>(a.to)];
    if (a.flow < a.upper && (tight == nullptr || rc < tight->margin)) res.push_back({a.from, a.to, e, true, exactCost(a, pr)});
    if (a.flow > a.lower && (tight == nullptr || -rc < tight->margin))
      res.push_back({a.to, a.from, e, false, exactCost(a, pr).negated()});
  }
  return res;
}

// Bellman-Ford with exact lexicographic costs over `res` from a virtual root. Returns true with the
// shortest distances in `dist` (exact potentials: every arc of `res` has reduced cost >= 0), or
// cancels one improving cycle it found and returns false.
bool shortestOrCancel(Network& n, const std::vector<Residual>& res, std::vector<Lex>& dist, int& repairs) {
  const std::size_t nodes = static_cast<std::size_t>(n.nodes);
  dist.assign(nodes, Lex{});
  std::vector<std::ptrdiff_t> pred(nodes, -1);
  int last = -1;
  for (std::size_t pass = 0; pass < nodes; ++pass) {
    last = -1;
    for (std::size_t r = 0; r < res.size(); ++r) {
      const Residual& x = res[r];
      Lex cand = dist[static_cast<std::size_t>(x.from)] + x.cost;
      if (cand < dist[static_cast<std::size_t>(x.to)]) {
        dist[static_cast<std::size_t>(x.to)] = std::move(cand);
        pred[static_cast<std::size_t>(x.to)] = static_cast<std::ptrdiff_t>(r);
        last = x.to;
      }
    }
    if (last < 0) return true;
  }
  // Still relaxing after |V| passes: `last` leads back into an improving cycle.
  const auto back = [&](int w) {
    const std::ptrdiff_t r = pred[static_cast<std::size_t>(w)];
    if (r < 0) throw Error(ErrorCode::kInternal, "exact repair lost its improving cycle; report this defect");
    return static_cast<std::size_t>(r);
  };
  int v = last;
  for (std::size_t i = 0; i < nodes; ++i) v = res[back(v)].from;
  std::vector<std::size_t> cycle;
  int u = v;
  do {
    const std::size_t r = back(u);
    cycle.push_back(r);
    u = res[r].from;
  } while (u != v);
  std::int64_t delta = std::numeric_limits<std::int64_t>::max();
  for (std::size_t r : cycle) {
    const Network::Arc& a = n.arcs[res[r].arc];
    delta = std::min(delta, res[r].forward ? a.upper - a.flow : a.flow - a.lower);
  }
  for (std::size_t r : cycle) n.arcs[res[r].arc].flow += res[r].forward ? delta : -delta;
  ++repairs;
  return false;
}

// Cancels every improving cycle in exact arithmetic over the whole residual network and returns
// the exact potentials; `repairs` counts the cycles cancelled.
std::vector<Lex> exactRepair(Network& n, const Prepared& pr, int& repairs) {
  std::vector<Lex> dist;
  while (!shortestOrCancel(n, residualArcs(n, pr, nullptr), dist, repairs)) {
  }
  return dist;
}

struct NetworkOutcome {
  Network network;
  Scaling scaling;
  CertificateKind kind = CertificateKind::kScaledInteger;
  std::vector<Lex> exact_potential;
  int repairs = 0;
  int pricing_rounds = 0;
  std::size_t pairs_solved = 0;  // pairs in the last network LEMON solved
};

// The k smallest (key, place) pairs offered, in ascending order: deterministic on equal keys.
struct Smallest {
  std::size_t k = 0;
  std::vector<std::pair<Int128, std::size_t>> items;
  void offer(Int128 key, std::size_t r) {
    const std::pair<Int128, std::size_t> x{key, r};
    if (items.size() == k && !(x < items.back())) return;
    items.insert(std::upper_bound(items.begin(), items.end(), x), x);
    if (items.size() > k) items.pop_back();
  }
};

constexpr std::uint8_t kNever = 0;      // a pair that can carry no flow (no capacity, or closed)
constexpr std::uint8_t kCandidate = 1;  // may carry flow, not in the network LEMON solves
constexpr std::uint8_t kActive = 2;     // in the network LEMON solves

// Measured on the national benchmark lot: fewer pairs per round make each solve cheaper and need
// a few more rounds; these keep the total lowest.
constexpr std::size_t kStartPerNode = 6;  // best-scoring pairs of each bid and of each point to start with
constexpr std::size_t kAddPerBid = 2;     // most improving pairs added per bid and round
constexpr std::size_t kAddPerPoint = 2;   // most improving pairs added per point and round

// Solves the scaled network. Large networks are solved by pricing: LEMON solves the network over a
// subset of the pairs (to start, the best-scoring pairs of every bid and every point); every other
// pair that could carry flow is priced with the potentials of that solve; pairs with a negative
// reduced cost join the subset and LEMON solves again, until none is left. The last potentials
// then have a non-negative reduced cost on every pair outside the subset (flow 0) and are optimal
// inside it, so they are optimal for the whole network, and the margin test runs over all pairs.
// The subset and its growth depend only on the canonical data, so the result is deterministic.
NetworkOutcome runNetwork(const Prepared& pr, Scaling scaling, const std::vector<bool>* open, std::size_t whole_limit) {
  NetworkOutcome o;
  o.scaling = std::move(scaling);
  const Scaling& sc = o.scaling;
  const std::size_t pairs = pr.arc_order.size();
  const std::size_t nb = pr.capacity.size();
  const std::size_t np = pr.demand.size();
  std::vector<std::uint8_t> state(pairs, kNever);
  std::size_t candidates = 0;
  for (std::size_t r = 0; r < pairs; ++r)
    if (open != nullptr ? (*open)[r] : pr.upper[r] > 0) {
      state[r] = kCandidate;
      ++candidates;
    }
  std::vector<std::size_t> active;
  const auto activate = [&](std::size_t r) {
    if (state[r] != kCandidate) return;
    state[r] = kActive;
    active.push_back(r);
  };
  if (open != nullptr || candidates <= whole_limit) {
    for (std::size_t r = 0; r < pairs; ++r) activate(r);
  } else {
    std::vector<Smallest> at_point(np, Smallest{kStartPerNode, {}});
    std::vector<std::size_t> chosen;
    std::size_t r = 0;
    for (std::size_t i = 0; i < nb; ++i) {  // pairs are grouped by supply, in the tie rule's order
      Smallest best{kStartPerNode, {}};
      const std::size_t supply = r < pairs ? pr.pair_supply[r] : 0;
      for (; r < pairs && pr.pair_supply[r] == supply; ++r) {
        if (state[r] != kCandidate) continue;
        best.offer(-static_cast<Int128>(sc.scaled[r]), r);
        at_point[pr.pair_point[r]].offer(-static_cast<Int128>(sc.scaled[r]), r);
      }
      for (const auto& x : best.items) chosen.push_back(x.second);
    }
    for (const Smallest& s : at_point)
      for (const auto& x : s.items) chosen.push_back(x.second);
    for (std::size_t c : chosen) activate(c);
  }
  std::sort(active.begin(), active.end());

  while (true) {
    ++o.pricing_rounds;
    o.network = buildNetwork(pr, sc, active, open != nullptr);
    o.pairs_solved = active.size();
    solveNetwork(o.network);
    if (active.size() == candidates) break;
    std::vector<std::size_t> entering;
    std::vector<Smallest> at_point(np, Smallest{kAddPerPoint, {}});
    for (std::size_t r = 0; r < pairs;) {
      const std::uint32_t supply = pr.pair_supply[r];
      Smallest best{kAddPerBid, {}};
      for (; r < pairs && pr.pair_supply[r] == supply; ++r) {
        if (state[r] != kCandidate) continue;
        const Int128 rc = pairReducedCost(pr, sc, o.network, r);
        if (rc >= 0) continue;
        best.offer(rc, r);
        at_point[pr.pair_point[r]].offer(rc, r);
      }
      for (const auto& x : best.items) entering.push_back(x.second);
    }
    for (const Smallest& s : at_point)
      for (const auto& x : s.items) entering.push_back(x.second);
    if (entering.empty()) break;
    for (std::size_t r : entering) activate(r);
    std::sort(active.begin(), active.end());
  }
  if (marginHolds(o.network, pr, sc, state, kCandidate)) return o;

  // The tight arcs close cycles (ties, degenerate bounds or a coarse scale): decide those cycles in
  // exact arithmetic on the whole network, with the flow and potentials found. Without an improving
  // one the scaled potentials stand, completed by exact potentials on the tight arcs; otherwise
  // repair and prove the whole network exactly.
  if (active.size() < candidates) {
    std::vector<std::size_t> all;
    all.reserve(candidates);
    for (std::size_t r = 0; r < pairs; ++r)
      if (state[r] != kNever) all.push_back(r);
    Network whole = buildNetwork(pr, sc, all, open != nullptr);
    // The subset's arcs are a subsequence of the whole network's, in the same canonical order.
    std::size_t k = 0;
    for (Network::Arc& a : whole.arcs) {
      const std::vector<Network::Arc>& solved = o.network.arcs;
      if (k < solved.size() && solved[k].kind == a.kind && solved[k].ref == a.ref) a.flow = solved[k++].flow;
    }
    if (k != o.network.arcs.size())
      throw Error(ErrorCode::kInternal, "the priced network does not embed in the whole network; report this defect");
    whole.potential = std::move(o.network.potential);
    o.network = std::move(whole);
  }
  if (shortestOrCancel(o.network, residualArcs(o.network, pr, &o.scaling), o.exact_potential, o.repairs)) {
    o.kind = CertificateKind::kScaledWithExactTight;
    return o;
  }
  o.kind = CertificateKind::kExact;
  o.exact_potential = exactRepair(o.network, pr, o.repairs);
  return o;
}

Potential scaledPotential(Id id, Int128 v) {
  Potential p;
  p.id = id;
  p.scaled = Exact::parse(int128Text(v));
  return p;
}

Potential exactPotential(Id id, const Lex& v) {
  Potential p;
  p.id = id;
  p.coverage = v.coverage;
  p.score = v.score;
  p.tie = v.tie;
  return p;
}

TransportSolution solutionFrom(const Prepared& pr, const NetworkOutcome& o) {
  const TransportProblem& p = *pr.problem;
  TransportSolution s;
  std::vector<std::int64_t> at_point(p.points.size(), 0);
  std::vector<std::vector<AllocationLine>> by_point(p.points.size());
  for (const Network::Arc& a : o.network.arcs) {
    if (a.kind != Network::Kind::kBidPoint || a.flow == 0) continue;
    const TransportArc& arc = p.arcs[pr.arc_order[a.ref]];
    const TransportSupply& sup = p.supplies[arc.supply];
    AllocationLine line;
    line.bid_id = sup.bid_id;
    line.supplier_id = sup.supplier_id;
    line.delivery_point_id = p.points[arc.point].delivery_point_id;
    line.quantity = Decimal::fromRaw(a.flow * pr.unit_raw);
    line.score_per_unit = arc.score_per_unit;
    line.line_score = Exact(line.quantity) * arc.score_per_unit;
    at_point[arc.point] += a.flow;
    by_point[arc.point].push_back(std::move(line));  // arcs are in the tie rule's bid order
  }
  std::int64_t covered = 0;
  for (std::size_t j : pr.point_order) {
    for (AllocationLine& l : by_point[j]) {
      s.total_score += l.line_score;
      s.lines.push_back(std::move(l));
    }
    covered += at_point[j];
    if (at_point[j] < pr.demand[j])
      s.unmet.push_back({p.points[j].delivery_point_id, Decimal::fromRaw((pr.demand[j] - at_point[j]) * pr.unit_raw)});
  }
  s.covered = Decimal::fromRaw(covered * pr.unit_raw);

  OptimalityCertificate& c = s.certificate;
  c.method = TransportMethod::kNetworkSimplex;
  c.kind = o.kind;
  c.proven_optimal = true;
  c.unit = Decimal::fromRaw(pr.unit_raw);
  c.score_scale_bits = o.scaling.bits;
  c.exact_repairs = o.repairs;
  c.pricing_rounds = o.pricing_rounds;
  c.pairs_solved = o.pairs_solved;
  const auto node = [&](int v, Id id) {
    const std::size_t k = static_cast<std::size_t>(v);
    Potential pot = o.kind == CertificateKind::kExact ? Potential{} : scaledPotential(id, o.network.potential[k]);
    if (o.kind != CertificateKind::kScaledInteger) {
      const Potential e = exactPotential(id, o.exact_potential[k]);
      pot.coverage = e.coverage;
      pot.score = e.score;
      pot.tie = e.tie;
    }
    pot.id = id;
    return pot;
  };
  c.source = node(o.network.source, 0);
  c.sink = node(o.network.sink, 0);
  const int nb = static_cast<int>(p.supplies.size());
  for (std::size_t i = 0; i < p.supplies.size(); ++i) c.supply_potentials.push_back(node(1 + static_cast<int>(i), p.supplies[i].bid_id));
  for (std::size_t j = 0; j < p.points.size(); ++j)
    c.point_potentials.push_back(node(1 + nb + static_cast<int>(j), p.points[j].delivery_point_id));
  return s;
}

std::string potentialText(const Potential& p, CertificateKind kind) {
  const std::string exact = "(" + std::to_string(p.coverage) + ", " + p.score.toString() + ", " + std::to_string(p.tie) + ")";
  switch (kind) {
    case CertificateKind::kScaledInteger:
      return p.scaled.toString();
    case CertificateKind::kScaledWithExactTight:
      return p.scaled.toString() + " " + exact;
    case CertificateKind::kExact:
      break;
  }
  return exact;
}

void writeText(TransportSolution& s) {
  OptimalityCertificate& c = s.certificate;
  std::string t;
  t += std::string("method ") + (c.method == TransportMethod::kNetworkSimplex ? "network_simplex" : "mixed_integer") + "\n";
  t += std::string("certificate ") +
       (c.kind == CertificateKind::kScaledInteger      ? "scaled_integer"
        : c.kind == CertificateKind::kScaledWithExactTight ? "scaled_integer_exact_tight"
                                                           : "exact") +
       (c.proven_optimal ? " proven_optimal" : " not_proven") + "\n";
  t += "unit " + c.unit.toString() + "\n";
  t += "score_scale_bits " + std::to_string(c.score_scale_bits) + "\n";
  t += "exact_repairs " + std::to_string(c.exact_repairs) + "\n";
  if (c.pricing_rounds > 0)
    t += "pricing_rounds " + std::to_string(c.pricing_rounds) + " pairs_solved " + std::to_string(c.pairs_solved) + "\n";
  for (const MilpTier& tier : c.tiers)
    t += "tier " + tier.name + " " + tier.status + " objective " + std::to_string(tier.objective) + " bound " +
         std::to_string(tier.bound) + "\n";
  t += "covered " + s.covered.toString() + "\n";
  t += "total_score " + s.total_score.toString() + "\n";
  for (const UnmetDemand& u : s.unmet)
    t += "open point " + std::to_string(u.delivery_point_id) + " " + u.quantity.toString() + "\n";
  t += "potential source " + potentialText(c.source, c.kind) + "\n";
  t += "potential sink " + potentialText(c.sink, c.kind) + "\n";
  for (const Potential& p : c.supply_potentials) t += "potential bid " + std::to_string(p.id) + " " + potentialText(p, c.kind) + "\n";
  for (const Potential& p : c.point_potentials)
    t += "potential point " + std::to_string(p.id) + " " + potentialText(p, c.kind) + "\n";
  c.text = std::move(t);
}

// --- minimum lot: GLPK ---

std::mutex& glpkMutex() {
  static std::mutex m;
  return m;
}

struct BoundTracker {
  double bound = 0;
  bool seen = false;
};

void trackBound(glp_tree* tree, void* info) {
  auto* t = static_cast<BoundTracker*>(info);
  const int best = glp_ios_best_node(tree);
  if (best != 0) {
    t->bound = glp_ios_node_bound(tree, best);
    t->seen = true;
  }
}

struct GlpkProblem {
  glp_prob* lp = glp_create_prob();
  ~GlpkProblem() { glp_delete_prob(lp); }
  GlpkProblem() = default;
  GlpkProblem(const GlpkProblem&) = delete;
  GlpkProblem& operator=(const GlpkProblem&) = delete;
};

// Chooses the (bid, point) pairs that deliver; returns the "open" flags by canonical place and GLPK's tiers.
std::vector<bool> chooseOpenArcs(const Prepared& pr, const TransportOptions& options, std::vector<MilpTier>& tiers) {
  const TransportProblem& p = *pr.problem;
  std::vector<std::size_t> usable;
  for (std::size_t r = 0; r < pr.arc_order.size(); ++r)
    if (pr.min_lot[r] > 0 && pr.upper[r] >= pr.min_lot[r]) usable.push_back(r);
  std::vector<bool> open(pr.arc_order.size(), false);
  if (usable.empty()) {
    for (const char* name : {"coverage", "score", "tie rule"}) tiers.push_back({name, "optimal (no pair can deliver the minimum)", 0, 0, true});
    return open;
  }

  const std::lock_guard<std::mutex> lock(glpkMutex());
  glp_term_out(GLP_OFF);
  GlpkProblem g;
  const int n = static_cast<int>(usable.size());
  glp_add_cols(g.lp, 2 * n);  // x_1..x_n quantities, y_1..y_n deliver-or-not
  for (int k = 0; k < n; ++k) {
    const std::size_t a = usable[static_cast<std::size_t>(k)];
    glp_set_col_kind(g.lp, 1 + k, GLP_IV);
    glp_set_col_bnds(g.lp, 1 + k, GLP_DB, 0.0, static_cast<double>(pr.upper[a]));
    glp_set_col_kind(g.lp, 1 + n + k, GLP_BV);
  }
  const auto addRow = [&](const std::vector<std::pair<int, double>>& terms, int type, double lb, double ub) {
    const int row = glp_add_rows(g.lp, 1);
    glp_set_row_bnds(g.lp, row, type, lb, ub);
    std::vector<int> idx{0};
    std::vector<double> val{0};
    for (const auto& [col, v] : terms) {
      idx.push_back(col);
      val.push_back(v);
    }
    glp_set_mat_row(g.lp, row, static_cast<int>(terms.size()), idx.data(), val.data());
  };
  std::map<std::size_t, std::vector<std::pair<int, double>>> by_supply, by_point;
  for (int k = 0; k < n; ++k) {
    const std::size_t a = usable[static_cast<std::size_t>(k)];
    by_supply[pr.pair_supply[a]].push_back({1 + k, 1.0});
    by_point[pr.pair_point[a]].push_back({1 + k, 1.0});
    addRow({{1 + k, 1.0}, {1 + n + k, -static_cast<double>(pr.min_lot[a])}}, GLP_LO, 0.0, 0.0);
    addRow({{1 + k, 1.0}, {1 + n + k, -static_cast<double>(pr.upper[a])}}, GLP_UP, 0.0, 0.0);
  }
  for (const auto& [i, terms] : by_supply) addRow(terms, GLP_UP, 0.0, static_cast<double>(pr.capacity[i]));
  for (const auto& [j, terms] : by_point) addRow(terms, GLP_UP, 0.0, static_cast<double>(pr.demand[j]));
  glp_set_obj_dir(g.lp, GLP_MAX);

  const auto started = std::chrono::steady_clock::now();
  std::vector<double> x(static_cast<std::size_t>(n), 0.0);
  const auto solveTier = [&](const char* name, const std::vector<double>& objective) {
    for (int k = 0; k < 2 * n; ++k) glp_set_obj_coef(g.lp, 1 + k, k < n ? objective[static_cast<std::size_t>(k)] : 0.0);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    parm.mip_gap = 0.0;
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    parm.tm_lim = static_cast<int>(std::max<std::int64_t>(1, (options.milp_time_limit - spent).count()));
    BoundTracker tracker;
    parm.cb_func = trackBound;
    parm.cb_info = &tracker;
    const int rc = glp_intopt(g.lp, &parm);
    const int status = glp_mip_status(g.lp);
    MilpTier tier;
    tier.name = name;
    tier.objective = glp_mip_obj_val(g.lp);
    tier.proven = rc == 0 && status == GLP_OPT;
    tier.status = tier.proven ? "optimal"
                  : rc == GLP_ETMLIM ? (status == GLP_FEAS ? "feasible (time limit)" : "no solution (time limit)")
                                     : "failed (glpk code " + std::to_string(rc) + ")";
    tier.bound = tier.proven ? tier.objective : (tracker.seen ? tracker.bound : tier.objective);
    tiers.push_back(tier);
    if (status != GLP_OPT && status != GLP_FEAS)
      throw Error(ErrorCode::kUnavailable,
                  "GLPK found no allocation for the minimum-lot rule within " +
                      std::to_string(options.milp_time_limit.count()) +
                      " ms; lower the minimum delivery or award in another mode");
    for (int k = 0; k < n; ++k) x[static_cast<std::size_t>(k)] = glp_mip_col_val(g.lp, 1 + k);
    return tier.objective;
  };

  std::vector<double> coverage(static_cast<std::size_t>(n), 1.0), score(static_cast<std::size_t>(n)), tie(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    const std::size_t a = usable[static_cast<std::size_t>(k)];
    score[static_cast<std::size_t>(k)] = p.arcs[pr.arc_order[a]].score_per_unit.toDouble();
    tie[static_cast<std::size_t>(k)] = static_cast<double>(pr.tie_weight[pr.pair_supply[a]]);
  }
  std::vector<std::pair<int, double>> all;
  for (int k = 0; k < n; ++k) all.push_back({1 + k, 1.0});
  const double covered = std::round(solveTier("coverage", coverage));
  addRow(all, GLP_LO, covered, 0.0);
  const double best = solveTier("score", score);
  std::vector<std::pair<int, double>> scored;
  for (int k = 0; k < n; ++k) scored.push_back({1 + k, score[static_cast<std::size_t>(k)]});
  addRow(scored, GLP_LO, best - 1e-9 * std::max(1.0, std::fabs(best)), 0.0);
  solveTier("tie rule", tie);
  for (int k = 0; k < n; ++k)
    if (std::llround(x[static_cast<std::size_t>(k)]) > 0) open[usable[static_cast<std::size_t>(k)]] = true;
  return open;
}

}  // namespace

TransportSolution solveTransport(const TransportProblem& problem, const TransportOptions& options) {
  // The scores' scaling reads only the problem: it runs on a second core while prepare() checks
  // and orders the input.
  Scaling scaling;
  std::exception_ptr scale_error;
  std::thread scaler([&] {
    try {
      scaling = scale(problem, options.score_scale_bits);
    } catch (...) {
      scale_error = std::current_exception();
    }
  });
  std::optional<Prepared> prepared;
  try {
    prepared.emplace(prepare(problem));
  } catch (...) {
    scaler.join();
    throw;
  }
  scaler.join();
  if (scale_error) std::rethrow_exception(scale_error);
  const Prepared& pr = *prepared;
  placed(scaling, pr);
  TransportSolution s;
  if (problem.min_delivery.raw() > 0) {
    std::vector<MilpTier> tiers;
    const std::vector<bool> open = chooseOpenArcs(pr, options, tiers);
    s = solutionFrom(pr, runNetwork(pr, std::move(scaling), &open, options.whole_network_pairs));
    s.certificate.method = TransportMethod::kMixedInteger;
    s.certificate.tiers = std::move(tiers);
    for (const MilpTier& t : s.certificate.tiers) s.certificate.proven_optimal &= t.proven;
  } else {
    s = solutionFrom(pr, runNetwork(pr, std::move(scaling), nullptr, options.whole_network_pairs));
  }
  writeText(s);
  return s;
}

TransportSolution rankOrderFill(const TransportProblem& problem) {
  const Prepared pr = prepare(problem);
  const TransportProblem& p = problem;
  std::vector<std::int64_t> left = pr.capacity;
  std::vector<std::vector<std::size_t>> at_point(p.points.size());
  for (std::size_t r = 0; r < pr.arc_order.size(); ++r) at_point[pr.pair_point[r]].push_back(r);
  std::map<Id, std::size_t> place;
  for (std::size_t r = 0; r < pr.supply_order.size(); ++r) place[p.supplies[pr.supply_order[r]].bid_id] = r;
  TransportSolution s;
  std::int64_t covered = 0;
  for (std::size_t j : pr.point_order) {
    std::vector<std::size_t>& arcs = at_point[j];
    // Stable: equal scores keep the tie rule's (canonical) order.
    std::stable_sort(arcs.begin(), arcs.end(), [&](std::size_t a, std::size_t b) {
      return p.arcs[pr.arc_order[a]].score_per_unit > p.arcs[pr.arc_order[b]].score_per_unit;
    });
    std::int64_t need = pr.demand[j];
    std::vector<AllocationLine> lines;
    for (std::size_t r : arcs) {
      if (need == 0) break;
      const std::size_t a = pr.arc_order[r];
      const std::size_t i = p.arcs[a].supply;
      const std::int64_t q = std::min({need, left[i], pr.upper[r]});
      if (q <= 0) continue;
      left[i] -= q;
      need -= q;
      AllocationLine line;
      line.bid_id = p.supplies[i].bid_id;
      line.supplier_id = p.supplies[i].supplier_id;
      line.delivery_point_id = p.points[j].delivery_point_id;
      line.quantity = Decimal::fromRaw(q * pr.unit_raw);
      line.score_per_unit = p.arcs[a].score_per_unit;
      line.line_score = Exact(line.quantity) * line.score_per_unit;
      s.total_score += line.line_score;
      lines.push_back(std::move(line));
    }
    std::stable_sort(lines.begin(), lines.end(), [&](const AllocationLine& x, const AllocationLine& y) {
      return place.at(x.bid_id) < place.at(y.bid_id);
    });
    for (AllocationLine& l : lines) s.lines.push_back(std::move(l));
    covered += pr.demand[j] - need;
    if (need > 0) s.unmet.push_back({p.points[j].delivery_point_id, Decimal::fromRaw(need * pr.unit_raw)});
  }
  s.covered = Decimal::fromRaw(covered * pr.unit_raw);
  s.certificate.unit = Decimal::fromRaw(pr.unit_raw);
  s.certificate.text = "rank-order fill per delivery point; no certificate of optimality\n";
  return s;
}

}  // namespace core
