// The JSON API over real HTTP: service endpoints and headers, sign-in with sessions, CSRF and
// throttling, API tokens, bad input rejected whole, officers scoped to their authority, sealed bids
// refused to everybody before opening (and logged), and a whole round from invitation to award.

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "tests/engine/engine_test.h"
#include "tests/support/paths.h"
#include "tests/web/web_fixture.h"

using dps_test::HttpResult;
using dps_test::WebFixture;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int countDps(WebFixture& w) {
  int n = 0;
  w.services->store().transact([&](core::Tx& tx) { n = static_cast<int>(tx.listDps().size()); });
  return n;
}

std::string sessionCookieOf(const HttpResult& r) {
  const std::string c = r.header("set-cookie");
  return c.substr(0, c.find(';'));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(web_api, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(healthz_metrics_request_id_and_security_headers) {
  WebFixture w;
  const HttpResult h = w.call("GET", "/healthz");
  BOOST_TEST(h.status == 200);
  BOOST_TEST(h.json()->getValue<std::string>("status") == "ok");
  BOOST_TEST(h.header("x-request-id").size() == 16u);
  BOOST_TEST(h.header("x-content-type-options") == "nosniff");
  BOOST_TEST(contains(h.header("content-security-policy"), "frame-ancestors 'none'"));
  BOOST_TEST(contains(h.header("content-security-policy"), "script-src 'self'"));
  BOOST_TEST(!contains(h.header("content-security-policy"), "unsafe-inline"));
  BOOST_TEST(h.header("referrer-policy") == "same-origin");
  BOOST_TEST(w.call("GET", "/healthz").header("x-request-id") != h.header("x-request-id"));

  w.call("GET", "/api/v1/dps", "", "officer");
  const HttpResult m = w.call("GET", "/metrics");
  BOOST_TEST(m.status == 200);
  BOOST_TEST(contains(m.header("content-type"), "text/plain"));
  BOOST_TEST(contains(m.body, "dps_http_requests_total{method=\"GET\",route=\"/api/v1/dps\",status=\"200\"} 1"));
  BOOST_TEST(contains(m.body, "dps_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
  BOOST_TEST(contains(m.body, "dps_bids_stored_total 0"));
  BOOST_TEST(contains(m.body, "dps_store_errors_total"));

  // The access log has a line per request with its id (read once the server has stopped).
  w.server->stop();
  BOOST_TEST(contains(w.access_log.str(), "GET /healthz 200"));
  BOOST_TEST(contains(w.access_log.str(), "id=" + h.header("x-request-id")));
  BOOST_TEST(contains(w.access_log.str(), "user=mojca.novak"));
}

BOOST_AUTO_TEST_CASE(a_graceful_stop_loses_no_acknowledged_bid) {
  WebFixture w;
  std::atomic<bool> go{true};
  std::mutex mutex;
  std::vector<core::Id> acknowledged;
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      const std::string who = t % 2 == 0 ? "farm_a" : "farm_b";
      const auto& farm = t % 2 == 0 ? w.farm_a : w.farm_b;
      for (int i = 0; go && i < 200; ++i) {
        try {
          const HttpResult r = w.call("POST", "/api/v1/rounds/" + std::to_string(w.round) + "/bid",
                                      w.bidBody(farm, "2." + std::to_string(10 + i % 80)), who);
          if (r.status == 201) {
            const std::lock_guard lock(mutex);
            acknowledged.push_back(r.json()->getValue<core::Id>("bid_id"));
          }
        } catch (const Poco::Exception&) {
          return;  // the server stopped accepting
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  w.server->stop();
  go = false;
  for (std::thread& c : clients) c.join();
  BOOST_TEST(acknowledged.size() > 0u);
  std::set<core::Id> stored;
  for (const core::Bid& b : w.f.bids(w.round)) stored.insert(b.id);
  for (const core::Id id : acknowledged) BOOST_TEST(stored.count(id) == 1u, "acknowledged bid " << id << " is lost");
}

BOOST_AUTO_TEST_CASE(unknown_route_is_404_and_wrong_method_405_as_json) {
  WebFixture w;
  const HttpResult n = w.call("GET", "/api/v1/nothing-here", "", "officer");
  BOOST_TEST(n.status == 404);
  BOOST_TEST(n.json()->getValue<std::string>("code") == "not_found");
  BOOST_TEST(!n.json()->getValue<std::string>("request_id").empty());
  const HttpResult m = w.call("PATCH", "/api/v1/dps", "{}", "officer");
  BOOST_TEST(m.status == 405);
  BOOST_TEST(contains(m.header("allow"), "GET"));
  BOOST_TEST(contains(m.header("allow"), "POST"));
}

BOOST_AUTO_TEST_CASE(sign_in_sets_a_strict_http_only_session_and_csrf_guards_changes) {
  WebFixture w;
  const HttpResult bad = w.call("POST", "/api/v1/session", R"({"username":"mojca.novak","password":"wrong password"})");
  BOOST_TEST(bad.status == 401);
  BOOST_TEST(bad.json()->getValue<std::string>("code") == "invalid_credentials");

  const HttpResult ok = w.call("POST", "/api/v1/session",
                               std::string(R"({"username":"mojca.novak","password":")") + dps_test::kWebPassword + "\"}");
  BOOST_TEST(ok.status == 200);
  const std::string cookie = ok.header("set-cookie");
  BOOST_TEST(contains(cookie, "dps_session="));
  BOOST_TEST(contains(cookie, "HttpOnly"));
  BOOST_TEST(contains(cookie, "SameSite=Strict"));
  BOOST_TEST(!contains(cookie, "Secure"));  // plain HTTP here
  const std::string csrf = ok.json()->getValue<std::string>("csrf_token");
  BOOST_TEST(csrf.size() == 48u);

  const std::map<std::string, std::string> with_cookie = {{"Cookie", sessionCookieOf(ok)}};
  BOOST_TEST(w.call("GET", "/api/v1/me", "", "", with_cookie).json()->getObject("account")->getValue<std::string>(
                 "username") == "mojca.novak");
  const std::string category = R"({"label":"spreadsheet"})";
  const std::string path = "/api/v1/tokens";
  const HttpResult refused = w.call("POST", path, category, "", with_cookie);
  BOOST_TEST(refused.status == 403);
  BOOST_TEST(refused.json()->getValue<std::string>("field") == "x-csrf-token");
  auto with_csrf = with_cookie;
  with_csrf["X-CSRF-Token"] = csrf;
  BOOST_TEST(w.call("POST", path, category, "", with_csrf).status == 201);
  // Signing in again while sending the live session's cookie is a change made with that cookie: the
  // refusal says how to sign in anew.
  const std::string sign_in = std::string(R"({"username":"mojca.novak","password":")") + dps_test::kWebPassword + "\"}";
  const HttpResult again = w.call("POST", "/api/v1/session", sign_in, "", with_cookie);
  BOOST_TEST(again.status == 403);
  BOOST_TEST(contains(again.json()->getValue<std::string>("message"), "without the old session cookie"));
  BOOST_TEST(w.call("POST", "/api/v1/session", sign_in).status == 200);

  // A new sign-in renews the session: the old cookie no longer works after sign-out.
  BOOST_TEST(w.call("DELETE", "/api/v1/session", "", "", with_csrf).status == 200);
  BOOST_TEST(w.call("GET", "/api/v1/me", "", "", with_cookie).status == 401);
}

BOOST_AUTO_TEST_CASE(repeated_failed_sign_ins_are_throttled_per_account) {
  WebFixture w;
  for (int i = 0; i < 5; ++i)
    BOOST_TEST(w.call("POST", "/api/v1/session", R"({"username":"revizor","password":"not the password"})").status == 401);
  const HttpResult throttled = w.call(
      "POST", "/api/v1/session", std::string(R"({"username":"revizor","password":")") + dps_test::kWebPassword + "\"}");
  BOOST_TEST(throttled.status == 429);
  BOOST_TEST(contains(throttled.message(), "too many failed sign-ins"));
  // Another account from the same address is not affected below the address limit.
  BOOST_TEST(w.call("POST", "/api/v1/session",
                    std::string(R"({"username":"admin","password":")") + dps_test::kWebPassword + "\"}")
                 .status == 200);
}

BOOST_AUTO_TEST_CASE(api_tokens_work_as_bearer_and_can_be_revoked) {
  WebFixture w;
  const HttpResult created = w.call("POST", "/api/v1/tokens", R"({"label":"ERP"})", "officer");
  BOOST_TEST(created.status == 201);
  const std::string token = created.json()->getValue<std::string>("token");
  const std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + token}};
  BOOST_TEST(w.call("GET", "/api/v1/me", "", "", bearer).status == 200);
  BOOST_TEST(w.call("POST", "/api/v1/tokens/revoke", "{\"token\":\"" + token + "\"}", "officer").status == 200);
  const HttpResult after = w.call("GET", "/api/v1/me", "", "", bearer);
  BOOST_TEST(after.status == 401);
  BOOST_TEST(w.call("GET", "/api/v1/me").status == 401);
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_whole_naming_the_problem) {
  WebFixture w;
  const int before = countDps(w);
  const std::string good =
      R"({"reference":"KR-2","title":"Fruit","cpv":"15000000","request_deadline":"2026-04-01T10:00:00Z","valid_until":"2028-01-01T00:00:00Z"})";
  const auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return w.call("POST", "/api/v1/dps", body, "officer", {}, type);
  };
  HttpResult r = post("{\"reference\": \"KR-2\",");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.message(), "not well-formed JSON"));

  r = post(R"({"reference":"KR-2","title":"Fruit","cpv":"15000000","request_deadline":"2026-04-01T10:00:00Z","valid_until":"2028-01-01T00:00:00Z","colour":"red"})");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(r.json()->getValue<std::string>("field") == "colour");
  BOOST_TEST(contains(r.message(), "not a known field"));

  r = post(R"({"reference":7,"title":"Fruit","cpv":"15000000","request_deadline":"2026-04-01T10:00:00Z"})");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.message(), "reference: must be a string"));
  BOOST_TEST(contains(r.message(), "valid_until: is required"));  // every problem is listed

  r = post("{\"reference\":\"KR-\xC3\x28\",\"title\":\"x\"}");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.message(), "UTF-8"));

  r = post("{\"reference\":\"" + std::string(101, 'x') +
           R"(","title":"Fruit","cpv":"15000000","request_deadline":"2026-04-01T10:00:00Z","valid_until":"2028-01-01T00:00:00Z"})");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.message(), "too long"));

  // A control character no document may hold (XML 1.0) is refused, whatever the field.
  r = post(
      R"({"reference":"KR-2","title":"Fruit\u0007","cpv":"15000000","request_deadline":"2026-04-01T10:00:00Z","valid_until":"2028-01-01T00:00:00Z"})");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.message(), "title: contains a control character (U+0007)"), r.message());

  r = post("[1,2]");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.message(), "JSON object"));

  r = post(good, "text/plain");
  BOOST_TEST(r.status == 415);

  r = post("{\"title\":\"" + std::string(70000, 'x') + "\"}");
  BOOST_TEST(r.status == 413);
  BOOST_TEST(r.json()->getValue<std::string>("code") == "payload_too_large");

  // Exact money: a number where a decimal string is required is refused.
  r = w.call("POST", "/api/v1/rounds/" + std::to_string(w.round) + "/bid",
             "{\"lines\":[{\"lot_id\":" + std::to_string(w.lot) +
                 ",\"unit_price\":2.4,\"quantity\":\"100\",\"dispatch_point_id\":" +
                 std::to_string(w.farm_a.dispatch_point_id) + "}]}",
             "farm_a");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(r.json()->getValue<std::string>("field") == "lines[0].unit_price");

  BOOST_TEST(countDps(w) == before);  // nothing stored
  BOOST_TEST(post(good).status == 201);
  BOOST_TEST(countDps(w) == before + 1);
}

