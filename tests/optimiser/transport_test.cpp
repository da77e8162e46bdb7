// solveTransport, checkCertificate and rankOrderFill (core/optimiser/transport.h): hand-solved cases,
// open demand, capacity equal to demand, the tie rule, determinism, the minimum-lot rule, the exact
// repair, tampered certificates, and randomised cases up to 6 bids x 5 points against brute force.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/optimiser/transport.h"

namespace core {
// Printers for Boost.Test's messages (found by argument-dependent lookup).
inline std::ostream& boost_test_print_type(std::ostream& os, const Exact& e) { return os << e.toString(); }
inline std::ostream& boost_test_print_type(std::ostream& os, const Decimal& d) { return os << d.toString(); }
}  // namespace core

using core::Decimal;
using core::Exact;
using core::TransportProblem;
using core::TransportSolution;

namespace {

Decimal qty(std::int64_t units) { return Decimal::fromInt(units); }

core::TransportSupply supply(core::Id bid, std::int64_t capacity, std::int64_t price_points = 0, int submitted_s = 0) {
  core::TransportSupply s;
  s.bid_id = bid;
  s.supplier_id = 100 + bid;
  s.capacity = qty(capacity);
  s.price_points = Exact(price_points);
  s.submitted_at = core::TimePoint{} + std::chrono::seconds(submitted_s);
  return s;
}

// Quantity allocated to (bid, point) in a solution.
Decimal allocated(const TransportSolution& s, core::Id bid, core::Id point) {
  Decimal q;
  for (const core::AllocationLine& l : s.lines)
    if (l.bid_id == bid && l.delivery_point_id == point) q += l.quantity;
  return q;
}

void expectCertified(const TransportProblem& p, const TransportSolution& s) {
  const std::vector<std::string> problems = core::checkCertificate(p, s);
  std::string all;
  for (const std::string& x : problems) all += x + "\n";
  BOOST_TEST(problems.empty(), all);
  BOOST_TEST(s.certificate.proven_optimal);
}

// The tie rule's weight of every supply, computed here independently of the solver.
std::vector<std::int64_t> tieWeights(const TransportProblem& p) {
  std::vector<std::size_t> order(p.supplies.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = p.supplies[a];
    const auto& y = p.supplies[b];
    if (!(x.price_points == y.price_points)) return x.price_points > y.price_points;
    if (x.submitted_at != y.submitted_at) return x.submitted_at < y.submitted_at;
    return x.bid_id < y.bid_id;
  });
  std::vector<std::int64_t> w(p.supplies.size());
  for (std::size_t r = 0; r < order.size(); ++r) w[order[r]] = static_cast<std::int64_t>(order.size() - r);
  return w;
}

struct Objective {
  std::int64_t covered = 0;
  std::int64_t score = 0;  // in 1/kDen units
  std::int64_t tie = 0;
  auto operator<=>(const Objective&) const = default;
};

constexpr std::int64_t kDen = 60;

// Exhaustive search over integer allocations (quantities are whole units, scores multiples of
// 1/kDen), lexicographic (coverage, score, tie rule) as the solver's published objective.
Objective bruteForce(const TransportProblem& p, const std::vector<std::int64_t>& score_num) {
  const std::vector<std::int64_t> tie = tieWeights(p);
  std::vector<std::int64_t> cap_left, dem_left, upper, lot;
  for (const auto& s : p.supplies) cap_left.push_back(s.capacity.raw() / Decimal::kOne);
  for (const auto& pt : p.points) dem_left.push_back(pt.demand.raw() / Decimal::kOne);
  const std::int64_t min_units = p.min_delivery.raw() / Decimal::kOne;
  for (const auto& a : p.arcs) {
    std::int64_t u = std::min(cap_left[a.supply], dem_left[a.point]);
    for (const auto& o : p.supplies[a.supply].point_caps)
      if (o.delivery_point_id == p.points[a.point].delivery_point_id) u = std::min(u, o.quantity.raw() / Decimal::kOne);
    upper.push_back(u);
    lot.push_back(std::min(min_units, dem_left[a.point]));
  }
  Objective best{-1, 0, 0};
  Objective cur;
  std::function<void(std::size_t)> go = [&](std::size_t a) {
    if (a == p.arcs.size()) {
      if (cur > best) best = cur;
      return;
    }
    const auto& arc = p.arcs[a];
    const std::int64_t hi = std::min({upper[a], cap_left[arc.supply], dem_left[arc.point]});
    for (std::int64_t q = 0; q <= hi; ++q) {
      if (q > 0 && q < lot[a]) continue;
      cap_left[arc.supply] -= q;
      dem_left[arc.point] -= q;
      cur.covered += q;
      cur.score += q * score_num[a];
      cur.tie += q * tie[arc.supply];
      go(a + 1);
      cap_left[arc.supply] += q;
      dem_left[arc.point] += q;
      cur.covered -= q;
      cur.score -= q * score_num[a];
      cur.tie -= q * tie[arc.supply];
    }
  };
  go(0);
  return best;
}

