#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/model.h"
#include "core/scoring.h"
#include "tests/scoring/fixtures.h"

namespace {

using core::CriterionKind;
using core::ErrorCode;
using core::Formula;
using core::GeoPoint;
using scoring_fixture::at;
using scoring_fixture::bandTable;
using scoring_fixture::bid;
using scoring_fixture::criterion;
using scoring_fixture::dec;
using scoring_fixture::errorOf;
using scoring_fixture::label;
using scoring_fixture::linearBand;
using scoring_fixture::lot;
using scoring_fixture::point;
using scoring_fixture::priceAndOrganic;
using scoring_fixture::rankedIds;
using scoring_fixture::resultOf;
using scoring_fixture::scoreOf;

constexpr GeoPoint kKranj{46.2389, 14.3556};
constexpr GeoPoint kLjubljana{46.0569, 14.5058};

core::Criterion priceRelative(int weight) {
  return criterion(CriterionKind::kPrice, Formula::kRelativeToBest, weight);
}

core::ScoringContext context(std::vector<core::Criterion> criteria) {
  core::ScoringContext ctx;
  ctx.criteria = std::move(criteria);
  ctx.vehicle_factors = {{"van", dec("0.2")}, {"truck", dec("0.1")}};
  return ctx;
}

// A road-distance matrix keyed by (dispatch point, delivery point); pairs not listed fall back to haversine.
core::RoadDistanceFn matrix(std::map<std::pair<core::Id, core::Id>, const char*> km) {
  return [km = std::move(km)](core::Id from, core::Id to) -> std::optional<core::Decimal> {
    const auto it = km.find({from, to});
    if (it == km.end()) return std::nullopt;
    return dec(it->second);
  };
}

std::string pointsOf(const core::LotEvaluation& e, core::Id bid_id, CriterionKind kind) {
  return scoreOf(e, bid_id, kind).points.toString();
}

std::vector<core::Id> ids(std::initializer_list<core::Id> list) { return list; }

}  // namespace

BOOST_AUTO_TEST_SUITE(scoring)

BOOST_AUTO_TEST_CASE(kranj_to_ljubljana_great_circle_is_23_312_km_to_the_metre) {
  // Independent check by the spherical law of cosines with R = 6371.0088 km:
  // cos c = sin(46.2389°) sin(46.0569°) + cos(46.2389°) cos(46.0569°) cos(0.1502°) gives
  // R c = 23.3117819 km, i.e. 23 311.78 m, which rounds to 23.312 km.
  BOOST_TEST(core::haversineKm(kKranj, kLjubljana).toString() == "23.312");
  BOOST_TEST(core::haversineKm(kLjubljana, kKranj).toString() == "23.312");
  BOOST_TEST(core::haversineKm(kKranj, kKranj).toString() == "0");
  // Along a meridian the arc is R * Δφ: 6371.0088 km * 0.1° * π/180 = 11.1195080 km -> 11 120 m.
  BOOST_TEST(core::haversineKm({46.1, 14.4}, {46.2, 14.4}).toString() == "11.12");
}

BOOST_AUTO_TEST_CASE(coordinates_outside_wgs84_ranges_are_refused) {
  const std::string message =
      errorOf([] { core::haversineKm({91.0, 14.0}, kKranj); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(message.find("latitude") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(price_relative_to_best_gives_best_full_weight_and_others_in_proportion) {
  const auto e = core::evaluateLot(lot({point(1, "100")}), {bid(1, "2.00"), bid(2, "2.40"), bid(3, "3.00")},
                                   context(priceAndOrganic(priceRelative(60), 40)));
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kPrice) == "60");
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kPrice) == "50");  // 60 * 2.00 / 2.40 = 50
  BOOST_TEST(pointsOf(e, 3, CriterionKind::kPrice) == "40");  // 60 * 2.00 / 3.00 = 40
  BOOST_TEST(scoreOf(e, 2, CriterionKind::kPrice).inputs == "value=2.4;best=2;weight=60");
  BOOST_TEST(scoreOf(e, 2, CriterionKind::kPrice).value.toString() == "12/5");
  BOOST_TEST(scoreOf(e, 2, CriterionKind::kLabel).inputs ==
             "fact=organic;organic=no;quality_scheme=no;value=0;weight=40");
  BOOST_TEST(rankedIds(e) == ids({1, 2, 3}));
  BOOST_TEST(resultOf(e, 2).rank == 2);
  BOOST_TEST(resultOf(e, 2).total.toString() == "50");
  BOOST_TEST(e.scores.size() == 6u);
}

BOOST_AUTO_TEST_CASE(scores_are_exact_fractions_and_rounded_only_for_display) {
  const auto e = core::evaluateLot(lot({point(1, "100")}), {bid(1, "2.00"), bid(2, "3.00")},
                                   context({priceRelative(100)}));
  // 100 * 2.00 / 3.00 = 200/3, kept exact; 66.667 is only its display.
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kPrice) == "200/3");
  BOOST_TEST(resultOf(e, 2).total.toDecimalString(3) == "66.667");
}

