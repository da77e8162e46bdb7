// Evaluation and award through core::Engine: scores with their inputs, the best bid per lot,
// partial quantities filled in rank order, the abnormally-low flag that blocks rejection until an
// explanation was requested (rule 11, Art. 69), and the standstill end per country (rule 12).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "tests/engine/engine_test.h"
#include "tests/support/paths.h"

using core::ErrorCode;
using dps_test::EngineFixture;
using dps_test::expectRefused;
using dps_test::mentions;
using dps_test::resultOf;

namespace {

struct Scene {
  dps_test::DpsHandle dps;
  std::vector<dps_test::SupplierHandle> suppliers;
  core::Id round = 0;
  core::Id lot = 0;
};

// A dispatched one-lot round (100 kg) with `n` admitted suppliers all dispatching from the same
// farmyard, so that only price, freshness and labels tell their bids apart.
Scene scene(EngineFixture& f, int n, bool partial = false) {
  Scene s;
  s.dps = f.publishedDps();
  for (int i = 0; i < n; ++i)
    s.suppliers.push_back(f.admittedSupplier("Kmetija " + std::string(1, static_cast<char>('A' + i)),
                                             s.dps.categories[0]));
  const core::Id point = f.deliveryPoint("OS-PRES");
  s.round = f.createRound(s.dps, s.dps.categories[0], {EngineFixture::lot(1, point, "100")},
                          partial ? core::AwardMode::kPartialFill : core::AwardMode::kBestBid, partial);
  s.lot = f.lots(s.round).at(0).id;
  f.startRounds();
  f.dispatch(s.round);
  return s;
}

core::BidReceipt bidAt(EngineFixture& f, const Scene& s, int supplier, const std::string& price,
                       const std::string& quantity = "100") {
  const dps_test::SupplierHandle& sup = s.suppliers.at(static_cast<std::size_t>(supplier));
  f.clock.advance(std::chrono::minutes(1));
  return f.bid(sup, s.round, {EngineFixture::bidLine(s.lot, price, quantity, sup)});
}

// A copy of the shipped calendars whose SI file has `standstill_line` instead of its standstill.
std::string calendarsWithStandstill(const std::string& name, const std::string& standstill_line) {
  namespace fs = std::filesystem;
  const std::string dir = dps_test::tempDir(name);
  for (const auto& entry : fs::directory_iterator(dps_test::sourceDir() + "/data/calendars")) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (entry.path().filename() == "SI.calendar") {
      const std::size_t at = content.find("\nstandstill_days 10");
      BOOST_REQUIRE(at != std::string::npos);
      content.replace(at + 1, std::string("standstill_days 10").size(), standstill_line);
    }
    std::ofstream out(fs::path(dir) / entry.path().filename());
    out << content;
  }
  return dir;
}