Objective objectiveOf(const TransportProblem& p, const TransportSolution& s, const std::vector<std::int64_t>& score_num) {
  const std::vector<std::int64_t> tie = tieWeights(p);
  Objective o;
  for (const core::AllocationLine& l : s.lines) {
    for (std::size_t a = 0; a < p.arcs.size(); ++a) {
      const auto& arc = p.arcs[a];
      if (p.supplies[arc.supply].bid_id != l.bid_id || p.points[arc.point].delivery_point_id != l.delivery_point_id) continue;
      const std::int64_t q = l.quantity.raw() / Decimal::kOne;
      BOOST_REQUIRE_EQUAL(l.quantity.raw() % Decimal::kOne, 0);
      o.covered += q;
      o.score += q * score_num[a];
      o.tie += q * tie[arc.supply];
    }
  }
  return o;
}

struct Random {
  TransportProblem problem;
  std::vector<std::int64_t> score_num;
};

// A random problem with `nb` bids and `np` points; scores are multiples of 1/kDen in 0..10 with
// few distinct values so that ties are common; some per-point caps and missing pairs.
Random randomProblem(std::mt19937& rng, std::size_t nb, std::size_t np, std::int64_t max_demand, std::int64_t max_capacity,
                     std::int64_t min_delivery = 0) {
  Random r;
  const auto uni = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  for (std::size_t j = 0; j < np; ++j) r.problem.points.push_back({static_cast<core::Id>(10 + 3 * j), qty(uni(0, max_demand))});
  for (std::size_t i = 0; i < nb; ++i) {
    core::TransportSupply s = supply(static_cast<core::Id>(1 + i), uni(0, max_capacity), uni(0, 2), static_cast<int>(uni(0, 2)));
    if (uni(0, 3) == 0) s.point_caps.push_back({r.problem.points[static_cast<std::size_t>(uni(0, static_cast<std::int64_t>(np) - 1))].delivery_point_id, qty(uni(0, max_demand))});
    r.problem.supplies.push_back(s);
  }
  for (std::size_t i = 0; i < nb; ++i)
    for (std::size_t j = 0; j < np; ++j) {
      if (uni(0, 4) == 0) continue;
      const std::int64_t num = uni(0, 12) * (uni(0, 1) == 0 ? 50 : 47) / 10;  // few values, some repeated
      r.problem.arcs.push_back({i, j, Exact::fraction(num, kDen)});
      r.score_num.push_back(num);
    }
  r.problem.min_delivery = qty(min_delivery);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transport)

BOOST_AUTO_TEST_CASE(hand_solved_case_beats_the_greedy_fill_per_point) {
  // A scores 9 at point 1 and 5 at point 2; B scores 8 and 2. The greedy fill gives point 1 to A
  // and leaves B for point 2: 90 + 20 = 110. The optimum sends A to point 2: 50 + 80 = 130.
  TransportProblem p;
  p.points = {{1, qty(10)}, {2, qty(10)}};
  p.supplies = {supply(7, 10), supply(8, 10)};
  p.arcs = {{0, 0, Exact(9)}, {0, 1, Exact(5)}, {1, 0, Exact(8)}, {1, 1, Exact(2)}};
  const TransportSolution s = core::solveTransport(p);
  BOOST_TEST(s.total_score == Exact(130));
  BOOST_TEST(allocated(s, 7, 2) == qty(10));
  BOOST_TEST(allocated(s, 8, 1) == qty(10));
  BOOST_TEST(s.lines.size() == 2u);
  BOOST_TEST(s.unmet.empty());
  expectCertified(p, s);
  const TransportSolution greedy = core::rankOrderFill(p);
  BOOST_TEST(greedy.total_score == Exact(110));
  BOOST_TEST(allocated(greedy, 7, 1) == qty(10));
}

