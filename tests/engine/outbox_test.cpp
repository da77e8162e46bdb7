// Notifications through core::Engine: invitations, admission decisions, renewal requests and award
// decisions are written to the outbox in the transaction of the change (a refused change leaves no
// message), addressed to the supplier's e-mail, in Slovenian first and then English, naming the DPS
// or round and what to do next.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "tests/engine/engine_test.h"

using core::ErrorCode;
using dps_test::EngineFixture;
using dps_test::mentions;

namespace {

// How a mail writes an instant of these winter scenes: Slovenian legal time, CET (UTC+01:00).
std::string legalTime(core::TimePoint t) {
  BOOST_TEST_REQUIRE((t < core::parseTime("2026-03-29T01:00:00Z")), "the scene left winter time");
  const std::string local = core::formatTime(t + std::chrono::hours(1));
  return local.substr(0, 10) + " " + local.substr(11, 5) + " (UTC+01:00)";
}

std::vector<core::OutboxMessage> allMessages(EngineFixture& f) {
  std::vector<core::OutboxMessage> all;
  f.store->transact([&](core::Tx& tx) { all = tx.listOutbox(1000); });
  return all;
}

// The messages about one object ("round:3", "admission:7"), by recipient.
std::map<std::string, core::OutboxMessage> about(EngineFixture& f, const std::string& object) {
  std::map<std::string, core::OutboxMessage> out;
  for (const core::OutboxMessage& m : allMessages(f)) {
    if (m.object != object) continue;
    BOOST_TEST(out.count(m.recipient) == 0u, "two messages about " << object << " to " << m.recipient);
    out[m.recipient] = m;
  }
  return out;
}

std::string emailOf(EngineFixture& f, core::Id supplier_id) {
  std::optional<core::Supplier> s;
  f.store->transact([&](core::Tx& tx) { s = tx.getSupplier(supplier_id); });
  BOOST_TEST_REQUIRE(s.has_value());
  return s->email;
}

std::string roundObject(core::Id id) { return "round:" + std::to_string(id); }

// Slovenian comes first: `sl` appears in the body before `en`.
void checkSlovenianFirst(const core::OutboxMessage& m, const std::string& sl, const std::string& en) {
  const std::size_t at_sl = m.body.find(sl);
  const std::size_t at_en = m.body.find(en);
  BOOST_TEST(at_sl != std::string::npos, "'" << sl << "' not in: " << m.body);
  BOOST_TEST(at_en != std::string::npos, "'" << en << "' not in: " << m.body);
  BOOST_TEST(at_sl < at_en, "Slovenian must come before English in: " << m.body);
}

void checkPendingNow(EngineFixture& f, const core::OutboxMessage& m) {
  BOOST_TEST(std::string(core::toString(m.status)) == "pending");
  BOOST_TEST(m.attempts == 0);
  BOOST_TEST((m.created_at == f.clock.now()));
  BOOST_TEST((m.next_attempt_at == f.clock.now()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notifications, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(dispatch_writes_one_invitation_per_invited_supplier) {
  EngineFixture f;
  const auto dps = f.publishedDps({"VEG", "FRUIT"});
  const auto a = f.admittedSupplier("Kmetija Zupan", dps.categories[0]);
  const auto b = f.admittedSupplier("Kmetija Kos", dps.categories[0]);
  const auto other = f.admittedSupplier("Sadjarstvo Bergant", dps.categories[1]);  // not in this category
  const auto pending = f.registerSupplier("Kmetija Novak");
  f.requestAdmission(pending, dps.categories[0]);  // not decided: not invited
  const core::Id point = f.deliveryPoint("OS-PRES");
  const core::Id round = f.createRound(dps, dps.categories[0], {EngineFixture::lot(1, point, "100")});
  f.startRounds();
  BOOST_TEST(about(f, roundObject(round)).empty());  // a draft round tells nobody
  const auto invitations = f.dispatch(round);
  BOOST_TEST(invitations.size() == 2u);

  const core::Round r = f.round(round);
  const core::Dps d = f.dps(dps.id);
  const auto messages = about(f, roundObject(round));
  BOOST_TEST(messages.size() == 2u);
  for (const auto& s : {a, b}) {
    const auto it = messages.find(emailOf(f, s.id));
    BOOST_TEST_REQUIRE((it != messages.end()), "no invitation to " << s.actor.name);
    const core::OutboxMessage& m = it->second;
    checkPendingNow(f, m);
    BOOST_TEST(mentions(m.subject, "Povabilo k oddaji ponudbe: " + r.reference));
    BOOST_TEST(mentions(m.subject, "Invitation to bid: " + r.reference));
    BOOST_TEST(m.subject.find("Povabilo") < m.subject.find("Invitation"));
    BOOST_TEST(mentions(m.body, s.actor.name));
    BOOST_TEST(mentions(m.body, d.reference));
    // The deadline as a person in Kranj reads it ("2026-02-26 09:00 (UTC+01:00)"), in both languages.
    const std::string readable = legalTime(r.deadline);
    checkSlovenianFirst(m, "Rok za oddajo ponudb: " + readable, "Tender deadline: " + readable);
    checkSlovenianFirst(m, "Kaj storiti:", "What to do:");
  }
  BOOST_TEST(messages.count(emailOf(f, other.id)) == 0u);
  BOOST_TEST(messages.count(emailOf(f, pending.id)) == 0u);
}

BOOST_AUTO_TEST_CASE(refused_dispatch_leaves_no_invitation_in_the_outbox) {
  EngineFixture f;
  const auto dps = f.publishedDps();
  f.admittedSupplier("Kmetija Zupan", dps.categories[0]);
  const core::Id point = f.deliveryPoint("OS-PRES");
  const core::Id round = f.createRound(dps, dps.categories[0], {EngineFixture::lot(1, point, "100")});
  f.startRounds();
  const std::size_t before = allMessages(f).size();
  // Nine days is shorter than the ten-day tender period: refused whole, so no invitation is sent either.
  BOOST_CHECK_THROW(f.engine->dispatchRound(f.officer, round, f.clock.now() + std::chrono::hours(24 * 9)),
                    core::Error);
  BOOST_TEST(allMessages(f).size() == before);
  BOOST_TEST(about(f, roundObject(round)).empty());
}

BOOST_AUTO_TEST_CASE(admission_decisions_tell_the_supplier_with_the_reason) {
  EngineFixture f;
  const auto dps = f.publishedDps({"VEG"});
  const core::Dps d = f.dps(dps.id);
  const auto admitted = f.registerSupplier("Kmetija Zupan");
  const auto rejected = f.registerSupplier("Kmetija Kos");
  const core::Id request_a = f.requestAdmission(admitted, dps.categories[0]);
  const core::Id request_r = f.requestAdmission(rejected, dps.categories[0]);
  BOOST_TEST(allMessages(f).empty());  // a request alone is not a decision

  f.engine->decideAdmission(f.officer, request_a, true, "ESPD in order");
  auto messages = about(f, "admission:" + std::to_string(request_a));
  BOOST_TEST_REQUIRE(messages.size() == 1u);
  core::OutboxMessage m = messages.begin()->second;
  BOOST_TEST(m.recipient == emailOf(f, admitted.id));
  checkPendingNow(f, m);
  BOOST_TEST(mentions(m.subject, "Sprejeti ste v " + d.reference + " VEG"));
  BOOST_TEST(mentions(m.subject, "Admitted to " + d.reference + " VEG"));
  checkSlovenianFirst(m, "je sprejeta", "is admitted");
  checkSlovenianFirst(m, "Povabila k oddaji ponudb", "Invitations to bid");

  // A rejection that is refused (no reason) writes nothing; the one with a reason tells it.
  BOOST_CHECK_THROW(f.engine->decideAdmission(f.officer, request_r, false, ""), core::Error);
  BOOST_TEST(about(f, "admission:" + std::to_string(request_r)).empty());
  f.engine->decideAdmission(f.officer, request_r, false, "the HACCP certificate is missing");
  messages = about(f, "admission:" + std::to_string(request_r));
  BOOST_TEST_REQUIRE(messages.size() == 1u);
  m = messages.begin()->second;
  BOOST_TEST(m.recipient == emailOf(f, rejected.id));
  BOOST_TEST(mentions(m.subject, "zavrnjena"));
  BOOST_TEST(mentions(m.subject, "rejected"));
  checkSlovenianFirst(m, "je zavrnjena", "is rejected");
  BOOST_TEST(mentions(m.body, "the HACCP certificate is missing"));
  checkSlovenianFirst(m, "vložite novo zahtevo", "file a new request");
  BOOST_TEST(allMessages(f).size() == 2u);
}

BOOST_AUTO_TEST_CASE(renewal_request_tells_the_supplier_when_it_is_due) {
  EngineFixture f;
  const auto dps = f.publishedDps();
  const core::Dps d = f.dps(dps.id);
  const auto s = f.admittedSupplier("Kmetija Zupan", dps.categories[0]);
  const std::size_t before = allMessages(f).size();
  f.engine->requestRenewal(f.officer, s.id);
  std::vector<core::RenewalRequest> renewals;
  f.store->transact([&](core::Tx& tx) { renewals = tx.listRenewalRequests(s.id); });
  BOOST_TEST_REQUIRE(renewals.size() == 1u);
  const auto all = allMessages(f);
  BOOST_TEST_REQUIRE(all.size() == before + 1);
  const core::OutboxMessage& m = all.front();  // newest first
  BOOST_TEST(m.recipient == emailOf(f, s.id));
  BOOST_TEST(m.object == "supplier:" + std::to_string(s.id));
  checkPendingNow(f, m);
  const std::string readable = legalTime(renewals[0].due_at);
  BOOST_TEST(mentions(m.subject, "Obnovite lastno izjavo (ESPD) do " + readable));
  BOOST_TEST(mentions(m.subject, "Renew your self-declaration (ESPD) by " + readable));
  checkSlovenianFirst(m, "za " + d.reference, "for " + d.reference);
  checkSlovenianFirst(m, "5 delovnih dni", "5 working days");
  checkSlovenianFirst(m, "Kaj storiti:", "What to do:");

  // Only officers may ask; a refused request writes nothing.
  BOOST_CHECK_THROW(f.engine->requestRenewal(s.actor, s.id), core::Error);
  BOOST_TEST(allMessages(f).size() == before + 1);
}

BOOST_AUTO_TEST_CASE(award_tells_every_bidder_what_it_won_and_when_the_standstill_ends) {
  EngineFixture f;
  const auto dps = f.publishedDps();
  const auto winner = f.admittedSupplier("Kmetija Zupan", dps.categories[0]);
  const auto loser = f.admittedSupplier("Kmetija Kos", dps.categories[0]);
  const auto withdrawn = f.admittedSupplier("Kmetija Novak", dps.categories[0]);
  const auto silent = f.admittedSupplier("Kmetija Bergant", dps.categories[0]);  // invited, never bids
  const core::Id point = f.deliveryPoint("OS-PRES");
  const core::Id round = f.createRound(dps, dps.categories[0], {EngineFixture::lot(1, point, "100")});
  f.startRounds();
  f.dispatch(round);
  const core::Id lot = f.lots(round).at(0).id;
  f.clock.advance(std::chrono::minutes(1));
  f.bid(winner, round, {EngineFixture::bidLine(lot, "2.00", "100", winner)});
  f.clock.advance(std::chrono::minutes(1));
  f.bid(loser, round, {EngineFixture::bidLine(lot, "2.40", "100", loser)});
  f.clock.advance(std::chrono::minutes(1));
  f.bid(withdrawn, round, {EngineFixture::bidLine(lot, "1.90", "100", withdrawn)});
  f.engine->withdrawBid(withdrawn.actor, round);
  f.openAndEvaluate(round);
  const std::size_t invitations = about(f, roundObject(round)).size();
  BOOST_TEST(invitations == 4u);

  const core::AwardDecision decision = f.engine->awardRound(f.officer, round);
  BOOST_TEST_REQUIRE(decision.standstill_end.has_value());
  const core::Round r = f.round(round);
  std::map<std::string, core::OutboxMessage> awards;
  for (const core::OutboxMessage& m : allMessages(f))
    if (m.object == roundObject(round) && mentions(m.subject, "Award decision")) awards[m.recipient] = m;
  BOOST_TEST(awards.size() == 2u);  // the two bidders; not the withdrawn bid, not the silent invitee
  BOOST_TEST(awards.count(emailOf(f, withdrawn.id)) == 0u);
  BOOST_TEST(awards.count(emailOf(f, silent.id)) == 0u);

  const std::string readable = legalTime(*decision.standstill_end);
  for (const auto& s : {winner, loser}) {
    const auto it = awards.find(emailOf(f, s.id));
    BOOST_TEST_REQUIRE((it != awards.end()), "no award message to " << s.actor.name);
    const core::OutboxMessage& m = it->second;
    checkPendingNow(f, m);
    BOOST_TEST(mentions(m.subject, "Odločitev o oddaji: " + r.reference));
    BOOST_TEST(mentions(m.subject, "Award decision: " + r.reference));
    checkSlovenianFirst(m, "Mirovalni rok poteče " + readable, "The standstill period ends " + readable);
    checkSlovenianFirst(m, "Kaj storiti:", "What to do:");
  }
  const core::OutboxMessage& won = awards.at(emailOf(f, winner.id));
  checkSlovenianFirst(won, "Vaši ponudbi je oddano:\n- sklop 1: 100 kg po 2.00 EUR",
                      "Awarded to your bid:\n- lot 1: 100 kg at 2.00 EUR");
  BOOST_TEST(!mentions(won.body, "not selected"));
  const core::OutboxMessage& lost = awards.at(emailOf(f, loser.id));
  checkSlovenianFirst(lost, "Vaša ponudba ni bila izbrana.", "Your bid was not selected.");
  BOOST_TEST(!mentions(lost.body, "Awarded to your bid"));

  // A second award is refused and tells nobody again.
  const std::size_t total = allMessages(f).size();
  BOOST_CHECK_THROW(f.engine->awardRound(f.officer, round), core::Error);
  BOOST_TEST(allMessages(f).size() == total);
}

BOOST_AUTO_TEST_SUITE_END()