BOOST_AUTO_TEST_CASE(price_linear_band_is_full_below_a_zero_above_b_and_linear_between) {
  const auto e = core::evaluateLot(
      lot({point(1, "100")}),
      {bid(1, "1.50"), bid(2, "2.50"), bid(3, "3.10"), bid(4, "4.00"), bid(5, "4.50"), bid(6, "2.00")},
      context(priceAndOrganic(linearBand(CriterionKind::kPrice, 60, "2", "4"), 40)));
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kPrice) == "60");
  BOOST_TEST(pointsOf(e, 6, CriterionKind::kPrice) == "60");  // exactly at a
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kPrice) == "45");  // 60 * (4 - 2.5) / (4 - 2)
  BOOST_TEST(pointsOf(e, 3, CriterionKind::kPrice) == "27");  // 60 * (4 - 3.1) / 2
  BOOST_TEST(pointsOf(e, 4, CriterionKind::kPrice) == "0");
  BOOST_TEST(pointsOf(e, 5, CriterionKind::kPrice) == "0");
  BOOST_TEST(scoreOf(e, 3, CriterionKind::kPrice).inputs == "value=3.1;a=2;b=4;weight=60");
}

BOOST_AUTO_TEST_CASE(price_bands_give_the_first_band_at_or_above_the_value) {
  const auto price = bandTable(CriterionKind::kPrice, 60, {{"2.00", "60"}, {"2.50", "40"}, {"3.00", "20"}});
  const auto e = core::evaluateLot(lot({point(1, "100")}),
                                   {bid(1, "2.00"), bid(2, "2.50"), bid(3, "2.60"), bid(4, "3.50")},
                                   context(priceAndOrganic(price, 40)));
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kPrice) == "60");
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kPrice) == "40");
  BOOST_TEST(pointsOf(e, 3, CriterionKind::kPrice) == "20");
  BOOST_TEST(pointsOf(e, 4, CriterionKind::kPrice) == "0");  // above the last threshold
  BOOST_TEST(scoreOf(e, 3, CriterionKind::kPrice).inputs == "value=2.6;bands=2:60,2.5:40,3:20;weight=60");
}

BOOST_AUTO_TEST_CASE(relative_to_best_with_a_zero_value_gives_full_weight_without_dividing) {
  auto fresh = bid(1, "2.00");
  fresh.line.hours_from_harvest = 0;
  auto older = bid(2, "2.00");
  older.line.hours_from_harvest = 12;
  const auto e = core::evaluateLot(
      lot({point(1, "100")}), {fresh, older},
      context({priceRelative(90), criterion(CriterionKind::kFreshness, Formula::kRelativeToBest, 10)}));
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kFreshness) == "10");
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kFreshness) == "0");  // 10 * 0 / 12
}

BOOST_AUTO_TEST_CASE(distance_is_the_quantity_weighted_mean_over_the_lots_delivery_points) {
  auto ctx = context({priceRelative(60), criterion(CriterionKind::kDistance, Formula::kRelativeToBest, 40)});
  ctx.road_distance = matrix({{{1001, 1}, "10"}, {{1001, 2}, "30"}, {{1002, 1}, "20"}, {{1002, 2}, "20"}});
  const auto e = core::evaluateLot(lot({point(1, "30"), point(2, "10")}), {bid(1, "2.00"), bid(2, "2.00")}, ctx);
  // Bid 1: (30 * 10 + 10 * 30) / 40 = 15 km; bid 2: 20 km. Points: 40 and 40 * 15 / 20 = 30.
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kDistance).value.toString() == "15");
  BOOST_TEST(scoreOf(e, 2, CriterionKind::kDistance).value.toString() == "20");
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kDistance) == "40");
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kDistance) == "30");
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kDistance).inputs ==
             "km.1=10;source.1=road;qty.1=30;km.2=30;source.2=road;qty.2=10;mean_km=15;value=15;best=15;weight=40");
  BOOST_TEST(rankedIds(e) == ids({1, 2}));
}

BOOST_AUTO_TEST_CASE(haversine_distances_are_weighted_by_demanded_quantity) {
  auto from_kranj = bid(1, "2.00");
  from_kranj.dispatch = kKranj;
  const auto e = core::evaluateLot(
      lot({point(1, "1", kLjubljana), point(2, "3", kKranj)}), {from_kranj},
      context({priceRelative(60), linearBand(CriterionKind::kDistance, 40, "0", "50")}));
  // (1 * 23.312 + 3 * 0) / 4 = 5.828 km; 40 * (50 - 5.828) / 50 = 35.3376 = 22086/625.
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kDistance).value.toString() == "1457/250");
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kDistance) == "22086/625");
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kDistance).inputs ==
             "km.1=23.312;source.1=haversine;qty.1=1;km.2=0;source.2=haversine;qty.2=3;mean_km=1457/250;"
             "value=1457/250;a=0;b=50;weight=40");
}

