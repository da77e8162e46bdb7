#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/model.h"
#include "core/scoring.h"
#include "tests/scoring/fixtures.h"

namespace {

using core::AwardMode;
using core::CriterionKind;
using core::ErrorCode;
using core::Formula;
using scoring_fixture::bid;
using scoring_fixture::criterion;
using scoring_fixture::dec;
using scoring_fixture::errorOf;
using scoring_fixture::lot;
using scoring_fixture::point;
using scoring_fixture::priceAndOrganic;

core::ScoringContext priceContext() {
  core::ScoringContext ctx;
  ctx.criteria = priceAndOrganic(criterion(CriterionKind::kPrice, Formula::kRelativeToBest, 60), 40);
  return ctx;
}


std::vector<core::AwardLine> awardOf(const core::LotInput& l, const std::vector<core::BidOnLot>& bids, AwardMode mode,
                                   const std::vector<core::Id>& excluded = {}) {
  const auto evaluation = core::evaluateLot(l, bids, priceContext());
  return core::awardLot(l, evaluation, bids, mode, excluded);
}

std::vector<core::Id> bidIds(const std::vector<core::AwardLine>& lines) {
  std::vector<core::Id> ids;
  for (const auto& line : lines) ids.push_back(line.bid_id);
  return ids;
}

std::vector<std::string> quantities(const std::vector<core::AwardLine>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(line.quantity.toString());
  return out;
}

std::vector<core::Id> ids(std::initializer_list<core::Id> list) { return list; }
std::vector<std::string> texts(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(award)

BOOST_AUTO_TEST_CASE(best_bid_wins_the_whole_demand_with_its_price_and_score) {
  const auto lines = awardOf(lot({point(1, "60"), point(2, "40")}, false),
                           {bid(1, "2.40", "150"), bid(2, "2.00", "120")}, AwardMode::kBestBid);
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  const auto& line = lines[0];
  BOOST_TEST(line.bid_id == 2);
  BOOST_TEST(line.supplier_id == 102);
  BOOST_TEST(line.round_id == 7);
  BOOST_TEST(line.lot_id == 70);
  BOOST_TEST(line.quantity.toString() == "100");
  BOOST_TEST(line.unit_price.toString(2) == "2.00");
  BOOST_TEST(line.score.toString() == "60");
  BOOST_TEST(!line.delivery_point_id.has_value());
}

BOOST_AUTO_TEST_CASE(best_bid_gets_only_what_it_offers_when_partial_quantities_are_allowed) {
  const auto lines =
      awardOf(lot({point(1, "100")}, true), {bid(1, "2.00", "80"), bid(2, "2.40", "150")}, AwardMode::kBestBid);
  BOOST_TEST(bidIds(lines) == ids({1}));
  BOOST_TEST(quantities(lines) == texts({"80"}));
}

BOOST_AUTO_TEST_CASE(partial_fill_walks_the_ranking_and_leaves_the_uncovered_remainder_open) {
  const auto lines = awardOf(lot({point(1, "100")}, true),
                           {bid(3, "2.50", "20"), bid(1, "2.00", "40"), bid(2, "2.20", "30")}, AwardMode::kPartialFill);
  BOOST_TEST(bidIds(lines) == ids({1, 2, 3}));
  BOOST_TEST(quantities(lines) == texts({"40", "30", "20"}));
  core::Decimal covered;
  for (const auto& line : lines) covered += line.quantity;
  BOOST_TEST(covered.toString() == "90");  // 10 of the 100 stay uncovered
  BOOST_TEST(lines[1].unit_price.toString(2) == "2.20");
  BOOST_TEST(lines[2].score.toString() == "48");  // 60 * 2.00 / 2.50
}

BOOST_AUTO_TEST_CASE(partial_fill_stops_once_the_demand_is_covered) {
  const auto lines =
      awardOf(lot({point(1, "60"), point(2, "40")}, true),
            {bid(1, "2.00", "50"), bid(2, "2.20", "30"), bid(3, "2.50", "40"), bid(4, "2.60", "60")},
            AwardMode::kPartialFill);
  BOOST_TEST(bidIds(lines) == ids({1, 2, 3}));
  BOOST_TEST(quantities(lines) == texts({"50", "30", "20"}));
}

BOOST_AUTO_TEST_CASE(an_excluded_bid_gets_nothing_and_the_next_one_takes_its_place) {
  const std::vector<core::BidOnLot> bids{bid(1, "2.00", "100"), bid(2, "2.20", "100"), bid(3, "2.50", "100")};
  const auto best = awardOf(lot({point(1, "100")}, false), bids, AwardMode::kBestBid, {1});
  BOOST_TEST(bidIds(best) == ids({2}));
  BOOST_TEST(quantities(best) == texts({"100"}));

  const auto fill = awardOf(lot({point(1, "150")}, true), bids, AwardMode::kPartialFill, {2});
  BOOST_TEST(bidIds(fill) == ids({1, 3}));
  BOOST_TEST(quantities(fill) == texts({"100", "50"}));
}

BOOST_AUTO_TEST_CASE(an_inadmissible_bid_gets_nothing_however_cheap) {
  auto suspended = bid(1, "1.00", "100");
  suspended.admissible = false;
  suspended.note = "supplier suspended at the deadline (rule 5)";
  const auto lines =
      awardOf(lot({point(1, "100")}, true), {suspended, bid(2, "2.20", "100")}, AwardMode::kBestBid);
  BOOST_TEST(bidIds(lines) == ids({2}));
}

BOOST_AUTO_TEST_CASE(optimal_by_delivery_point_is_left_to_the_optimiser) {
  const auto l = lot({point(1, "100")}, true);
  const std::vector<core::BidOnLot> bids{bid(1, "2.00", "100")};
  const auto evaluation = core::evaluateLot(l, bids, priceContext());
  const std::string message = errorOf(
      [&] { core::awardLot(l, evaluation, bids, AwardMode::kOptimalByDeliveryPoint); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(message.find("optimiser") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(an_evaluation_naming_an_unknown_bid_is_refused) {
  const auto l = lot({point(1, "100")}, true);
  const auto evaluation = core::evaluateLot(l, {bid(1, "2.00", "100")}, priceContext());
  const std::string message = errorOf(
      [&] { core::awardLot(l, evaluation, {bid(2, "2.00", "100")}, AwardMode::kBestBid); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(message.find("bid 1") != std::string::npos, message);
}

BOOST_AUTO_TEST_SUITE_END()