BOOST_AUTO_TEST_CASE(fractional_scores_and_quantities_are_solved_exactly) {
  // Scores 200/3 and 133/2 differ by 1/6; quantities in hundredths of a kilogram.
  TransportProblem p;
  p.points = {{1, Decimal::parse("2.25")}, {2, Decimal::parse("1.5")}};
  p.supplies = {supply(1, 0), supply(2, 0)};
  p.supplies[0].capacity = Decimal::parse("2.25");
  p.supplies[1].capacity = Decimal::parse("3");
  p.arcs = {{0, 0, Exact::fraction(200, 3)}, {0, 1, Exact::fraction(133, 2)},
            {1, 0, Exact::fraction(133, 2)}, {1, 1, Exact::fraction(200, 3)}};
  const TransportSolution s = core::solveTransport(p);
  BOOST_TEST(allocated(s, 1, 1) == Decimal::parse("2.25"));
  BOOST_TEST(allocated(s, 2, 2) == Decimal::parse("1.5"));
  BOOST_TEST(s.total_score == Exact::fraction(200, 3) * Exact(Decimal::parse("3.75")));
  BOOST_TEST(s.certificate.unit == Decimal::parse("0.75"));
  expectCertified(p, s);
}

BOOST_AUTO_TEST_CASE(covering_demand_comes_before_a_higher_score) {
  // Sending A to point 1 scores most (100) but leaves point 2 open, since B cannot serve it.
  TransportProblem p;
  p.points = {{1, qty(10)}, {2, qty(10)}};
  p.supplies = {supply(1, 10), supply(2, 10)};
  p.arcs = {{0, 0, Exact(10)}, {0, 1, Exact(1)}, {1, 0, Exact(1)}};
  const TransportSolution s = core::solveTransport(p);
  BOOST_TEST(s.covered == qty(20));
  BOOST_TEST(allocated(s, 1, 2) == qty(10));
  BOOST_TEST(allocated(s, 2, 1) == qty(10));
  BOOST_TEST(s.total_score == Exact(20));
  expectCertified(p, s);
}

