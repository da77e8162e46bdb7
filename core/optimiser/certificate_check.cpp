// checkCertificate (core/optimiser/transport.h): verifies a transport solution and its certificate of
// optimality from the problem alone, in exact arithmetic. Written apart from the solver on purpose:
// it rebuilds the network from the published rules and shares no code with transport.cpp.
//
// It runs on every award, so it is linear in the size of the problem and keeps nothing per pair:
// the pairs are visited grouped by bid (a counting sort of their indices), and per-point marks
// stand in for maps (the bid's caps, its award lines, the pairs already seen). The pairs of the two
// halves of the bids are checked on two threads; the cycle test of the tight arcs and the report
// are assembled afterwards in a fixed order, so the result does not depend on the threads.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/optimiser/transport.h"

namespace core {
namespace {

__extension__ typedef __int128 Int128;

constexpr std::size_t kMaxReported = 50;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct Problems {
  std::vector<std::string> list;
  std::size_t dropped = 0;
  void add(std::string s) {
    if (list.size() < kMaxReported)
      list.push_back(std::move(s));
    else
      ++dropped;
  }
  void append(Problems&& other) {
    for (std::string& s : other.list) add(std::move(s));
    dropped += other.dropped;
  }
  bool empty() const { return list.empty() && dropped == 0; }
  std::vector<std::string> take() {
    if (dropped > 0) list.push_back("... and " + std::to_string(dropped) + " more problems");
    return std::move(list);
  }
};

std::optional<Int128> integerOf(const Exact& e) {
  const std::string t = e.toString();
  if (t.empty() || t.find('/') != std::string::npos) return std::nullopt;
  std::size_t i = 0;
  const bool negative = t[0] == '-';
  if (negative) i = 1;
  Int128 v = 0;
  for (; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    if (__builtin_mul_overflow(v, 10, &v)) return std::nullopt;
    if (__builtin_add_overflow(v, negative ? -(t[i] - '0') : (t[i] - '0'), &v)) return std::nullopt;
  }
  return v;
}

struct Lex {
  std::int64_t coverage = 0;
  Exact score;
  std::int64_t tie = 0;
};

int lexSign(const Lex& x) {
  if (x.coverage != 0) return x.coverage < 0 ? -1 : 1;
  if (!x.score.isZero()) return x.score < Exact() ? -1 : 1;
  if (x.tie != 0) return x.tie < 0 ? -1 : 1;
  return 0;
}

int findRoot(std::vector<int>& parent, int x) {
  while (parent[static_cast<std::size_t>(x)] != x) {
    parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    x = parent[static_cast<std::size_t>(x)];
  }
  return x;
}

// Index of `id` among `sorted` (indices into a vector, ordered by the id `idOf` gives), or kNone.
template <typename IdOf>
std::size_t findId(const std::vector<std::size_t>& sorted, Id id, IdOf idOf) {
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), id, [&](std::size_t x, Id v) { return idOf(x) < v; });
  return it != sorted.end() && idOf(*it) == id ? *it : kNone;
}

// One arc of the certificate's network, as the dual test sees it.
struct ArcView {
  int from = 0;
  int to = 0;
  std::int64_t lower = 0;  // raw Decimal units throughout
  std::int64_t upper = 0;
  std::int64_t flow = 0;
  Int128 scaled = 0;  // cost in the scaled network
  // Exact lexicographic cost, made only when needed.
  std::function<Lex()> exact;
  std::function<std::string()> name;
};

// The dual test of one arc: appends problems, and the tight arcs (scaled certificate without exact
// potentials) for the cycle test.
struct DualTest {
  const std::vector<Int128>* pot = nullptr;  // scaled potentials by node
  std::function<const Potential&(int)> potentialOf;
  bool scaled = true;
  bool exact_tight = false;
  Int128 theta = 0;