// Suppliers a page at a time by id: the pages together are the whole list, each in id order, and
// only a full page names where the next one starts.
BOOST_AUTO_TEST_CASE(suppliers_are_listed_whole_or_a_page_at_a_time) {
  WebFixture w;
  std::vector<Poco::Int64> all;
  const auto whole = w.call("GET", "/api/v1/suppliers", "", "admin").json();
  BOOST_TEST(!whole->has("next_after"));
  for (std::size_t i = 0; i < whole->getArray("items")->size(); ++i)
    all.push_back(whole->getArray("items")->getObject(i)->getValue<Poco::Int64>("id"));
  BOOST_TEST_REQUIRE(all.size() >= 2u);

  std::vector<Poco::Int64> paged;
  Poco::Int64 after = 0;
  for (std::size_t page = 0; page <= all.size(); ++page) {
    const HttpResult r = w.call("GET", "/api/v1/suppliers?limit=1&after=" + std::to_string(after), "", "admin");
    BOOST_TEST_REQUIRE(r.status == 200);
    const auto o = r.json();
    const auto items = o->getArray("items");
    BOOST_TEST(items->size() <= 1u);
    for (std::size_t i = 0; i < items->size(); ++i) {
      paged.push_back(items->getObject(i)->getValue<Poco::Int64>("id"));
      BOOST_TEST(items->getObject(i)->getArray("dispatch_points")->size() >= 1u);
    }
    if (!o->has("next_after")) {
      BOOST_TEST(items->size() == 0u);  // the last page was full, so one more, empty, says it was the last
      break;
    }
    BOOST_TEST(items->size() == 1u);
    after = o->getValue<Poco::Int64>("next_after");
    BOOST_TEST(after == paged.back());
  }
  std::sort(all.begin(), all.end());
  BOOST_TEST(paged == all, boost::test_tools::per_element());

  const HttpResult bad = w.call("GET", "/api/v1/suppliers?limit=ten", "", "admin");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.json()->getValue<std::string>("field") == "limit");
  BOOST_TEST(bad.json()->getValue<std::string>("message").find("from 1 to 1000") != std::string::npos);
  BOOST_TEST(w.call("GET", "/api/v1/suppliers?after=-", "", "admin").status == 400);
}