BOOST_AUTO_TEST_CASE(road_distance_overrides_haversine_only_where_the_matrix_has_the_pair) {
  auto ctx = context({priceRelative(60), criterion(CriterionKind::kDistance, Formula::kRelativeToBest, 40)});
  ctx.road_distance = matrix({{{1001, 1}, "30"}});
  auto from_kranj = bid(1, "2.00");
  from_kranj.dispatch = kKranj;
  const auto e = core::evaluateLot(lot({point(1, "1", kLjubljana), point(2, "1", kLjubljana)}), {from_kranj}, ctx);
  // (30 + 23.312) / 2 = 26.656 km = 3332/125.
  const auto& s = scoreOf(e, 1, CriterionKind::kDistance);
  BOOST_TEST(s.value.toString() == "3332/125");
  BOOST_TEST(s.inputs.find("km.1=30;source.1=road") != std::string::npos);
  BOOST_TEST(s.inputs.find("km.2=23.312;source.2=haversine") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(co2_is_distance_times_vehicle_factor_times_the_lots_mass) {
  auto ctx = context({priceRelative(80), criterion(CriterionKind::kCo2, Formula::kRelativeToBest, 20)});
  ctx.road_distance = matrix({{{1001, 1}, "50"}, {{1002, 1}, "80"}, {{1003, 1}, "10"}, {{1004, 1}, "50"}});
  auto van = bid(1, "2.00");
  auto truck = bid(2, "2.00");
  truck.line.vehicle = "truck";
  auto bike = bid(3, "2.00");
  bike.line.vehicle = "bike";
  auto small_van = bid(4, "2.00", "200");  // a partial offer is compared on the same mass
  const auto e = core::evaluateLot(lot({point(1, "500")}), {van, truck, bike, small_van}, ctx);
  // Mass 500 * 1 kg = 0.5 t. Van: 50 km * 0.2 * 0.5 t = 5 kg; truck: 80 * 0.1 * 0.5 = 4 kg.
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kCo2).value.toString() == "5");
  BOOST_TEST(scoreOf(e, 2, CriterionKind::kCo2).value.toString() == "4");
  BOOST_TEST(scoreOf(e, 4, CriterionKind::kCo2).value.toString() == "5");
  BOOST_TEST(pointsOf(e, 2, CriterionKind::kCo2) == "20");
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kCo2) == "16");  // 20 * 4 / 5
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kCo2).inputs ==
             "km.1=50;source.1=road;qty.1=500;mean_km=50;vehicle=van;kg_co2e_per_tkm=0.2;unit_mass_kg=1;"
             "total_qty=500;mass_t=1/2;value=5;best=4;weight=20");
  const auto& refused = resultOf(e, 3);
  BOOST_TEST(!refused.admissible);
  BOOST_TEST(refused.rank == 0);
  BOOST_TEST(refused.note.find("'bike'") != std::string::npos);
  BOOST_TEST(refused.note.find("van, truck") != std::string::npos);
  BOOST_TEST(rankedIds(e) == ids({2, 1, 4, 3}));
}

BOOST_AUTO_TEST_CASE(co2_mass_follows_the_unit_mass_of_the_product) {
  auto ctx = context({priceRelative(80), linearBand(CriterionKind::kCo2, 20, "0", "10")});
  ctx.road_distance = matrix({{{1001, 1}, "50"}});
  auto l = lot({point(1, "500")});
  l.unit_mass_kg = dec("0.4");
  const auto e = core::evaluateLot(l, {bid(1, "2.00")}, ctx);
  // 500 * 0.4 kg = 0.2 t; 50 km * 0.2 * 0.2 t = 2 kg; 20 * (10 - 2) / 10 = 16.
  BOOST_TEST(scoreOf(e, 1, CriterionKind::kCo2).value.toString() == "2");
  BOOST_TEST(pointsOf(e, 1, CriterionKind::kCo2) == "16");
}

BOOST_AUTO_TEST_CASE(freshness_linear_band_and_bands_score_hours_from_harvest) {
  std::vector<core::BidOnLot> bids;
  const int hours[] = {12, 24, 30, 36, 60, 72, 80};
  for (int i = 0; i < 7; ++i) {
    bids.push_back(bid(i + 1, "2.00"));
    bids.back().line.hours_from_harvest = hours[i];
  }
  const auto linear = core::evaluateLot(
      lot({point(1, "100")}), bids, context({priceRelative(90), linearBand(CriterionKind::kFreshness, 10, "24", "72")}));
  BOOST_TEST(pointsOf(linear, 1, CriterionKind::kFreshness) == "10");
  BOOST_TEST(pointsOf(linear, 4, CriterionKind::kFreshness) == "15/2");  // 10 * (72 - 36) / 48
  BOOST_TEST(pointsOf(linear, 5, CriterionKind::kFreshness) == "5/2");   // 10 * (72 - 60) / 48
  BOOST_TEST(pointsOf(linear, 6, CriterionKind::kFreshness) == "0");
  BOOST_TEST(scoreOf(linear, 4, CriterionKind::kFreshness).inputs ==
             "hours_from_harvest=36;value=36;a=24;b=72;weight=10");

  const auto banded = core::evaluateLot(
      lot({point(1, "100")}), bids,
      context({priceRelative(90), bandTable(CriterionKind::kFreshness, 10, {{"24", "10"}, {"48", "6"}, {"72", "2"}})}));
  BOOST_TEST(pointsOf(banded, 2, CriterionKind::kFreshness) == "10");
  BOOST_TEST(pointsOf(banded, 3, CriterionKind::kFreshness) == "6");
  BOOST_TEST(pointsOf(banded, 6, CriterionKind::kFreshness) == "2");
  BOOST_TEST(pointsOf(banded, 7, CriterionKind::kFreshness) == "0");
}

