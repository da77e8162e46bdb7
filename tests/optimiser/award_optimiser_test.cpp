// A round awarded through core::Engine in award mode optimal_by_delivery_point with the optimiser of
// core/optimiser/award_optimiser.h: award lines per (supplier, point) that are optimal against an
// exhaustive search over the stored per-point scores, the certificate stored with the decision, open
// demand, the minimum-lot rule, the adapter's refusal of an evaluation that does not fit the lot, and
// the same round on SQLite and on MariaDB giving the same award. Registered twice (tests/optimiser/
// CMakeLists.txt): on SQLite and on MariaDB (DPS_TEST_BACKEND=mysql); the MariaDB run and the
// cross-store case are skipped without DPS_TEST_MYSQL_URI, except under CI=true, where they fail.

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/optimiser/award_optimiser.h"
#include "tests/support/engine_fixture.h"

namespace core {
inline std::ostream& boost_test_print_type(std::ostream& os, const Exact& e) { return os << e.toString(); }
inline std::ostream& boost_test_print_type(std::ostream& os, const Decimal& d) { return os << d.toString(); }
}  // namespace core

using core::Decimal;
using core::Exact;
using dps_test::EngineFixture;

namespace {

// Skips a suite or case whose store cannot run here (never under CI=true: the fixture then fails).
boost::test_tools::assertion_result backendReady(boost::unit_test::test_unit_id) {
  const std::string why = dps_test::backendUnavailableReason();
  if (why.empty() || dps_test::underCi()) return true;
  boost::test_tools::assertion_result skipped(false);
  skipped.message() << why;
  return skipped;
}

boost::test_tools::assertion_result mariadbReady(boost::unit_test::test_unit_id) {
  const char* uri = std::getenv("DPS_TEST_MYSQL_URI");
  if ((uri != nullptr && *uri != '\0') || dps_test::underCi()) return true;
  boost::test_tools::assertion_result skipped(false);
  skipped.message() << "comparing SQLite with MariaDB needs DPS_TEST_MYSQL_URI (source build/mariadb/env after "
                       "scripts/mariadb.sh start): skipped";
  return skipped;
}

// Sets DPS_TEST_BACKEND for the fixtures made while it lives, and restores it after.
class BackendScope {
 public:
  explicit BackendScope(const char* backend) {
    const char* old = std::getenv("DPS_TEST_BACKEND");
    had_ = old != nullptr;
    if (had_) saved_ = old;
    ::setenv("DPS_TEST_BACKEND", backend, 1);
  }
  ~BackendScope() {
    if (had_)
      ::setenv("DPS_TEST_BACKEND", saved_.c_str(), 1);
    else
      ::unsetenv("DPS_TEST_BACKEND");
  }
  BackendScope(const BackendScope&) = delete;
  BackendScope& operator=(const BackendScope&) = delete;

