// Export and validation of an evaluation report of 10,000 lot results (2,000 lots x 5 bids, four
// criteria each) from a SQLite store, against the raw Xerces-C serialisation of the same DOM in the
// same run (the ceiling: no store reads, no building, no validation). The export streams the
// document (no DOM) into a validating parser on a second thread. Prints `name value unit` lines:
// wall and CPU time (the machine may be shared: both are given), peak memory of the export alone,
// and the ratio of the two rates.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/scoring.h"
#include "core/store.h"
#include "reports/builders.h"
#include "reports/documents.h"
#include "reports/xml.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kLots = 2000;
constexpr int kBidsPerLot = 5;
constexpr int kPoints = 4;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Resident set now and its peak since resetPeak(), in kB (Linux /proc/self/status VmRSS, VmHWM).
long statusKb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return 0;
}

// Resets the peak resident set to the current one, so that a phase's own peak can be read.
bool resetPeak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

core::Criterion criterion(core::CriterionKind kind, core::Formula formula, int weight) {
  core::Criterion c;
  c.kind = kind;
  c.formula = formula;
  c.weight = weight;
  return c;
}

// A round evaluated by core::evaluateLot and stored as the engine stores it.
core::Id buildRound(core::Store& store) {
  core::Id round_id = 0;
  store.transact([&](core::Tx& tx) {
    core::Authority a;
    a.name = "Mestna občina Kranj";
    const core::Id authority = tx.insertAuthority(a);
    core::Dps d;
    d.authority_id = authority;
    d.reference = "BENCH-DPS";
    d.title = "Benchmark DPS";
    d.cpv = "15000000";
    d.status = core::DpsStatus::kOperating;
    d.criteria_version = 1;
    d.vehicle_factors = {{"van", core::Decimal::parse("0.55")}, {"truck", core::Decimal::parse("0.12")}};
    d.id = tx.insertDps(d);
    std::vector<core::Criterion> criteria{
        criterion(core::CriterionKind::kPrice, core::Formula::kRelativeToBest, 60),
        criterion(core::CriterionKind::kCo2, core::Formula::kRelativeToBest, 20),
        criterion(core::CriterionKind::kFreshness, core::Formula::kLinearBand, 10),
        criterion(core::CriterionKind::kLabel, core::Formula::kYesNo, 10)};
    criteria[2].a = core::Decimal::fromInt(12);
    criteria[2].b = core::Decimal::fromInt(72);
    criteria[3].fact = "organic_or_quality";
    tx.insertCriteria(d.id, 1, criteria);
    core::Category c;
    c.dps_id = d.id;
    c.code = "VEG";
    c.name = "Vegetables";
    c.cpv = "03221000";
    const core::Id category = tx.insertCategory(c);

    std::vector<core::DeliveryPoint> points;
    for (int p = 0; p < kPoints; ++p) {
      core::DeliveryPoint dp;
      dp.authority_id = authority;
      dp.code = "OS-" + std::to_string(p);
      dp.name = "School kitchen " + std::to_string(p);
      dp.location = {46.24 + 0.01 * p, 14.35 + 0.012 * p};
      dp.id = tx.insertDeliveryPoint(dp);
      points.push_back(dp);
    }
    std::vector<core::Supplier> suppliers;
    for (int s = 0; s < 40; ++s) {
      core::Supplier sup;
      sup.name = "Kmetija " + std::to_string(s);
      sup.tax_number = "SI" + std::to_string(20000000 + s);
      core::DispatchPoint dp;
      dp.name = "farm";
      dp.location = {46.1 + 0.007 * s, 14.2 + 0.009 * s};
      sup.dispatch_points.push_back(dp);
      sup.id = tx.insertSupplier(sup);
      suppliers.push_back(*tx.getSupplier(sup.id));
    }
    core::Round r;
    r.dps_id = d.id;
    r.category_id = category;
    r.reference = "BENCH-DPS/R1";
    r.title = "Benchmark round";
    r.status = core::RoundStatus::kEvaluated;
    r.criteria_version = 1;
    r.dispatched_at = core::parseTime("2026-02-16T08:00:00Z");
    r.deadline = core::parseTime("2026-02-26T22:59:59Z");
    r.opened_at = core::parseTime("2026-02-26T23:00:00Z");
    round_id = r.id = tx.insertRound(r);

    core::ScoringContext ctx;
    ctx.criteria = criteria;
    ctx.vehicle_factors = d.vehicle_factors;
    std::vector<core::Id> bid_ids;
    for (int b = 0; b < kBidsPerLot; ++b) {
      core::Bid bid;
      bid.round_id = r.id;
      bid.supplier_id = suppliers[static_cast<std::size_t>(b)].id;
      bid.submitted_at = core::parseTime("2026-02-20T10:00:00Z") + std::chrono::seconds(b);
      bid.digest = std::string(64, static_cast<char>('a' + b));
      bid_ids.push_back(tx.insertBid(bid));
    }
    std::vector<std::vector<core::BidLine>> lines(kBidsPerLot);
    for (int l = 0; l < kLots; ++l) {
      core::Lot lot;
      lot.round_id = r.id;
      lot.number = l + 1;
      lot.cpv = "03221000";
      lot.description = "Lot " + std::to_string(l + 1) + ": seasonal vegetables";
      for (const core::DeliveryPoint& p : points)
        lot.demands.push_back({p.id, core::Decimal::fromInt(50 + (l % 7) * 10), "weekly"});
      lot.id = tx.insertLot(lot);
      core::LotInput in;
      in.round_id = r.id;
      in.lot_id = lot.id;
      for (const core::Demand& dm : lot.demands)
        for (const core::DeliveryPoint& p : points)
          if (p.id == dm.delivery_point_id) in.points.push_back({p.id, p.location, dm.quantity});
      std::vector<core::BidOnLot> bids;
      for (int b = 0; b < kBidsPerLot; ++b) {
        const core::Supplier& s = suppliers[static_cast<std::size_t>(b)];
        core::BidOnLot on;
        on.bid_id = bid_ids[static_cast<std::size_t>(b)];
        on.supplier_id = s.id;
        on.submitted_at = core::parseTime("2026-02-20T10:00:00Z") + std::chrono::seconds(b);
        on.dispatch = s.dispatch_points.front().location;
        on.line.lot_id = lot.id;
        on.line.unit_price = core::Decimal::fromRaw(1'500'000 + ((l * 37 + b * 113) % 900) * 1000);
        on.line.quantity = core::Decimal::fromInt(10000);
        on.line.dispatch_point_id = s.dispatch_points.front().id;
        on.line.organic = (l + b) % 3 == 0;
        on.line.hours_from_harvest = 12 + (l + b * 7) % 50;
        on.line.vehicle = b % 2 == 0 ? "van" : "truck";
        lines[static_cast<std::size_t>(b)].push_back(on.line);
        bids.push_back(on);
      }
      const core::LotEvaluation ev = core::evaluateLot(in, bids, ctx);
      tx.insertScores(ev.scores);
      tx.insertLotResults(ev.results);
    }
    for (int b = 0; b < kBidsPerLot; ++b) tx.insertBidLines(bid_ids[static_cast<std::size_t>(b)], lines[static_cast<std::size_t>(b)]);
  });
  return round_id;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : (std::filesystem::temp_directory_path() / ("dps-bench-reports-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/bench.sqlite";
  std::filesystem::remove(db);
  std::unique_ptr<core::Store> store = core::openStore("sqlite:" + db);
  store->migrate();
  const auto t_setup = Clock::now();
  const core::Id round_id = buildRound(*store);
  std::cout << "setup_round_10000_results " << seconds(Clock::now() - t_setup) << " s\n";

  reports::ExportOptions options;
  options.generated_at = core::parseTime("2026-03-20T10:00:00Z");
  reports::xml::Schema::load(reports::detail::schemaPath(options.schema_dir));  // loaded once per process

  const bool peak_reset = resetPeak();
  const long rss_before = statusKb("VmRSS");
  double best_export = 1e300;
  double best_export_cpu = 1e300;
  std::string xml;
  for (int run = 0; run < 3; ++run) {
    xml.clear();
    xml.shrink_to_fit();
    const double c0 = cpuSeconds();
    const auto t0 = Clock::now();
    xml = reports::exportDocument(*store, reports::DocumentKind::kEvaluation, round_id, options);
    best_export = std::min(best_export, seconds(Clock::now() - t0));
    best_export_cpu = std::min(best_export_cpu, cpuSeconds() - c0);
  }
  const long rss_export_peak = statusKb("VmHWM");
  const std::size_t bytes = xml.size();

  // The ceiling: the same document as a DOM (built by the same code), serialised by Xerces-C alone.
  std::unique_ptr<reports::xml::Document> doc;
  const auto t_build = Clock::now();
  store->transact([&](core::Tx& tx) {
    doc = reports::detail::buildDocument(tx, reports::DocumentKind::kEvaluation, round_id, options.generated_at);
  });
  const double build = seconds(Clock::now() - t_build);
  double best_raw = 1e300;
  double best_raw_cpu = 1e300;
  std::string raw;
  for (int run = 0; run < 3; ++run) {
    const double c0 = cpuSeconds();
    const auto t0 = Clock::now();
    raw = reports::xml::serialise(*doc, options.pretty);
    best_raw = std::min(best_raw, seconds(Clock::now() - t0));
    best_raw_cpu = std::min(best_raw_cpu, cpuSeconds() - c0);
  }
  doc.reset();
  if (raw != xml) {
    std::cerr << "the streamed export differs from the serialised DOM of the same document\n";
    return 1;
  }
  const auto t_validate = Clock::now();
  const std::vector<std::string> problems =
      reports::xml::Schema::load(reports::detail::schemaPath(options.schema_dir))->validate(raw, "bench");
  const double validate = seconds(Clock::now() - t_validate);
  if (!problems.empty()) {
    std::cerr << "the benchmark document is not valid: " << problems.front() << "\n";
    return 1;
  }

  const double mb = static_cast<double>(bytes) / 1e6;
  const double raw_rate = static_cast<double>(raw.size()) / 1e6 / best_raw;
  std::cout << "evaluation_lot_results " << kLots * kBidsPerLot << " results\n";
  std::cout << "evaluation_document_size " << mb << " MB\n";
  std::cout << "export_validate_time " << best_export << " s\n";
  std::cout << "export_validate_cpu " << best_export_cpu << " s\n";
  std::cout << "export_validate_rate " << mb / best_export << " MB/s\n";
  std::cout << "export_validate_cpu_rate " << mb / best_export_cpu << " MB/s\n";
  std::cout << "dom_build_for_ceiling " << build << " s\n";
  std::cout << "raw_xerces_serialise_time " << best_raw << " s\n";
  std::cout << "raw_xerces_serialise_cpu " << best_raw_cpu << " s\n";
  std::cout << "validate_alone_time " << validate << " s\n";
  std::cout << "raw_xerces_serialise_rate " << raw_rate << " MB/s\n";
  if (peak_reset) {
    std::cout << "export_peak_rss " << static_cast<double>(rss_export_peak) / 1024.0 << " MB\n";
    std::cout << "export_peak_rss_growth " << static_cast<double>(rss_export_peak - rss_before) / 1024.0 << " MB\n";
  }
  std::cout << "ratio_export_vs_raw_serialise " << (mb / best_export) / raw_rate << " (target >= 0.5)\n";
  std::cout << "ratio_export_vs_raw_serialise_cpu " << (mb / best_export_cpu) / (static_cast<double>(raw.size()) / 1e6 / best_raw_cpu)
            << " (CPU time of both)\n";
  std::filesystem::remove_all(dir);
  return 0;
}