BOOST_AUTO_TEST_CASE(label_yes_no_follows_the_declared_fact_including_organic_or_quality) {
  auto organic = bid(1, "2.00");
  organic.line.organic = true;
  auto scheme = bid(2, "2.00");
  scheme.line.quality_scheme = true;
  auto neither = bid(3, "2.00");
  auto both = bid(4, "2.00");
  both.line.organic = true;
  both.line.quality_scheme = true;
  const std::vector<core::BidOnLot> bids{organic, scheme, neither, both};
  auto labelPoints = [&](const char* fact) {
    const auto e = core::evaluateLot(lot({point(1, "100")}), bids, context({priceRelative(70), label(30, fact)}));
    std::vector<std::string> out;
    for (core::Id id = 1; id <= 4; ++id) out.push_back(pointsOf(e, id, CriterionKind::kLabel));
    return out;
  };
  BOOST_TEST(labelPoints("organic") == (std::vector<std::string>{"30", "0", "0", "30"}));
  BOOST_TEST(labelPoints("quality_scheme") == (std::vector<std::string>{"0", "30", "0", "30"}));
  BOOST_TEST(labelPoints("organic_or_quality") == (std::vector<std::string>{"30", "30", "0", "30"}));
}

BOOST_AUTO_TEST_CASE(short_chain_rewards_at_most_one_intermediary) {
  std::vector<core::BidOnLot> bids;
  for (int n = 0; n <= 3; ++n) {
    bids.push_back(bid(n + 1, "2.00"));
    bids.back().line.intermediaries = n;
  }
  const auto yes_no = core::evaluateLot(
      lot({point(1, "100")}), bids,
      context({priceRelative(90), criterion(CriterionKind::kShortChain, Formula::kYesNo, 10)}));
  BOOST_TEST(pointsOf(yes_no, 1, CriterionKind::kShortChain) == "10");
  BOOST_TEST(pointsOf(yes_no, 2, CriterionKind::kShortChain) == "10");
  BOOST_TEST(pointsOf(yes_no, 3, CriterionKind::kShortChain) == "0");
  BOOST_TEST(scoreOf(yes_no, 3, CriterionKind::kShortChain).inputs ==
             "intermediaries=2;max_intermediaries=1;value=0;weight=10");

  const auto banded = core::evaluateLot(
      lot({point(1, "100")}), bids,
      context({priceRelative(90), bandTable(CriterionKind::kShortChain, 10, {{"0", "10"}, {"1", "6"}})}));
  BOOST_TEST(pointsOf(banded, 1, CriterionKind::kShortChain) == "10");
  BOOST_TEST(pointsOf(banded, 2, CriterionKind::kShortChain) == "6");
  BOOST_TEST(pointsOf(banded, 3, CriterionKind::kShortChain) == "0");

  const auto linear = core::evaluateLot(
      lot({point(1, "100")}), bids, context({priceRelative(90), linearBand(CriterionKind::kShortChain, 10, "0", "3")}));
  BOOST_TEST(pointsOf(linear, 2, CriterionKind::kShortChain) == "20/3");  // 10 * (3 - 1) / 3
  BOOST_TEST(pointsOf(linear, 4, CriterionKind::kShortChain) == "0");
}

BOOST_AUTO_TEST_CASE(ties_are_broken_by_price_points_then_submission_time_then_bid_id) {
  // Every bid totals 70: 70 for a price of 2.00, or 70 * 2.00 / 3.50 = 40 plus 30 for organic.
  auto late = bid(5, "2.00");
  late.submitted_at = at("2026-03-01T10:00:00Z");
  auto organic = bid(3, "3.50");
  organic.line.organic = true;
  organic.submitted_at = at("2026-03-01T09:00:00Z");
  auto same_time_high_id = bid(4, "2.00");
  same_time_high_id.submitted_at = at("2026-03-01T09:30:00Z");
  auto same_time_low_id = bid(2, "2.00");
  same_time_low_id.submitted_at = at("2026-03-01T09:30:00Z");
  const auto e = core::evaluateLot(lot({point(1, "100")}), {late, organic, same_time_high_id, same_time_low_id},
                                   context(priceAndOrganic(priceRelative(70), 30)));
  for (const auto& r : e.results) BOOST_TEST(r.total.toString() == "70");
  BOOST_TEST(rankedIds(e) == ids({2, 4, 5, 3}));
  BOOST_TEST(resultOf(e, 2).rank == 1);
  BOOST_TEST(resultOf(e, 3).rank == 4);
}