BOOST_AUTO_TEST_CASE(officers_see_only_their_own_authority) {
  WebFixture w;
  const std::string dps = "/api/v1/dps/" + std::to_string(w.dps.id);
  BOOST_TEST(w.call("GET", dps, "", "officer").status == 200);
  BOOST_TEST(w.call("GET", dps, "", "other_officer").status == 403);
  BOOST_TEST(w.call("GET", "/api/v1/rounds/" + std::to_string(w.round), "", "other_officer").status == 403);
  BOOST_TEST(w.call("GET", "/api/v1/dps", "", "other_officer").json()->getArray("items")->size() == 0u);
  BOOST_TEST(w.call("GET", "/api/v1/dps", "", "officer").json()->getArray("items")->size() == 1u);
  const HttpResult open = w.call("POST", "/api/v1/rounds/" + std::to_string(w.round) + "/open", "", "other_officer");
  BOOST_TEST(open.status == 403);
}

BOOST_AUTO_TEST_CASE(the_outbox_shows_officers_only_their_authority_s_notifications) {
  WebFixture w;
  const auto count = [&](const std::string& who) {
    return w.call("GET", "/api/v1/outbox", "", who).json()->getArray("items")->size();
  };
  // The fixture's admissions and dispatch already wrote their notifications (Kranj's).
  const std::size_t admin_before = count("admin");
  const std::size_t officer_before = count("officer");
  BOOST_TEST(admin_before == 4u);  // two admission decisions, two invitations
  BOOST_TEST(officer_before == admin_before);
  BOOST_TEST(count("other_officer") == 0u);
  // A farm that never asked to join any DPS concerns no authority: only staff see mail about it.
  const dps_test::SupplierHandle stranger = w.f.registerSupplier("Kmetija Drugje");
  w.services->store().transact([&](core::Tx& tx) {
    for (const std::string& object : {"round:" + std::to_string(w.round), "supplier:" + std::to_string(w.farm_a.id),
                                      "supplier:" + std::to_string(stranger.id)}) {
      core::OutboxMessage m;
      m.recipient = "zupan@kmetija.si";
      m.subject = "Povabilo";
      m.body = "...";
      m.object = object;
      m.created_at = w.services->clock().now();
      m.next_attempt_at = m.created_at;
      tx.insertOutboxMessage(m);
    }
  });
  BOOST_TEST(count("admin") == admin_before + 3);
  BOOST_TEST(count("officer") == officer_before + 2);  // the round and the farm admitted to Kranj's DPS
  BOOST_TEST(count("other_officer") == 0u);
  BOOST_TEST(w.call("GET", "/api/v1/outbox", "", "farm_a").status == 403);
}