BOOST_AUTO_TEST_CASE(demand_beyond_the_offers_is_reported_open_per_point) {
  TransportProblem p;
  p.points = {{5, qty(8)}, {6, qty(4)}, {7, qty(3)}};
  p.supplies = {supply(1, 5), supply(2, 2)};
  p.arcs = {{0, 0, Exact(3)}, {0, 1, Exact(4)}, {1, 1, Exact(1)}};  // nobody serves point 7
  const TransportSolution s = core::solveTransport(p);
  // Bid 2 can only reach point 6, so covering the most needs its 2 there; bid 1 fills the rest of
  // point 6 (score 4) and gives its last 3 to point 5.
  BOOST_TEST(s.covered == qty(7));
  BOOST_TEST(allocated(s, 2, 6) == qty(2));
  BOOST_TEST(allocated(s, 1, 6) == qty(2));
  BOOST_TEST(allocated(s, 1, 5) == qty(3));
  BOOST_REQUIRE_EQUAL(s.unmet.size(), 2u);
  BOOST_TEST(s.unmet[0].delivery_point_id == 5);
  BOOST_TEST(s.unmet[0].quantity == qty(5));
  BOOST_TEST(s.unmet[1].delivery_point_id == 7);
  BOOST_TEST(s.unmet[1].quantity == qty(3));
  BOOST_TEST(s.total_score == Exact(2 * 1 + 2 * 4 + 3 * 3));
  expectCertified(p, s);
  BOOST_TEST(s.certificate.text.find("open point 7 3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(lot_without_bids_leaves_all_demand_open) {
  TransportProblem p;
  p.points = {{2, qty(4)}, {1, Decimal::parse("0.5")}};
  const TransportSolution s = core::solveTransport(p);
  BOOST_TEST(s.lines.empty());
  BOOST_REQUIRE_EQUAL(s.unmet.size(), 2u);
  BOOST_TEST(s.unmet[0].delivery_point_id == 1);
  BOOST_TEST(s.unmet[0].quantity == Decimal::parse("0.5"));
  BOOST_TEST(s.unmet[1].quantity == qty(4));
  expectCertified(p, s);
}

BOOST_AUTO_TEST_CASE(capacity_exactly_equal_to_demand_uses_every_bid_fully) {
  TransportProblem p;
  p.points = {{1, qty(6)}, {2, qty(4)}};
  p.supplies = {supply(1, 3), supply(2, 7)};
  p.arcs = {{0, 0, Exact(5)}, {0, 1, Exact(6)}, {1, 0, Exact(4)}, {1, 1, Exact(2)}};
  const TransportSolution s = core::solveTransport(p);
  BOOST_TEST(s.covered == qty(10));
  BOOST_TEST(s.unmet.empty());
  // Bid 1's advantage is larger at point 2 (6 - 2 = 4 against 5 - 4 = 1).
  BOOST_TEST(allocated(s, 1, 2) == qty(3));
  BOOST_TEST(allocated(s, 2, 2) == qty(1));
  BOOST_TEST(allocated(s, 2, 1) == qty(6));
  BOOST_TEST(s.total_score == Exact(18 + 2 + 24));
  expectCertified(p, s);
}

BOOST_AUTO_TEST_CASE(equal_scores_follow_the_published_tie_rule) {
  TransportProblem p;
  p.points = {{1, qty(5)}};
  // Higher price points win first.
  p.supplies = {supply(1, 5, 50, 0), supply(2, 5, 60, 10)};
  p.arcs = {{0, 0, Exact(70)}, {1, 0, Exact(70)}};
  TransportSolution s = core::solveTransport(p);
  BOOST_TEST(allocated(s, 2, 1) == qty(5));
  expectCertified(p, s);
  // Equal price points: the earlier submission.
  p.supplies = {supply(1, 5, 60, 20), supply(2, 5, 60, 10)};
  s = core::solveTransport(p);
  BOOST_TEST(allocated(s, 2, 1) == qty(5));
  expectCertified(p, s);
  // Equal in both: the lower bid id.
  p.supplies = {supply(4, 5, 60, 10), supply(3, 5, 60, 10)};
  s = core::solveTransport(p);
  BOOST_TEST(allocated(s, 3, 1) == qty(5));
  BOOST_TEST(allocated(s, 4, 1) == qty(0));
  expectCertified(p, s);
}

BOOST_AUTO_TEST_CASE(result_does_not_depend_on_input_order_or_run) {
  std::mt19937 rng(20261128);
  const Random r = randomProblem(rng, 6, 5, 6, 9);
  const TransportSolution first = core::solveTransport(r.problem);
  const TransportSolution again = core::solveTransport(r.problem);
  BOOST_TEST(first.certificate.text == again.certificate.text);

  // The same problem with bids, points and pairs listed in reverse.
  TransportProblem rev;
  rev.points.assign(r.problem.points.rbegin(), r.problem.points.rend());
  rev.supplies.assign(r.problem.supplies.rbegin(), r.problem.supplies.rend());
  const std::size_t nb = r.problem.supplies.size();
  const std::size_t np = r.problem.points.size();
  for (auto it = r.problem.arcs.rbegin(); it != r.problem.arcs.rend(); ++it)
    rev.arcs.push_back({nb - 1 - it->supply, np - 1 - it->point, it->score_per_unit});
  const TransportSolution other = core::solveTransport(rev);
  BOOST_REQUIRE_EQUAL(other.lines.size(), first.lines.size());
  for (std::size_t k = 0; k < first.lines.size(); ++k) {
    BOOST_TEST(other.lines[k].bid_id == first.lines[k].bid_id);
    BOOST_TEST(other.lines[k].delivery_point_id == first.lines[k].delivery_point_id);
    BOOST_TEST(other.lines[k].quantity == first.lines[k].quantity);
  }
  BOOST_TEST(other.total_score == first.total_score);
  expectCertified(rev, other);
}

BOOST_AUTO_TEST_CASE(random_cases_match_brute_force) {
  std::mt19937 rng(6);
  int cases = 0;
  std::set<core::CertificateKind> kinds;
  for (std::size_t nb = 1; nb <= 6; ++nb)
    for (std::size_t np = 1; np <= 5; ++np) {
      const std::int64_t max_demand = nb * np >= 20 ? 2 : 3;
      for (int rep = 0; rep < (nb * np >= 20 ? 1 : 4); ++rep) {
        const Random r = randomProblem(rng, nb, np, max_demand, 4);
        const TransportSolution s = core::solveTransport(r.problem);
        kinds.insert(s.certificate.kind);
        BOOST_TEST_CONTEXT("case " << cases << " (" << nb << " bids x " << np << " points)") {
          const Objective want = bruteForce(r.problem, r.score_num);
          const Objective got = objectiveOf(r.problem, s, r.score_num);
          BOOST_TEST(got.covered == want.covered);
          BOOST_TEST(got.score == want.score);
          BOOST_TEST(got.tie == want.tie);
          expectCertified(r.problem, s);
          const Objective greedy = objectiveOf(r.problem, core::rankOrderFill(r.problem), r.score_num);
          BOOST_TEST((greedy <= got));
        }
        ++cases;
      }
    }
  BOOST_TEST(cases > 60);
  // Frequent equal scores make the tight arcs close cycles: both scaled certificate kinds occur.
  BOOST_TEST(kinds.count(core::CertificateKind::kScaledInteger) == 1u);
  BOOST_TEST(kinds.count(core::CertificateKind::kScaledWithExactTight) == 1u);
}

BOOST_AUTO_TEST_CASE(coarse_score_scale_is_repaired_in_exact_arithmetic) {
  // At scale 2^0 the scores 1/2 and 1/3 both round to 0 or 1; the repair restores the exact optimum.
  std::mt19937 rng(77);
  int repaired = 0;
  int exact = 0;
  for (int rep = 0; rep < 40; ++rep) {
    const Random r = randomProblem(rng, 4, 3, 3, 4);
    core::TransportOptions coarse;
    coarse.score_scale_bits = 0;
    const TransportSolution s = core::solveTransport(r.problem, coarse);
    BOOST_TEST_CONTEXT("case " << rep) {
      const Objective want = bruteForce(r.problem, r.score_num);
      const Objective got = objectiveOf(r.problem, s, r.score_num);
      BOOST_TEST(got.covered == want.covered);
      BOOST_TEST(got.score == want.score);
      BOOST_TEST(got.tie == want.tie);
      expectCertified(r.problem, s);
    }
    if (s.certificate.exact_repairs > 0) ++repaired;
    if (s.certificate.kind == core::CertificateKind::kExact) ++exact;
  }
  BOOST_TEST(repaired > 0);
  BOOST_TEST(exact > 0);
}

BOOST_AUTO_TEST_CASE(pricing_reaches_the_optimum_of_the_whole_network) {
  // Larger random lots solved whole and by pricing (LEMON on a growing subset of the pairs): the
  // same lexicographic optimum, both certified; at a coarse scale too, where the tight arcs close
  // cycles and the exact steps run on the whole network built from the priced solution.
  std::mt19937 rng(515);
  int priced_rounds = 0;
  std::set<core::CertificateKind> kinds;
  for (int rep = 0; rep < 12; ++rep) {
    // More points per bid and bids per point than pricing starts with (6 of each).
    const Random r = randomProblem(rng, 30 + static_cast<std::size_t>(rep % 3) * 10, 25 + static_cast<std::size_t>(rep % 4) * 5, 9, 8);
    core::TransportOptions whole;
    core::TransportOptions priced;
    priced.whole_network_pairs = 0;
    if (rep % 3 == 2) {
      whole.score_scale_bits = 2;
      priced.score_scale_bits = 2;
    }
    const TransportSolution a = core::solveTransport(r.problem, whole);
    const TransportSolution b = core::solveTransport(r.problem, priced);
    BOOST_TEST_CONTEXT("case " << rep << " (" << r.problem.arcs.size() << " pairs)") {
      BOOST_TEST(a.certificate.pricing_rounds == 1);
      BOOST_TEST(a.certificate.pairs_solved <= r.problem.arcs.size());
      const Objective oa = objectiveOf(r.problem, a, r.score_num);
      const Objective ob = objectiveOf(r.problem, b, r.score_num);
      BOOST_TEST(oa.covered == ob.covered);
      BOOST_TEST(oa.score == ob.score);
      BOOST_TEST(oa.tie == ob.tie);
      BOOST_TEST(a.total_score == b.total_score);
      expectCertified(r.problem, a);
      expectCertified(r.problem, b);
      // Deterministic: the same run again gives the same certificate, line for line.
      BOOST_TEST(core::solveTransport(r.problem, priced).certificate.text == b.certificate.text);
    }
    priced_rounds = std::max(priced_rounds, b.certificate.pricing_rounds);
    kinds.insert(b.certificate.kind);
  }
  BOOST_TEST(priced_rounds > 1, "pricing never needed a second round");
  BOOST_TEST(kinds.size() > 1u, "the coarse cases should leave the plain scaled certificate");
}

BOOST_AUTO_TEST_CASE(priced_result_does_not_depend_on_input_order) {
  std::mt19937 rng(99);
  const Random r = randomProblem(rng, 40, 30, 9, 8);
  core::TransportOptions priced;
  priced.whole_network_pairs = 0;
  const TransportSolution first = core::solveTransport(r.problem, priced);
  TransportProblem rev;
  rev.points.assign(r.problem.points.rbegin(), r.problem.points.rend());
  rev.supplies.assign(r.problem.supplies.rbegin(), r.problem.supplies.rend());
  const std::size_t nb = r.problem.supplies.size();
  const std::size_t np = r.problem.points.size();
  for (auto it = r.problem.arcs.rbegin(); it != r.problem.arcs.rend(); ++it)
    rev.arcs.push_back({nb - 1 - it->supply, np - 1 - it->point, it->score_per_unit});
  const TransportSolution other = core::solveTransport(rev, priced);
  BOOST_REQUIRE_EQUAL(other.lines.size(), first.lines.size());
  for (std::size_t k = 0; k < first.lines.size(); ++k) {
    BOOST_TEST(other.lines[k].bid_id == first.lines[k].bid_id);
    BOOST_TEST(other.lines[k].delivery_point_id == first.lines[k].delivery_point_id);
    BOOST_TEST(other.lines[k].quantity == first.lines[k].quantity);
  }
  BOOST_TEST(other.certificate.pricing_rounds == first.certificate.pricing_rounds);
  expectCertified(rev, other);
}

BOOST_AUTO_TEST_CASE(minimum_lot_closes_pairs_that_cannot_deliver_it) {
  // Point 1 needs 10 with a minimum delivery of 4: bid 1 (score 10) has only 3, so bid 2 delivers
  // everything. Point 2 needs 2 (< 4): its minimum is its demand, met by bid 1 alone.
  TransportProblem p;
  p.points = {{1, qty(10)}, {2, qty(2)}};
  p.supplies = {supply(1, 3), supply(2, 10)};
  p.arcs = {{0, 0, Exact(10)}, {0, 1, Exact(3)}, {1, 0, Exact(5)}, {1, 1, Exact(4)}};
  p.min_delivery = qty(4);
  const TransportSolution s = core::solveTransport(p);
  BOOST_TEST(allocated(s, 1, 1) == qty(0));
  BOOST_TEST(allocated(s, 2, 1) == qty(10));
  BOOST_TEST(allocated(s, 1, 2) == qty(2));
  BOOST_TEST(allocated(s, 2, 2) == qty(0));
  BOOST_TEST((s.certificate.method == core::TransportMethod::kMixedInteger));
  BOOST_REQUIRE_EQUAL(s.certificate.tiers.size(), 3u);
  expectCertified(p, s);
  // Without the rule bid 1 would deliver its 3 to point 1.
  p.min_delivery = Decimal();
  BOOST_TEST(allocated(core::solveTransport(p), 1, 1) == qty(3));
}

BOOST_AUTO_TEST_CASE(minimum_lot_random_cases_match_brute_force) {
  std::mt19937 rng(42);
  for (int rep = 0; rep < 30; ++rep) {
    const std::size_t nb = 2 + static_cast<std::size_t>(rep % 3);
    const std::size_t np = 2 + static_cast<std::size_t>(rep % 2);
    const Random r = randomProblem(rng, nb, np, 5, 7, 2 + rep % 2);
    const TransportSolution s = core::solveTransport(r.problem);
    BOOST_TEST_CONTEXT("case " << rep) {
      const Objective want = bruteForce(r.problem, r.score_num);
      const Objective got = objectiveOf(r.problem, s, r.score_num);
      BOOST_TEST(got.covered == want.covered);
      BOOST_TEST(got.score == want.score);
      BOOST_TEST(got.tie == want.tie);
      expectCertified(r.problem, s);
    }
  }
}

BOOST_AUTO_TEST_CASE(checker_rejects_tampered_certificates_and_allocations) {
  TransportProblem p;
  p.points = {{1, qty(10)}, {2, qty(10)}};
  p.supplies = {supply(7, 10), supply(8, 10)};
  p.arcs = {{0, 0, Exact(9)}, {0, 1, Exact(5)}, {1, 0, Exact(8)}, {1, 1, Exact(2)}};
  const TransportSolution good = core::solveTransport(p);
  BOOST_REQUIRE(core::checkCertificate(p, good).empty());

  TransportSolution bad = good;  // a shifted dual price
  bad.certificate.supply_potentials[0].scaled = bad.certificate.supply_potentials[0].scaled + Exact(1'000'000);
  BOOST_TEST(!core::checkCertificate(p, bad).empty());

  // The greedy allocation, presented with the optimum's certificate.
  TransportSolution greedy = core::rankOrderFill(p);
  greedy.certificate = good.certificate;
  BOOST_TEST(!core::checkCertificate(p, greedy).empty());

  bad = good;  // an allocation beyond the demand
  bad.lines[0].quantity = qty(11);
  bad.lines[0].line_score = Exact(qty(11)) * bad.lines[0].score_per_unit;
  BOOST_TEST(!core::checkCertificate(p, bad).empty());

  bad = good;  // a stated total that is not the sum
  bad.total_score = bad.total_score + Exact(1);
  BOOST_TEST(!core::checkCertificate(p, bad).empty());

  bad = good;  // open demand hidden
  p.points[1].demand = qty(12);
  const TransportSolution open = core::solveTransport(p);
  BOOST_REQUIRE(core::checkCertificate(p, open).empty());
  bad = open;
  bad.unmet.clear();
  BOOST_TEST(!core::checkCertificate(p, bad).empty());

  // Equal scores: the tight arcs close a cycle and exact potentials decide it.
  TransportProblem tied;
  tied.points = {{1, qty(5)}, {2, qty(5)}};
  tied.supplies = {supply(1, 5), supply(2, 5)};
  tied.arcs = {{0, 0, Exact(3)}, {0, 1, Exact(3)}, {1, 0, Exact(3)}, {1, 1, Exact(3)}};
  const TransportSolution tie_solution = core::solveTransport(tied);
  BOOST_REQUIRE((tie_solution.certificate.kind == core::CertificateKind::kScaledWithExactTight));
  BOOST_REQUIRE(core::checkCertificate(tied, tie_solution).empty());
  bad = tie_solution;
  bad.certificate.point_potentials[0].tie += 1000;
  BOOST_TEST(!core::checkCertificate(tied, bad).empty());

  p.min_delivery = qty(4);
  const TransportSolution milp = core::solveTransport(p);
  BOOST_REQUIRE(core::checkCertificate(p, milp).empty());
  bad = milp;  // GLPK did not prove a tier
  bad.certificate.tiers[1].proven = false;
  BOOST_TEST(!core::checkCertificate(p, bad).empty());
}

BOOST_AUTO_TEST_CASE(malformed_problem_is_refused_with_every_problem_listed) {
  TransportProblem p;
  p.points = {{1, qty(-1)}, {1, qty(3)}};
  p.supplies = {supply(1, 5), supply(1, 5)};
  p.arcs = {{0, 0, Exact(1)}, {0, 0, Exact(1)}, {3, 0, Exact(1)}};
  try {
    core::solveTransport(p);
    BOOST_FAIL("a malformed problem was solved");
  } catch (const core::Error& e) {
    BOOST_TEST((e.code() == core::ErrorCode::kInvalidArgument));
    const std::string m = e.what();
    BOOST_TEST(m.find("listed twice") != std::string::npos);
    BOOST_TEST(m.find("is negative") != std::string::npos);
    BOOST_TEST(m.find("out of range") != std::string::npos);
    BOOST_TEST(m.find("given twice") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