  void run(const ArcView& a, Problems& out, std::vector<std::pair<int, int>>& tight) const {
    const bool forward = a.flow < a.upper;
    const bool backward = a.flow > a.lower;
    if (!forward && !backward) return;
    const auto exactReduced = [&] {
      const Potential& pu = potentialOf(a.from);
      const Potential& pv = potentialOf(a.to);
      const Lex cost = a.exact();
      return lexSign(Lex{cost.coverage + pu.coverage - pv.coverage, cost.score + pu.score - pv.score,
                         cost.tie + pu.tie - pv.tie});
    };
    if (!scaled) {
      const int sign = exactReduced();
      if (forward && sign < 0) out.add(a.name() + ": negative exact reduced cost while the arc could carry more");
      if (backward && sign > 0) out.add(a.name() + ": positive exact reduced cost while the arc could carry less");
      return;
    }
    Int128 rc = 0;
    if (__builtin_add_overflow(a.scaled, (*pot)[static_cast<std::size_t>(a.from)], &rc) ||
        __builtin_sub_overflow(rc, (*pot)[static_cast<std::size_t>(a.to)], &rc)) {
      out.add(a.name() + ": reduced cost overflows 128 bits");
      return;
    }
    if (forward && rc < 0) out.add(a.name() + ": negative reduced cost while the arc could carry more");
    if (backward && rc > 0) out.add(a.name() + ": positive reduced cost while the arc could carry less");
    const bool tight_forward = forward && rc < theta;
    const bool tight_backward = backward && -rc < theta;
    if (!tight_forward && !tight_backward) return;
    if (exact_tight) {
      // Tight arcs are decided by the exact potentials instead of the forest test.
      const int sign = exactReduced();
      if (tight_forward && sign < 0) out.add(a.name() + ": tight arc with negative exact reduced cost");
      if (tight_backward && sign > 0) out.add(a.name() + ": tight arc with positive exact reduced cost");
    } else {
      tight.push_back({a.from, a.to});
    }
  }
};

// What one thread finds over the pairs of a range of bids.
struct PairPart {
  Problems problems;
  std::vector<std::pair<int, int>> tight;
  Int128 max_rounded = 0;
  bool too_large = false;
  Problems malformed;  // pairs given twice: the rest is not checked
};

}  // namespace