BOOST_AUTO_TEST_CASE(nobody_reads_a_bid_before_opening_and_every_attempt_is_logged) {
  WebFixture w;
  const std::string round = "/api/v1/rounds/" + std::to_string(w.round);
  const HttpResult receipt = w.call("POST", round + "/bid", w.bidBody(w.farm_a, "2.40"), "farm_a");
  BOOST_TEST(receipt.status == 201);
  const std::string digest = receipt.json()->getValue<std::string>("digest");
  BOOST_TEST(digest.size() == 64u);
  const auto bid_id = receipt.json()->getValue<core::Id>("bid_id");
  const std::string bid = "/api/v1/bids/" + std::to_string(bid_id);

  for (const std::string who : {"admin", "officer", "auditor", "farm_a"}) {
    const HttpResult r = w.call("GET", bid, "", who);
    BOOST_TEST(r.status == 403, who);
    BOOST_TEST(contains(r.message(), "sealed"), who);
    BOOST_TEST(!contains(r.body, "2.4"), who);
  }
  BOOST_TEST(w.call("GET", bid, "", "farm_b").status == 403);  // not its bid
  const auto log = w.call("GET", "/api/v1/audit?limit=1000", "", "auditor").json()->getArray("items");
  int refusals = 0;
  for (std::size_t i = 0; i < log->size(); ++i)
    if (log->getObject(static_cast<unsigned>(i))->getValue<std::string>("action") == "bid.read_refused") ++refusals;
  BOOST_TEST(refusals == 4);

  // Envelopes are visible (no content); a supplier sees only its own.
  BOOST_TEST(w.call("GET", round + "/bids", "", "officer").json()->getArray("items")->size() == 1u);
  BOOST_TEST(w.call("GET", round + "/bids", "", "farm_b").json()->getArray("items")->size() == 0u);
  BOOST_TEST(w.call("GET", round + "/evaluation", "", "officer").status == 403);

  // After the deadline and opening, the officer reads it; the other farm still cannot.
  w.setNow(w.f.round(w.round).deadline + std::chrono::seconds(1));
  BOOST_TEST(w.call("POST", round + "/open", "", "officer").status == 200);
  const HttpResult opened = w.call("GET", bid, "", "officer");
  BOOST_TEST(opened.status == 200);
  BOOST_TEST(opened.json()->getArray("lines")->getObject(0)->getValue<std::string>("unit_price") == "2.4");
  BOOST_TEST(w.call("GET", bid, "", "farm_b").status == 403);
  BOOST_TEST(w.call("GET", bid, "", "farm_a").status == 200);
}