core::AwardDecision awardOneBid(EngineFixture& f, const std::string& award_at) {
  const Scene s = scene(f, 1);
  bidAt(f, s, 0, "2.00");
  f.openAndEvaluate(s.round);
  f.setNow(award_at);
  return f.engine->awardRound(f.officer, s.round);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(award, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_FIXTURE_TEST_CASE(evaluation_records_every_score_with_its_inputs, EngineFixture) {
  const Scene s = scene(*this, 3);
  const core::BidReceipt a = bidAt(*this, s, 0, "2.40");
  const core::BidReceipt b = bidAt(*this, s, 1, "2.00");
  const core::BidReceipt c = bidAt(*this, s, 2, "2.20");
  expectRefused([&] { engine->evaluateRound(officer, s.round); }, ErrorCode::kConflict, {"after opening"});
  openAndEvaluate(s.round);
  BOOST_TEST(core::toString(round(s.round).status) == std::string("evaluated"));
  const std::vector<core::ScoreRecord> sc = scores(s.round);
  BOOST_TEST(sc.size() == 3u * 4u);  // three bids, four criteria
  for (const core::ScoreRecord& r : sc) {
    BOOST_TEST(!r.inputs.empty());
    BOOST_TEST(r.lot_id == s.lot);
  }
  const std::vector<core::LotResult> res = results(s.round);
  BOOST_TEST(resultOf(res, s.lot, b.bid_id)->rank == 1);
  BOOST_TEST(resultOf(res, s.lot, c.bid_id)->rank == 2);
  BOOST_TEST(resultOf(res, s.lot, a.bid_id)->rank == 3);
  // Price 60 x 2.00 / 2.40 = 50 points for the dearest bid.
  bool found = false;
  for (const core::ScoreRecord& r : sc) {
    if (r.bid_id == a.bid_id && r.kind == core::CriterionKind::kPrice) {
      BOOST_TEST(r.points.toString() == "50");
      found = true;
    }
  }
  BOOST_TEST(found);
  BOOST_TEST(auditWithAction("round.evaluate").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(evaluation_uses_the_imported_road_distance_and_a_straight_line_where_none_is, EngineFixture) {
  const Scene s = scene(*this, 2);
  const core::Id point = lots(s.round).at(0).demands.at(0).delivery_point_id;
  store->transact(
      [&](core::Tx& tx) { tx.putRoadDistance(s.suppliers[0].dispatch_point_id, point, core::Decimal::parse("42.5")); });
  const core::BidReceipt by_road = bidAt(*this, s, 0, "2.00");
  const core::BidReceipt straight = bidAt(*this, s, 1, "2.00");
  openAndEvaluate(s.round);
  int checked = 0;
  for (const core::ScoreRecord& r : scores(s.round)) {
    if (r.kind != core::CriterionKind::kCo2) continue;
    if (r.bid_id == by_road.bid_id) {
      const std::string p = std::to_string(point);  // inputs name each delivery point by its id
      BOOST_TEST(r.inputs.find("km." + p + "=42.5;source." + p + "=road") != std::string::npos, r.inputs);
      ++checked;
    }
    if (r.bid_id == straight.bid_id) {
      BOOST_TEST(r.inputs.find("source." + std::to_string(point) + "=haversine") != std::string::npos, r.inputs);
      ++checked;
    }
  }
  BOOST_TEST(checked == 2);
}

BOOST_FIXTURE_TEST_CASE(best_bid_wins_the_whole_lot, EngineFixture) {
  const Scene s = scene(*this, 3);
  bidAt(*this, s, 0, "2.40");
  const core::BidReceipt best = bidAt(*this, s, 1, "2.00");
  bidAt(*this, s, 2, "2.20");
  passDeadline(s.round);
  engine->openRound(officer, s.round);
  expectRefused([&] { engine->awardRound(officer, s.round); }, ErrorCode::kConflict, {"evaluate", "Art. 67"});
  engine->evaluateRound(officer, s.round);
  expectRefused([&] { engine->awardRound(other_officer, s.round); }, ErrorCode::kForbidden, {"procurement officers"});
  const core::AwardDecision d = engine->awardRound(officer, s.round);
  const std::vector<core::AwardLine> lines = awardLines(s.round);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(lines[0].bid_id == best.bid_id);
  BOOST_TEST(lines[0].supplier_id == s.suppliers[1].id);
  BOOST_TEST(lines[0].quantity.toString(0) == "100");
  BOOST_TEST(lines[0].unit_price.toString(2) == "2.00");
  BOOST_TEST(d.decided_by == officer.name);
  BOOST_TEST(core::toString(round(s.round).status) == std::string("awarded"));
  BOOST_TEST(auditWithAction("round.award").size() == 1u);
  expectRefused([&] { engine->awardRound(officer, s.round); }, ErrorCode::kConflict, {"awarded"});
}

BOOST_FIXTURE_TEST_CASE(tie_goes_to_the_earlier_submission, EngineFixture) {
  const Scene s = scene(*this, 2);
  const core::BidReceipt first = bidAt(*this, s, 1, "2.00");
  const core::BidReceipt second = bidAt(*this, s, 0, "2.00");
  openAndEvaluate(s.round);
  BOOST_TEST(resultOf(results(s.round), s.lot, first.bid_id)->rank == 1);
  BOOST_TEST(resultOf(results(s.round), s.lot, second.bid_id)->rank == 2);
  engine->awardRound(officer, s.round);
  BOOST_TEST(awardLines(s.round).at(0).bid_id == first.bid_id);
}

BOOST_FIXTURE_TEST_CASE(partial_quantities_are_filled_in_rank_order, EngineFixture) {
  const Scene s = scene(*this, 3, true);
  const core::BidReceipt dear = bidAt(*this, s, 0, "2.30", "80");
  const core::BidReceipt best = bidAt(*this, s, 1, "2.00", "60");
  const core::BidReceipt second = bidAt(*this, s, 2, "2.10", "50");
  openAndEvaluate(s.round);
  engine->awardRound(officer, s.round);
  std::vector<core::AwardLine> lines = awardLines(s.round);
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  std::sort(lines.begin(), lines.end(),
            [](const core::AwardLine& x, const core::AwardLine& y) { return x.quantity > y.quantity; });
  BOOST_TEST(lines[0].bid_id == best.bid_id);
  BOOST_TEST(lines[0].quantity.toString(0) == "60");
  BOOST_TEST(lines[1].bid_id == second.bid_id);
  BOOST_TEST(lines[1].quantity.toString(0) == "40");
  for (const core::AwardLine& l : lines) BOOST_TEST(l.bid_id != dear.bid_id);
}

BOOST_FIXTURE_TEST_CASE(whole_lot_round_refuses_partial_offers, EngineFixture) {
  const Scene s = scene(*this, 1);
  expectRefused([&] { bidAt(*this, s, 0, "2.00", "60"); }, ErrorCode::kInvalidArgument, {"partial"});
}

BOOST_FIXTURE_TEST_CASE(abnormally_low_bid_is_flagged_and_blocks_the_award_until_decided, EngineFixture) {
  const Scene s = scene(*this, 3);
  const core::BidReceipt low = bidAt(*this, s, 0, "1.00");
  bidAt(*this, s, 1, "2.40");
  bidAt(*this, s, 2, "2.50");
  openAndEvaluate(s.round);
  const auto flagged = resultOf(results(s.round), s.lot, low.bid_id);
  BOOST_REQUIRE(flagged.has_value());
  BOOST_TEST(flagged->abnormally_low);
  BOOST_TEST(flagged->rank == 1);
  BOOST_TEST(dps_test::mentions(flagged->note, "40 %"));
  BOOST_TEST(dps_test::mentions(flagged->note, "Art. 69"));
  std::vector<core::AbnormalLowCase> cases;
  store->transact([&](core::Tx& tx) { cases = tx.listAbnormalLowCases(s.round); });
  BOOST_REQUIRE_EQUAL(cases.size(), 1u);
  BOOST_TEST(cases[0].bid_id == low.bid_id);
  BOOST_TEST(!cases[0].explanation_requested_at.has_value());
  expectRefused([&] { engine->awardRound(officer, s.round); }, ErrorCode::kConflict, {"rule 11", "Art. 69"});
  BOOST_TEST(awardLines(s.round).empty());
  BOOST_TEST(auditWithAction("round.award").empty());
}

BOOST_FIXTURE_TEST_CASE(abnormally_low_bid_is_rejected_only_after_an_explanation_request, EngineFixture) {
  const Scene s = scene(*this, 3);
  const core::BidReceipt low = bidAt(*this, s, 0, "1.00");
  const core::BidReceipt next = bidAt(*this, s, 1, "2.40");
  bidAt(*this, s, 2, "2.50");
  openAndEvaluate(s.round);
  expectRefused([&] { engine->decideAbnormalLow(officer, s.round, s.lot, low.bid_id, true, "too cheap"); },
                ErrorCode::kConflict, {"rule 11", "Art. 69(1)"});
  expectRefused([&] { engine->requestExplanation(officer, s.round, s.lot, next.bid_id); }, ErrorCode::kNotFound,
                {"not flagged", "Art. 69"});
  engine->requestExplanation(officer, s.round, s.lot, low.bid_id);
  BOOST_TEST(auditWithAction("abnormal_low.request").size() == 1u);
  expectRefused([&] { engine->requestExplanation(officer, s.round, s.lot, low.bid_id); }, ErrorCode::kConflict,
                {"already requested", "Art. 69"});
  engine->decideAbnormalLow(officer, s.round, s.lot, low.bid_id, true,
                            "the explanation does not show how the price covers the cost of production");
  BOOST_TEST(auditWithAction("abnormal_low.reject").size() == 1u);
  const auto rejected = resultOf(results(s.round), s.lot, low.bid_id);
  BOOST_REQUIRE(rejected.has_value());
  BOOST_TEST(!rejected->admissible);
  BOOST_TEST(rejected->rank == 0);
  BOOST_TEST(resultOf(results(s.round), s.lot, next.bid_id)->rank == 1);
  expectRefused([&] { engine->decideAbnormalLow(officer, s.round, s.lot, low.bid_id, false, "again"); },
                ErrorCode::kConflict, {"decided already", "Art. 69"});
  engine->awardRound(officer, s.round);
  BOOST_TEST(awardLines(s.round).at(0).bid_id == next.bid_id);
}

BOOST_FIXTURE_TEST_CASE(abnormally_low_bid_accepted_after_explanation_wins, EngineFixture) {
  const Scene s = scene(*this, 3);
  const core::BidReceipt low = bidAt(*this, s, 0, "1.00");
  bidAt(*this, s, 1, "2.40");
  bidAt(*this, s, 2, "2.50");
  openAndEvaluate(s.round);
  engine->requestExplanation(officer, s.round, s.lot, low.bid_id);
  engine->decideAbnormalLow(officer, s.round, s.lot, low.bid_id, false, "surplus harvest sold at cost, documented");
  BOOST_TEST(auditWithAction("abnormal_low.accept").size() == 1u);
  engine->awardRound(officer, s.round);
  BOOST_TEST(awardLines(s.round).at(0).bid_id == low.bid_id);
}

BOOST_FIXTURE_TEST_CASE(standstill_ends_ten_calendar_days_after_the_award_decision, EngineFixture) {
  // Rule 12 (Directive 2007/66/EC), Slovenia: 10 calendar days. Decided on Wednesday 4 March, day
  // 10 is Saturday 14 March, so the standstill runs to the end of Monday 16 March (CET).
  const core::AwardDecision d = awardOneBid(*this, "2026-03-04T10:00:00Z");
  BOOST_REQUIRE(d.standstill_end.has_value());
  BOOST_TEST(core::formatTime(*d.standstill_end) == std::string("2026-03-16T22:59:59Z"));
  BOOST_TEST(core::formatTime(d.decided_at) == std::string("2026-03-04T10:00:00Z"));
  std::optional<core::AwardDecision> stored;
  store->transact([&](core::Tx& tx) { stored = tx.getAwardDecision(d.round_id); });
  BOOST_REQUIRE(stored.has_value());
  BOOST_REQUIRE(stored->standstill_end.has_value());
  BOOST_TEST(core::formatTime(*stored->standstill_end) == std::string("2026-03-16T22:59:59Z"));
}

BOOST_AUTO_TEST_CASE(standstill_length_is_the_countrys_setting) {
  EngineFixture f(calendarsWithStandstill("calendars-standstill-15", "standstill_days 15"));
  const core::AwardDecision d = awardOneBid(f, "2026-03-04T10:00:00Z");
  BOOST_REQUIRE(d.standstill_end.has_value());
  BOOST_TEST(core::formatTime(*d.standstill_end) == std::string("2026-03-19T22:59:59Z"));
}

BOOST_AUTO_TEST_CASE(standstill_may_be_off_for_dps_call_offs) {
  EngineFixture f(calendarsWithStandstill("calendars-standstill-off", "standstill off"));
  const core::AwardDecision d = awardOneBid(f, "2026-03-04T10:00:00Z");
  BOOST_TEST(!d.standstill_end.has_value());
  std::optional<core::AwardDecision> stored;
  f.store->transact([&](core::Tx& tx) { stored = tx.getAwardDecision(d.round_id); });
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(!stored->standstill_end.has_value());
}

// --- rule 13 (Art. 50(3)): award notices within 30 days, or grouped per quarter ---

namespace {

core::NoticePublication noticeFor(core::Id dps_id, core::Id round_id, const std::string& quarter,
                                  const std::string& published_at) {
  core::NoticePublication n;
  n.dps_id = dps_id;
  n.round_id = round_id;
  n.quarter = quarter;
  n.reference = "00123456-2026";
  n.published_at = EngineFixture::at(published_at);
  return n;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(rule_13_award_notice_is_due_within_30_days_then_in_the_quarterly_notice, EngineFixture) {
  // Awarded on Wednesday 4 March 2026: alone, the notice is due by 3 April (day 30, a Friday);
  // grouped, the Q1 notice is due 30 days after 31 March, i.e. Thursday 30 April.
  const core::AwardDecision d = awardOneBid(*this, "2026-03-04T10:00:00Z");
  const core::Id dps_id = round(d.round_id).dps_id;
  std::vector<core::AwardNoticeStatus> due = engine->awardNotices(dps_id);
  BOOST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].round_id == d.round_id);
  BOOST_TEST(due[0].quarter == std::string("2026-Q1"));
  BOOST_TEST(core::formatTime(due[0].due_alone) == std::string("2026-04-03T21:59:59Z"));
  BOOST_TEST(core::formatTime(due[0].due_quarterly) == std::string("2026-04-30T21:59:59Z"));
  BOOST_TEST(std::string(core::toString(due[0].state)) == "due");
  setNow("2026-04-10T08:00:00Z");
  BOOST_TEST(std::string(core::toString(engine->awardNotices(dps_id).at(0).state)) == "due_in_quarterly_notice");
  setNow("2026-05-01T08:00:00Z");
  BOOST_TEST(std::string(core::toString(engine->awardNotices(dps_id).at(0).state)) == "overdue");
}

BOOST_FIXTURE_TEST_CASE(rule_13_recorded_publication_settles_the_notice_and_is_audited, EngineFixture) {
  const core::AwardDecision d = awardOneBid(*this, "2026-03-04T10:00:00Z");
  const core::Id dps_id = round(d.round_id).dps_id;
  setNow("2026-03-20T08:00:00Z");
  engine->recordNoticePublication(officer, noticeFor(dps_id, d.round_id, "", "2026-03-19T09:00:00Z"));
  const core::AwardNoticeStatus s = engine->awardNotices(dps_id).at(0);
  BOOST_TEST(std::string(core::toString(s.state)) == "published");
  BOOST_REQUIRE(s.publication.has_value());
  BOOST_TEST(s.publication->reference == std::string("00123456-2026"));
  BOOST_TEST(s.publication->recorded_by == officer.name);
  BOOST_TEST(auditWithAction("notice.publish").size() == 1u);
  // Once only.
  expectRefused([&] { engine->recordNoticePublication(officer, noticeFor(dps_id, d.round_id, "", "2026-03-19T09:00:00Z")); },
                ErrorCode::kConflict, {"recorded already", "rule 13"});
  // Months later it is still published, never overdue.
  setNow("2026-08-01T08:00:00Z");
  BOOST_TEST(std::string(core::toString(engine->awardNotices(dps_id).at(0).state)) == "published");
}

BOOST_FIXTURE_TEST_CASE(rule_13_quarterly_notice_covers_the_quarters_rounds, EngineFixture) {
  const core::AwardDecision d = awardOneBid(*this, "2026-03-04T10:00:00Z");
  const core::Id dps_id = round(d.round_id).dps_id;
  setNow("2026-04-20T08:00:00Z");
  // Before the quarter ends, and for a quarter without awards: refused, nothing stored.
  expectRefused([&] { engine->recordNoticePublication(officer, noticeFor(dps_id, 0, "2026-Q1", "2026-03-30T09:00:00Z")); },
                ErrorCode::kInvalidArgument, {"after the quarter ends", "Art. 50(3)"});
  expectRefused([&] { engine->recordNoticePublication(officer, noticeFor(dps_id, 0, "2026-Q2", "2026-04-19T09:00:00Z")); },
                ErrorCode::kInvalidArgument, {"no round", "2026-Q2"});
  BOOST_TEST(auditWithAction("notice.publish").empty());
  engine->recordNoticePublication(officer, noticeFor(dps_id, 0, "2026-Q1", "2026-04-15T09:00:00Z"));
  const core::AwardNoticeStatus s = engine->awardNotices(dps_id).at(0);
  BOOST_TEST(std::string(core::toString(s.state)) == "published");
  BOOST_REQUIRE(s.publication.has_value());
  BOOST_TEST(s.publication->quarter == std::string("2026-Q1"));
}

BOOST_FIXTURE_TEST_CASE(rule_13_publication_after_the_due_date_is_marked_late, EngineFixture) {
  const core::AwardDecision d = awardOneBid(*this, "2026-03-04T10:00:00Z");
  const core::Id dps_id = round(d.round_id).dps_id;
  setNow("2026-05-10T08:00:00Z");
  engine->recordNoticePublication(officer, noticeFor(dps_id, d.round_id, "", "2026-05-08T09:00:00Z"));
  BOOST_TEST(std::string(core::toString(engine->awardNotices(dps_id).at(0).state)) == "published_late");
}

BOOST_FIXTURE_TEST_CASE(rule_13_bad_publication_records_are_refused_whole, EngineFixture) {
  const core::AwardDecision d = awardOneBid(*this, "2026-03-04T10:00:00Z");
  const core::Id dps_id = round(d.round_id).dps_id;
  setNow("2026-03-20T08:00:00Z");
  core::NoticePublication bad = noticeFor(dps_id, d.round_id, "2026-Q1", "2026-03-25T09:00:00Z");
  bad.reference.clear();
  const std::string message = expectRefused([&] { engine->recordNoticePublication(officer, bad); },
                                            ErrorCode::kInvalidArgument, {"reference", "published_at", "round_id"});
  BOOST_TEST(mentions(message, "future"));
  BOOST_TEST(mentions(message, "not both"));
  expectRefused([&] { engine->recordNoticePublication(officer, noticeFor(dps_id, d.round_id, "", "2026-03-01T09:00:00Z")); },
                ErrorCode::kInvalidArgument, {"before the award decision"});
  expectRefused([&] { engine->recordNoticePublication(officer, noticeFor(dps_id, 0, "2026-5", "2026-03-19T09:00:00Z")); },
                ErrorCode::kInvalidArgument, {"YYYY-Qn"});
  expectRefused([&] { engine->recordNoticePublication(other_officer, noticeFor(dps_id, d.round_id, "", "2026-03-19T09:00:00Z")); },
                ErrorCode::kForbidden, {"procurement officers"});
  BOOST_TEST(std::string(core::toString(engine->awardNotices(dps_id).at(0).state)) == "due");
  BOOST_TEST(auditWithAction("notice.publish").empty());
}

BOOST_FIXTURE_TEST_CASE(rule_13_unawarded_round_has_no_notice_to_record, EngineFixture) {
  const Scene s = scene(*this, 1);
  bidAt(*this, s, 0, "2.00");
  expectRefused([&] { engine->recordNoticePublication(officer, noticeFor(s.dps.id, s.round, "", "2026-02-17T09:00:00Z")); },
                ErrorCode::kInvalidArgument, {"not awarded yet"});
  BOOST_TEST(engine->awardNotices(s.dps.id).empty());
}

BOOST_AUTO_TEST_SUITE_END()
