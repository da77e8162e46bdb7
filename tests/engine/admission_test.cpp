// Admission to a DPS category through core::Engine: requests with a self-declaration, decisions
// with reasons, the 10/15 working-day limits and the overdue list (rules 1, 3), no limit on the
// number admitted (rule 4), the initial-wave extension that blocks invitations (rule 3), and
// suspension for an expired certificate or a renewed self-declaration not given in 5 working days,
// with reinstatement (rules 5, 9).

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "core/error.h"
#include "tests/engine/engine_test.h"

using core::ErrorCode;
using dps_test::EngineFixture;
using dps_test::expectRefused;

namespace {

core::AdmissionRequest requestRecord(EngineFixture& f, core::Id id) {
  std::optional<core::AdmissionRequest> r;
  f.store->transact([&](core::Tx& tx) { r = tx.getAdmissionRequest(id); });
  BOOST_REQUIRE(r.has_value());
  return *r;
}

std::vector<core::Id> invitees(const std::vector<core::Invitation>& invitations) {
  std::vector<core::Id> ids;
  for (const core::Invitation& i : invitations) ids.push_back(i.supplier_id);
  return ids;
}

bool contains(const std::vector<core::Id>& ids, core::Id id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

core::Certificate certificate(const std::string& name, const std::string& valid_until) {
  return {name, "SI-EKO-001", EngineFixture::at(valid_until)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admission, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_FIXTURE_TEST_CASE(request_is_pending_with_its_self_declaration, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = engine->requestAdmission(s.actor, s.id, h.categories[0], "<ESPD>Zupan</ESPD>");
  const core::AdmissionRequest r = requestRecord(*this, id);
  BOOST_TEST(core::toString(r.status) == std::string("pending"));
  BOOST_TEST(r.self_declaration == "<ESPD>Zupan</ESPD>");
  BOOST_TEST(core::formatTime(r.received_at) == std::string(kStart));
  BOOST_TEST(auditWithAction("admission.request").size() == 1u);
  BOOST_TEST(!engine->isAdmitted(s.id, h.categories[0]));
}

BOOST_FIXTURE_TEST_CASE(request_without_self_declaration_is_refused, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  expectRefused([&] { engine->requestAdmission(s.actor, s.id, h.categories[0], ""); }, ErrorCode::kInvalidArgument,
                {"self-declaration", "Art. 59"});
  BOOST_TEST(auditWithAction("admission.request").empty());
}

BOOST_FIXTURE_TEST_CASE(request_for_another_supplier_is_refused, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle a = registerSupplier("Kmetija Zupan");
  const dps_test::SupplierHandle b = registerSupplier("Kmetija Kern");
  expectRefused([&] { engine->requestAdmission(a.actor, b.id, h.categories[0], "<ESPD/>"); },
                ErrorCode::kForbidden, {"supplier itself"});
}

BOOST_FIXTURE_TEST_CASE(second_request_while_pending_or_admitted_is_refused, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);
  expectRefused([&] { requestAdmission(s, h.categories[0]); }, ErrorCode::kConflict, {"waiting", "Art. 34(5)"});
  engine->decideAdmission(officer, id, true, "selection criteria met");
  expectRefused([&] { requestAdmission(s, h.categories[0]); }, ErrorCode::kConflict, {"already admitted", "Art. 34"});
}

BOOST_FIXTURE_TEST_CASE(rejection_needs_a_reason_and_records_it, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);
  expectRefused([&] { engine->decideAdmission(officer, id, false, ""); }, ErrorCode::kInvalidArgument,
                {"reason", "Art. 55(2)"});
  BOOST_TEST(core::toString(requestRecord(*this, id).status) == std::string("pending"));
  setNow("2026-01-14T10:00:00Z");
  engine->decideAdmission(officer, id, false, "no HACCP certificate for the packing station");
  const core::AdmissionRequest r = requestRecord(*this, id);
  BOOST_TEST(core::toString(r.status) == std::string("rejected"));
  BOOST_TEST(r.reason == "no HACCP certificate for the packing station");
  BOOST_TEST(r.decided_by == officer.name);
  BOOST_REQUIRE(r.decided_at.has_value());
  BOOST_TEST(core::formatTime(*r.decided_at) == std::string("2026-01-14T10:00:00Z"));
  BOOST_TEST(auditWithAction("admission.reject").size() == 1u);
  BOOST_TEST(!engine->isAdmitted(s.id, h.categories[0]));
  expectRefused([&] { engine->decideAdmission(officer, id, true, "changed my mind"); }, ErrorCode::kConflict,
                {"decided already", "Art. 34(5)"});
  // A rejected supplier may ask again.
  requestAdmission(s, h.categories[0]);
}

BOOST_FIXTURE_TEST_CASE(admission_records_its_reason, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);
  engine->decideAdmission(officer, id, true, "ESPD complete, organic certificate valid");
  const core::AdmissionRequest r = requestRecord(*this, id);
  BOOST_TEST(core::toString(r.status) == std::string("admitted"));
  BOOST_TEST(r.reason == "ESPD complete, organic certificate valid");
  BOOST_TEST(engine->isAdmitted(s.id, h.categories[0]));
  BOOST_TEST(auditWithAction("admission.admit").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(another_authoritys_officer_may_not_decide, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);
  expectRefused([&] { engine->decideAdmission(other_officer, id, true, "ok"); }, ErrorCode::kForbidden,
                {"procurement officers"});
  BOOST_TEST(core::toString(requestRecord(*this, id).status) == std::string("pending"));
}

BOOST_FIXTURE_TEST_CASE(decision_is_due_ten_working_days_after_receipt, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);  // Monday 12 January
  std::vector<core::AdmissionDue> due = engine->pendingAdmissions(h.id);
  BOOST_REQUIRE_EQUAL(due.size(), 1u);
  BOOST_TEST(due[0].request.id == id);
  // Ten working days from Tuesday 13 January: Monday 26 January, end of the day in Ljubljana (CET).
  BOOST_TEST(core::formatTime(due[0].due_at) == std::string("2026-01-26T22:59:59Z"));
  BOOST_TEST(due[0].working_days_left == 10);
  BOOST_TEST(!due[0].overdue);
  setNow("2026-01-26T22:59:59Z");
  due = engine->pendingAdmissions(h.id);
  BOOST_TEST(!due.at(0).overdue);
  BOOST_TEST(engine->pendingAdmissions(h.id, true).empty());
  setNow("2026-01-26T23:00:00Z");
  due = engine->pendingAdmissions(h.id, true);
  BOOST_REQUIRE_EQUAL(due.size(), 1u);
  BOOST_TEST(due[0].overdue);
  BOOST_TEST(due[0].working_days_left == 0);
}

BOOST_FIXTURE_TEST_CASE(public_holidays_do_not_count_as_working_days, EngineFixture) {
  // Rule 1: received on Wednesday 1 April 2026; Easter Monday (6 April) is a Slovenian holiday, so
  // the tenth working day is Thursday 16 April (CEST).
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  setNow("2026-04-01T09:00:00Z");
  requestAdmission(s, h.categories[0]);
  const std::vector<core::AdmissionDue> due = engine->pendingAdmissions(h.id);
  BOOST_REQUIRE_EQUAL(due.size(), 1u);
  BOOST_TEST(core::formatTime(due[0].due_at) == std::string("2026-04-16T21:59:59Z"));
}

BOOST_FIXTURE_TEST_CASE(overdue_list_shows_only_late_requests_oldest_first, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle a = registerSupplier("Kmetija Zupan");
  const dps_test::SupplierHandle b = registerSupplier("Kmetija Kern");
  const dps_test::SupplierHandle c = registerSupplier("Kmetija Bizjak");
  const core::Id ra = requestAdmission(a, h.categories[0]);
  setNow("2026-01-13T09:00:00Z");
  const core::Id rb = requestAdmission(b, h.categories[0]);
  setNow("2026-01-20T09:00:00Z");
  requestAdmission(c, h.categories[0]);
  setNow("2026-01-27T12:00:00Z");  // a's period ended on 26 January, b's ends on 27 January
  std::vector<core::AdmissionDue> overdue = engine->pendingAdmissions(h.id, true);
  BOOST_REQUIRE_EQUAL(overdue.size(), 1u);
  BOOST_TEST(overdue[0].request.id == ra);
  setNow("2026-01-28T12:00:00Z");
  overdue = engine->pendingAdmissions(h.id, true);
  BOOST_REQUIRE_EQUAL(overdue.size(), 2u);
  BOOST_TEST(overdue[0].request.id == ra);
  BOOST_TEST(overdue[1].request.id == rb);
  BOOST_TEST(engine->pendingAdmissions(h.id).size() == 3u);
  // A late decision is still taken and leaves the list.
  engine->decideAdmission(officer, ra, true, "selection criteria met");
  BOOST_TEST(engine->pendingAdmissions(h.id, true).size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(extension_to_fifteen_working_days_needs_a_justification_in_time, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);
  expectRefused([&] { engine->extendAdmissionPeriod(officer, id, ""); }, ErrorCode::kInvalidArgument,
                {"justification", "Art. 34(5)"});
  setNow("2026-01-20T09:00:00Z");
  engine->extendAdmissionPeriod(officer, id, "certificates must be checked with the inspection body");
  BOOST_TEST(requestRecord(*this, id).extension_justification ==
             "certificates must be checked with the inspection body");
  const std::vector<core::AdmissionDue> due = engine->pendingAdmissions(h.id);
  BOOST_REQUIRE_EQUAL(due.size(), 1u);
  BOOST_TEST(core::formatTime(due[0].due_at) == std::string("2026-02-02T22:59:59Z"));
  BOOST_TEST(auditWithAction("admission.extend").size() == 1u);
  expectRefused([&] { engine->extendAdmissionPeriod(officer, id, "again"); }, ErrorCode::kConflict,
                {"15 working days", "Art. 34(5)"});
  setNow("2026-01-28T09:00:00Z");  // past the 10th working day, within the 15th: not overdue
  BOOST_TEST(engine->pendingAdmissions(h.id, true).empty());
}

BOOST_FIXTURE_TEST_CASE(extension_after_ten_working_days_is_refused, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const core::Id id = requestAdmission(s, h.categories[0]);
  setNow("2026-01-27T08:00:00Z");
  expectRefused([&] { engine->extendAdmissionPeriod(officer, id, "too late"); }, ErrorCode::kDeadline,
                {"rule 3", "Art. 34(5)"});
  BOOST_TEST(requestRecord(*this, id).extension_justification.empty());
  BOOST_TEST(engine->pendingAdmissions(h.id, true).size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(number_of_admitted_suppliers_is_not_limited, EngineFixture) {
  // Rule 4 (Art. 34(2)): every supplier that meets the criteria is admitted and invited.
  const dps_test::DpsHandle h = publishedDps();
  std::vector<core::Id> admitted;
  for (int i = 0; i < 25; ++i)
    admitted.push_back(admittedSupplier("Kmetija " + std::to_string(i), h.categories[0], 0.01 * i).id);
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  startRounds();
  const std::vector<core::Id> invited = invitees(dispatch(round));
  BOOST_TEST(invited.size() == 25u);
  for (core::Id id : admitted) BOOST_TEST(contains(invited, id));
}

BOOST_FIXTURE_TEST_CASE(initial_assessment_extension_blocks_invitations, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  admittedSupplier("Kmetija Zupan", h.categories[0]);
  const core::Id round = createRound(h, h.categories[0], {lot(1, deliveryPoint("OS-PRES"), "100")});
  expectRefused([&] { engine->extendInitialAssessment(officer, h.id, at("2026-02-20T22:59:59Z"), ""); },
                ErrorCode::kInvalidArgument, {"Art. 34(5)"});
  engine->extendInitialAssessment(officer, h.id, at("2026-02-20T22:59:59Z"), "120 requests in the first week");
  BOOST_TEST(auditWithAction("dps.extend_initial_assessment").size() == 1u);
  startRounds();  // Monday 16 February: the first period is over, the extension is not
  expectRefused([&] { dispatch(round); }, ErrorCode::kDeadline, {"extended", "rule 3", "Art. 34(5)"});
  BOOST_TEST(invitations(round).empty());
  setNow("2026-02-20T23:00:00Z");
  BOOST_TEST(dispatch(round).size() == 1u);
  expectRefused([&] { engine->extendInitialAssessment(officer, h.id, at("2026-03-20T22:59:59Z"), "more"); },
                ErrorCode::kConflict, {"rule 3", "Art. 34(5)"});
}

BOOST_FIXTURE_TEST_CASE(size_class_must_be_known_and_agree_with_the_sme_flag, EngineFixture) {
  core::Supplier s;
  s.name = "Kmetija Velika";
  s.tax_number = "SI99887766";
  s.dispatch_points.push_back({0, 0, "Dvorišče", "Kranj", {46.24, 14.36}});
  s.size_class = "huge";
  expectRefused([&] { engine->registerSupplier(admin, s); }, ErrorCode::kInvalidArgument,
                {"size_class", "micro, small, medium or large"});
  s.size_class = "large";
  s.is_sme = true;
  expectRefused([&] { engine->registerSupplier(admin, s); }, ErrorCode::kInvalidArgument,
                {"is_sme", "is not an SME"});
  s.is_sme = false;
  const core::Id id = engine->registerSupplier(admin, s);
  store->transact([&](core::Tx& tx) { BOOST_TEST(tx.getSupplier(id)->size_class == "large"); });
}

BOOST_FIXTURE_TEST_CASE(expired_certificate_suspends_until_renewed, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle fresh = admittedSupplier("Kmetija Zupan", h.categories[0]);
  const dps_test::SupplierHandle expired = admittedSupplier("Kmetija Kern", h.categories[0], 0.02, 0,
                                                            {certificate("organic", "2026-02-10T22:59:59Z")});
  const core::Id point = deliveryPoint("OS-PRES");
  const core::Id first = createRound(h, h.categories[0], {lot(1, point, "100")});
  startRounds();
  const core::Suspension s = engine->suspension(expired.id, clock.now());
  BOOST_TEST(s.suspended);
  BOOST_REQUIRE_EQUAL(s.reasons.size(), 1u);
  BOOST_TEST(dps_test::mentions(s.reasons[0], "organic"));
  BOOST_TEST(dps_test::mentions(s.reasons[0], "rule 5"));
  BOOST_TEST(!engine->suspension(fresh.id, clock.now()).suspended);
  BOOST_TEST(engine->isAdmitted(expired.id, h.categories[0]));  // suspended, still admitted
  std::vector<core::Id> invited = invitees(dispatch(first));
  BOOST_TEST(contains(invited, fresh.id));
  BOOST_TEST(!contains(invited, expired.id));
  // The renewed certificate reinstates the supplier for the next round.
  core::Supplier renewed;
  store->transact([&](core::Tx& tx) { renewed = *tx.getSupplier(expired.id); });
  renewed.certificates = {certificate("organic", "2027-02-10T22:59:59Z")};
  engine->updateSupplier(expired.actor, renewed);
  BOOST_TEST(!engine->suspension(expired.id, clock.now()).suspended);
  const core::Id second = createRound(h, h.categories[0], {lot(1, point, "50")});
  invited = invitees(dispatch(second));
  BOOST_TEST(contains(invited, expired.id));
  BOOST_TEST(invited.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(renewed_self_declaration_not_given_in_five_working_days_suspends, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle a = admittedSupplier("Kmetija Zupan", h.categories[0]);
  const dps_test::SupplierHandle b = admittedSupplier("Kmetija Kern", h.categories[0], 0.02);
  const core::Id point = deliveryPoint("OS-PRES");
  startRounds();  // Monday 16 February
  expectRefused([&] { engine->requestRenewal(other_officer, b.id); }, ErrorCode::kForbidden, {"authority"});
  expectRefused([&] { engine->submitRenewal(b.actor, b.id, "<ESPD/>"); }, ErrorCode::kConflict,
                {"Art. 34(7)"});
  engine->requestRenewal(officer, b.id);
  std::vector<core::RenewalRequest> requests;
  store->transact([&](core::Tx& tx) { requests = tx.listRenewalRequests(b.id); });
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  // Five working days from Tuesday 17 February: Monday 23 February, end of the day (CET).
  BOOST_TEST(core::formatTime(requests[0].due_at) == std::string("2026-02-23T22:59:59Z"));
  setNow("2026-02-23T22:59:59Z");
  BOOST_TEST(!engine->suspension(b.id, clock.now()).suspended);
  setNow("2026-02-24T08:00:00Z");
  const core::Suspension s = engine->suspension(b.id, clock.now());
  BOOST_TEST(s.suspended);
  BOOST_REQUIRE_EQUAL(s.reasons.size(), 1u);
  BOOST_TEST(dps_test::mentions(s.reasons[0], "Art. 34(7)"));
  const core::Id first = createRound(h, h.categories[0], {lot(1, point, "100")});
  std::vector<core::Id> invited = invitees(dispatch(first));
  BOOST_TEST(contains(invited, a.id));
  BOOST_TEST(!contains(invited, b.id));
  expectRefused([&] { engine->submitRenewal(a.actor, b.id, "<ESPD/>"); }, ErrorCode::kForbidden,
                {"supplier itself"});
  engine->submitRenewal(b.actor, b.id, "<ESPD>renewed</ESPD>");
  BOOST_TEST(!engine->suspension(b.id, clock.now()).suspended);
  BOOST_TEST(auditWithAction("renewal.submit").size() == 1u);
  const core::Id second = createRound(h, h.categories[0], {lot(1, point, "50")});
  invited = invitees(dispatch(second));
  BOOST_TEST(contains(invited, b.id));
}

BOOST_AUTO_TEST_SUITE_END()
