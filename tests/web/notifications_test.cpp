// Notifications end to end: a round created and dispatched through the JSON API puts one invitation
// per invited farm in the outbox, and the service's own outbox worker delivers it by SMTP to a
// receiver started by the test on 127.0.0.1, bilingual and naming the round; a delivery the
// receiver refuses ends as failed and the officer sees it on the dashboard.

#include <boost/test/unit_test.hpp>

#include <thread>

#include "tests/engine/engine_test.h"
#include "tests/web/smtp_receiver.h"
#include "tests/web/web_fixture.h"

using dps_test::HttpResult;
using dps_test::ReceivedMail;
using dps_test::WebFixture;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string emailOf(WebFixture& w, core::Id supplier_id) {
  std::optional<core::Supplier> s;
  w.services->store().transact([&](core::Tx& tx) { s = tx.getSupplier(supplier_id); });
  BOOST_TEST_REQUIRE(s.has_value());
  return s->email;
}

// Creates a one-lot round through the API and dispatches it; returns its id and reference.
std::pair<core::Id, std::string> dispatchThroughApi(WebFixture& w, const std::string& title) {
  const std::string round_body = "{\"dps_id\":" + std::to_string(w.dps.id) +
                                 ",\"category_id\":" + std::to_string(w.dps.categories[0]) + ",\"title\":\"" + title +
                                 R"(","lots":[{"number":1,"cpv":"03221000","description":"Carrots","demands":[{"delivery_point_id":)" +
                                 std::to_string(w.point) + R"(,"quantity":"80"}]}]})";
  const HttpResult created = w.call("POST", "/api/v1/rounds", round_body, "officer");
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const auto id = created.json()->getValue<core::Id>("id");
  const std::string reference = created.json()->getValue<std::string>("reference");
  const std::string deadline = core::formatTime(w.f.earliestDeadline() + std::chrono::hours(1));
  const HttpResult sent = w.call("POST", "/api/v1/rounds/" + std::to_string(id) + "/dispatch",
                                 "{\"deadline\":\"" + deadline + "\"}", "officer");
  BOOST_TEST_REQUIRE(sent.status == 200, sent.body);
  BOOST_TEST(sent.json()->getArray("items")->size() == 2u);
  return {id, reference};
}

// The round's messages once none is pending any more (the worker has tried each), bounded.
std::vector<core::OutboxMessage> settledMessages(WebFixture& w, core::Id round_id) {
  std::vector<core::OutboxMessage> mine;
  for (int i = 0; i < 400; ++i) {
    mine.clear();
    w.services->store().transact([&](core::Tx& tx) {
      for (const core::OutboxMessage& m : tx.listOutbox(1000))
        if (m.object == "round:" + std::to_string(round_id)) mine.push_back(m);
    });
    const bool pending = std::any_of(mine.begin(), mine.end(),
                                     [](const core::OutboxMessage& m) { return m.status == core::OutboxStatus::kPending; });
    if (!pending) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return mine;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notifications, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(an_invitation_dispatched_through_the_api_reaches_the_farm_by_smtp) {
  dps_test::SmtpReceiver receiver;
  WebFixture w([&](web::Config& c) {
    c.smtp_host = "127.0.0.1";
    c.smtp_port = receiver.port();
    c.smtp_from = "dps@kranj.si";
  });
  const auto [round_id, reference] = dispatchThroughApi(w, "Carrots for the school kitchens");
  const std::string subject = "Povabilo k oddaji ponudbe: " + reference + " / Invitation to bid: " + reference;
  for (const auto& farm : {w.farm_a, w.farm_b}) {
    const std::string to = emailOf(w, farm.id);
    const bool arrived = receiver.waitFor([&](const ReceivedMail& m) { return m.envelope_to == to && m.subject == subject; });
    BOOST_TEST_REQUIRE(arrived, "no invitation to " << to << " for " << reference);
  }
  for (const ReceivedMail& m : receiver.mails()) {
    if (m.subject != subject) continue;
    // What the farmer reads: Slovenian first, then English; the round, its title, the deadline and what to do.
    BOOST_TEST(contains(m.body, "vabimo vas k oddaji ponudbe v krogu " + reference));
    BOOST_TEST(contains(m.body, "Carrots for the school kitchens"));
    BOOST_TEST(m.body.find("Rok za oddajo ponudb:") < m.body.find("Tender deadline:"));
    BOOST_TEST(contains(m.body, "What to do: sign in to the DPS, open round " + reference));
  }
  const auto stored = settledMessages(w, round_id);
  BOOST_TEST(stored.size() == 2u);
  for (const core::OutboxMessage& m : stored) {
    BOOST_TEST(std::string(core::toString(m.status)) == "sent");
    BOOST_TEST(m.attempts == 1);
  }
}

BOOST_AUTO_TEST_CASE(a_refused_delivery_ends_failed_and_the_officer_sees_it) {
  dps_test::SmtpReceiver receiver(/*reject=*/true);
  WebFixture w([&](web::Config& c) {
    c.smtp_host = "127.0.0.1";
    c.smtp_port = receiver.port();
    c.smtp_max_attempts = 1;
  });
  const auto [round_id, reference] = dispatchThroughApi(w, "Apples");
  const auto stored = settledMessages(w, round_id);
  BOOST_TEST_REQUIRE(stored.size() == 2u);
  for (const core::OutboxMessage& m : stored) {
    BOOST_TEST(std::string(core::toString(m.status)) == "failed");
    BOOST_TEST(contains(m.last_error, "554"));
  }
  dps_test::Browser officer(w, "en");
  BOOST_TEST(officer.login("mojca.novak", dps_test::kWebPassword).status == 303);
  const HttpResult page = officer.get("/officer");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(contains(page.body, "Notifications that could not be delivered"));
  BOOST_TEST(contains(page.body, emailOf(w, w.farm_a.id)));
  BOOST_TEST(contains(page.body, "Invitation to bid: " + reference));
  // Another authority's officer does not see the Kranj farms' failed mail.
  dps_test::Browser other(w, "en");
  BOOST_TEST(other.login("janez.naklo", dps_test::kWebPassword).status == 303);
  BOOST_TEST(!contains(other.get("/officer").body, reference));
}

BOOST_AUTO_TEST_SUITE_END()
