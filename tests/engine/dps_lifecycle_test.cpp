// The life cycle of a DPS through core::Engine: draft, published, operating, expired, terminated;
// award criteria versioned and frozen at publication (rule 7); the 30-day first period for requests
// with Regulation 1182/71 time limits (rules 1, 2); categories and criteria checks (rules 7, 14).

#include <boost/test/unit_test.hpp>

#include "core/error.h"
#include "tests/engine/engine_test.h"

using core::DpsStatus;
using core::ErrorCode;
using dps_test::EngineFixture;
using dps_test::expectRefused;

namespace {

core::Dps draftWithRequestDeadline(EngineFixture& f, const std::string& deadline) {
  core::Dps d;
  d.authority_id = f.authority_id;
  d.reference = "KR-DNS-LC";
  d.title = "Local food";
  d.cpv = "15000000";
  d.request_deadline = EngineFixture::at(deadline);
  d.valid_until = EngineFixture::at("2029-12-31T22:59:59Z");
  d.vehicle_factors = dps_test::standardVehicleFactors();
  return d;
}

core::Id draftWithCategory(EngineFixture& f, const core::Dps& d) {
  const core::Id id = f.engine->createDps(f.officer, d);
  core::Category c;
  c.dps_id = id;
  c.code = "VEG";
  c.name = "Vegetables";
  c.cpv = "03221000";
  f.engine->addCategory(f.officer, c);
  f.engine->setCriteria(f.officer, id, dps_test::standardCriteria());
  return id;
}

core::Criterion distanceCriterion(core::Formula formula, int weight) {
  core::Criterion c;
  c.kind = core::CriterionKind::kDistance;
  c.formula = formula;
  c.weight = weight;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dps_lifecycle, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_FIXTURE_TEST_CASE(new_dps_is_a_draft_until_published, EngineFixture) {
  const dps_test::DpsHandle h = draftDps();
  BOOST_TEST(core::toString(engine->dpsStatus(h.id)) == std::string("draft"));
  BOOST_TEST(!dps(h.id).published_at.has_value());
  engine->publishDps(officer, h.id);
  const core::Dps d = dps(h.id);
  BOOST_TEST(core::toString(d.status) == std::string("published"));
  BOOST_TEST(d.published_at.has_value());
  BOOST_TEST(core::formatTime(*d.published_at) == std::string(kStart));
  BOOST_TEST(auditWithAction("dps.publish").size() == 1u);
  expectRefused([&] { engine->publishDps(officer, h.id); }, ErrorCode::kConflict, {"already published"});
}

BOOST_FIXTURE_TEST_CASE(publication_needs_a_category_and_criteria, EngineFixture) {
  core::Dps d = draftWithRequestDeadline(*this, "2026-03-31T21:59:59Z");
  const core::Id id = engine->createDps(officer, d);
  const std::string message =
      expectRefused([&] { engine->publishDps(officer, id); }, ErrorCode::kInvalidArgument, {"categories", "rule 7"});
  BOOST_TEST(core::toString(dps(id).status) == std::string("draft"));
  BOOST_TEST(auditWithAction("dps.publish").empty());
  BOOST_TEST(!message.empty());
}

BOOST_FIXTURE_TEST_CASE(first_request_period_shorter_than_30_days_is_refused, EngineFixture) {
  // 29 days after Monday 12 January is Tuesday 10 February: one day short.
  const core::Id id = draftWithCategory(*this, draftWithRequestDeadline(*this, "2026-02-10T22:59:59Z"));
  expectRefused([&] { engine->publishDps(officer, id); }, ErrorCode::kInvalidArgument,
                {"30 days", "rule 2", "Art. 34(2)(a)", "2026-02-11T22:59:59Z"});
  BOOST_TEST(core::toString(engine->dpsStatus(id)) == std::string("draft"));
}

BOOST_FIXTURE_TEST_CASE(thirty_days_ending_on_a_saturday_run_to_the_next_working_day, EngineFixture) {
  // Rule 1 (Regulation 1182/71 Art. 3(4)): published on Thursday 15 January, day 30 is Saturday 14
  // February, so the shortest lawful first period ends with Monday 16 February (CET).
  setNow("2026-01-15T09:00:00Z");
  const core::Id short_id = draftWithCategory(*this, draftWithRequestDeadline(*this, "2026-02-14T22:59:59Z"));
  expectRefused([&] { engine->publishDps(officer, short_id); }, ErrorCode::kInvalidArgument,
                {"Art. 34(2)(a)", "2026-02-16T22:59:59Z"});
  core::Dps d = draftWithRequestDeadline(*this, "2026-02-16T22:59:59Z");
  d.reference = "KR-DNS-LC-2";
  const core::Id ok_id = draftWithCategory(*this, d);
  engine->publishDps(officer, ok_id);
  BOOST_TEST(core::toString(engine->dpsStatus(ok_id)) == std::string("published"));
}

BOOST_FIXTURE_TEST_CASE(no_invitation_before_the_first_request_period_ends, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  admittedSupplier("Kmetija Zupan", h.categories[0]);
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  setNow("2026-02-11T22:00:00Z");  // the first period ends at 22:59:59 UTC this day
  expectRefused([&] { dispatch(round); }, ErrorCode::kDeadline, {"rule 2", "Art. 34(2)(a)"});
  BOOST_TEST(invitations(round).empty());
  BOOST_TEST(core::toString(this->round(round).status) == std::string("draft"));
}

BOOST_FIXTURE_TEST_CASE(first_invitation_makes_the_dps_operating, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  admittedSupplier("Kmetija Zupan", h.categories[0]);
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  startRounds();
  dispatch(round);
  const core::Dps d = dps(h.id);
  BOOST_TEST(core::toString(d.status) == std::string("operating"));
  BOOST_REQUIRE(d.first_invitation_at.has_value());
  BOOST_TEST(core::formatTime(*d.first_invitation_at) == std::string(kRoundsStart));
  BOOST_TEST(core::toString(engine->dpsStatus(h.id)) == std::string("operating"));
}

BOOST_FIXTURE_TEST_CASE(dps_stays_open_to_new_requests_after_the_first_invitation, EngineFixture) {
  // Rule 2: after the first invitation the DPS is open to requests for its whole validity.
  const dps_test::DpsHandle h = publishedDps();
  admittedSupplier("Kmetija Zupan", h.categories[0]);
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  startRounds();
  dispatch(round);
  setNow("2027-06-01T08:00:00Z");
  const dps_test::SupplierHandle late = registerSupplier("Kmetija Pozni");
  admit(late, h.categories[0]);
  BOOST_TEST(engine->isAdmitted(late.id, h.categories[0]));
}

BOOST_FIXTURE_TEST_CASE(expired_dps_refuses_requests_and_rounds, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id point = deliveryPoint("OS-PRES");
  setNow("2030-01-02T08:00:00Z");  // validity ended 2029-12-31
  BOOST_TEST(core::toString(engine->dpsStatus(h.id)) == std::string("expired"));
  const std::size_t entries = audit().size();
  expectRefused([&] { requestAdmission(s, h.categories[0]); }, ErrorCode::kConflict, {"expired", "Art. 34"});
  expectRefused([&] { createRound(h, h.categories[0], {lot(1, point, "1")}); }, ErrorCode::kConflict,
                {"expired", "Art. 34"});
  // The refusals changed nothing and left no audit entry.
  BOOST_TEST(audit().size() == entries);
}

BOOST_FIXTURE_TEST_CASE(terminated_dps_refuses_everything_new, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id point = deliveryPoint("OS-PRES");
  expectRefused([&] { engine->terminateDps(officer, h.id, ""); }, ErrorCode::kInvalidArgument,
                {"reason", "Art. 34(8)"});
  expectRefused([&] { engine->terminateDps(other_officer, h.id, "no budget"); }, ErrorCode::kForbidden,
                {"procurement officers"});
  engine->terminateDps(officer, h.id, "the municipalities ended the joint procurement");
  BOOST_TEST(core::toString(engine->dpsStatus(h.id)) == std::string("terminated"));
  BOOST_TEST(auditWithAction("dps.terminate").size() == 1u);
  expectRefused([&] { requestAdmission(s, h.categories[0]); }, ErrorCode::kConflict, {"terminated", "Art. 34"});
  expectRefused([&] { createRound(h, h.categories[0], {lot(1, point, "1")}); }, ErrorCode::kConflict,
                {"terminated"});
  expectRefused([&] { engine->terminateDps(officer, h.id, "again"); }, ErrorCode::kConflict, {"terminated"});
}

BOOST_FIXTURE_TEST_CASE(criteria_are_versioned_while_draft_and_frozen_at_publication, EngineFixture) {
  const dps_test::DpsHandle h = draftDps();
  BOOST_TEST(dps(h.id).criteria_version == 1);
  std::vector<core::Criterion> second = dps_test::standardCriteria();
  second[0].weight = 70;
  second[0].max_weight = 70;
  second[1].weight = 10;
  engine->setCriteria(officer, h.id, second);
  BOOST_TEST(dps(h.id).criteria_version == 2);
  engine->publishDps(officer, h.id);
  expectRefused([&] { engine->setCriteria(officer, h.id, dps_test::standardCriteria()); }, ErrorCode::kConflict,
                {"rule 7", "Art. 34(6)", "Art. 67(5)"});
  std::vector<core::Criterion> v1, v2, v3;
  store->transact([&](core::Tx& tx) {
    v1 = tx.listCriteria(h.id, 1);
    v2 = tx.listCriteria(h.id, 2);
    v3 = tx.listCriteria(h.id, 3);
  });
  BOOST_REQUIRE_EQUAL(v1.size(), 4u);
  BOOST_REQUIRE_EQUAL(v2.size(), 4u);
  BOOST_TEST(v1[0].weight == 60);
  BOOST_TEST(v2[0].weight == 70);
  BOOST_TEST(v3.empty());
  BOOST_TEST(dps(h.id).criteria_version == 2);
  startRounds();
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "5")});
  BOOST_TEST(this->round(round).criteria_version == 2);
}

