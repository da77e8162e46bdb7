// The audit log through core::Engine: every state change appends one entry in the transaction that
// makes it (a change that fails to commit leaves no entry; a refusal leaves none), the chain
// verifies, and core::verifyAudit finds an edited entry, a deleted entry, reordered entries and
// entries cut off the end of the log, after the database was edited behind the store's back.

#include <boost/test/unit_test.hpp>

#include <functional>

#include "core/audit.h"
#include "core/error.h"
#include "tests/engine/engine_test.h"
#include "tests/engine/raw_sql.h"

using core::ErrorCode;
using dps_test::EngineFixture;
using dps_test::expectRefused;

namespace {

// Runs `op` and checks that it appended exactly one entry with `action` on an object of `kind`,
// stamped with the fixture's clock and the actor's name.
void expectOneEntry(EngineFixture& f, const std::string& action, const std::string& kind, const std::string& actor,
                    const std::function<void()>& op) {
  const std::size_t before = f.audit().size();
  op();
  const std::vector<core::AuditEntry> after = f.audit();
  BOOST_REQUIRE_EQUAL(after.size(), before + 1);
  const core::AuditEntry& e = after.back();
  BOOST_TEST(e.action == action);
  BOOST_TEST(e.object.rfind(kind + ":", 0) == 0u, e.object << " is not a " << kind);
  BOOST_TEST(e.actor == actor);
  BOOST_TEST(core::formatTime(e.at) == core::formatTime(f.clock.now()));
  BOOST_TEST(e.seq == static_cast<std::int64_t>(after.size()));
}

// A store whose every transaction fails at commit time, after the callback ran: what the engine
// wrote in it, change and audit entry alike, must be rolled back together.
class CommitFailingStore final : public core::Store {
 public:
  explicit CommitFailingStore(core::Store& inner) : inner_(inner) {}
  void transact(const std::function<void(core::Tx&)>& fn) override {
    inner_.transact([&](core::Tx& tx) {
      fn(tx);
      throw core::Error(ErrorCode::kUnavailable, "commit failed (injected by the test)");
    });
  }
  int migrate() override { return inner_.migrate(); }
  std::string backend() const override { return inner_.backend(); }