 private:
  bool had_ = false;
  std::string saved_;
};

// The fixture with an engine that has the award optimiser.
struct OptimiserFixture : EngineFixture {
  std::unique_ptr<core::AwardOptimiser> optimiser = core::makeAwardOptimiser();
  OptimiserFixture() { engine = std::make_unique<core::Engine>(*store, clock, calendars, sealer, optimiser.get()); }
};

struct Scene {
  dps_test::DpsHandle dps;
  core::Id near_school = 0;  // next to Kranj, where the suppliers are
  core::Id far_school = 0;   // about 15 km west
  std::vector<dps_test::SupplierHandle> suppliers;
  core::Id round = 0;
  core::Id lot = 0;
};

// Two schools, three admitted suppliers: A at Kranj, B near the far school, C in between; with
// `fourth`, also D at B's place.
Scene scene(OptimiserFixture& f, const std::string& near_demand, const std::string& far_demand,
            const std::string& min_delivery = "0", bool fourth = false) {
  Scene s;
  s.dps = f.publishedDps();
  s.suppliers.push_back(f.admittedSupplier("Kmetija A", s.dps.categories[0], 0.0, 0.0));
  s.suppliers.push_back(f.admittedSupplier("Kmetija B", s.dps.categories[0], 0.02, -0.18));
  s.suppliers.push_back(f.admittedSupplier("Kmetija C", s.dps.categories[0], 0.01, -0.09));
  if (fourth) s.suppliers.push_back(f.admittedSupplier("Kmetija D", s.dps.categories[0], 0.02, -0.18));
  s.near_school = f.deliveryPoint("OS-NEAR", 46.2389, 14.3556);
  s.far_school = f.deliveryPoint("OS-FAR", 46.2600, 14.1700);
  core::Lot lot = EngineFixture::lot(1, s.near_school, near_demand);
  lot.demands.push_back({s.far_school, Decimal::parse(far_demand), "weekly"});
  lot.min_delivery = Decimal::parse(min_delivery);
  s.round = f.createRound(s.dps, s.dps.categories[0], {lot}, core::AwardMode::kOptimalByDeliveryPoint, true);
  s.lot = f.lots(s.round).at(0).id;
  f.startRounds();
  f.dispatch(s.round);
  return s;
}

void bid(OptimiserFixture& f, const Scene& s, int supplier, const std::string& price, const std::string& quantity,
         std::vector<core::PointOffer> offers = {}) {
  const dps_test::SupplierHandle& sup = s.suppliers.at(static_cast<std::size_t>(supplier));
  f.clock.advance(std::chrono::minutes(1));
  core::BidLine line = EngineFixture::bidLine(s.lot, price, quantity, sup);
  line.point_offers = std::move(offers);
  f.bid(sup, s.round, {line});
}

struct Pair {
  core::Id bid = 0;
  core::Id point = 0;
};

// Exhaustive search in steps of `step` kg (every quantity of the scene is a multiple of it, so an
// optimum exists on that grid): the best (covered, score) over all allocations.
std::pair<std::int64_t, Exact> exhaustive(const std::map<std::pair<core::Id, core::Id>, Exact>& score,
                                          const std::map<core::Id, std::int64_t>& capacity,
                                          const std::map<core::Id, std::int64_t>& demand, std::int64_t step) {
  std::vector<std::pair<core::Id, core::Id>> pairs;
  for (const auto& [k, v] : score) pairs.push_back(k);
  std::map<core::Id, std::int64_t> cap_left = capacity, dem_left = demand;
  std::pair<std::int64_t, Exact> best{-1, Exact()};
  std::int64_t covered = 0;
  Exact total;
  std::function<void(std::size_t)> go = [&](std::size_t k) {
    if (k == pairs.size()) {
      if (covered > best.first || (covered == best.first && total > best.second)) best = {covered, total};
      return;
    }
    const auto [b, p] = pairs[k];
    for (std::int64_t q = 0; q <= std::min(cap_left[b], dem_left[p]); q += step) {
      cap_left[b] -= q;
      dem_left[p] -= q;
      covered += q;
      const Exact saved = total;
      total = total + Exact(q) * score.at(pairs[k]);
      go(k + 1);
      total = saved;
      cap_left[b] += q;
      dem_left[p] += q;
      covered -= q;
    }
  };
  go(0);
  return best;
}

// Per-point scores as the engine stored them.
std::map<std::pair<core::Id, core::Id>, Exact> storedScores(OptimiserFixture& f, core::Id round) {
  std::map<std::pair<core::Id, core::Id>, Exact> out;
  for (const core::LotResult& r : f.results(round))
    if (r.delivery_point_id != 0 && r.admissible) out[{r.bid_id, r.delivery_point_id}] = r.total;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(award_optimiser, *boost::unit_test::precondition(backendReady))

BOOST_AUTO_TEST_CASE(round_is_awarded_per_point_with_the_optimal_allocation_and_its_certificate) {
  OptimiserFixture f;
  const Scene s = scene(f, "100", "80");
  bid(f, s, 0, "2.00", "120");
  bid(f, s, 1, "2.10", "100");
  bid(f, s, 2, "2.05", "60", {{s.far_school, Decimal::parse("30")}});
  f.openAndEvaluate(s.round);
  const core::AwardDecision decision = f.engine->awardRound(f.officer, s.round);

  BOOST_TEST(decision.certificate.find("lot 1") != std::string::npos);
  BOOST_TEST(decision.certificate.find("proven_optimal") != std::string::npos);
  std::optional<core::AwardDecision> stored;
  f.store->transact([&](core::Tx& tx) { stored = tx.getAwardDecision(s.round); });
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->certificate == decision.certificate);

  const std::vector<core::AwardLine> lines = f.awardLines(s.round);
  BOOST_REQUIRE(!lines.empty());
  const auto scores = storedScores(f, s.round);
  std::map<core::Id, Decimal> per_point;
  std::map<core::Id, Decimal> per_bid;
  std::int64_t covered = 0;
  Exact total;
  for (const core::AwardLine& l : lines) {
    BOOST_REQUIRE(l.delivery_point_id.has_value());
    per_point[*l.delivery_point_id] += l.quantity;
    per_bid[l.bid_id] += l.quantity;
    BOOST_TEST(l.score == scores.at({l.bid_id, *l.delivery_point_id}));
    BOOST_REQUIRE_EQUAL(l.quantity.raw() % Decimal::kOne, 0);
    covered += l.quantity.raw() / Decimal::kOne;
    total = total + Exact(l.quantity) * l.score;
  }
  BOOST_TEST(per_point[s.near_school] == Decimal::parse("100"));
  BOOST_TEST(per_point[s.far_school] == Decimal::parse("80"));

  std::map<core::Id, std::int64_t> capacity;
  std::map<core::Id, core::Id> bid_of_supplier;
  for (const core::Bid& b : f.bids(s.round)) bid_of_supplier[b.supplier_id] = b.id;
  capacity[bid_of_supplier[s.suppliers[0].id]] = 120;
  capacity[bid_of_supplier[s.suppliers[1].id]] = 100;
  capacity[bid_of_supplier[s.suppliers[2].id]] = 60;
  for (const auto& [b, q] : per_bid) BOOST_TEST(q.raw() <= capacity.at(b) * Decimal::kOne);
  BOOST_TEST(per_bid[bid_of_supplier[s.suppliers[2].id]] <= Decimal::parse("60"));
  Decimal c_far;
  for (const core::AwardLine& l : lines)
    if (l.bid_id == bid_of_supplier[s.suppliers[2].id] && *l.delivery_point_id == s.far_school) c_far += l.quantity;
  BOOST_TEST(c_far <= Decimal::parse("30"));

  // C's cap of 30 at the far school is a per-pair limit the exhaustive search must respect too:
  // model it as a separate pseudo-point capacity by searching with C's far score only up to 30.
  auto limited = scores;
  const auto best = [&] {
    std::pair<std::int64_t, Exact> b{-1, Exact()};
    for (std::int64_t c_far_q = 0; c_far_q <= 30; c_far_q += 10) {
      auto sc = limited;
      sc.erase({bid_of_supplier[s.suppliers[2].id], s.far_school});
      auto cap = capacity;
      cap[bid_of_supplier[s.suppliers[2].id]] -= c_far_q;
      std::map<core::Id, std::int64_t> demand{{s.near_school, 100}, {s.far_school, 80 - c_far_q}};
      auto r = exhaustive(sc, cap, demand, 10);
      r.first += c_far_q;
      r.second = r.second + Exact(c_far_q) * limited.at({bid_of_supplier[s.suppliers[2].id], s.far_school});
      if (r.first > b.first || (r.first == b.first && r.second > b.second)) b = r;
    }
    return b;
  }();
  BOOST_TEST(covered == best.first);
  BOOST_TEST(total == best.second);
}

BOOST_AUTO_TEST_CASE(demand_no_bid_can_cover_stays_open_and_the_rest_is_awarded) {
  OptimiserFixture f;
  const Scene s = scene(f, "100", "80");
  bid(f, s, 0, "2.00", "50");
  bid(f, s, 1, "2.10", "40", {{s.far_school, Decimal::parse("40")}});
  f.openAndEvaluate(s.round);
  f.engine->awardRound(f.officer, s.round);
  Decimal near, far;
  for (const core::AwardLine& l : f.awardLines(s.round)) (*l.delivery_point_id == s.near_school ? near : far) += l.quantity;
  BOOST_TEST(near + far == Decimal::parse("90"));
  BOOST_TEST(near <= Decimal::parse("50"));
  BOOST_TEST((f.round(s.round).status == core::RoundStatus::kAwarded), "the round is awarded despite open demand");
}

BOOST_AUTO_TEST_CASE(minimum_delivery_is_respected_by_the_engine_award) {
  OptimiserFixture f;
  const Scene s = scene(f, "100", "80", "40");
  bid(f, s, 0, "2.00", "130");
  bid(f, s, 1, "2.10", "100");
  bid(f, s, 2, "1.90", "30");  // cheapest, but below the minimum delivery of 40 anywhere
  f.openAndEvaluate(s.round);
  const core::AwardDecision d = f.engine->awardRound(f.officer, s.round);
  BOOST_TEST(d.certificate.find("mixed_integer") != std::string::npos);
  Decimal covered;
  for (const core::AwardLine& l : f.awardLines(s.round)) {
    BOOST_TEST(l.quantity >= Decimal::parse("40"));
    covered += l.quantity;
  }
  BOOST_TEST(covered == Decimal::parse("180"));
}

BOOST_AUTO_TEST_CASE(adapter_refuses_an_evaluation_of_other_points) {
  core::Lot lot;
  lot.id = 3;
  lot.number = 1;
  lot.demands.push_back({11, Decimal::parse("10"), ""});
  core::BidOnLot b;
  b.bid_id = 5;
  b.supplier_id = 6;
  b.line.lot_id = 3;
  b.line.quantity = Decimal::parse("10");
  core::LotEvaluation e;
  core::LotResult r;
  r.bid_id = 5;
  r.delivery_point_id = 12;  // not a point of the lot
  r.rank = 1;
  r.total = Exact(50);
  e.results.push_back(r);
  std::string certificate;
  std::vector<std::string> unmet;
  const auto optimiser = core::makeAwardOptimiser();
  BOOST_CHECK_THROW(optimiser->allocate(lot, {b}, {e}, certificate, unmet), core::Error);
  e.results[0].delivery_point_id = 11;
  const std::vector<core::AwardLine> lines = optimiser->allocate(lot, {b}, {e}, certificate, unmet);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(lines[0].quantity == Decimal::parse("10"));
  BOOST_TEST(lines[0].delivery_point_id.value() == 11);
  BOOST_TEST(unmet.empty());
  BOOST_TEST(certificate.find("proven_optimal") != std::string::npos);
}

// The same round, bid for at the same (fixture) times, awarded on SQLite and on MariaDB: the award
// lines are the same, named by supplier and school since the stores number rows on their own.
// Four suppliers, two of them with equal prices from one place, so that the tie rule decides too.
struct StoreOutcome {
  std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>> lines;
  std::string totals;  // the certificate's "covered" and "total_score" lines
};

StoreOutcome awardOn(const char* backend) {
  std::unique_ptr<OptimiserFixture> f;
  {
    const BackendScope scope(backend);
    f = std::make_unique<OptimiserFixture>();
  }
  BOOST_TEST_MESSAGE("awarding on " << backend << " (" << f->store_uri << ")");
  const Scene s = scene(*f, "150", "90", "0", true);
  bid(*f, s, 0, "2.00", "70");
  bid(*f, s, 1, "2.10", "60", {{s.near_school, Decimal::parse("20")}});  // near school only, 20
  bid(*f, s, 2, "2.05", "50");
  bid(*f, s, 3, "2.10", "60");  // as B, from the same place: equal scores at the near school
  f->openAndEvaluate(s.round);
  const core::AwardDecision decision = f->engine->awardRound(f->officer, s.round);
  std::map<core::Id, std::string> supplier;
  for (std::size_t k = 0; k < s.suppliers.size(); ++k) supplier[s.suppliers[k].id] = "supplier " + std::to_string(k);
  const std::map<core::Id, std::string> point{{s.near_school, "near"}, {s.far_school, "far"}};
  StoreOutcome out;
  for (const core::AwardLine& l : f->awardLines(s.round)) {
    BOOST_REQUIRE(l.delivery_point_id.has_value());
    out.lines.emplace_back(supplier.at(l.supplier_id), point.at(*l.delivery_point_id), l.quantity.toString(),
                           l.unit_price.toString(), l.score.toString());
  }
  std::sort(out.lines.begin(), out.lines.end());
  for (const std::string key : {"\ncovered ", "\ntotal_score "}) {
    const std::size_t at = decision.certificate.find(key);
    BOOST_REQUIRE(at != std::string::npos);
    out.totals += decision.certificate.substr(at + 1, decision.certificate.find('\n', at + 1) - at);
  }
  return out;
}

BOOST_AUTO_TEST_CASE(same_round_on_sqlite_and_mariadb_gives_identical_award_lines,
                     *boost::unit_test::precondition(mariadbReady)) {
  const StoreOutcome on_sqlite = awardOn("sqlite");
  const StoreOutcome on_mariadb = awardOn("mysql");
  BOOST_REQUIRE(!on_sqlite.lines.empty());
  // B offers the near school only (20), so 30 of the far school's 90 stay open: 200 of 240.
  BOOST_TEST(on_sqlite.totals.find("covered 200\n") != std::string::npos, on_sqlite.totals);
  BOOST_TEST(on_sqlite.lines.size() == 4u);
  BOOST_REQUIRE_EQUAL(on_sqlite.lines.size(), on_mariadb.lines.size());
  for (std::size_t k = 0; k < on_sqlite.lines.size(); ++k) {
    const auto& [sa, pa, qa, ua, ca] = on_sqlite.lines[k];
    const auto& [sb, pb, qb, ub, cb] = on_mariadb.lines[k];
    BOOST_TEST(sa == sb);
    BOOST_TEST(pa == pb);
    BOOST_TEST(qa == qb, sa << " at " << pa);
    BOOST_TEST(ua == ub);
    BOOST_TEST(ca == cb, sa << " at " << pa);
  }
  BOOST_TEST(on_sqlite.totals == on_mariadb.totals);
}

BOOST_AUTO_TEST_SUITE_END()
