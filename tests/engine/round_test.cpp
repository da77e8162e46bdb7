// Purchasing rounds through core::Engine: dispatch to admitted suppliers only with the invitee list
// frozen (rule 5), the 10-day tender minimum (rules 1, 6), bids only from invitees and only before
// the deadline, amendment and withdrawal, sealed bids refused to every role and logged (rule 8),
// opening only after the deadline, and the admission re-check at the deadline (rule 5).

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "core/audit.h"
#include "core/error.h"
#include "tests/engine/engine_test.h"

using core::ErrorCode;
using dps_test::EngineFixture;
using dps_test::expectRefused;
using dps_test::resultOf;

namespace {

struct Scene {
  dps_test::DpsHandle dps;
  dps_test::SupplierHandle a;
  dps_test::SupplierHandle b;
  core::Id point = 0;
  core::Id round = 0;
  core::Id lot = 0;
};

// A published DPS with two admitted suppliers and a one-lot round (100 kg, whole quantities), not
// dispatched yet; the clock stands at the first day rounds may start.
Scene scene(EngineFixture& f, const std::vector<core::Certificate>& b_certificates = {}) {
  Scene s;
  s.dps = f.publishedDps();
  s.a = f.admittedSupplier("Kmetija Zupan", s.dps.categories[0]);
  s.b = f.admittedSupplier("Kmetija Kern", s.dps.categories[0], 0.05, 0.05, b_certificates);
  s.point = f.deliveryPoint("OS-PRES");
  s.round = f.createRound(s.dps, s.dps.categories[0], {EngineFixture::lot(1, s.point, "100")});
  s.lot = f.lots(s.round).at(0).id;
  f.startRounds();
  return s;
}

std::vector<core::Id> invitees(const std::vector<core::Invitation>& invitations) {
  std::vector<core::Id> ids;
  for (const core::Invitation& i : invitations) ids.push_back(i.supplier_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

core::Actor systemActor() {
  core::Actor a;
  a.name = "scheduler";
  a.role = core::Role::kSystem;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rounds, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_FIXTURE_TEST_CASE(dispatch_invites_exactly_the_admitted_suppliers_of_the_category, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps({"VEG", "FRUIT"});
  const dps_test::SupplierHandle a = admittedSupplier("Kmetija Zupan", h.categories[0]);
  const dps_test::SupplierHandle b = admittedSupplier("Kmetija Kern", h.categories[0]);
  const dps_test::SupplierHandle pending = registerSupplier("Kmetija Pending");
  requestAdmission(pending, h.categories[0]);
  const dps_test::SupplierHandle rejected = registerSupplier("Kmetija Rejected");
  engine->decideAdmission(officer, requestAdmission(rejected, h.categories[0]), false, "no HACCP");
  const dps_test::SupplierHandle fruit = admittedSupplier("Sadjarstvo Fruit", h.categories[1]);
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  startRounds();
  const core::TimePoint deadline = earliestDeadline();
  const std::vector<core::Invitation> sent = engine->dispatchRound(officer, round, deadline);
  std::vector<core::Id> expected{a.id, b.id};
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(invitees(sent) == expected);
  BOOST_TEST(invitees(invitations(round)) == expected);
  const core::Round r = this->round(round);
  BOOST_TEST(core::toString(r.status) == std::string("open"));
  BOOST_TEST(core::formatTime(r.deadline) == core::formatTime(deadline));
  BOOST_REQUIRE(r.dispatched_at.has_value());
  BOOST_TEST(core::formatTime(*r.dispatched_at) == std::string(kRoundsStart));
  BOOST_TEST(auditWithAction("round.dispatch").size() == 1u);
  (void)fruit;
}

BOOST_FIXTURE_TEST_CASE(invitee_list_is_frozen_at_dispatch, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const dps_test::SupplierHandle late = admittedSupplier("Kmetija Pozni", s.dps.categories[0]);
  BOOST_TEST(invitations(s.round).size() == 2u);
  expectRefused([&] { bid(late, s.round, {bidLine(s.lot, "2.00", "100", late)}); }, ErrorCode::kForbidden,
                {"invited", "rule 5", "Art. 34(6)"});
  BOOST_TEST(bids(s.round).empty());
  expectRefused([&] { dispatch(s.round); }, ErrorCode::kConflict, {"dispatched already", "Art. 34(6)"});
  BOOST_TEST(invitations(s.round).size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(dispatch_without_an_admitted_supplier_is_refused, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  startRounds();
  expectRefused([&] { dispatch(round); }, ErrorCode::kConflict, {"admitted", "Art. 34(6)"});
  BOOST_TEST(core::toString(this->round(round).status) == std::string("draft"));
  BOOST_TEST(auditWithAction("round.dispatch").empty());
}

BOOST_FIXTURE_TEST_CASE(tender_period_is_at_least_ten_days, EngineFixture) {
  const Scene s = scene(*this);
  // Dispatched on Monday 16 February: ten days end with Thursday 26 February (CET).
  const core::TimePoint earliest = earliestDeadline();
  BOOST_TEST(core::formatTime(earliest) == std::string("2026-02-26T22:59:59Z"));
  expectRefused([&] { engine->dispatchRound(officer, s.round, earliest - std::chrono::seconds(1)); },
                ErrorCode::kDeadline, {"10 days", "rule 6", "Art. 34(2)(b)", "urgency"});
  BOOST_TEST(invitations(s.round).empty());
  engine->dispatchRound(officer, s.round, earliest);
  BOOST_TEST(core::formatTime(round(s.round).deadline) == core::formatTime(earliest));
}

BOOST_FIXTURE_TEST_CASE(ten_days_ending_on_a_sunday_run_to_monday, EngineFixture) {
  const Scene s = scene(*this);
  setNow("2026-02-19T09:00:00Z");  // Thursday: day 10 is Sunday 1 March
  expectRefused([&] { engine->dispatchRound(officer, s.round, at("2026-03-01T22:59:59Z")); }, ErrorCode::kDeadline,
                {"Art. 34(2)(b)", "2026-03-02T22:59:59Z"});
  engine->dispatchRound(officer, s.round, at("2026-03-02T22:59:59Z"));
}

BOOST_FIXTURE_TEST_CASE(deadline_after_the_dps_validity_is_refused, EngineFixture) {
  const Scene s = scene(*this);
  expectRefused([&] { engine->dispatchRound(officer, s.round, at("2030-01-15T10:00:00Z")); }, ErrorCode::kDeadline,
                {"validity", "Art. 34"});
}

BOOST_FIXTURE_TEST_CASE(only_invited_suppliers_may_bid, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const dps_test::SupplierHandle outsider = registerSupplier("Kmetija Outsider");
  expectRefused([&] { bid(outsider, s.round, {bidLine(s.lot, "2.00", "100", outsider)}); }, ErrorCode::kForbidden,
                {"rule 5", "Art. 34(6)"});
  expectRefused([&] { engine->submitBid(officer, s.round, {bidLine(s.lot, "2.00", "100", s.a)}); },
                ErrorCode::kForbidden, {"only a supplier"});
  BOOST_TEST(bids(s.round).empty());
}

BOOST_FIXTURE_TEST_CASE(bid_before_dispatch_is_refused, EngineFixture) {
  const Scene s = scene(*this);
  expectRefused([&] { bid(s.a, s.round, {bidLine(s.lot, "2.00", "100", s.a)}); }, ErrorCode::kDeadline,
                {"not sent yet", "Art. 34(6)"});
}

BOOST_FIXTURE_TEST_CASE(bids_are_accepted_until_the_deadline_only, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const core::TimePoint deadline = round(s.round).deadline;
  clock.set(deadline - std::chrono::seconds(1));
  const core::BidReceipt r = bid(s.a, s.round, {bidLine(s.lot, "2.00", "100", s.a)});
  BOOST_TEST(r.bid_id > 0);
  BOOST_TEST(r.version == 1);
  BOOST_TEST(core::formatTime(r.submitted_at) == core::formatTime(deadline - std::chrono::seconds(1)));
  BOOST_TEST(r.digest.size() == 64u);
  BOOST_TEST(r.warnings.empty());
  clock.set(deadline);
  const std::size_t entries = audit().size();
  expectRefused([&] { bid(s.b, s.round, {bidLine(s.lot, "1.90", "100", s.b)}); }, ErrorCode::kDeadline,
                {"deadline passed", "Art. 34(2)(b)"});
  expectRefused([&] { bid(s.a, s.round, {bidLine(s.lot, "1.80", "100", s.a)}); }, ErrorCode::kDeadline,
                {"deadline passed"});
  expectRefused([&] { engine->withdrawBid(s.a.actor, s.round); }, ErrorCode::kDeadline,
                {"deadline", "Art. 34(2)(b)"});
  BOOST_TEST(bids(s.round).size() == 1u);
  BOOST_TEST(audit().size() == entries);
}

BOOST_FIXTURE_TEST_CASE(invalid_bid_is_rejected_whole_with_every_problem, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  core::BidLine wrong_lot = bidLine(s.lot + 1000, "2.00", "100", s.a);
  core::BidLine bad = bidLine(s.lot, "-1.00", "40", s.b);  // b's dispatch point, part of the lot
  bad.vehicle = "horse";
  const std::string message = expectRefused([&] { bid(s.a, s.round, {wrong_lot, bad}); },
                                            ErrorCode::kInvalidArgument, {"lines[0].lot_id", "lines[1].unit_price"});
  BOOST_TEST(dps_test::mentions(message, "lines[1].quantity"));
  BOOST_TEST(dps_test::mentions(message, "lines[1].dispatch_point_id"));
  BOOST_TEST(dps_test::mentions(message, "lines[1].vehicle"));
  expectRefused([&] { bid(s.a, s.round, {}); }, ErrorCode::kInvalidArgument, {"at least one lot"});
  BOOST_TEST(bids(s.round).empty());
  BOOST_TEST(auditWithAction("bid.submit").empty());
}

// A dispatch point the supplier removed from its profile keeps its row (earlier bids name it) but
// is no longer one a new bid may name.
BOOST_FIXTURE_TEST_CASE(a_bid_may_not_name_a_removed_dispatch_point, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  core::Supplier profile;
  store->transact([&](core::Tx& tx) { profile = *tx.getSupplier(s.a.id); });
  core::DispatchPoint moved = profile.dispatch_points.front();
  moved.id = 0;
  moved.name = "new barn";
  profile.dispatch_points = {moved};
  engine->updateSupplier(s.a.actor, profile);
  expectRefused([&] { bid(s.a, s.round, {bidLine(s.lot, "2.00", "100", s.a)}); }, ErrorCode::kInvalidArgument,
                {"lines[0].dispatch_point_id", "your own dispatch points"});
  core::BidLine from_new = bidLine(s.lot, "2.00", "100", s.a);
  store->transact([&](core::Tx& tx) { from_new.dispatch_point_id = tx.listDispatchPoints(s.a.id).front().id; });
  BOOST_TEST(bid(s.a, s.round, {from_new}).version == 1);
}

BOOST_FIXTURE_TEST_CASE(amended_bid_supersedes_the_previous_version, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const core::BidReceipt first = bid(s.a, s.round, {bidLine(s.lot, "2.40", "100", s.a)});
  clock.advance(std::chrono::hours(2));
  const core::BidReceipt second = bid(s.a, s.round, {bidLine(s.lot, "2.10", "100", s.a)});
  BOOST_TEST(second.version == 2);
  BOOST_TEST(second.bid_id != first.bid_id);
  BOOST_TEST(second.digest != first.digest);
  BOOST_TEST(core::toString(bidRecord(first.bid_id)->status) == std::string("superseded"));
  BOOST_TEST(core::toString(bidRecord(second.bid_id)->status) == std::string("submitted"));
  BOOST_TEST(auditWithAction("bid.submit").size() == 2u);
  passDeadline(s.round);
  engine->openRound(officer, s.round);
  const std::vector<core::BidLine> lines = engine->readBid(officer, second.bid_id);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(lines[0].unit_price.toString(2) == "2.10");
  BOOST_TEST(engine->readBid(officer, first.bid_id).empty());  // superseded content is never opened
}

BOOST_FIXTURE_TEST_CASE(withdrawn_bid_is_not_opened, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  expectRefused([&] { engine->withdrawBid(s.a.actor, s.round); }, ErrorCode::kNotFound, {"no bid"});
  const core::BidReceipt r = bid(s.a, s.round, {bidLine(s.lot, "2.40", "100", s.a)});
  bid(s.b, s.round, {bidLine(s.lot, "2.30", "100", s.b)});
  engine->withdrawBid(s.a.actor, s.round);
  BOOST_TEST(core::toString(bidRecord(r.bid_id)->status) == std::string("withdrawn"));
  BOOST_TEST(auditWithAction("bid.withdraw").size() == 1u);
  expectRefused([&] { engine->withdrawBid(officer, s.round); }, ErrorCode::kForbidden, {"supplier"});
  openAndEvaluate(s.round);
  const std::vector<core::LotResult> res = results(s.round);
  BOOST_TEST(!resultOf(res, s.lot, r.bid_id).has_value());
  BOOST_TEST(engine->readBid(officer, r.bid_id).empty());
}

BOOST_FIXTURE_TEST_CASE(sealed_bid_read_is_refused_for_every_role_and_logged, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const core::BidReceipt r = bid(s.a, s.round, {bidLine(s.lot, "2.37", "100", s.a)});
  const std::vector<core::Actor> readers{officer, other_officer, admin, auditor, s.a.actor, s.b.actor, systemActor()};
  for (const core::Actor& reader : readers) {
    expectRefused([&] { engine->readBid(reader, r.bid_id); }, ErrorCode::kForbidden,
                  {"sealed", "rule 8", "Art. 22(3)"});
  }
  const std::vector<core::AuditEntry> refused = auditWithAction("bid.read_refused");
  BOOST_REQUIRE_EQUAL(refused.size(), readers.size());
  for (std::size_t i = 0; i < readers.size(); ++i) {
    BOOST_TEST(refused[i].actor == readers[i].name);
    BOOST_TEST(refused[i].object == "bid:" + std::to_string(r.bid_id));
  }
  // Also after the deadline, as long as the round is not opened.
  passDeadline(s.round);
  expectRefused([&] { engine->readBid(officer, r.bid_id); }, ErrorCode::kForbidden, {"rule 8"});
  BOOST_TEST(auditWithAction("bid.read_refused").size() == readers.size() + 1);
  BOOST_TEST(core::verifyAudit(*store).ok());
}

BOOST_FIXTURE_TEST_CASE(bid_content_is_encrypted_at_rest_until_opening, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const std::vector<core::BidLine> lines{bidLine(s.lot, "2.37", "100", s.a, "van", 31)};
  const core::BidReceipt r = bid(s.a, s.round, lines);
  const core::Bid stored = *bidRecord(r.bid_id);
  const std::string plain = core::encodeBidLines(lines);
  BOOST_TEST(stored.digest == r.digest);
  BOOST_TEST(stored.sealed.find(plain) == std::string::npos);
  BOOST_TEST(stored.sealed.find("2.37") == std::string::npos);
  std::vector<core::BidLine> opened_before;
  store->transact([&](core::Tx& tx) { opened_before = tx.listBidLines(r.bid_id); });
  BOOST_TEST(opened_before.empty());
}

BOOST_FIXTURE_TEST_CASE(opening_waits_for_the_deadline, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const core::BidReceipt r = bid(s.a, s.round, {bidLine(s.lot, "2.37", "100", s.a)});
  clock.set(round(s.round).deadline - std::chrono::seconds(1));
  expectRefused([&] { engine->openRound(officer, s.round); }, ErrorCode::kDeadline, {"rule 8", "Art. 22(3)"});
  BOOST_TEST(core::toString(round(s.round).status) == std::string("open"));
  passDeadline(s.round);
  expectRefused([&] { engine->openRound(other_officer, s.round); }, ErrorCode::kForbidden, {"procurement officers"});
  engine->openRound(officer, s.round);
  const core::Round opened = round(s.round);
  BOOST_TEST(core::toString(opened.status) == std::string("opened"));
  BOOST_REQUIRE(opened.opened_at.has_value());
  BOOST_TEST(core::formatTime(*opened.opened_at) == core::formatTime(clock.now()));
  BOOST_TEST(auditWithAction("round.open").size() == 1u);
  expectRefused([&] { engine->openRound(officer, s.round); }, ErrorCode::kConflict, {"only an open round"});
  (void)r;
}

BOOST_FIXTURE_TEST_CASE(opened_bids_are_readable_by_their_supplier_officers_and_auditors, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  const std::vector<core::BidLine> lines{bidLine(s.lot, "2.37", "100", s.a, "truck", 30, true)};
  const core::BidReceipt r = bid(s.a, s.round, lines);
  passDeadline(s.round);
  engine->openRound(officer, s.round);
  for (const core::Actor& reader : {officer, auditor, admin, s.a.actor}) {
    const std::vector<core::BidLine> read = engine->readBid(reader, r.bid_id);
    BOOST_REQUIRE_EQUAL(read.size(), 1u);
    BOOST_TEST(core::encodeBidLines(read) == core::encodeBidLines(lines));
  }
  expectRefused([&] { engine->readBid(s.b.actor, r.bid_id); }, ErrorCode::kForbidden, {"own bids"});
  expectRefused([&] { engine->readBid(other_officer, r.bid_id); }, ErrorCode::kForbidden, {"authority"});
}

BOOST_FIXTURE_TEST_CASE(supplier_suspended_at_the_deadline_has_an_invalid_bid, EngineFixture) {
  // Kern's certificate is valid at dispatch and at submission, and expires before the deadline.
  const Scene s = scene(*this, {{"organic", "SI-EKO-7", at("2026-02-20T22:59:59Z")}});
  dispatch(s.round);
  const core::BidReceipt ra = bid(s.a, s.round, {bidLine(s.lot, "2.40", "100", s.a)});
  const core::BidReceipt rb = bid(s.b, s.round, {bidLine(s.lot, "2.00", "100", s.b)});
  BOOST_TEST(rb.warnings.empty());
  passDeadline(s.round);
  engine->openRound(officer, s.round);
  const core::Bid invalid = *bidRecord(rb.bid_id);
  BOOST_TEST(core::toString(invalid.status) == std::string("invalid"));
  BOOST_TEST(dps_test::mentions(invalid.status_reason, "suspended at the deadline"));
  BOOST_TEST(dps_test::mentions(invalid.status_reason, "organic"));
  BOOST_TEST(core::toString(bidRecord(ra.bid_id)->status) == std::string("submitted"));
  engine->evaluateRound(officer, s.round);
  const auto res_b = resultOf(results(s.round), s.lot, rb.bid_id);
  BOOST_REQUIRE(res_b.has_value());
  BOOST_TEST(!res_b->admissible);
  BOOST_TEST(res_b->rank == 0);
  const auto res_a = resultOf(results(s.round), s.lot, ra.bid_id);
  BOOST_REQUIRE(res_a.has_value());
  BOOST_TEST(res_a->rank == 1);
}

BOOST_FIXTURE_TEST_CASE(certificate_renewed_after_the_deadline_does_not_save_the_bid, EngineFixture) {
  // Kern's certificate expires before the deadline; Kern renews it after the deadline but before
  // the opening. Admission is re-checked as it stood at the deadline (rule 5), so the bid stays invalid.
  const Scene s = scene(*this, {{"organic", "SI-EKO-7", at("2026-02-20T22:59:59Z")}});
  dispatch(s.round);
  const core::BidReceipt rb = bid(s.b, s.round, {bidLine(s.lot, "2.00", "100", s.b)});
  passDeadline(s.round);
  core::Supplier renewed;
  store->transact([&](core::Tx& tx) { renewed = *tx.getSupplier(s.b.id); });
  renewed.certificates = {{"organic", "SI-EKO-8", at("2027-02-20T22:59:59Z")}};
  engine->updateSupplier(s.b.actor, renewed);
  BOOST_TEST(!engine->suspension(s.b.id, clock.now()).suspended);               // reinstated now
  BOOST_TEST(engine->suspension(s.b.id, round(s.round).deadline).suspended);    // not at the deadline
  std::vector<core::ArchivedCertificate> archived;
  store->transact([&](core::Tx& tx) { archived = tx.listArchivedCertificates(s.b.id); });
  BOOST_REQUIRE_EQUAL(archived.size(), 1u);
  BOOST_TEST(archived[0].certificate.number == std::string("SI-EKO-7"));
  BOOST_TEST((archived[0].in_effect_until == clock.now()));
  engine->openRound(officer, s.round);
  BOOST_TEST(core::toString(bidRecord(rb.bid_id)->status) == std::string("invalid"));
  // An update that leaves the certificates as they are archives nothing.
  engine->updateSupplier(s.b.actor, renewed);
  store->transact([&](core::Tx& tx) { BOOST_TEST(tx.listArchivedCertificates(s.b.id).size() == 1u); });
}

BOOST_FIXTURE_TEST_CASE(supplier_reinstated_before_the_deadline_keeps_its_bid, EngineFixture) {
  const Scene s = scene(*this);
  dispatch(s.round);
  engine->requestRenewal(officer, s.b.id);  // due Monday 23 February
  setNow("2026-02-24T09:00:00Z");
  const core::BidReceipt rb = bid(s.b, s.round, {bidLine(s.lot, "2.00", "100", s.b)});
  BOOST_REQUIRE_EQUAL(rb.warnings.size(), 1u);
  BOOST_TEST(dps_test::mentions(rb.warnings[0], "rule 5"));
  engine->submitRenewal(s.b.actor, s.b.id, "<ESPD>renewed</ESPD>");
  passDeadline(s.round);
  engine->openRound(officer, s.round);
  BOOST_TEST(core::toString(bidRecord(rb.bid_id)->status) == std::string("submitted"));
}

BOOST_FIXTURE_TEST_CASE(round_reference_is_unique_within_the_dps, EngineFixture) {
  const dps_test::DpsHandle d = publishedDps();
  const core::Id point = deliveryPoint("OS-PRES");
  core::Round r;
  r.dps_id = d.id;
  r.category_id = d.categories[0];
  r.title = "Apples";
  r.reference = dps(d.id).reference + "/R2";  // the reference the next generated one would take
  const core::Id named = engine->createRound(officer, r, {lot(1, point, "100")});
  BOOST_TEST(round(named).reference == r.reference);
  const core::Id generated = createRound(d, d.categories[0], {lot(1, point, "100")});
  BOOST_TEST(round(generated).reference == dps(d.id).reference + "/R3");
  const std::size_t audited = auditWithAction("round.create").size();
  expectRefused([&] { engine->createRound(officer, r, {lot(1, point, "100")}); }, ErrorCode::kInvalidArgument,
                {"reference", "is used by another round"});
  BOOST_TEST(auditWithAction("round.create").size() == audited);
}

BOOST_AUTO_TEST_SUITE_END()
