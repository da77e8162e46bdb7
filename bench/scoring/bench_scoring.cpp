// Evaluates and awards a synthetic round of 2,000 lots x 60 bids x 40 delivery points with the
// criteria most DPS publish (price 60 relative to best, CO2 20 relative to best, freshness 10 on a
// linear band, organic label 10), lots spread over two worker threads as a server would.
// Lots allowing partial quantities are awarded by partial fill, the others to the best bid. Prints
// `name value unit` lines: wall time and, because the machine is shared, the process CPU time of
// the same run. `bench_scoring LOTS` runs a smaller round (for profiling).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <malloc.h>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/model.h"
#include "core/scoring.h"

namespace {

int lot_count = 2000;  // 2,000 unless given on the command line
constexpr int kBids = 60;
constexpr int kPoints = 40;

struct Round {
  std::vector<core::LotInput> lots;
  std::vector<std::vector<core::BidOnLot>> bids;  // per lot
  core::ScoringContext ctx;
};

core::Decimal microUnits(std::int64_t raw) { return core::Decimal::fromRaw(raw); }

Round makeRound() {
  std::mt19937_64 rng(20260301);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  auto around = [&](double centre, double spread) {
    return centre + spread * (static_cast<double>(uniform(-1000000, 1000000)) / 1e6);
  };

  Round round;
  round.ctx.criteria.resize(4);
  round.ctx.criteria[0].kind = core::CriterionKind::kPrice;
  round.ctx.criteria[0].formula = core::Formula::kRelativeToBest;
  round.ctx.criteria[0].weight = 60;
  round.ctx.criteria[1].kind = core::CriterionKind::kCo2;
  round.ctx.criteria[1].formula = core::Formula::kRelativeToBest;
  round.ctx.criteria[1].weight = 20;
  round.ctx.criteria[2].kind = core::CriterionKind::kFreshness;
  round.ctx.criteria[2].formula = core::Formula::kLinearBand;
  round.ctx.criteria[2].weight = 10;
  round.ctx.criteria[2].a = core::Decimal::fromInt(24);
  round.ctx.criteria[2].b = core::Decimal::fromInt(96);
  round.ctx.criteria[3].kind = core::CriterionKind::kLabel;
  round.ctx.criteria[3].formula = core::Formula::kYesNo;
  round.ctx.criteria[3].weight = 10;
  round.ctx.criteria[3].fact = "organic";
  round.ctx.vehicle_factors = {{"van", microUnits(250000)}, {"truck", microUnits(110000)},
                               {"electric_van", microUnits(60000)}};
  const char* vehicles[] = {"van", "truck", "electric_van"};

  // Schools around Kranj and its neighbours; farms within about 60 km.
  std::vector<core::GeoPoint> schools;
  for (int p = 0; p < kPoints; ++p) schools.push_back({around(46.24, 0.15), around(14.36, 0.2)});
  std::vector<core::GeoPoint> farms;
  for (int b = 0; b < kBids; ++b) farms.push_back({around(46.2, 0.5), around(14.4, 0.7)});

  for (int l = 0; l < lot_count; ++l) {
    core::LotInput lot;
    lot.round_id = 1;
    lot.lot_id = l + 1;
    lot.unit_mass_kg = microUnits(uniform(200000, 2000000));
    lot.allow_partial = l % 2 == 0;
    core::Decimal demand;
    for (int p = 0; p < kPoints; ++p) {
      const core::Decimal q = microUnits(uniform(5, 200) * core::Decimal::kOne);
      lot.points.push_back({p + 1, schools[static_cast<std::size_t>(p)], q});
      demand += q;
    }
    std::vector<core::BidOnLot> bids;
    for (int b = 0; b < kBids; ++b) {
      core::BidOnLot bid;
      bid.bid_id = static_cast<core::Id>(l) * kBids + b + 1;
      bid.supplier_id = b + 1;
      bid.submitted_at = core::TimePoint(std::chrono::seconds(1772355600 + uniform(0, 864000)));
      bid.dispatch = farms[static_cast<std::size_t>(b)];
      bid.line.lot_id = lot.lot_id;
      bid.line.unit_price = microUnits(uniform(80, 400) * 10000);  // 0.80 .. 4.00, whole cents
      bid.line.quantity = lot.allow_partial ? microUnits(demand.raw() / uniform(1, 4)) : demand;
      bid.line.dispatch_point_id = b + 1;
      bid.line.organic = uniform(0, 3) == 0;
      bid.line.hours_from_harvest = static_cast<int>(uniform(6, 120));
      bid.line.vehicle = vehicles[uniform(0, 2)];
      bids.push_back(std::move(bid));
    }
    round.lots.push_back(std::move(lot));
    round.bids.push_back(std::move(bids));
  }
  return round;
}

double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Outcome {
  double seconds = 0;
  double cpu_seconds = 0;
  std::size_t scores = 0;
  std::size_t award_lines = 0;
};

Outcome evaluateAndAward(const Round& round, int workers) {
  std::atomic<int> next{0};
  std::atomic<std::size_t> scores{0};
  std::atomic<std::size_t> award_lines{0};
  auto work = [&] {
    std::size_t my_scores = 0;
    std::size_t my_lines = 0;
    for (int l = next.fetch_add(1); l < lot_count; l = next.fetch_add(1)) {
      const auto& lot = round.lots[static_cast<std::size_t>(l)];
      const auto& bids = round.bids[static_cast<std::size_t>(l)];
      const core::LotEvaluation evaluation = core::evaluateLot(lot, bids, round.ctx);
      my_scores += evaluation.scores.size();
      const core::AwardMode mode = lot.allow_partial ? core::AwardMode::kPartialFill : core::AwardMode::kBestBid;
      my_lines += core::awardLot(lot, evaluation, bids, mode).size();
    }
    scores += my_scores;
    award_lines += my_lines;
  };
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpuSeconds();
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return {elapsed.count(), cpuSeconds() - cpu_start, scores.load(), award_lines.load()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) lot_count = std::max(1, std::atoi(argv[1]));
  const Round round = makeRound();
  const int workers = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 2u));

  // With glibc's default settings, a heap top above M_TRIM_THRESHOLD (128 KiB) is returned to the
  // kernel on free. One lot's records (about 150 KiB, most of it the explanation text of the CO2
  // scores) cross it, so every lot pays page faults to grow the heap again and, with two threads, a
  // TLB shootdown for each brk. First the round with those defaults, then as in a long-running
  // server whose heap stays in place (glibc itself raises the threshold after freeing a block
  // larger than 128 KiB; here it is set explicitly so that the figure does not depend on history).
  evaluateAndAward(round, workers);  // warm-up: page in the allocator and the data
  const Outcome defaults = evaluateAndAward(round, workers);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  evaluateAndAward(round, workers);
  const Outcome one = evaluateAndAward(round, 1);
  const Outcome all = evaluateAndAward(round, workers);

  const std::size_t expected = static_cast<std::size_t>(lot_count) * kBids * round.ctx.criteria.size();
  // Every lot is awarded: one line for best bid, at least one for partial fill.
  for (const Outcome* o : {&defaults, &one, &all}) {
    if (o->scores != expected || o->award_lines < static_cast<std::size_t>(lot_count) ||
        o->award_lines != all.award_lines) {
      std::fprintf(stderr, "unexpected outcome: %zu scores (expected %zu), %zu award lines (expected at least %d)\n",
                   o->scores, expected, o->award_lines, lot_count);
      return 1;
    }
  }
  const std::string name = "eval_award_round_" + std::to_string(lot_count) + "x" + std::to_string(kBids) + "x" +
                           std::to_string(kPoints);
  std::printf("%s %.3f s\n", name.c_str(), defaults.seconds);
  std::printf("%s_cpu %.3f s\n", name.c_str(), defaults.cpu_seconds);
  std::printf("scores_per_second %.0f 1/s\n", static_cast<double>(defaults.scores) / defaults.seconds);
  std::printf("scores_per_cpu_second %.0f 1/s\n", static_cast<double>(defaults.scores) / defaults.cpu_seconds);
  std::printf("%s_retained_heap %.3f s\n", name.c_str(), all.seconds);
  std::printf("%s_retained_heap_cpu %.3f s\n", name.c_str(), all.cpu_seconds);
  std::printf("%s_retained_heap_one_thread %.3f s\n", name.c_str(), one.seconds);
  std::printf("%s_retained_heap_one_thread_cpu %.3f s\n", name.c_str(), one.cpu_seconds);
  std::printf("award_lines %zu 1\n", all.award_lines);
  std::printf("workers %d 1\n", workers);
  return 0;
}
