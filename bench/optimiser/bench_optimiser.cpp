// Award optimiser benchmark (issue 6). Two scenarios, each in its own child process so that its peak
// memory (getrusage ru_maxrss) is its own:
//   municipal: a round of 100 lots x 40 bids x 60 delivery points, scored per point by the core
//              (core::evaluatePerPoint) and awarded through the engine's optimiser adapter;
//   national:  one lot of 2,000 bids x 1,000 delivery points, per-point scores built with the
//              published formulas (price 60 and CO2 20 relative to best, freshness 10 on a linear
//              band, label 10), since the core's per-point evaluation records would need gigabytes.
// For each: solve time of the optimum, time of the independent certificate check, peak memory, and
// on the same input the core's rank-order fill (core::awardLot, partial fill) with the total score
// each achieves: the fill's lot-level score, the same fill's quantities delivered in the best way per
// point, and the per-point greedy fill. Prints `name value unit` lines; the national solve time is
// also given as a ratio to the 2 s target, and the certificate check as a ratio to the solve. Wall
// and CPU time (getrusage/clock_gettime, all threads of the process) are both printed: on a shared
// machine the wall time moves with the load, the CPU time much less. The municipal allocate time
// includes the adapter's certificate check; the national solve time does not (printed apart).
// With DPS_BENCH_SOLVE_ONLY set, the national scenario stops after the solve and its check.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/optimiser/award_optimiser.h"
#include "core/optimiser/transport.h"
#include "core/scoring.h"

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double peakMegabytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void print(const std::string& name, double value, const char* unit) {
  std::printf("%s %.6g %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

struct Rng {
  std::mt19937_64 engine;
  explicit Rng(std::uint64_t seed) : engine(seed) {}
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(engine); }
  double around(double centre, double spread) {
    return centre + spread * static_cast<double>(uniform(-1'000'000, 1'000'000)) / 1e6;
  }
};

const char* kVehicles[] = {"van", "truck", "electric_van"};

core::ScoringContext standardContext() {
  core::ScoringContext ctx;
  ctx.criteria.resize(4);
  ctx.criteria[0].kind = core::CriterionKind::kPrice;
  ctx.criteria[0].formula = core::Formula::kRelativeToBest;
  ctx.criteria[0].weight = 60;
  ctx.criteria[1].kind = core::CriterionKind::kCo2;
  ctx.criteria[1].formula = core::Formula::kRelativeToBest;
  ctx.criteria[1].weight = 20;
  ctx.criteria[2].kind = core::CriterionKind::kFreshness;
  ctx.criteria[2].formula = core::Formula::kLinearBand;
  ctx.criteria[2].weight = 10;
  ctx.criteria[2].a = core::Decimal::fromInt(12);
  ctx.criteria[2].b = core::Decimal::fromInt(72);
  ctx.criteria[3].kind = core::CriterionKind::kLabel;
  ctx.criteria[3].formula = core::Formula::kYesNo;
  ctx.criteria[3].weight = 10;
  ctx.criteria[3].fact = "organic";
  ctx.vehicle_factors = {{"van", core::Decimal::parse("0.55")},
                         {"truck", core::Decimal::parse("0.12")},
                         {"electric_van", core::Decimal::parse("0.10")}};
  return ctx;
}

// A lot of `np` points and `nb` bids around Slovenia (or one municipality when `spread` is small).
struct LotData {
  core::LotInput input;
  core::Lot lot;
  std::vector<core::BidOnLot> bids;
};

LotData makeLot(Rng& rng, core::Id lot_id, int nb, int np, double spread, core::Id& next_id) {
  LotData d;
  d.input.round_id = 1;
  d.input.lot_id = lot_id;
  d.input.allow_partial = true;
  d.lot.id = lot_id;
  d.lot.round_id = 1;
  d.lot.number = static_cast<int>(lot_id);
  d.lot.unit = "kg";
  std::int64_t demand_total = 0;
  for (int j = 0; j < np; ++j) {
    core::PointInput p;
    p.delivery_point_id = next_id++;
    p.location = {rng.around(46.1, spread / 2), rng.around(14.8, spread)};
    p.quantity = core::Decimal::fromInt(rng.uniform(50, 500));
    demand_total += p.quantity.raw() / core::Decimal::kOne;
    d.input.points.push_back(p);
    d.lot.demands.push_back({p.delivery_point_id, p.quantity, "weekly"});
  }
  // Offers cover about 1.2 times the demand.
  const std::int64_t mean_capacity = demand_total * 12 / 10 / nb;
  for (int i = 0; i < nb; ++i) {
    core::BidOnLot b;
    b.bid_id = next_id++;
    b.supplier_id = next_id++;
    b.submitted_at = core::TimePoint{} + std::chrono::seconds(rng.uniform(0, 1'000'000));
    b.line.lot_id = lot_id;
    b.line.unit_price = core::Decimal::fromRaw(rng.uniform(150, 350) * 10'000);
    b.line.quantity = core::Decimal::fromInt(rng.uniform(std::max<std::int64_t>(1, mean_capacity / 4), mean_capacity * 7 / 4 + 1));
    b.line.dispatch_point_id = next_id++;
    b.line.organic = rng.uniform(0, 9) < 3;
    b.line.hours_from_harvest = static_cast<int>(rng.uniform(6, 96));
    b.line.vehicle = kVehicles[rng.uniform(0, 2)];
    b.dispatch = {rng.around(46.1, spread / 2), rng.around(14.8, spread)};
    d.bids.push_back(b);
  }
  return d;
}

struct Totals {
  double optimal = 0;
  double fill_lot_score = 0;       // core::awardLot partial fill, quantity x lot-level score
  double fill_delivered = 0;       // the same quantities per bid, delivered in the best way per point
  double greedy_per_point = 0;     // rankOrderFill
  double covered_optimal = 0;
  double covered_fill = 0;
};

// The core's rank-order fill of one lot and what its quantities achieve under the per-point scores.
// Uses `problem` up: its capacities become the fill's quantities (a copy would double the memory of
// a national lot).
void compareWithFill(const LotData& d, const core::ScoringContext& ctx, core::TransportProblem& problem, Totals& t) {
  const core::LotEvaluation ev = core::evaluateLot(d.input, d.bids, ctx);
  const std::vector<core::AwardLine> fill = core::awardLot(d.input, ev, d.bids, core::AwardMode::kPartialFill);
  std::map<core::Id, core::Decimal> awarded;
  for (const core::AwardLine& l : fill) {
    t.fill_lot_score += (core::Exact(l.quantity) * l.score).toDouble();
    t.covered_fill += core::Exact(l.quantity).toDouble();
    awarded[l.bid_id] += l.quantity;
  }
  t.greedy_per_point += core::rankOrderFill(problem).total_score.toDouble();
  for (core::TransportSupply& s : problem.supplies) {
    const auto it = awarded.find(s.bid_id);
    s.capacity = it == awarded.end() ? core::Decimal() : it->second;
  }
  t.fill_delivered += core::solveTransport(problem).total_score.toDouble();
}

void printTotals(const std::string& prefix, const Totals& t) {
  print(prefix + "_optimal_total_score", t.optimal, "points_x_unit");
  print(prefix + "_rank_fill_lot_score", t.fill_lot_score, "points_x_unit");
  print(prefix + "_rank_fill_delivered_best_score", t.fill_delivered, "points_x_unit");
  print(prefix + "_greedy_per_point_score", t.greedy_per_point, "points_x_unit");
  print(prefix + "_optimal_vs_rank_fill_delivered", t.optimal / t.fill_delivered, "ratio");
  print(prefix + "_optimal_vs_greedy_per_point", t.optimal / t.greedy_per_point, "ratio");
  print(prefix + "_covered_optimal", t.covered_optimal, "unit");
  print(prefix + "_covered_rank_fill", t.covered_fill, "unit");
}

void municipal() {
  constexpr int kLots = 100, kBids = 40, kPoints = 60;
  Rng rng(20261128);
  core::Id next_id = 1;
  const core::ScoringContext ctx = standardContext();
  const auto optimiser = core::makeAwardOptimiser();
  double score_s = 0, solve_s = 0, max_lot_s = 0, solve_cpu_s = 0;
  Totals t;
  int exact_certificates = 0, exact_tight_certificates = 0;
  for (int k = 0; k < kLots; ++k) {
    const LotData d = makeLot(rng, 1000 + k, kBids, kPoints, 0.08, next_id);
    auto start = Clock::now();
    const std::vector<core::LotEvaluation> per_point = core::evaluatePerPoint(d.input, d.bids, ctx);
    score_s += secondsSince(start);
    start = Clock::now();
    const double cpu_start = cpuSeconds();
    std::string certificate;
    std::vector<std::string> unmet;
    const std::vector<core::AwardLine> lines = optimiser->allocate(d.lot, d.bids, per_point, certificate, unmet);
    const double lot_s = secondsSince(start);
    solve_cpu_s += cpuSeconds() - cpu_start;
    solve_s += lot_s;
    max_lot_s = std::max(max_lot_s, lot_s);
    if (certificate.find("certificate exact") != std::string::npos) ++exact_certificates;
    if (certificate.find("certificate scaled_integer_exact_tight") != std::string::npos) ++exact_tight_certificates;
    for (const core::AwardLine& l : lines) {
      t.optimal += (core::Exact(l.quantity) * l.score).toDouble();
      t.covered_optimal += core::Exact(l.quantity).toDouble();
    }
    core::TransportProblem problem = core::transportProblemFor(d.lot, d.bids, per_point);
    compareWithFill(d, ctx, problem, t);
  }
  print("municipal_lots", kLots, "lots");
  print("municipal_per_point_scoring_time", score_s, "s");
  print("municipal_allocate_time_total", solve_s, "s");
  print("municipal_allocate_cpu_time_total", solve_cpu_s, "s");
  print("municipal_allocate_time_max_lot", max_lot_s, "s");
  print("municipal_certificates_scaled_with_exact_tight_arcs", exact_tight_certificates, "lots");
  print("municipal_certificates_exact_repair", exact_certificates, "lots");
  printTotals("municipal", t);
  print("municipal_peak_rss", peakMegabytes(), "MB");
}

void national() {
  constexpr int kBids = 2000, kPoints = 1000;
  Rng rng(6);
  core::Id next_id = 1;
  const core::ScoringContext ctx = standardContext();
  const LotData d = makeLot(rng, 1, kBids, kPoints, 1.4, next_id);

  auto start = Clock::now();
  core::TransportProblem p;
  for (const core::PointInput& pt : d.input.points) p.points.push_back({pt.delivery_point_id, pt.quantity});
  std::int64_t best_price = INT64_MAX;
  for (const core::BidOnLot& b : d.bids) best_price = std::min(best_price, b.line.unit_price.raw());
  std::vector<core::Exact> base;
  std::vector<std::int64_t> factor;
  for (const core::BidOnLot& b : d.bids) {
    core::TransportSupply s;
    s.bid_id = b.bid_id;
    s.supplier_id = b.supplier_id;
    s.capacity = b.line.quantity;
    s.submitted_at = b.submitted_at;
    s.price_points = core::Exact::fraction(60 * best_price, b.line.unit_price.raw());
    const int h = b.line.hours_from_harvest;
    const core::Exact fresh = h <= 12 ? core::Exact(10) : h >= 72 ? core::Exact() : core::Exact::fraction(10 * (72 - h), 60);
    base.push_back(s.price_points + fresh + core::Exact(b.line.organic ? 10 : 0));
    for (const core::VehicleFactor& f : ctx.vehicle_factors)
      if (f.vehicle == b.line.vehicle) factor.push_back(f.kg_co2e_per_tkm.raw());
    p.supplies.push_back(std::move(s));
  }
  p.arcs.reserve(static_cast<std::size_t>(kBids) * kPoints);
  std::vector<std::int64_t> co2(static_cast<std::size_t>(kBids));
  for (std::size_t j = 0; j < d.input.points.size(); ++j) {
    std::int64_t best = INT64_MAX;
    for (std::size_t i = 0; i < d.bids.size(); ++i) {
      // kg CO2e per tonne at this point, scaled by 10^12 (metres x factor in millionths): exact.
      co2[i] = core::haversineKm(d.bids[i].dispatch, d.input.points[j].location).raw() * factor[i];
      co2[i] = std::max<std::int64_t>(co2[i], 1);
      best = std::min(best, co2[i]);
    }
    for (std::size_t i = 0; i < d.bids.size(); ++i)
      p.arcs.push_back({i, j, base[i] + core::Exact::fraction(20 * best, co2[i])});
  }
  print("national_bids", kBids, "bids");
  print("national_points", kPoints, "points");
  print("national_pairs", static_cast<double>(p.arcs.size()), "pairs");
  print("national_problem_build_time", secondsSince(start), "s");
  print("national_rss_before_solve", peakMegabytes(), "MB");

  const double rss_before = peakMegabytes();
  start = Clock::now();
  double cpu_start = cpuSeconds();
  const core::TransportSolution s = core::solveTransport(p);
  const double solve_s = secondsSince(start);
  const double solve_cpu_s = cpuSeconds() - cpu_start;
  print("national_solve_time", solve_s, "s");
  print("national_solve_cpu_time", solve_cpu_s, "s");
  print("national_solve_time_vs_target_2s", solve_s / 2.0, "ratio");
  print("national_solve_cpu_time_vs_target_2s", solve_cpu_s / 2.0, "ratio");
  print("national_pricing_rounds", s.certificate.pricing_rounds, "solves");
  print("national_pairs_in_last_solve", static_cast<double>(s.certificate.pairs_solved), "pairs");
  print("national_peak_rss_after_solve", peakMegabytes(), "MB");
  print("national_solve_peak_rss_growth", peakMegabytes() - rss_before, "MB");
  print("national_certificate_kind", static_cast<double>(s.certificate.kind), "0_scaled_1_scaled_exact_tight_2_exact");
  start = Clock::now();
  cpu_start = cpuSeconds();
  const std::vector<std::string> problems = core::checkCertificate(p, s);
  const double check_s = secondsSince(start);
  const double check_cpu_s = cpuSeconds() - cpu_start;
  print("national_certificate_check_time", check_s, "s");
  print("national_certificate_check_cpu_time", check_cpu_s, "s");
  print("national_certificate_check_vs_solve_cpu", check_cpu_s / solve_cpu_s, "ratio");
  print("national_peak_rss_after_check", peakMegabytes(), "MB");
  print("national_certificate_problems", static_cast<double>(problems.size()), "problems");
  for (const std::string& x : problems) std::printf("# %s\n", x.c_str());

  if (std::getenv("DPS_BENCH_SOLVE_ONLY") != nullptr) return;
  Totals t;
  t.optimal = s.total_score.toDouble();
  t.covered_optimal = core::Exact(s.covered).toDouble();
  start = Clock::now();
  compareWithFill(d, ctx, p, t);
  print("national_rank_fill_comparison_time", secondsSince(start), "s");
  printTotals("national", t);
  print("national_peak_rss", peakMegabytes(), "MB");
}

// Runs `fn` in a child process so that its ru_maxrss is its own.
int inChild(void (*fn)()) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    fn();
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  int rc = 0;
  if (only.empty() || only == "municipal") rc |= inChild(municipal);
  if (only.empty() || only == "national") rc |= inChild(national);
  return rc;
}