BOOST_AUTO_TEST_CASE(a_distance_criterion_that_only_rewards_being_inside_a_radius_is_refused) {
  auto yes_no = criterion(CriterionKind::kDistance, Formula::kYesNo, 20);
  auto one_band = bandTable(CriterionKind::kDistance, 20, {{"30", "20"}});
  auto all_or_nothing = bandTable(CriterionKind::kCo2, 20, {{"30", "20"}, {"50", "0"}});
  for (const auto& cliff : {yes_no, one_band, all_or_nothing}) {
    const std::string message =
        errorOf([&] { core::validateCriteria({priceRelative(80), cliff}); }, ErrorCode::kInvalidArgument);
    BOOST_TEST(message.find("C-21/88") != std::string::npos, message);
    BOOST_TEST(message.find("Art. 67") != std::string::npos, message);
    BOOST_TEST(message.find("criteria[1]") != std::string::npos, message);
  }
  // Points that fall in steps or along a (even narrow) line are gradual, hence lawful.
  BOOST_CHECK_NO_THROW(core::validateCriteria(
      {priceRelative(80), bandTable(CriterionKind::kDistance, 20, {{"30", "20"}, {"50", "10"}})}));
  BOOST_CHECK_NO_THROW(
      core::validateCriteria({priceRelative(80), linearBand(CriterionKind::kDistance, 20, "10", "10.001")}));
  // evaluateLot checks the criteria it is given too.
  errorOf([&] { core::evaluateLot(lot({point(1, "1")}), {bid(1, "2.00")}, context({priceRelative(80), yes_no})); },
          ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(weights_not_summing_to_100_are_refused) {
  const std::string message = errorOf(
      [] {
        core::validateCriteria(
            {priceRelative(60), criterion(CriterionKind::kCo2, Formula::kRelativeToBest, 30)});
      },
      ErrorCode::kInvalidArgument);
  BOOST_TEST(message.find("weights sum to 90, not 100") != std::string::npos, message);
  BOOST_TEST(message.find("(1 problem)") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(every_problem_of_the_criteria_is_listed_at_once) {
  auto freshness = bandTable(CriterionKind::kFreshness, 30, {{"24", "40"}, {"12", "10"}});
  auto label_bands = label(5, "organic");
  label_bands.formula = Formula::kBands;
  auto ranged = priceRelative(60);
  ranged.min_weight = 65;
  ranged.max_weight = 70;
  const std::string message = errorOf(
      [&] {
        core::validateCriteria({linearBand(CriterionKind::kPrice, 50, "3", "2"), freshness, label_bands,
                                criterion(CriterionKind::kPrice, Formula::kRelativeToBest, 0)});
      },
      ErrorCode::kInvalidArgument);
  const std::vector<std::string> expected{
      "criteria[0] (price): linear band needs a < b",
      "criteria[1] (freshness): band thresholds must be strictly ascending",
      "criteria[1] (freshness): band points must lie within 0..30",
      "criteria[2] (label): formula bands is not available for label; use yes_no",
      "criteria[2] (label): the bands formula needs a table",
      "criteria[3] (price): price is already criteria[0]",
      "weights sum to 85, not 100",
  };
  for (const auto& line : expected) BOOST_TEST(message.find(line) != std::string::npos, line << " in " << message);
  BOOST_TEST(std::count(message.begin(), message.end(), '\n') == 7, message);
  BOOST_TEST(message.find("(7 problems)") != std::string::npos, message);

  const std::string range = errorOf(
      [&] { core::validateCriteria({ranged, label(40, "organic")}); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(range.find("published range 65..70 must lie within 0..100 and contain the weight 60") !=
                 std::string::npos,
             range);
}

BOOST_AUTO_TEST_CASE(a_round_refines_weights_within_the_published_ranges_only) {
  auto price = priceRelative(60);
  price.min_weight = 50;
  price.max_weight = 70;
  auto co2 = criterion(CriterionKind::kCo2, Formula::kRelativeToBest, 20);
  co2.min_weight = 10;
  co2.max_weight = 30;
  auto freshness = linearBand(CriterionKind::kFreshness, 10, "24", "72");  // not refinable
  auto organic = label(10, "organic");
  organic.min_weight = 5;
  organic.max_weight = 15;
  const std::vector<core::Criterion> published{price, co2, freshness, organic};
  using Kind = CriterionKind;

  const auto refined = core::applyRefinements(published, {{Kind::kPrice, 65}, {Kind::kCo2, 15}});
  BOOST_TEST(refined.size() == 4u);
  BOOST_TEST(refined[0].weight == 65);
  BOOST_TEST(refined[1].weight == 15);
  BOOST_TEST(refined[2].weight == 10);
  BOOST_TEST(refined[3].weight == 10);
  BOOST_TEST(refined[0].min_weight == 50);  // the published range stays with the criterion

  const std::string outside =
      errorOf([&] { core::applyRefinements(published, {{Kind::kPrice, 75}, {Kind::kCo2, 5}}); },
              ErrorCode::kInvalidArgument);
  BOOST_TEST(outside.find("weight 75 is outside the published range 50..70") != std::string::npos, outside);
  BOOST_TEST(outside.find("weight 5 is outside the published range 10..30") != std::string::npos, outside);
  BOOST_TEST(outside.find("Art. 34(6)") != std::string::npos, outside);

  const std::string fixed =
      errorOf([&] { core::applyRefinements(published, {{Kind::kFreshness, 12}, {Kind::kPrice, 58}}); },
              ErrorCode::kInvalidArgument);
  BOOST_TEST(fixed.find("published range 10..10") != std::string::npos, fixed);

  const std::string unpublished = errorOf(
      [&] { core::applyRefinements(published, {{Kind::kDistance, 5}, {Kind::kPrice, 55}}); },
      ErrorCode::kInvalidArgument);
  BOOST_TEST(unpublished.find("distance is not a published criterion") != std::string::npos, unpublished);

  const std::string sum =
      errorOf([&] { core::applyRefinements(published, {{Kind::kPrice, 70}}); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(sum.find("sum to 110, not 100") != std::string::npos, sum);
}

BOOST_AUTO_TEST_CASE(refining_a_banded_criterion_scales_its_table_with_the_weight) {
  auto price = bandTable(CriterionKind::kPrice, 60, {{"2.00", "60"}, {"3.00", "30"}});
  price.min_weight = 50;
  price.max_weight = 70;
  auto organic = label(40, "organic");
  organic.min_weight = 30;
  organic.max_weight = 50;
  const auto refined =
      core::applyRefinements({price, organic}, {{CriterionKind::kPrice, 50}, {CriterionKind::kLabel, 50}});
  BOOST_TEST(refined[0].bands[0].points.toString() == "50");
  BOOST_TEST(refined[0].bands[1].points.toString() == "25");
}

BOOST_AUTO_TEST_CASE(a_price_40_percent_below_the_mean_of_the_others_is_flagged_abnormally_low) {
  // Bid 1: the others' mean is (1.20 + 3 * 3.00) / 4 = 2.55 and 1.00 <= 0.6 * 2.55 = 1.53; the next
  // price 1.20 gives 0.7 * 1.20 = 0.84 < 1.00, so only the 40 % test holds.
  const auto e = core::evaluateLot(
      lot({point(1, "100")}), {bid(1, "1.00"), bid(2, "1.20"), bid(3, "3.00"), bid(4, "3.00"), bid(5, "3.00")},
      context(priceAndOrganic(priceRelative(60), 40)));
  const auto& low = resultOf(e, 1);
  BOOST_TEST(low.abnormally_low);
  BOOST_TEST(low.admissible);
  BOOST_TEST(low.rank == 1);
  BOOST_TEST(low.note.find("40 %") != std::string::npos, low.note);
  BOOST_TEST(low.note.find("2.55") != std::string::npos, low.note);
  BOOST_TEST(low.note.find("30 %") == std::string::npos, low.note);
  BOOST_TEST(low.note.find("Art. 69") != std::string::npos, low.note);
  // Bid 2: mean of the others (1.00 + 9.00) / 4 = 2.50, 0.6 * 2.50 = 1.50 >= 1.20; next 3.00 * 0.7 = 2.10.
  BOOST_TEST(resultOf(e, 2).abnormally_low);
  BOOST_TEST(resultOf(e, 2).note.find("30 %") != std::string::npos);
  BOOST_TEST(!resultOf(e, 3).abnormally_low);
  BOOST_TEST(!resultOf(e, 5).abnormally_low);
}

BOOST_AUTO_TEST_CASE(a_price_30_percent_below_the_next_one_is_flagged_and_just_above_it_is_not) {
  auto evaluate = [](const char* lowest) {
    return core::evaluateLot(lot({point(1, "100")}), {bid(1, lowest), bid(2, "3.00"), bid(3, "3.10")},
                             context(priceAndOrganic(priceRelative(60), 40)));
  };
  // 0.7 * 3.00 = 2.10; the others' mean 3.05 gives 0.6 * 3.05 = 1.83, below both prices.
  const auto flagged = evaluate("2.10");
  BOOST_TEST(resultOf(flagged, 1).abnormally_low);
  BOOST_TEST(resultOf(flagged, 1).note.find("30 % below the next bid's unit price (3.00") != std::string::npos,
             resultOf(flagged, 1).note);
  BOOST_TEST(resultOf(flagged, 1).note.find("40 %") == std::string::npos);
  BOOST_TEST(!resultOf(flagged, 2).abnormally_low);

  const auto near = evaluate("2.11");
  BOOST_TEST(!resultOf(near, 1).abnormally_low);
  BOOST_TEST(resultOf(near, 1).note.empty());
}

BOOST_AUTO_TEST_CASE(a_price_just_above_60_percent_of_the_others_mean_is_not_flagged) {
  auto evaluate = [](const char* lowest) {
    return core::evaluateLot(lot({point(1, "100")}), {bid(1, lowest), bid(2, "1.30"), bid(3, "2.73")},
                             context(priceAndOrganic(priceRelative(60), 40)));
  };
  // Others' mean (1.30 + 2.73) / 2 = 2.015; 0.6 * 2.015 = 1.209. Next 1.30 * 0.7 = 0.91.
  BOOST_TEST(resultOf(evaluate("1.209"), 1).abnormally_low);
  BOOST_TEST(!resultOf(evaluate("1.21"), 1).abnormally_low);
}

BOOST_AUTO_TEST_CASE(abnormally_low_needs_two_admissible_bids) {
  auto suspended = bid(2, "2.00");
  suspended.admissible = false;
  suspended.note = "supplier suspended at the deadline (rule 5)";
  const auto e = core::evaluateLot(lot({point(1, "100")}), {bid(1, "1.00"), suspended},
                                   context(priceAndOrganic(priceRelative(60), 40)));
  BOOST_TEST(!resultOf(e, 1).abnormally_low);
  BOOST_TEST(resultOf(e, 2).note == "supplier suspended at the deadline (rule 5)");
  BOOST_TEST(resultOf(e, 2).rank == 0);
  BOOST_TEST(!resultOf(e, 2).admissible);
  BOOST_TEST(e.scores.size() == 2u);  // only the admissible bid is scored
  for (const auto& s : e.scores) BOOST_TEST(s.bid_id == 1);
}

BOOST_AUTO_TEST_CASE(a_partial_quantity_is_inadmissible_when_the_round_does_not_accept_it) {
  const std::vector<core::BidOnLot> bids{bid(1, "2.00", "100"), bid(2, "1.50", "80")};
  const auto ctx = context(priceAndOrganic(priceRelative(60), 40));
  const auto whole = core::evaluateLot(lot({point(1, "60"), point(2, "40")}, false), bids, ctx);
  BOOST_TEST(rankedIds(whole) == ids({1, 2}));
  const auto& partial = resultOf(whole, 2);
  BOOST_TEST(!partial.admissible);
  BOOST_TEST(partial.rank == 0);
  BOOST_TEST(partial.note == "offers 80 of 100; this round does not accept partial quantities");
  BOOST_TEST(resultOf(whole, 1).rank == 1);
  BOOST_TEST(resultOf(whole, 1).total.toString() == "60");  // the best price among admissible bids is its own

  const auto allowed = core::evaluateLot(lot({point(1, "60"), point(2, "40")}, true), bids, ctx);
  BOOST_TEST(rankedIds(allowed) == ids({2, 1}));
  BOOST_TEST(resultOf(allowed, 2).admissible);
}

BOOST_AUTO_TEST_CASE(per_point_evaluation_ranks_each_delivery_point_on_its_own_distance) {
  auto ctx = context({priceRelative(50), criterion(CriterionKind::kDistance, Formula::kRelativeToBest, 50)});
  ctx.road_distance = matrix({{{1001, 1}, "5"},
                              {{1001, 2}, "50"},
                              {{1002, 1}, "40"},
                              {{1002, 2}, "4"},
                              {{1003, 1}, "10"},
                              {{1003, 2}, "10"}});
  auto only_point_1 = bid(3, "2.00", "30");
  only_point_1.line.point_offers = {{1, dec("30")}};
  const std::vector<core::BidOnLot> bids{bid(1, "2.00", "100"), bid(2, "2.00", "100"), only_point_1};
  const auto l = lot({point(1, "50"), point(2, "50")}, false);

  const auto per_point = core::evaluatePerPoint(l, bids, ctx);
  BOOST_TEST_REQUIRE(per_point.size() == 2u);
  const auto& p1 = per_point[0];
  const auto& p2 = per_point[1];
  // Point 1: best 5 km. Bid 1: 50 + 50; bid 3: 50 + 50 * 5 / 10 = 75; bid 2: 50 + 50 * 5 / 40 = 225/4.
  BOOST_TEST(rankedIds(p1) == ids({1, 3, 2}));
  BOOST_TEST(resultOf(p1, 2).total.toString() == "225/4");
  BOOST_TEST(resultOf(p1, 3).admissible);  // 30 of 100 is fine per point: capacity is the optimiser's
  // Point 2: best 4 km. Bid 2: 100; bid 1: 50 + 50 * 4 / 50 = 54; bid 3 has no offer here.
  BOOST_TEST(rankedIds(p2) == ids({2, 1, 3}));
  BOOST_TEST(resultOf(p2, 1).total.toString() == "54");
  BOOST_TEST(!resultOf(p2, 3).admissible);
  BOOST_TEST(resultOf(p2, 3).note == "no offer for this point");
  for (const auto& s : p1.scores) BOOST_TEST(s.delivery_point_id == 1);
  for (const auto& r : p1.results) BOOST_TEST(r.delivery_point_id == 1);
  for (const auto& s : p2.scores) BOOST_TEST(s.delivery_point_id == 2);
  for (const auto& r : p2.results) BOOST_TEST(r.delivery_point_id == 2);
  BOOST_TEST(scoreOf(p2, 1, CriterionKind::kDistance).inputs.find("km.1=") == std::string::npos);

  // The whole lot (mean distances 27.5, 22 and, inadmissibly partial, bid 3) ranks differently again.
  const auto whole = core::evaluateLot(l, bids, ctx);
  BOOST_TEST(rankedIds(whole) == ids({2, 1, 3}));
  BOOST_TEST(resultOf(whole, 1).total.toString() == "90");  // 50 + 50 * 22 / 27.5
  BOOST_TEST(!resultOf(whole, 3).admissible);
  for (const auto& r : whole.results) BOOST_TEST(r.delivery_point_id == 0);
}

BOOST_AUTO_TEST_CASE(a_lot_without_delivery_points_cannot_be_evaluated) {
  const std::string message =
      errorOf([] { core::evaluateLot(lot({}), {bid(1, "2.00")}, context({priceRelative(100)})); },
              ErrorCode::kInvalidArgument);
  BOOST_TEST(message.find("no delivery points") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(remembered_distances_equal_fresh_haversine_across_lots_and_table_resets) {
  // Distances are remembered per pair of coordinates for the lots that follow. 400 dispatch points
  // and 2 x 60 lots of 12 delivery points make more pairs than a thread's table keeps, so it is
  // emptied and refilled on the way; every text and mean must still be the haversine of its pair.
  const auto ctx = context({priceRelative(60), linearBand(CriterionKind::kDistance, 40, "0", "500")});
  std::vector<GeoPoint> farms;
  for (int f = 0; f < 400; ++f) farms.push_back({45.5 + 0.003 * f, 13.5 + 0.002 * f});
  int checked = 0;
  int wrong_text = 0;
  int wrong_mean = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int l = 0; l < 60; ++l) {
      std::vector<core::PointInput> points;
      for (int p = 0; p < 12; ++p) {
        const int n = l * 12 + p;
        // The last point repeats the first one's location under its own id.
        const GeoPoint where = p == 11 ? points[0].location : GeoPoint{46.0 + 0.001 * n, 14.0 + 0.0013 * n};
        points.push_back(point(n + 1, "1", where));
      }
      std::vector<core::BidOnLot> bids;
      for (int b = 0; b < 30; ++b) {
        bids.push_back(bid(b + 1, "2.00"));
        bids.back().dispatch = farms[static_cast<std::size_t>((l * 7 + b * 13 + pass) % 400)];
      }
      const auto e = core::evaluateLot(lot(points), bids, ctx);
      for (const core::BidOnLot& b : bids) {
        const auto& s = scoreOf(e, b.bid_id, CriterionKind::kDistance);
        core::Exact sum;
        for (const core::PointInput& p : points) {
          const core::Decimal km = core::haversineKm(b.dispatch, p.location);
          sum += core::Exact(km);
          const std::string id = std::to_string(p.delivery_point_id);
          const std::string expected = "km." + id + "=" + km.toString() + ";source." + id + "=haversine;";
          if (s.inputs.find(expected) == std::string::npos) ++wrong_text;
          ++checked;
        }
        if (!(s.value == sum / core::Exact(12))) ++wrong_mean;
      }
    }
  }
  BOOST_TEST(checked == 2 * 60 * 30 * 12);
  BOOST_TEST(wrong_text == 0);
  BOOST_TEST(wrong_mean == 0);
}

BOOST_AUTO_TEST_CASE(scores_beyond_64_bit_fractions_stay_exact_and_rank_exactly) {
  // A trillion units at one school and one unit at another: bid 2's mean distance and points need
  // numerators beyond 64 bits. Expected values computed independently with Python's fractions.
  auto ctx = context({priceRelative(60), criterion(CriterionKind::kDistance, Formula::kRelativeToBest, 40)});
  ctx.road_distance =
      matrix({{{1001, 1}, "10"}, {{1001, 2}, "20"}, {{1002, 1}, "10.000001"}, {{1002, 2}, "20.000003"}});
  const auto e = core::evaluateLot(lot({point(1, "1000000000000"), point(2, "1")}),
                                   {bid(2, "2.00", "1000000000001"), bid(1, "2.00", "1000000000001")}, ctx);
  const auto& near = scoreOf(e, 1, CriterionKind::kDistance);
  const auto& far = scoreOf(e, 2, CriterionKind::kDistance);
  BOOST_TEST(near.value.toString() == "10000000000020/1000000000001");
  BOOST_TEST(far.value.toString() == "10000001000020000003/1000000000001000000");
  BOOST_TEST(far.value.isLarge());
  BOOST_TEST(near.points.toString() == "40");
  BOOST_TEST(far.points.toString() == "400000000000800000000/10000001000020000003");
  BOOST_TEST(far.inputs.find("mean_km=10000001000020000003/1000000000001000000;") != std::string::npos);
  BOOST_TEST(resultOf(e, 2).total.toString() == "1000000060002000000180/10000001000020000003");
  BOOST_TEST(resultOf(e, 2).total.toDecimalString(3) == "100.000");  // 99.99999600...
  BOOST_TEST(rankedIds(e) == ids({1, 2}));
}

BOOST_AUTO_TEST_SUITE_END()