BOOST_AUTO_TEST_CASE(a_round_from_creation_to_award_over_the_api) {
  WebFixture w;
  // Round creation with lots x delivery points, then dispatch with a deadline checked by rule 6.
  const std::string round_body = "{\"dps_id\":" + std::to_string(w.dps.id) + ",\"category_id\":" +
                                 std::to_string(w.dps.categories[0]) +
                                 R"(,"title":"Apples","award_mode":"partial_fill","allow_partial":true,"lots":[{"number":1,"cpv":"03222321","description":"Apples","demands":[{"delivery_point_id":)" +
                                 std::to_string(w.point) + R"(,"quantity":"200","schedule":"weekly"}]}]})";
  const HttpResult created = w.call("POST", "/api/v1/rounds", round_body, "officer");
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const auto id = created.json()->getValue<core::Id>("id");
  const std::string round = "/api/v1/rounds/" + std::to_string(id);
  const core::Id lot = created.json()->getArray("lots")->getObject(0)->getValue<core::Id>("id");
  const core::TimePoint now = w.services->clock().now();
  const HttpResult early = w.call("POST", round + "/dispatch",
                                  "{\"deadline\":\"" + core::formatTime(now + std::chrono::days(3)) + "\"}", "officer");
  BOOST_TEST(early.status == 409);
  BOOST_TEST(early.json()->getValue<std::string>("code") == "deadline");
  const std::string deadline = core::formatTime(w.f.earliestDeadline() + std::chrono::hours(2));
  const HttpResult sent = w.call("POST", round + "/dispatch", "{\"deadline\":\"" + deadline + "\"}", "officer");
  BOOST_TEST_REQUIRE(sent.status == 200, sent.body);
  BOOST_TEST(sent.json()->getArray("items")->size() == 2u);
  BOOST_TEST(w.call("GET", "/api/v1/invitations", "", "farm_a").json()->getArray("items")->size() == 2u);

  const auto bid = [&](const dps_test::SupplierHandle& s, const std::string& price, const std::string& qty) {
    return "{\"lines\":[{\"lot_id\":" + std::to_string(lot) + ",\"unit_price\":\"" + price + "\",\"quantity\":\"" + qty +
           "\",\"dispatch_point_id\":" + std::to_string(s.dispatch_point_id) +
           ",\"hours_from_harvest\":12,\"organic\":true,\"vehicle\":\"van\"}]}";
  };
  BOOST_TEST(w.call("POST", round + "/bid", bid(w.farm_a, "1.50", "120"), "farm_a").status == 201);
  const HttpResult amended = w.call("POST", round + "/bid", bid(w.farm_a, "1.40", "120"), "farm_a");
  BOOST_TEST(amended.json()->getValue<int>("version") == 2);
  BOOST_TEST(w.call("POST", round + "/bid", bid(w.farm_b, "1.60", "150"), "farm_b").status == 201);
  BOOST_TEST(w.call("POST", round + "/bid", bid(w.farm_b, "1.60", "150"), "officer").status == 403);
  BOOST_TEST(w.call("POST", round + "/open", "", "officer").json()->getValue<std::string>("code") == "deadline");

  // The administrator moves the simulated clock past the deadline; the setting is persisted.
  const HttpResult moved = w.call("POST", "/api/v1/clock", "{\"set\":\"" + core::formatTime(core::parseTime(deadline) +
                                                                                          std::chrono::minutes(5)) + "\"}",
                                  "admin");
  BOOST_TEST_REQUIRE(moved.status == 200, moved.body);
  BOOST_TEST(w.call("POST", "/api/v1/clock", R"({"advance_hours":1})", "officer").status == 403);
  std::optional<std::string> saved;
  w.services->store().transact([&](core::Tx& tx) { saved = tx.getSetting("clock.simulated_now"); });
  BOOST_TEST(saved.value_or("") == moved.json()->getValue<std::string>("now"));
  BOOST_TEST(w.call("POST", round + "/bid", bid(w.farm_b, "1.10", "150"), "farm_b").status >= 400);  // too late

  BOOST_TEST(w.call("POST", round + "/open", "", "officer").status == 200);
  BOOST_TEST(w.call("POST", round + "/evaluate", "", "officer").status == 200);
  const auto evaluation = w.call("GET", round + "/evaluation", "", "officer").json();
  BOOST_TEST(evaluation->getArray("results")->size() == 2u);
  const auto own = w.call("GET", round + "/evaluation", "", "farm_b").json();
  BOOST_TEST(own->getArray("results")->size() == 1u);  // a farmer sees only its own results
  BOOST_TEST(own->getArray("results")->getObject(0)->getValue<int>("rank") == 2);

  const HttpResult award = w.call("POST", round + "/award", "", "officer");
  BOOST_TEST_REQUIRE(award.status == 201, award.body);
  BOOST_TEST(!award.json()->getValue<std::string>("standstill_end").empty());
  const auto lines = award.json()->getArray("lines");
  BOOST_TEST(lines->size() == 2u);  // 120 from the best, 80 from the second (partial fill)
  BOOST_TEST(lines->getObject(0)->getValue<std::string>("quantity") == "120");

  // Rule 13: the award notice is due; the officer records its publication once.
  const std::string notices = "/api/v1/dps/" + std::to_string(w.dps.id) + "/award-notices";
  const auto due = w.call("GET", notices, "", "auditor").json()->getArray("items");
  BOOST_TEST_REQUIRE(due->size() == 1u);
  BOOST_TEST(due->getObject(0)->getValue<std::string>("state") == "due");
  BOOST_TEST(w.call("GET", notices, "", "farm_a").status == 403);
  const std::string published_at = core::formatTime(w.services->clock().now());
  const HttpResult bad_notice = w.call("POST", notices, R"({"reference":"","published_at":"soon"})", "officer");
  BOOST_TEST(bad_notice.status == 400);
  const HttpResult recorded = w.call(
      "POST", notices,
      "{\"round_id\":" + std::to_string(id) + ",\"reference\":\"00123456-2026\",\"published_at\":\"" + published_at + "\"}",
      "officer");
  BOOST_TEST_REQUIRE(recorded.status == 201, recorded.body);
  const auto settled = recorded.json()->getArray("items")->getObject(0);
  BOOST_TEST(settled->getValue<std::string>("state") == "published");
  BOOST_TEST(settled->getObject("publication")->getValue<std::string>("reference") == "00123456-2026");
  BOOST_TEST(w.call("POST", notices,
                    "{\"round_id\":" + std::to_string(id) + ",\"reference\":\"x\",\"published_at\":\"" + published_at + "\"}",
                    "officer")
                 .status == 409);

  const auto recomputed = w.call("GET", round + "/recomputation", "", "auditor").json();
  BOOST_TEST(recomputed->getValue<bool>("ok"));
  BOOST_TEST(recomputed->getArray("scores")->size() == 8u);
  BOOST_TEST(w.call("GET", "/api/v1/audit/verification", "", "auditor").json()->getValue<bool>("ok"));
  BOOST_TEST(w.call("GET", "/api/v1/audit/verification", "", "farm_a").status == 403);

  // Metrics count the bids taken over HTTP.
  BOOST_TEST(contains(w.call("GET", "/metrics").body, "dps_bids_stored_total 3"));
}