std::vector<std::string> checkCertificate(const TransportProblem& problem, const TransportSolution& solution) {
  Problems out;
  const std::size_t nb = problem.supplies.size();
  const std::size_t np = problem.points.size();
  const std::size_t na = problem.arcs.size();
  if (nb + np + 2 > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2) ||
      na > std::numeric_limits<std::uint32_t>::max()) {
    out.add("the problem has too many bids, points or pairs to check");
    return out.take();
  }
  const auto pointId = [&](std::size_t j) { return problem.points[j].delivery_point_id; };
  const auto bidId = [&](std::size_t i) { return problem.supplies[i].bid_id; };
  std::vector<std::size_t> points_by_id(np), bids_by_id(nb);
  std::iota(points_by_id.begin(), points_by_id.end(), std::size_t{0});
  std::iota(bids_by_id.begin(), bids_by_id.end(), std::size_t{0});
  std::sort(points_by_id.begin(), points_by_id.end(), [&](std::size_t x, std::size_t y) { return pointId(x) < pointId(y); });
  std::sort(bids_by_id.begin(), bids_by_id.end(), [&](std::size_t x, std::size_t y) { return bidId(x) < bidId(y); });
  for (std::size_t r = 1; r < np; ++r)
    if (pointId(points_by_id[r - 1]) == pointId(points_by_id[r])) out.add("the problem lists a delivery point twice");
  for (std::size_t r = 1; r < nb; ++r)
    if (bidId(bids_by_id[r - 1]) == bidId(bids_by_id[r])) out.add("the problem lists a bid twice");
  // The pairs grouped by bid, in input order within a bid.
  std::vector<std::size_t> start(nb + 1, 0);
  for (std::size_t a = 0; a < na; ++a) {
    const TransportArc& arc = problem.arcs[a];
    if (arc.supply >= nb || arc.point >= np)
      out.add("problem arc " + std::to_string(a) + " is malformed");
    else
      ++start[arc.supply + 1];
  }
  if (!out.empty()) return out.take();
  for (std::size_t i = 0; i < nb; ++i) start[i + 1] += start[i];
  std::vector<std::uint32_t> by_bid(na);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t a = 0; a < na; ++a) by_bid[next[problem.arcs[a].supply]++] = static_cast<std::uint32_t>(a);
  }

  // The award lines: bid and point indices, grouped by bid.
  const std::size_t nl = solution.lines.size();
  std::vector<std::size_t> line_bid(nl, kNone), line_point(nl, kNone);
  for (std::size_t l = 0; l < nl; ++l) {
    line_bid[l] = findId(bids_by_id, solution.lines[l].bid_id, bidId);
    line_point[l] = findId(points_by_id, solution.lines[l].delivery_point_id, pointId);
  }
  std::vector<std::size_t> lines_by_bid;  // lines that name a bid and a point of the problem, by bid
  for (std::size_t l = 0; l < nl; ++l)
    if (line_bid[l] != kNone && line_point[l] != kNone) lines_by_bid.push_back(l);
  std::stable_sort(lines_by_bid.begin(), lines_by_bid.end(),
                   [&](std::size_t x, std::size_t y) { return line_bid[x] < line_bid[y]; });
  std::vector<std::size_t> line_arc(nl, kNone);  // the pair a line is on

  const OptimalityCertificate& c = solution.certificate;
  const bool integer_path = c.method == TransportMethod::kMixedInteger;
  const bool scaled = c.kind != CertificateKind::kExact;
  const int k = c.score_scale_bits;
  if (scaled && (k < -60 || k > 60)) {
    out.add("score_scale_bits " + std::to_string(k) + " is outside -60..60");
    return out.take();
  }
  if (c.supply_potentials.size() != nb || c.point_potentials.size() != np) {
    out.add("the certificate must give one potential per bid and per point, in the problem's order");
    return out.take();
  }
  const int source = 0;
  const int sink = static_cast<int>(nb + np + 1);
  const std::size_t nodes = nb + np + 2;
  const auto potentialOf = [&](int v) -> const Potential& {
    if (v == source) return c.source;
    if (v == sink) return c.sink;
    if (static_cast<std::size_t>(v) <= nb) return c.supply_potentials[static_cast<std::size_t>(v - 1)];
    return c.point_potentials[static_cast<std::size_t>(v) - 1 - nb];
  };
  std::vector<Int128> pot;
  if (scaled) {
    pot.resize(nodes);
    for (std::size_t v = 0; v < nodes; ++v) {
      const auto value = integerOf(potentialOf(static_cast<int>(v)).scaled);
      if (!value) {
        out.add("a scaled potential is not an integer within 128 bits");
        return out.take();
      }
      pot[v] = *value;
    }
  }

  // The tie rule's weights (transport.h): higher price points, earlier submission, lower bid id.
  std::vector<std::size_t> order(nb);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const TransportSupply& a = problem.supplies[x];
    const TransportSupply& b = problem.supplies[y];
    if (!(a.price_points == b.price_points)) return a.price_points > b.price_points;
    if (a.submitted_at != b.submitted_at) return a.submitted_at < b.submitted_at;
    return a.bid_id < b.bid_id;
  });
  std::vector<std::int64_t> tie_weight(nb);
  for (std::size_t r = 0; r < nb; ++r) tie_weight[order[r]] = static_cast<std::int64_t>(nb - r);

  const Int128 T = 2 * static_cast<Int128>(nb) + 1;
  const Int128 theta = T * static_cast<Int128>(nb + np + 1) + 2 * static_cast<Int128>(nb);
  DualTest dual;
  dual.pot = &pot;
  dual.potentialOf = potentialOf;
  dual.scaled = scaled;
  dual.exact_tight = c.kind == CertificateKind::kScaledWithExactTight;
  dual.theta = theta;
  const Exact one_unit = k >= 0 ? Exact::fraction(1, std::int64_t{1} << k) : Exact(std::int64_t{1} << -k);

  // The pairs of bids [from, to): duplicates, lines on pairs, primal bounds, the rounding of the
  // scores (|score x 2^k - rounded| < 1, exact) and the dual test of every pair.
  const auto checkPairs = [&](std::size_t from, std::size_t to, PairPart& part) {
    std::vector<std::size_t> arc_mark(np, kNone), arc_at(np, 0);
    std::vector<std::size_t> cap_mark(np, kNone), line_mark(np, kNone);
    std::vector<std::int64_t> cap_of(np, 0), line_flow(np, 0);
    auto line = std::lower_bound(lines_by_bid.begin(), lines_by_bid.end(), from,
                                 [&](std::size_t l, std::size_t i) { return line_bid[l] < i; });
    for (std::size_t i = from; i < to; ++i) {
      const TransportSupply& s = problem.supplies[i];
      for (const PointOffer& o : s.point_caps) {
        const std::size_t j = findId(points_by_id, o.delivery_point_id, pointId);
        if (j == kNone) continue;  // a cap for another point limits nothing here
        cap_of[j] = cap_mark[j] == i ? std::min(cap_of[j], o.quantity.raw()) : o.quantity.raw();
        cap_mark[j] = i;
      }
      for (std::size_t x = start[i]; x < start[i + 1]; ++x) {
        const std::size_t a = by_bid[x];
        const std::size_t j = problem.arcs[a].point;
        if (arc_mark[j] == i) {
          part.malformed.add("problem arc " + std::to_string(a) + " is malformed (the pair of arc " +
                             std::to_string(arc_at[j]) + " again)");
          continue;
        }
        arc_mark[j] = i;
        arc_at[j] = a;
      }
      for (; line != lines_by_bid.end() && line_bid[*line] == i; ++line) {
        const std::size_t j = line_point[*line];
        if (arc_mark[j] != i) continue;  // reported with the lines
        line_arc[*line] = arc_at[j];
        line_flow[j] = (line_mark[j] == i ? line_flow[j] : 0) + solution.lines[*line].quantity.raw();
        line_mark[j] = i;
      }
      for (std::size_t x = start[i]; x < start[i + 1]; ++x) {
        const std::size_t a = by_bid[x];
        const TransportArc& arc = problem.arcs[a];
        const std::size_t j = arc.point;
        if (arc_at[j] != a) continue;  // a duplicate, reported above
        const TransportPoint& p = problem.points[j];
        std::int64_t upper = std::min(s.capacity.raw(), p.demand.raw());
        if (cap_mark[j] == i) upper = std::min(upper, cap_of[j]);
        upper = std::max<std::int64_t>(upper, 0);
        const std::int64_t lot = std::min(problem.min_delivery.raw(), p.demand.raw());
        const std::int64_t flow = line_mark[j] == i ? line_flow[j] : 0;
        const auto name = [&] { return "bid " + std::to_string(s.bid_id) + " -> point " + std::to_string(p.delivery_point_id); };
        if (flow > upper) part.problems.add(name() + " gets more than its capacity, cap or the point's demand");
        if (problem.min_delivery.raw() > 0 && flow > 0 && flow < lot) part.problems.add(name() + " gets less than the minimum delivery");
        Int128 rounded = 0;
        if (scaled) {
          const double d = std::ldexp(arc.score_per_unit.toDouble(), k);
          if (!(std::fabs(d) < 0x1p62)) {
            part.too_large = true;
            return;
          }
          const std::int64_t r = std::llround(d);
          rounded = r;
          part.max_rounded = std::max(part.max_rounded, rounded < 0 ? -rounded : rounded);
          // (r - 1) / 2^k < score < (r + 1) / 2^k, with the bounds as exact fractions.
          const Exact below = k >= 0 ? Exact::fraction(r - 1, std::int64_t{1} << k) : Exact(r - 1) * one_unit;
          const Exact above = k >= 0 ? Exact::fraction(r + 1, std::int64_t{1} << k) : Exact(r + 1) * one_unit;
          if (!(below < arc.score_per_unit) || !(arc.score_per_unit < above))
            part.problems.add("arc " + std::to_string(a) + ": the scaled score is not within one unit");
        }
        if (integer_path && flow == 0) continue;  // the pairs GLPK closed are not in the network
        ArcView v;
        v.from = 1 + static_cast<int>(i);
        v.to = 1 + static_cast<int>(nb + j);
        v.lower = integer_path ? lot : 0;
        v.upper = upper;
        v.flow = flow;
        v.scaled = -rounded * T;
        v.exact = [&] { return Lex{0, Exact() - arc.score_per_unit, 0}; };
        v.name = name;
        dual.run(v, part.problems, part.tight);
      }
    }
  };
  PairPart first, second;
  if (na < 20'000 || nb < 2) {
    checkPairs(0, nb, first);
  } else {
    // Split the bids where half of the pairs lie.
    const std::size_t half = static_cast<std::size_t>(
        std::upper_bound(start.begin(), start.end(), na / 2) - start.begin() - 1);
    std::thread helper(checkPairs, half, nb, std::ref(second));
    checkPairs(0, half, first);
    helper.join();
  }
  if (!first.malformed.empty() || !second.malformed.empty()) {
    out.append(std::move(first.malformed));
    out.append(std::move(second.malformed));
    return out.take();
  }
  if (first.too_large || second.too_large) {
    out.add("a scaled score does not fit 64 bits at score_scale_bits " + std::to_string(k));
    return out.take();
  }
  out.append(std::move(first.problems));
  out.append(std::move(second.problems));
  const Int128 max_rounded = std::max(first.max_rounded, second.max_rounded);
  const Int128 M = T * static_cast<Int128>(nb + np + 1) * (max_rounded + 1) + 2 * static_cast<Int128>(nb) + 1;

  // Primal feasibility and the stated totals, from the lines.
  std::vector<std::int64_t> supply_flow(nb, 0), point_flow(np, 0);
  std::vector<std::size_t> lines_on_arc;
  Exact total;
  std::int64_t covered = 0;
  for (std::size_t l = 0; l < nl; ++l) {
    const AllocationLine& line = solution.lines[l];
    const std::string name =
        "line (bid " + std::to_string(line.bid_id) + ", point " + std::to_string(line.delivery_point_id) + ")";
    if (line_bid[l] == kNone || line_point[l] == kNone) {
      out.add(name + " names a bid or point that is not in the problem");
      continue;
    }
    const std::size_t a = line_arc[l];
    if (a == kNone) {
      out.add(name + ": the bid may not serve that point");
      continue;
    }
    lines_on_arc.push_back(a);
    const TransportArc& arc = problem.arcs[a];
    if (line.supplier_id != problem.supplies[line_bid[l]].supplier_id) out.add(name + " names the wrong supplier");
    if (line.quantity.raw() <= 0) out.add(name + ": quantity " + line.quantity.toString() + " is not positive");
    if (!(line.score_per_unit == arc.score_per_unit)) out.add(name + ": score per unit differs from the problem");
    const Exact line_score = Exact(line.quantity) * arc.score_per_unit;
    if (!(line.line_score == line_score)) out.add(name + ": line score is not quantity x score");
    supply_flow[line_bid[l]] += line.quantity.raw();
    point_flow[line_point[l]] += line.quantity.raw();
    covered += line.quantity.raw();
    total += line_score;
  }
  std::sort(lines_on_arc.begin(), lines_on_arc.end());
  for (std::size_t x = 1; x < lines_on_arc.size(); ++x)
    if (lines_on_arc[x] == lines_on_arc[x - 1])
      out.add("line (bid " + std::to_string(bidId(problem.arcs[lines_on_arc[x]].supply)) + ", point " +
              std::to_string(pointId(problem.arcs[lines_on_arc[x]].point)) + ") is given twice");
  for (std::size_t i = 0; i < nb; ++i)
    if (supply_flow[i] > problem.supplies[i].capacity.raw())
      out.add("bid " + std::to_string(problem.supplies[i].bid_id) + " is allocated more than its capacity");
  std::int64_t demand_total = 0;
  std::vector<UnmetDemand> unmet;
  for (std::size_t j : points_by_id) {
    const TransportPoint& p = problem.points[j];
    demand_total += p.demand.raw();
    if (point_flow[j] > p.demand.raw()) out.add("point " + std::to_string(p.delivery_point_id) + " receives more than its demand");
    if (point_flow[j] < p.demand.raw()) unmet.push_back({p.delivery_point_id, Decimal::fromRaw(p.demand.raw() - point_flow[j])});
  }
  if (!(total == solution.total_score))
    out.add("the stated total score " + solution.total_score.toString() + " is not the sum of the lines, " + total.toString());
  if (covered != solution.covered.raw()) out.add("the stated covered quantity is not the sum of the lines");
  bool unmet_ok = unmet.size() == solution.unmet.size();
  for (std::size_t u = 0; unmet_ok && u < unmet.size(); ++u)
    unmet_ok = unmet[u].delivery_point_id == solution.unmet[u].delivery_point_id && unmet[u].quantity == solution.unmet[u].quantity;
  if (!unmet_ok) out.add("the stated open demand does not match the demand left by the lines");

  if (problem.min_delivery.raw() > 0 && !integer_path)
    out.add("a minimum delivery needs the integer path; the network certificate alone does not cover it");
  if (integer_path) {
    if (c.tiers.size() != 3) out.add("the integer path must record three tiers (coverage, score, tie rule)");
    for (const MilpTier& t : c.tiers)
      if (!t.proven) out.add("GLPK did not prove tier '" + t.name + "' optimal: " + t.status);
  }
  if (!c.proven_optimal) out.add("the certificate does not claim optimality");
  for (std::size_t i = 0; i < nb; ++i)
    if (c.supply_potentials[i].id != problem.supplies[i].bid_id) out.add("supply potential " + std::to_string(i) + " names the wrong bid");
  for (std::size_t j = 0; j < np; ++j)
    if (c.point_potentials[j].id != problem.points[j].delivery_point_id)
      out.add("point potential " + std::to_string(j) + " names the wrong point");

  // The arcs other than the pairs (transport.h): source -> bid, point -> sink, open demand.
  std::vector<std::pair<int, int>> tight;
  for (std::size_t i = 0; i < nb; ++i) {
    ArcView v;
    v.from = source;
    v.to = 1 + static_cast<int>(i);
    v.upper = std::max<std::int64_t>(problem.supplies[i].capacity.raw(), 0);
    v.flow = supply_flow[i];
    v.scaled = -tie_weight[i];
    v.exact = [&] { return Lex{0, Exact(), -tie_weight[i]}; };
    v.name = [&] { return "source -> bid " + std::to_string(problem.supplies[i].bid_id); };
    dual.run(v, out, tight);
  }
  for (std::size_t j = 0; j < np; ++j) {
    ArcView v;
    v.from = 1 + static_cast<int>(nb + j);
    v.to = sink;
    v.upper = std::max<std::int64_t>(problem.points[j].demand.raw(), 0);
    v.flow = point_flow[j];
    v.scaled = -M;
    v.exact = [] { return Lex{-1, Exact(), 0}; };
    v.name = [&] { return "point " + std::to_string(problem.points[j].delivery_point_id) + " -> sink"; };
    dual.run(v, out, tight);
  }
  {
    ArcView v;
    v.from = source;
    v.to = sink;
    v.upper = demand_total;
    v.flow = demand_total - covered;
    v.exact = [] { return Lex{}; };
    v.name = [] { return std::string("open demand"); };
    dual.run(v, out, tight);
  }
  // Without exact potentials the tight arcs must form a forest: a cycle of them could hide an exact
  // improvement that the rounding of the scores made look neutral (transport.h).
  std::vector<int> parent(nodes);
  std::iota(parent.begin(), parent.end(), 0);
  const auto nodeName = [&](int v) {
    if (v == source) return std::string("source");
    if (v == sink) return std::string("sink");
    if (static_cast<std::size_t>(v) <= nb) return "bid " + std::to_string(problem.supplies[static_cast<std::size_t>(v - 1)].bid_id);
    return "point " + std::to_string(problem.points[static_cast<std::size_t>(v) - 1 - nb].delivery_point_id);
  };
  for (const auto* list : {&first.tight, &second.tight, &tight})
    for (const auto& [u, v] : *list) {
      const int x = findRoot(parent, u);
      const int y = findRoot(parent, v);
      if (x == y)
        out.add(nodeName(u) + " -> " + nodeName(v) +
                " closes a cycle of tight arcs: the scaled certificate does not prove the exact optimum");
      else
        parent[static_cast<std::size_t>(x)] = y;
    }
  return out.take();
}

}  // namespace core