 private:
  core::Store& inner_;
};

bool hasProblemAt(const core::AuditVerification& v, std::int64_t seq, const std::string& what) {
  for (const core::AuditProblem& p : v.problems)
    if (p.seq == seq && dps_test::mentions(p.what, what)) return true;
  return false;
}

std::string describe(const core::AuditVerification& v) {
  std::string out;
  for (const core::AuditProblem& p : v.problems) out += std::to_string(p.seq) + ": " + p.what + "\n";
  return out;
}

// Nine entries: two authorities (fixture), a published DPS (4), a supplier admitted (3).
void populate(EngineFixture& f) {
  const dps_test::DpsHandle h = f.publishedDps();
  f.admittedSupplier("Kmetija Zupan", h.categories[0]);
  BOOST_REQUIRE_EQUAL(f.audit().size(), 9u);
}

std::string sqlText(const std::string& s) { return "'" + s + "'"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_log, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_FIXTURE_TEST_CASE(every_state_change_appends_one_entry, EngineFixture) {
  core::Dps draft;
  draft.authority_id = authority_id;
  draft.reference = "KR-DNS-AUDIT";
  draft.title = "Local food";
  draft.cpv = "15000000";
  draft.request_deadline = calendar().periodEndCalendarDays(clock.now(), 30);
  draft.valid_until = at("2029-12-31T22:59:59Z");
  draft.vehicle_factors = dps_test::standardVehicleFactors();
  core::Id dps_id = 0;
  core::Id category = 0;
  expectOneEntry(*this, "dps.create", "dps", officer.name, [&] { dps_id = engine->createDps(officer, draft); });
  expectOneEntry(*this, "category.create", "category", officer.name, [&] {
    core::Category c;
    c.dps_id = dps_id;
    c.code = "VEG";
    c.name = "Vegetables";
    category = engine->addCategory(officer, c);
  });
  expectOneEntry(*this, "dps.criteria", "dps", officer.name,
                 [&] { engine->setCriteria(officer, dps_id, dps_test::standardCriteria()); });
  expectOneEntry(*this, "dps.publish", "dps", officer.name, [&] { engine->publishDps(officer, dps_id); });
  dps_test::SupplierHandle s;
  expectOneEntry(*this, "supplier.register", "supplier", "Kmetija Zupan",
                 [&] { s = registerSupplier("Kmetija Zupan"); });
  core::Id request = 0;
  expectOneEntry(*this, "admission.request", "admission", s.actor.name,
                 [&] { request = requestAdmission(s, category); });
  expectOneEntry(*this, "admission.extend", "admission", officer.name,
                 [&] { engine->extendAdmissionPeriod(officer, request, "inspection body asked"); });
  expectOneEntry(*this, "admission.admit", "admission", officer.name,
                 [&] { engine->decideAdmission(officer, request, true, "criteria met"); });
  expectOneEntry(*this, "renewal.request", "supplier", officer.name, [&] { engine->requestRenewal(officer, s.id); });
  expectOneEntry(*this, "renewal.submit", "supplier", s.actor.name,
                 [&] { engine->submitRenewal(s.actor, s.id, "<ESPD/>"); });
  core::Id point = 0;
  expectOneEntry(*this, "delivery_point.create", "delivery_point", officer.name,
                 [&] { point = deliveryPoint("OS-PRES"); });
  core::Id round = 0;
  expectOneEntry(*this, "round.create", "round", officer.name,
                 [&] { round = createRound(dps_test::DpsHandle{dps_id, {category}}, category, {lot(1, point, "10")}); });
  const core::Id lot_id = lots(round).at(0).id;
  startRounds();
  expectOneEntry(*this, "round.dispatch", "round", officer.name, [&] { dispatch(round); });
  expectOneEntry(*this, "bid.submit", "bid", s.actor.name, [&] { bid(s, round, {bidLine(lot_id, "2.00", "10", s)}); });
  expectOneEntry(*this, "bid.withdraw", "bid", s.actor.name, [&] { engine->withdrawBid(s.actor, round); });
  core::BidReceipt receipt;
  expectOneEntry(*this, "bid.submit", "bid", s.actor.name,
                 [&] { receipt = bid(s, round, {bidLine(lot_id, "2.10", "10", s)}); });
  expectOneEntry(*this, "bid.read_refused", "bid", auditor.name, [&] {
    expectRefused([&] { engine->readBid(auditor, receipt.bid_id); }, ErrorCode::kForbidden, {"rule 8"});
  });
  passDeadline(round);
  expectOneEntry(*this, "round.open", "round", officer.name, [&] { engine->openRound(officer, round); });
  expectOneEntry(*this, "round.evaluate", "round", officer.name, [&] { engine->evaluateRound(officer, round); });
  expectOneEntry(*this, "round.award", "round", officer.name, [&] { engine->awardRound(officer, round); });
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(v.ok(), describe(v));
  BOOST_TEST(v.entries == static_cast<std::int64_t>(audit().size()));
}

BOOST_FIXTURE_TEST_CASE(entries_form_a_hash_chain, EngineFixture) {
  populate(*this);
  const std::vector<core::AuditEntry> entries = audit();
  BOOST_TEST(entries.front().prev_hash == std::string(64, '0'));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    BOOST_TEST(entries[i].seq == static_cast<std::int64_t>(i + 1));
    BOOST_TEST(entries[i].hash == core::auditEntryHash(entries[i]));
    if (i > 0) BOOST_TEST(entries[i].prev_hash == entries[i - 1].hash);
  }
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(v.ok(), describe(v));
  BOOST_TEST(v.entries == 9);
}

BOOST_FIXTURE_TEST_CASE(refused_operations_leave_no_entry, EngineFixture) {
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  const std::size_t before = audit().size();
  expectRefused([&] { engine->setCriteria(officer, h.id, dps_test::standardCriteria()); }, ErrorCode::kConflict,
                {"rule 7"});
  expectRefused([&] { engine->requestAdmission(s.actor, s.id, h.categories[0], ""); }, ErrorCode::kInvalidArgument,
                {"Art. 59"});
  expectRefused([&] { engine->publishDps(other_officer, h.id); }, ErrorCode::kForbidden, {"procurement officers"});
  BOOST_TEST(audit().size() == before);
}

BOOST_FIXTURE_TEST_CASE(change_that_fails_to_commit_leaves_no_entry, EngineFixture) {
  const dps_test::DpsHandle h = draftDps();
  const std::size_t before = audit().size();
  CommitFailingStore failing(*store);
  core::Engine failing_engine(failing, clock, calendars, sealer);
  expectRefused([&] { failing_engine.publishDps(officer, h.id); }, ErrorCode::kUnavailable, {"injected"});
  BOOST_TEST(core::toString(dps(h.id).status) == std::string("draft"));
  BOOST_TEST(audit().size() == before);
  core::Supplier s;
  s.name = "Kmetija Zupan";
  s.tax_number = "SI99999999";
  s.dispatch_points.push_back({0, 0, "farm", "Kranj", {46.24, 14.35}});
  expectRefused([&] { failing_engine.registerSupplier(admin, s); }, ErrorCode::kUnavailable, {"injected"});
  std::optional<core::Supplier> stored;
  store->transact([&](core::Tx& tx) { stored = tx.findSupplierByTaxNumber("SI99999999"); });
  BOOST_TEST(!stored.has_value());
  BOOST_TEST(audit().size() == before);
  BOOST_TEST(core::verifyAudit(*store).ok());
}

BOOST_FIXTURE_TEST_CASE(edited_entry_is_found, EngineFixture) {
  populate(*this);
  closeStore();
  dps_test::rawSql(*this, "UPDATE audit_entry SET actor = 'Mallory' WHERE seq = 5");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(!v.ok());
  BOOST_TEST(hasProblemAt(v, 5, "altered"), describe(v));
  BOOST_TEST(v.problems.size() == 1u, describe(v));
}

BOOST_FIXTURE_TEST_CASE(edited_entry_with_a_recomputed_hash_breaks_the_next_link, EngineFixture) {
  populate(*this);
  core::AuditEntry e = audit().at(4);
  BOOST_REQUIRE_EQUAL(e.seq, 5);
  e.actor = "Mallory";
  e.hash = core::auditEntryHash(e);
  closeStore();
  dps_test::rawSql(*this, "UPDATE audit_entry SET actor = 'Mallory', hash = " + sqlText(e.hash) + " WHERE seq = 5");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(!v.ok());
  BOOST_TEST(hasProblemAt(v, 6, "does not follow"), describe(v));
  BOOST_TEST(!hasProblemAt(v, 5, "altered"), describe(v));
}

BOOST_FIXTURE_TEST_CASE(deleted_entry_in_the_middle_is_found, EngineFixture) {
  populate(*this);
  closeStore();
  dps_test::rawSql(*this, "DELETE FROM audit_entry WHERE seq = 5");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(!v.ok());
  BOOST_TEST(hasProblemAt(v, 5, "missing"), describe(v));
  BOOST_TEST(hasProblemAt(v, 6, "does not follow"), describe(v));
  BOOST_TEST(v.entries == 8);
}

BOOST_FIXTURE_TEST_CASE(reordered_entries_are_found, EngineFixture) {
  populate(*this);
  closeStore();
  dps_test::rawSql(*this,
                   "UPDATE audit_entry SET seq = -4 WHERE seq = 4; "
                   "UPDATE audit_entry SET seq = 4 WHERE seq = 5; "
                   "UPDATE audit_entry SET seq = 5 WHERE seq = -4");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(!v.ok());
  BOOST_TEST(hasProblemAt(v, 4, "does not follow"), describe(v));
  BOOST_TEST(hasProblemAt(v, 4, "altered"), describe(v));
  BOOST_TEST(hasProblemAt(v, 5, "altered"), describe(v));
}

BOOST_FIXTURE_TEST_CASE(entries_cut_off_the_end_are_found, EngineFixture) {
  populate(*this);
  closeStore();
  dps_test::rawSql(*this, "DELETE FROM audit_entry WHERE seq >= 8");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(!v.ok());
  BOOST_TEST(v.entries == 7);
  BOOST_TEST(hasProblemAt(v, 8, "entries at the end were removed"), describe(v));
  // The engine refuses to extend a log whose end is missing, so that the cut cannot be covered up.
  const std::string message = expectRefused([&] { registerSupplier("Kmetija Kern"); }, ErrorCode::kInternal, {"audit"});
  BOOST_TEST(dps_test::mentions(message, "altered"));
  BOOST_TEST(audit().size() == 7u);
}

BOOST_FIXTURE_TEST_CASE(last_entry_cut_off_is_found, EngineFixture) {
  populate(*this);
  closeStore();
  dps_test::rawSql(*this, "DELETE FROM audit_entry WHERE seq = 9");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(hasProblemAt(v, 9, "entries at the end were removed"), describe(v));
  BOOST_TEST(v.problems.size() == 1u, describe(v));
}

BOOST_FIXTURE_TEST_CASE(entry_added_behind_the_logs_back_is_found, EngineFixture) {
  populate(*this);
  const core::AuditEntry last = audit().back();
  core::AuditEntry forged;
  forged.seq = last.seq + 1;
  forged.at = last.at;
  forged.actor = "Maja Novak";
  forged.action = "admission.admit";
  forged.object = "admission:99";
  forged.digest = std::string(64, 'a');
  forged.prev_hash = last.hash;
  forged.hash = core::auditEntryHash(forged);
  closeStore();
  dps_test::rawSql(*this, "INSERT INTO audit_entry (seq, at, actor, action, object, digest, prev_hash, hash) VALUES (" +
                              std::to_string(forged.seq) + ", " + std::to_string(forged.at.time_since_epoch().count()) +
                              ", " + sqlText(forged.actor) + ", " + sqlText(forged.action) + ", " +
                              sqlText(forged.object) + ", " + sqlText(forged.digest) + ", " +
                              sqlText(forged.prev_hash) + ", " + sqlText(forged.hash) + ")");
  reopen();
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(v.entries == 10);
  BOOST_TEST(hasProblemAt(v, 10, "not counted by the log's head"), describe(v));
}

BOOST_AUTO_TEST_SUITE_END()
