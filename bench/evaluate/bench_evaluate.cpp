// Dispatch, opening, evaluation and award of one round through core::Engine and core::Store, as an
// officer runs them: a round of LOTS lots (each wanted at 10 schools and kindergartens) to which
// SUPPLIERS admitted farms are invited, each then bidding on every lot from its own dispatch point.
// Dispatch checks every farm's admission and suspension and writes its invitation and mail; opening
// decrypts and stores every bid's lines; evaluation reads the round's inputs, scores every bid on
// every lot and stores each score and ranking; the award (best bid per lot) stores the award lines.
// Each is one transaction holding the round's lock, so its length is how long the round is
// unavailable to everyone else. On SQLite always, on MariaDB when DPS_TEST_MYSQL_URI is set, where
// each statement is a round trip and the statements each step ran are counted too.
//
// Prints `name value unit` lines, e.g. `evaluate_sqlite_200_lots_evaluate_s 0.41 s`.
// Usage: bench_evaluate [lots, default 200] [suppliers, default 20] [sqlite|mysql|all, default all]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/support/engine_fixture.h"

namespace {

constexpr int kPoints = 10;

void print(const std::string& name, double value, const char* unit) {
  std::printf("%s %.3f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

void runBackend(const std::string& backend, int lot_count, int supplier_count) {
  ::setenv("DPS_TEST_BACKEND", backend.c_str(), 1);
  dps_test::EngineFixture f;
  const dps_test::DpsHandle dps = f.publishedDps();
  std::vector<dps_test::SupplierHandle> farms;
  for (int k = 0; k < supplier_count; ++k)
    farms.push_back(f.admittedSupplier("Kmetija " + std::to_string(k + 1), dps.categories[0], 0.01 * k, -0.007 * k));
  std::vector<core::Id> points;
  for (int p = 0; p < kPoints; ++p)
    points.push_back(f.deliveryPoint("OS-" + std::to_string(p + 1), 46.2 + 0.01 * p, 14.3 + 0.01 * p));
  f.startRounds();
  std::vector<core::Lot> lots;
  for (int n = 1; n <= lot_count; ++n) {
    core::Lot l = dps_test::EngineFixture::lot(n, points[0], std::to_string(100 + n));
    for (int p = 1; p < kPoints; ++p)
      l.demands.push_back({points[static_cast<std::size_t>(p)], core::Decimal::fromInt(20 + p), "weekly"});
    lots.push_back(l);
  }
  const core::Id round = f.createRound(dps, dps.categories[0], lots);
  const std::string prefix = "evaluate_" + backend + "_" + std::to_string(lot_count) + "_lots_";
  const auto step = [&](const std::string& name, const std::function<void()>& run) {
    const double before = f.statementsSoFar();
    const auto t0 = std::chrono::steady_clock::now();
    run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double after = f.statementsSoFar();
    print(prefix + name + "_s", seconds, "s");
    // Less the probe's own two (the second SHOW and the first one's COMMIT).
    if (before >= 0) print(prefix + name + "_statements", after - before - 2, "statements");
  };
  step("dispatch", [&] { f.dispatch(round); });
  const std::vector<core::Lot> stored = f.lots(round);
  for (std::size_t k = 0; k < farms.size(); ++k) {
    std::vector<core::BidLine> lines;
    for (const core::Lot& l : stored) {
      core::Decimal total = core::Decimal::fromInt(0);
      for (const core::Demand& d : l.demands) total = total + d.quantity;
      // Between 5.00 and 5.13 a kg: close enough that no bid is abnormally low (that would hold up the award).
      const std::string price = "5." + std::to_string(static_cast<int>((k * 7 + static_cast<std::size_t>(l.number)) % 13)) +
                                std::to_string(k % 10);
      lines.push_back(dps_test::EngineFixture::bidLine(l.id, price, total.toString(), farms[k], k % 2 ? "van" : "truck",
                                                       12 + static_cast<int>(k % 5) * 12, k % 3 == 0));
    }
    f.bid(farms[k], round, lines);
  }
  f.passDeadline(round);

  print(prefix + "bid_lines", static_cast<double>(lot_count) * supplier_count, "lines");
  step("open", [&] { f.engine->openRound(f.officer, round); });
  step("evaluate", [&] { f.engine->evaluateRound(f.officer, round); });
  step("award", [&] { f.engine->awardRound(f.officer, round); });
  const std::size_t scores = f.scores(round).size();
  print(prefix + "scores_stored", static_cast<double>(scores), "scores");
}

}  // namespace

int main(int argc, char** argv) {
  const int lot_count = argc > 1 ? std::atoi(argv[1]) : 200;
  const int supplier_count = argc > 2 ? std::atoi(argv[2]) : 20;
  const std::string which = argc > 3 ? argv[3] : "all";
  if (lot_count < 1 || supplier_count < 1 || (which != "all" && which != "sqlite" && which != "mysql")) {
    std::fprintf(stderr, "usage: bench_evaluate [lots >= 1] [suppliers >= 1] [sqlite|mysql|all]\n");
    return 2;
  }
  try {
    if (which != "mysql") runBackend("sqlite", lot_count, supplier_count);
    if (which != "sqlite") {
      const char* uri = std::getenv("DPS_TEST_MYSQL_URI");
      if (uri == nullptr || *uri == '\0')
        std::fprintf(stderr, "bench_evaluate: MariaDB skipped: DPS_TEST_MYSQL_URI is not set (source build/mariadb/env)\n");
      else
        runBackend("mysql", lot_count, supplier_count);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_evaluate: %s\n", e.what());
    return 1;
  }
  return 0;
}
