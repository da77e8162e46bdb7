// checkCertificate (core/optimiser/transport.h): verifies a transport solution and its certificate of
// optimality from the problem alone, in exact arithmetic. Written apart from the solver on purpose:
// it rebuilds the network from the published rules and shares no code with transport.cpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
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

struct Problems {
  std::vector<std::string> list;
  std::size_t dropped = 0;
  void add(std::string s) {
    if (list.size() < kMaxReported)
      list.push_back(std::move(s));
    else
      ++dropped;
  }
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

Exact powerOfTwo(int k) {
  const std::int64_t p = std::int64_t{1} << (k < 0 ? -k : k);
  return k < 0 ? Exact::fraction(1, p) : Exact(p);
}

struct Arc {
  int from = 0;
  int to = 0;
  std::int64_t lower = 0;  // raw Decimal units throughout
  std::int64_t upper = 0;
  std::int64_t flow = 0;
  // Costs: scaled integer, and the exact lexicographic parts.
  Int128 scaled = 0;
  std::int64_t coverage = 0;
  Exact score;
  std::int64_t tie = 0;
  std::string name;
};

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

}  // namespace

std::vector<std::string> checkCertificate(const TransportProblem& problem, const TransportSolution& solution) {
  Problems out;
  const std::size_t nb = problem.supplies.size();
  const std::size_t np = problem.points.size();
  std::map<Id, std::size_t> point_of, supply_of;
  for (std::size_t j = 0; j < np; ++j)
    if (!point_of.emplace(problem.points[j].delivery_point_id, j).second) out.add("the problem lists a delivery point twice");
  for (std::size_t i = 0; i < nb; ++i)
    if (!supply_of.emplace(problem.supplies[i].bid_id, i).second) out.add("the problem lists a bid twice");
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> arc_of;
  for (std::size_t a = 0; a < problem.arcs.size(); ++a) {
    const TransportArc& arc = problem.arcs[a];
    if (arc.supply >= nb || arc.point >= np || !arc_of.emplace(std::make_pair(arc.supply, arc.point), a).second)
      out.add("problem arc " + std::to_string(a) + " is malformed");
  }
  if (!out.list.empty()) return out.take();

  // Primal feasibility and the stated totals.
  std::vector<std::int64_t> arc_flow(problem.arcs.size(), 0), supply_flow(nb, 0), point_flow(np, 0);
  std::vector<bool> has_line(problem.arcs.size(), false);
  Exact total;
  std::int64_t covered = 0;
  for (const AllocationLine& l : solution.lines) {
    const std::string name = "line (bid " + std::to_string(l.bid_id) + ", point " + std::to_string(l.delivery_point_id) + ")";
    const auto s = supply_of.find(l.bid_id);
    const auto p = point_of.find(l.delivery_point_id);
    if (s == supply_of.end() || p == point_of.end()) {
      out.add(name + " names a bid or point that is not in the problem");
      continue;
    }
    const auto a = arc_of.find({s->second, p->second});
    if (a == arc_of.end()) {
      out.add(name + ": the bid may not serve that point");
      continue;
    }
    if (has_line[a->second]) out.add(name + " is given twice");
    has_line[a->second] = true;
    if (l.supplier_id != problem.supplies[s->second].supplier_id) out.add(name + " names the wrong supplier");
    if (l.quantity.raw() <= 0) out.add(name + ": quantity " + l.quantity.toString() + " is not positive");
    if (!(l.score_per_unit == problem.arcs[a->second].score_per_unit)) out.add(name + ": score per unit differs from the problem");
    if (!(l.line_score == Exact(l.quantity) * problem.arcs[a->second].score_per_unit))
      out.add(name + ": line score is not quantity x score");
    arc_flow[a->second] += l.quantity.raw();
    supply_flow[s->second] += l.quantity.raw();
    point_flow[p->second] += l.quantity.raw();
    covered += l.quantity.raw();
    total += Exact(l.quantity) * problem.arcs[a->second].score_per_unit;
  }
  std::vector<std::int64_t> upper(problem.arcs.size()), lot(problem.arcs.size());
  for (std::size_t a = 0; a < problem.arcs.size(); ++a) {
    const TransportArc& arc = problem.arcs[a];
    const TransportSupply& s = problem.supplies[arc.supply];
    const TransportPoint& p = problem.points[arc.point];
    std::int64_t u = std::min(s.capacity.raw(), p.demand.raw());
    for (const PointOffer& o : s.point_caps)
      if (o.delivery_point_id == p.delivery_point_id) u = std::min(u, o.quantity.raw());
    upper[a] = std::max<std::int64_t>(u, 0);
    lot[a] = std::min(problem.min_delivery.raw(), p.demand.raw());
    const std::string name = "bid " + std::to_string(s.bid_id) + " at point " + std::to_string(p.delivery_point_id);
    if (arc_flow[a] > upper[a]) out.add(name + " gets more than its capacity, cap or the point's demand");
    if (problem.min_delivery.raw() > 0 && arc_flow[a] > 0 && arc_flow[a] < lot[a])
      out.add(name + " gets less than the minimum delivery");
  }
  for (std::size_t i = 0; i < nb; ++i)
    if (supply_flow[i] > problem.supplies[i].capacity.raw())
      out.add("bid " + std::to_string(problem.supplies[i].bid_id) + " is allocated more than its capacity");
  std::int64_t demand_total = 0;
  std::vector<UnmetDemand> unmet;
  std::vector<std::size_t> point_order(np);
  std::iota(point_order.begin(), point_order.end(), std::size_t{0});
  std::sort(point_order.begin(), point_order.end(), [&](std::size_t x, std::size_t y) {
    return problem.points[x].delivery_point_id < problem.points[y].delivery_point_id;
  });
  for (std::size_t j : point_order) {
    const TransportPoint& p = problem.points[j];
    demand_total += p.demand.raw();
    if (point_flow[j] > p.demand.raw()) out.add("point " + std::to_string(p.delivery_point_id) + " receives more than its demand");
    if (point_flow[j] < p.demand.raw()) unmet.push_back({p.delivery_point_id, Decimal::fromRaw(p.demand.raw() - point_flow[j])});
  }
  if (!(total == solution.total_score)) out.add("the stated total score " + solution.total_score.toString() + " is not the sum of the lines, " + total.toString());
  if (covered != solution.covered.raw()) out.add("the stated covered quantity is not the sum of the lines");
  bool unmet_ok = unmet.size() == solution.unmet.size();
  for (std::size_t u = 0; unmet_ok && u < unmet.size(); ++u)
    unmet_ok = unmet[u].delivery_point_id == solution.unmet[u].delivery_point_id && unmet[u].quantity == solution.unmet[u].quantity;
  if (!unmet_ok) out.add("the stated open demand does not match the demand left by the lines");

  const OptimalityCertificate& c = solution.certificate;
  const bool integer_path = c.method == TransportMethod::kMixedInteger;
  if (problem.min_delivery.raw() > 0 && !integer_path)
    out.add("a minimum delivery needs the integer path; the network certificate alone does not cover it");
  if (integer_path) {
    if (c.tiers.size() != 3) out.add("the integer path must record three tiers (coverage, score, tie rule)");
    for (const MilpTier& t : c.tiers)
      if (!t.proven) out.add("GLPK did not prove tier '" + t.name + "' optimal: " + t.status);
  }
  if (!c.proven_optimal) out.add("the certificate does not claim optimality");
  if (c.supply_potentials.size() != nb || c.point_potentials.size() != np) {
    out.add("the certificate must give one potential per bid and per point, in the problem's order");
    return out.take();
  }
  for (std::size_t i = 0; i < nb; ++i)
    if (c.supply_potentials[i].id != problem.supplies[i].bid_id) out.add("supply potential " + std::to_string(i) + " names the wrong bid");
  for (std::size_t j = 0; j < np; ++j)
    if (c.point_potentials[j].id != problem.points[j].delivery_point_id)
      out.add("point potential " + std::to_string(j) + " names the wrong point");

  // The network of the certificate (transport.h): published costs, the tie rule's weights.
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

  const int k = c.score_scale_bits;
  const bool scaled = c.kind != CertificateKind::kExact;
  const bool exact_tight = c.kind == CertificateKind::kScaledWithExactTight;
  std::vector<Int128> rounded(problem.arcs.size(), 0);
  Int128 max_rounded = 0;
  if (scaled) {
    if (k < -60 || k > 60) {
      out.add("score_scale_bits " + std::to_string(k) + " is outside -60..60");
      return out.take();
    }
    // The exact rounding test is the costly part on large lots: two halves on two threads.
    const Exact scale = powerOfTwo(k);
    struct Part {
      Int128 max_rounded = 0;
      bool too_large = false;
      std::vector<std::size_t> off;  // arcs whose scaled score is not within one unit
    };
    const auto run = [&](std::size_t from, std::size_t to, Part& part) {
      for (std::size_t a = from; a < to; ++a) {
        const double d = std::ldexp(problem.arcs[a].score_per_unit.toDouble(), k);
        if (!(std::fabs(d) < 0x1p62)) {
          part.too_large = true;
          return;
        }
        const std::int64_t r = std::llround(d);
        rounded[a] = r;
        part.max_rounded = std::max(part.max_rounded, rounded[a] < 0 ? -rounded[a] : rounded[a]);
        const Exact err = problem.arcs[a].score_per_unit * scale - Exact(r);
        if (!(err < Exact(1)) || !(Exact(-1) < err)) part.off.push_back(a);
      }
    };
    Part first, second;
    if (problem.arcs.size() < 20'000) {
      run(0, problem.arcs.size(), first);
    } else {
      const std::size_t half = problem.arcs.size() / 2;
      std::thread helper(run, half, problem.arcs.size(), std::ref(second));
      run(0, half, first);
      helper.join();
    }
    if (first.too_large || second.too_large) {
      out.add("a scaled score does not fit 64 bits at score_scale_bits " + std::to_string(k));
      return out.take();
    }
    max_rounded = std::max(first.max_rounded, second.max_rounded);
    for (const Part* part : {&first, &second})
      for (std::size_t a : part->off) out.add("arc " + std::to_string(a) + ": the scaled score is not within one unit");
  }
  const Int128 T = 2 * static_cast<Int128>(nb) + 1;
  const Int128 M = T * static_cast<Int128>(nb + np + 1) * (max_rounded + 1) + 2 * static_cast<Int128>(nb) + 1;
  const Int128 theta = T * static_cast<Int128>(nb + np + 1) + 2 * static_cast<Int128>(nb);

  const int source = 0;
  const int sink = static_cast<int>(nb + np + 1);
  std::vector<Arc> arcs;
  for (std::size_t i = 0; i < nb; ++i) {
    Arc a;
    a.from = source;
    a.to = 1 + static_cast<int>(i);
    a.upper = std::max<std::int64_t>(problem.supplies[i].capacity.raw(), 0);
    a.flow = supply_flow[i];
    a.scaled = -tie_weight[i];
    a.tie = -tie_weight[i];
    a.name = "source -> bid " + std::to_string(problem.supplies[i].bid_id);
    arcs.push_back(std::move(a));
  }
  for (std::size_t x = 0; x < problem.arcs.size(); ++x) {
    if (integer_path && arc_flow[x] == 0) continue;  // the pairs GLPK closed are not in the network
    const TransportArc& pa = problem.arcs[x];
    Arc a;
    a.from = 1 + static_cast<int>(pa.supply);
    a.to = 1 + static_cast<int>(nb + pa.point);
    a.lower = integer_path ? lot[x] : 0;
    a.upper = upper[x];
    a.flow = arc_flow[x];
    a.scaled = -rounded[x] * T;
    a.score = Exact() - pa.score_per_unit;
    a.name = "bid " + std::to_string(problem.supplies[pa.supply].bid_id) + " -> point " +
             std::to_string(problem.points[pa.point].delivery_point_id);
    arcs.push_back(std::move(a));
  }
  for (std::size_t j = 0; j < np; ++j) {
    Arc a;
    a.from = 1 + static_cast<int>(nb + j);
    a.to = sink;
    a.upper = std::max<std::int64_t>(problem.points[j].demand.raw(), 0);
    a.flow = point_flow[j];
    a.scaled = -M;
    a.coverage = -1;
    a.name = "point " + std::to_string(problem.points[j].delivery_point_id) + " -> sink";
    arcs.push_back(std::move(a));
  }
  {
    Arc a;
    a.from = source;
    a.to = sink;
    a.upper = demand_total;
    a.flow = demand_total - covered;
    a.name = "open demand";
    arcs.push_back(std::move(a));
  }

  const std::size_t nodes = nb + np + 2;
  const auto potentialOf = [&](int v) -> const Potential& {
    if (v == source) return c.source;
    if (v == sink) return c.sink;
    if (static_cast<std::size_t>(v) <= nb) return c.supply_potentials[static_cast<std::size_t>(v - 1)];
    return c.point_potentials[static_cast<std::size_t>(v) - 1 - nb];
  };
  if (scaled) {
    std::vector<Int128> pot(nodes);
    for (std::size_t v = 0; v < nodes; ++v) {
      const auto value = integerOf(potentialOf(static_cast<int>(v)).scaled);
      if (!value) {
        out.add("a scaled potential is not an integer within 128 bits");
        return out.take();
      }
      pot[v] = *value;
    }
    std::vector<int> parent(nodes);
    std::iota(parent.begin(), parent.end(), 0);
    for (const Arc& a : arcs) {
      Int128 rc = 0;
      if (__builtin_add_overflow(a.scaled, pot[static_cast<std::size_t>(a.from)], &rc) ||
          __builtin_sub_overflow(rc, pot[static_cast<std::size_t>(a.to)], &rc)) {
        out.add(a.name + ": reduced cost overflows 128 bits");
        continue;
      }
      const bool forward = a.flow < a.upper;
      const bool backward = a.flow > a.lower;
      if (forward && rc < 0) out.add(a.name + ": negative reduced cost while the arc could carry more");
      if (backward && rc > 0) out.add(a.name + ": positive reduced cost while the arc could carry less");
      if (exact_tight) {
        // Tight arcs are decided by the exact potentials instead of the forest test.
        const Potential& pu = potentialOf(a.from);
        const Potential& pv = potentialOf(a.to);
        const Lex x{a.coverage + pu.coverage - pv.coverage, a.score + pu.score - pv.score, a.tie + pu.tie - pv.tie};
        const int sign = lexSign(x);
        if (forward && rc < theta && sign < 0) out.add(a.name + ": tight arc with negative exact reduced cost");
        if (backward && -rc < theta && sign > 0) out.add(a.name + ": tight arc with positive exact reduced cost");
      } else if ((forward && rc < theta) || (backward && -rc < theta)) {
        const int x = findRoot(parent, a.from);
        const int y = findRoot(parent, a.to);
        if (x == y)
          out.add(a.name + " closes a cycle of tight arcs: the scaled certificate does not prove the exact optimum");
        else
          parent[static_cast<std::size_t>(x)] = y;
      }
    }
  } else {
    for (const Arc& a : arcs) {
      const Potential& pu = potentialOf(a.from);
      const Potential& pv = potentialOf(a.to);
      const Lex rc{a.coverage + pu.coverage - pv.coverage, a.score + pu.score - pv.score, a.tie + pu.tie - pv.tie};
      const int sign = lexSign(rc);
      if (a.flow < a.upper && sign < 0) out.add(a.name + ": negative exact reduced cost while the arc could carry more");
      if (a.flow > a.lower && sign > 0) out.add(a.name + ": positive exact reduced cost while the arc could carry less");
    }
  }
  return out.take();
}

}  // namespace core