BOOST_AUTO_TEST_CASE(a_farmer_registers_applies_and_is_admitted_over_the_api) {
  WebFixture w;
  const HttpResult reg = w.call("POST", "/api/v1/register",
                                R"({"username":"ana@kmetija-bela.si","password":"long enough password","name":"Kmetija Bela","tax_number":"99887766","address":"Bela 1, Preddvor","email":"ana@kmetija-bela.si","dispatch_points":[{"name":"Dvorišče","lat":46.30,"lon":14.42}]})");
  BOOST_TEST_REQUIRE(reg.status == 201, reg.body);
  const HttpResult login = w.call("POST", "/api/v1/session", R"({"username":"ana@kmetija-bela.si","password":"long enough password"})");
  BOOST_TEST_REQUIRE(login.status == 200);
  std::map<std::string, std::string> session = {{"Cookie", sessionCookieOf(login)},
                                                {"X-CSRF-Token", login.json()->getValue<std::string>("csrf_token")}};
  const HttpResult applied = w.call("POST", "/api/v1/admissions",
                                    "{\"category_id\":" + std::to_string(w.dps.categories[0]) +
                                        R"(,"self_declaration":"<QualificationApplicationResponse/>"})",
                                    "", session);
  BOOST_TEST_REQUIRE(applied.status == 201, applied.body);
  const auto request = applied.json()->getValue<core::Id>("id");
  const auto pending = w.call("GET", "/api/v1/dps/" + std::to_string(w.dps.id) + "/admissions", "", "officer").json();
  BOOST_TEST(pending->getArray("pending")->size() == 1u);
  BOOST_TEST(pending->getArray("pending")->getObject(0)->getValue<int>("working_days_left") == 10);
  const HttpResult decided = w.call("POST", "/api/v1/admissions/" + std::to_string(request) + "/decision",
                                    R"({"admit":true,"reason":"ESPD complete"})", "officer");
  BOOST_TEST(decided.status == 200);
  BOOST_TEST(decided.json()->getValue<std::string>("status") == "admitted");
  // The same registration again is a conflict, and a weak password is refused naming the field.
  BOOST_TEST(w.call("POST", "/api/v1/register",
                    R"({"username":"x@y.si","password":"short","name":"X","tax_number":"1","dispatch_points":[{"name":"D","lat":46,"lon":14}]})")
                 .json()
                 ->getValue<std::string>("field") == "password");
}

BOOST_AUTO_TEST_CASE(https_with_a_configured_certificate_marks_the_session_cookie_secure) {
  const std::string dir = dps_test::tempDir("web_tls");
  const std::string key = dir + "/key.pem";
  const std::string cert = dir + "/cert.pem";
  const std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert +
                           " -days 2 -subj /CN=127.0.0.1 >/dev/null 2>&1";
  BOOST_TEST_REQUIRE(std::system(make.c_str()) == 0, "openssl could not create a test certificate");
  WebFixture w([&](web::Config& c) {
    c.http_tls_certificate = cert;
    c.http_tls_private_key = key;
  });
  BOOST_TEST(w.server->url().rfind("https://127.0.0.1:", 0) == 0u);
  Poco::Net::Context::Ptr client = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::HTTPSClientSession session("127.0.0.1", w.server->port(), client);
  Poco::Net::HTTPRequest request("POST", "/api/v1/session", Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string body = std::string(R"({"username":"admin","password":")") + dps_test::kWebPassword + "\"}";
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string answer;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
  BOOST_TEST(static_cast<int>(response.getStatus()) == 200);
  BOOST_TEST(contains(response.get("Set-Cookie"), "; Secure"));
  BOOST_TEST(response.get("Strict-Transport-Security").size() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