BOOST_FIXTURE_TEST_CASE(round_may_refine_weights_only_within_the_published_range, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const core::Id point = deliveryPoint("OS-PRES");
  using core::CriterionKind;
  expectRefused(
      [&] {
        createRound(h, h.categories[0], {lot(1, point, "5")}, core::AwardMode::kBestBid, false,
                    {{CriterionKind::kPrice, 75}, {CriterionKind::kCo2, 5}});
      },
      ErrorCode::kInvalidArgument, {"rule 7", "Art. 67(5)"});
  expectRefused(
      [&] {
        createRound(h, h.categories[0], {lot(1, point, "5")}, core::AwardMode::kBestBid, false,
                    {{CriterionKind::kDistance, 10}, {CriterionKind::kPrice, 50}});
      },
      ErrorCode::kInvalidArgument, {"rule 7"});
  const core::Id ok = createRound(h, h.categories[0], {lot(1, point, "5")}, core::AwardMode::kBestBid, false,
                                  {{CriterionKind::kPrice, 65}, {CriterionKind::kCo2, 15}});
  BOOST_TEST(round(ok).refinements.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(criterion_rewarding_only_a_radius_is_refused, EngineFixture) {
  // Rule 14 (CJEU C-21/88, Art. 67): points only for being inside a radius are a cliff.
  const dps_test::DpsHandle h = draftDps();
  std::vector<core::Criterion> cliff = dps_test::standardCriteria();
  cliff[1] = distanceCriterion(core::Formula::kYesNo, 20);
  expectRefused([&] { engine->setCriteria(officer, h.id, cliff); }, ErrorCode::kInvalidArgument,
                {"cliff", "C-21/88", "Art. 67"});
  std::vector<core::Criterion> one_band = dps_test::standardCriteria();
  one_band[1] = distanceCriterion(core::Formula::kBands, 20);
  one_band[1].bands = {{core::Decimal::fromInt(30), core::Exact(static_cast<std::int64_t>(20))}};
  expectRefused([&] { engine->setCriteria(officer, h.id, one_band); }, ErrorCode::kInvalidArgument, {"C-21/88"});
  BOOST_TEST(dps(h.id).criteria_version == 1);
  std::vector<core::Criterion> gradual = dps_test::standardCriteria();
  gradual[1] = distanceCriterion(core::Formula::kLinearBand, 20);
  gradual[1].a = core::Decimal::fromInt(10);
  gradual[1].b = core::Decimal::fromInt(150);
  engine->setCriteria(officer, h.id, gradual);
  BOOST_TEST(dps(h.id).criteria_version == 2);
}

BOOST_FIXTURE_TEST_CASE(weights_must_sum_to_one_hundred, EngineFixture) {
  const dps_test::DpsHandle h = draftDps();
  std::vector<core::Criterion> c = dps_test::standardCriteria();
  c[0].weight = 55;
  expectRefused([&] { engine->setCriteria(officer, h.id, c); }, ErrorCode::kInvalidArgument,
                {"sum to 95", "Art. 67(5)"});
}

BOOST_FIXTURE_TEST_CASE(categories_are_fixed_at_publication, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  core::Category c;
  c.dps_id = h.id;
  c.code = "FRUIT";
  c.name = "Fruit";
  expectRefused([&] { engine->addCategory(officer, c); }, ErrorCode::kConflict, {"Art. 34(1)"});
}

BOOST_FIXTURE_TEST_CASE(another_authoritys_officer_may_not_publish, EngineFixture) {
  const dps_test::DpsHandle h = draftDps();
  expectRefused([&] { engine->publishDps(other_officer, h.id); }, ErrorCode::kForbidden, {"procurement officers"});
  BOOST_TEST(core::toString(engine->dpsStatus(h.id)) == std::string("draft"));
}

BOOST_AUTO_TEST_SUITE_END()
