// The pages as a person uses them, through forms with CSRF tokens and cookies: a farmer registers,
// applies, bids (amends, withdraws) and gets a receipt with the SHA-256 digest; an officer admits,
// creates a round (the 10-day rule checked before anything is stored), opens, evaluates and awards;
// an auditor sees the verified audit log and the recomputed scores. Both languages, every field
// labelled, no inline script, no missing message.

#include <boost/test/unit_test.hpp>

#include <regex>

#include "tests/engine/engine_test.h"
#include "tests/support/paths.h"
#include "tests/web/web_fixture.h"
#include "web/server/messages.h"
#include "web/server/report_routes.h"

using dps_test::Browser;
using dps_test::HttpResult;
using dps_test::WebFixture;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A page a person can use: complete catalogue, no inline script or style, every visible field
// labelled (by a <label for=...>).
void checkPage(const std::string& html, const std::string& what) {
  BOOST_TEST(!contains(html, "[["), what << ": a message is missing from the catalogue");
  BOOST_TEST(!contains(html, "<script"), what);
  BOOST_TEST(!contains(html, " style=\""), what);
  BOOST_TEST(contains(html, "name=\"viewport\""), what);
  const std::regex control("<(input|select|textarea)([^>]*)>");
  const std::regex id_attr(" id=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), control); it != std::sregex_iterator(); ++it) {
    const std::string attrs = (*it)[2];
    if (contains(attrs, "type=\"hidden\"")) continue;
    std::smatch id;
    BOOST_TEST_REQUIRE(std::regex_search(attrs, id, id_attr), what << ": a field without id: " << it->str());
    BOOST_TEST(contains(html, "for=\"" + id[1].str() + "\""), what << ": field " << id[1] << " has no label");
  }
}

std::string location(const HttpResult& r) { return r.header("location"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(web_pages, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(pages_speak_slovenian_by_default_and_english_on_request) {
  WebFixture w;
  Browser sl(w, "sl-SI,sl;q=0.9");
  const HttpResult page = sl.get("/login");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(contains(page.body, "<html lang=\"sl\""));
  BOOST_TEST(contains(page.body, "Uporabniško ime"));
  checkPage(page.body, "login sl");
  Browser en(w, "en-GB,en;q=0.9,sl;q=0.5");
  const HttpResult english = en.get("/login");
  BOOST_TEST(contains(english.body, "<html lang=\"en\""));
  BOOST_TEST(contains(english.body, "Username"));
  // The switch sets a cookie that wins over Accept-Language.
  const HttpResult switched = sl.get("/lang?to=en&back=/register");
  BOOST_TEST(switched.status == 303);
  BOOST_TEST(location(switched) == "/register");
  BOOST_TEST(sl.cookies()["dps_lang"] == "en");
  BOOST_TEST(contains(sl.get("/register").body, "Register a farm or cooperative"));
  BOOST_TEST(sl.get("/lang?to=sl&back=//evil.example").header("location") == "/");
}

BOOST_AUTO_TEST_CASE(the_message_catalogue_is_complete_in_both_languages) {
  std::set<std::string> keys;
  for (const web::server::MessageEntry& e : web::server::messageCatalogue()) {
    BOOST_TEST(keys.insert(e.key).second, "duplicate key " << e.key);
    BOOST_TEST(std::string(e.en).size() > 0u, e.key);
    BOOST_TEST(std::string(e.sl).size() > 0u, e.key);
  }
  BOOST_TEST(web::server::message("en", "round.deadline") == "Tender deadline");
  BOOST_TEST(web::server::message("sl", "round.deadline") == "Rok za prejem ponudb");
  BOOST_TEST(web::server::message("sl", "no.such.key") == "[[no.such.key]]");
  BOOST_TEST(web::server::languageFromAcceptLanguage("en-US,en;q=0.9") == "en");
  BOOST_TEST(web::server::languageFromAcceptLanguage("de-DE,sl;q=0.5,en;q=0.4") == "sl");
  BOOST_TEST(web::server::languageFromAcceptLanguage("fr") == "sl");
}

BOOST_AUTO_TEST_CASE(forms_without_the_csrf_token_are_refused) {
  WebFixture w;
  Browser b(w);
  BOOST_TEST(b.login(w.usernames["farm_a"], dps_test::kWebPassword).status == 303);
  const HttpResult r = b.post("/farmer/apply", {{"csrf", "forged"}, {"category", "1"}, {"confirm", "1"}});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(contains(r.body, "Obrazec je potekel ali ni bil poslan s te strani"));
  BOOST_TEST(w.call("POST", "/login", "username=admin&password=x", "", {}, "application/x-www-form-urlencoded").status ==
             403);
}

BOOST_AUTO_TEST_CASE(a_form_value_with_a_control_character_is_refused) {
  WebFixture w;
  Browser farmer(w, "en");
  farmer.get("/register");
  const HttpResult r = farmer.post("/register", {{"name", std::string("Kmetija\x01 Bela")},
                                                 {"tax_number", "55443323"},
                                                 {"address", "Bela 3"},
                                                 {"email", "bela2@kmetija.si"},
                                                 {"dp_name", "Dvorišče"},
                                                 {"dp_address", "Bela 3"},
                                                 {"dp_lat", "46,30"},
                                                 {"dp_lon", "14.42"},
                                                 {"username", "bela2@kmetija.si"},
                                                 {"password", "a long farm password"}});
  BOOST_TEST(r.status != 303);
  BOOST_TEST(contains(r.body, "name contains a control character (U+0001)"), r.body.substr(0, 400));
  std::optional<core::Supplier> stored;
  w.services->store().read([&](core::Tx& tx) { stored = tx.findSupplierByTaxNumber("55443323"); });
  BOOST_TEST(!stored.has_value());
}

BOOST_AUTO_TEST_CASE(static_files_are_served_and_paths_refused) {
  WebFixture w;
  const HttpResult css = w.call("GET", "/static/style.css");
  BOOST_TEST(css.status == 200);
  BOOST_TEST(contains(css.header("content-type"), "text/css"));
  BOOST_TEST(w.call("GET", "/static/..%2F..%2Fdps.properties").status == 400);
  BOOST_TEST(w.call("GET", "/static/.hidden").status == 400);
  BOOST_TEST(w.call("GET", "/static/../CMakeLists.txt").status >= 400);
  BOOST_TEST(w.call("GET", "/static/nothing.css").status == 404);
}

BOOST_AUTO_TEST_CASE(a_farmer_registers_applies_bids_amends_and_keeps_the_receipt) {
  WebFixture w;
  Browser farmer(w, "en");
  farmer.get("/register");
  checkPage(farmer.lastPage(), "register");
  HttpResult r = farmer.post("/register", {{"name", "Kmetija Bela"},
                                            {"tax_number", "55443322"},
                                            {"address", "Bela 3"},
                                            {"email", "bela@kmetija.si"},
                                            {"dp_name", "Dvorišče"},
                                            {"dp_address", "Bela 3"},
                                            {"dp_lat", "46,30"},
                                            {"dp_lon", "14.42"},
                                            {"username", "bela@kmetija.si"},
                                            {"password", "a long farm password"}});
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 400));
  BOOST_TEST(location(r) == "/farmer?done=registered");
  r = farmer.get("/farmer?done=registered");
  checkPage(r.body, "farmer dashboard");
  BOOST_TEST(contains(r.body, "Kmetija Bela"));
  r = farmer.post("/farmer/apply", {{"category", std::to_string(w.dps.categories[0])},
                                    {"self_declaration", "<QualificationApplicationResponse/>"},
                                    {"confirm", "1"}});
  BOOST_TEST(r.status == 303);
  // Applying again while the request is pending is refused on the page itself, keeping what was sent.
  farmer.get("/farmer");
  r = farmer.post("/farmer/apply", {{"category", std::to_string(w.dps.categories[0])},
                                    {"self_declaration", "<QualificationApplicationResponse>again"},
                                    {"confirm", "1"}});
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "refused application");
  BOOST_TEST(contains(r.body, "Your request to join category"));
  BOOST_TEST(contains(r.body, "role=\"alert\""));
  BOOST_TEST(contains(r.body, "&lt;QualificationApplicationResponse&gt;again</textarea>"));
  BOOST_TEST(contains(r.body, "value=\"" + std::to_string(w.dps.categories[0]) + "\" selected"));

  // The officer sees the request with its working days left and admits it.
  Browser officer(w, "sl");
  BOOST_TEST(officer.login("mojca.novak", dps_test::kWebPassword).status == 303);
  r = officer.get("/officer/admissions?dps=" + std::to_string(w.dps.id));
  checkPage(r.body, "admission review");
  BOOST_TEST(contains(r.body, "Kmetija Bela"));
  BOOST_TEST(contains(r.body, "delovnih dni do roka"));
  core::Id request = 0;
  w.services->store().transact([&](core::Tx& tx) {
    for (const core::AdmissionRequest& a : tx.listAdmissionRequests(w.dps.id))
      if (a.status == core::AdmissionStatus::kPending) request = a.id;
  });
  // A rejection without reasons is refused on the request's own card; the request stays pending.
  r = officer.post("/officer/admissions/" + std::to_string(request) + "/decide",
                   {{"admit", "0"}, {"reason-" + std::to_string(request), ""}});
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused rejection");
  BOOST_TEST(contains(r.body, "role=\"alert\">Zavrnitev mora biti obrazložena"));
  BOOST_TEST(contains(r.body, "/officer/admissions/" + std::to_string(request) + "/decide"));
  officer.get("/officer/admissions?dps=" + std::to_string(w.dps.id));
  r = officer.post("/officer/admissions/" + std::to_string(request) + "/decide",
                   {{"admit", "1"}, {"reason-" + std::to_string(request), "ESPD preverjen"}});
  BOOST_TEST(r.status == 303);
  BOOST_TEST(contains(officer.get(location(r)).body, "Odločitev je zapisana."));

  // Farm A bids on the open round on one screen, amends, and keeps the receipt.
  Browser a(w, "sl");
  BOOST_TEST(a.login(w.usernames["farm_a"], dps_test::kWebPassword).status == 303);
  r = a.get("/farmer");
  BOOST_TEST(contains(r.body, "/farmer/rounds/" + std::to_string(w.round)));
  r = a.get("/farmer/rounds/" + std::to_string(w.round));
  checkPage(r.body, "bid page");
  const std::string lot = "lot" + std::to_string(w.lot);
  r = a.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
             {{"dispatch_point", std::to_string(w.farm_a.dispatch_point_id)},
              {"vehicle", "van"},
              {"intermediaries", "0"},
              {lot + "_price", "2,40"},
              {lot + "_quantity", "100"},
              {lot + "_hours", "20"},
              {lot + "_organic", "1"}});
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 500));
  r = a.get(location(r));
  checkPage(r.body, "receipt");
  const auto bids = w.f.bids(w.round);
  BOOST_TEST_REQUIRE(bids.size() == 1u);
  BOOST_TEST(contains(r.body, bids[0].digest));
  BOOST_TEST(contains(r.body, "Ponudba je prejeta."));
  a.get("/farmer/rounds/" + std::to_string(w.round));
  r = a.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
             {{"dispatch_point", std::to_string(w.farm_a.dispatch_point_id)},
              {"vehicle", "electric_van"},
              {lot + "_price", "2,30"},
              {lot + "_quantity", "100"},
              {lot + "_hours", "20"}});
  BOOST_TEST(r.status == 303);
  BOOST_TEST(w.f.bids(w.round).size() == 2u);
  BOOST_TEST(contains(a.get("/farmer/rounds/" + std::to_string(w.round)).body, "različica 2"));
  // A bad price is refused naming the field; nothing is stored.
  r = a.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
             {{"dispatch_point", std::to_string(w.farm_a.dispatch_point_id)}, {"vehicle", "van"}, {lot + "_price", "two"},
              {lot + "_quantity", "100"}});
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.body, lot + "_price"));
  BOOST_TEST(w.f.bids(w.round).size() == 2u);
  // The form comes back with the reason above it, in the page's language, and what was entered
  // kept, ready to correct.
  checkPage(r.body, "refused bid");
  BOOST_TEST(contains(r.body, "role=\"alert\""));
  BOOST_TEST(contains(r.body, "Ponudba ni bila sprejeta; nič ni bilo shranjeno:"));
  BOOST_TEST(contains(r.body, "»two« ni cena; vpišite jo na primer kot 2,40."));
  BOOST_TEST(!contains(r.body, "is not a price"));
  BOOST_TEST(contains(r.body, "name=\"" + lot + "_price\" value=\"two\""));
  BOOST_TEST(contains(r.body, "name=\"" + lot + "_quantity\" value=\"100\""));
  BOOST_TEST(contains(r.body, "value=\"van\" selected"));
  BOOST_TEST(contains(r.body, "value=\"" + std::to_string(w.farm_a.dispatch_point_id) + "\" selected"));
  // A refusal by the engine (a price of zero) keeps the form too; then the corrected bid goes in.
  r = a.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
             {{"dispatch_point", std::to_string(w.farm_a.dispatch_point_id)},
              {"vehicle", "van"},
              {lot + "_price", "0"},
              {lot + "_quantity", "100"},
              {lot + "_organic", "1"}});
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.body, ": cena na enoto mora biti večja od 0."));
  BOOST_TEST(!contains(r.body, "must be positive"));
  BOOST_TEST(contains(r.body, "name=\"" + lot + "_organic\" value=\"1\" checked"));
  BOOST_TEST(w.f.bids(w.round).size() == 2u);
  r = a.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
             {{"dispatch_point", std::to_string(w.farm_a.dispatch_point_id)},
              {"vehicle", "van"},
              {lot + "_price", "2,35"},
              {lot + "_quantity", "100"}});
  BOOST_TEST(r.status == 303);
  BOOST_TEST(w.f.bids(w.round).size() == 3u);

  // Farm B bids and withdraws; in English, a refusal is in English.
  Browser b(w, "en");
  b.login(w.usernames["farm_b"], dps_test::kWebPassword);
  b.get("/farmer/rounds/" + std::to_string(w.round));
  r = b.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
             {{"dispatch_point", std::to_string(w.farm_b.dispatch_point_id)},
              {"vehicle", "van"},
              {lot + "_price", "2.10"},
              {lot + "_quantity", "-5"}});
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.body, "The bid was not accepted; nothing was stored:"));
  BOOST_TEST(contains(r.body, ": the quantity must be more than 0.</li>"));
  b.post("/farmer/rounds/" + std::to_string(w.round) + "/bid",
         {{"dispatch_point", std::to_string(w.farm_b.dispatch_point_id)}, {"vehicle", "van"}, {lot + "_price", "2.10"},
          {lot + "_quantity", "100"}});
  b.get("/farmer/rounds/" + std::to_string(w.round));
  r = b.post("/farmer/rounds/" + std::to_string(w.round) + "/withdraw", {});
  BOOST_TEST(r.status == 303);
  bool withdrawn = false;
  for (const core::Bid& bid : w.f.bids(w.round))
    if (bid.supplier_id == w.farm_b.id && bid.status == core::BidStatus::kWithdrawn) withdrawn = true;
  BOOST_TEST(withdrawn);
}

// Decisions on an abnormally low bid are refused beside the bid, in the page's language, keeping
// the explanation typed: the decision before an explanation was asked for, and a second request.
BOOST_AUTO_TEST_CASE(an_abnormally_low_bid_decision_refused_shows_beside_the_bid) {
  WebFixture w;
  const core::BidReceipt low =
      w.f.bid(w.farm_a, w.round, {dps_test::EngineFixture::bidLine(w.lot, "0.50", "100", w.farm_a)});
  w.f.bid(w.farm_b, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.40", "100", w.farm_b)});
  Browser officer(w, "sl");
  BOOST_TEST(officer.login("mojca.novak", dps_test::kWebPassword).status == 303);
  const std::string round = "/officer/rounds/" + std::to_string(w.round);
  w.setNow(w.f.round(w.round).deadline + std::chrono::minutes(1));
  officer.get(round);
  BOOST_TEST_REQUIRE(officer.post(round + "/open", {}).status == 303);
  officer.get(round);
  BOOST_TEST_REQUIRE(officer.post(round + "/evaluate", {}).status == 303);
  HttpResult r = officer.get(round + "/evaluation");
  BOOST_TEST_REQUIRE(contains(r.body, round + "/explanation"), "the 0.50 bid is not flagged as abnormally low");
  const std::map<std::string, std::string> ids = {{"lot", std::to_string(w.lot)}, {"bid", std::to_string(low.bid_id)}};
  BOOST_TEST(officer.post(round + "/explanation", ids).status == 303);
  officer.get(round + "/evaluation");
  // Asking again is refused beside the bid; the form to decide stays.
  r = officer.post(round + "/explanation", ids);
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "second explanation request");
  BOOST_TEST(contains(r.body, "role=\"alert\">"));
  BOOST_TEST(contains(r.body, round + "/abnormal"));
  BOOST_TEST(r.body.find("role=\"alert\">") > r.body.find("<tbody>"));  // in the bid's row
  // A decision with an explanation of control characters only is refused, keeping the other fields.
  std::map<std::string, std::string> decision = ids;
  const std::string field = "explanation-" + std::to_string(low.bid_id) + "-" + std::to_string(w.lot);
  decision[field] = "cena ne pokrije stroškov\x01";
  decision["reject"] = "1";
  r = officer.post(round + "/abnormal", decision);
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused decision");
  BOOST_TEST(contains(r.body, "role=\"alert\">"));
  BOOST_TEST(contains(r.body, "name=\"" + field + "\""));
  BOOST_TEST((w.f.round(w.round).status == core::RoundStatus::kEvaluated));
}

BOOST_AUTO_TEST_CASE(an_officer_creates_opens_evaluates_and_awards_and_an_auditor_rechecks) {
  WebFixture w;
  w.f.bid(w.farm_a, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.40", "100", w.farm_a)});
  w.f.bid(w.farm_b, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.10", "100", w.farm_b)});
  Browser officer(w, "en");
  BOOST_TEST(officer.login("mojca.novak", dps_test::kWebPassword).status == 303);
  HttpResult r = officer.get("/officer");
  checkPage(r.body, "dashboard");
  BOOST_TEST(contains(r.body, "Rounds in progress"));

  // Round creation: the 10-day rule is checked before anything is stored.
  r = officer.get("/officer/rounds/new?dps=" + std::to_string(w.dps.id));
  checkPage(r.body, "round creation");
  std::map<std::string, std::string> form = {{"dps", std::to_string(w.dps.id)},
                                             {"category", std::to_string(w.dps.categories[0])},
                                             {"title", "Carrots"},
                                             {"award_mode", "best_bid"},
                                             {"lot1_product", ""}};
  core::Id product = 0;
  w.services->store().transact([&](core::Tx& tx) {
    core::Product p;
    p.code = "CARROT";
    p.cpv = "03221112";
    p.name_sl = "Korenje";
    p.name_en = "Carrots";
    product = tx.insertProduct(p);
  });
  BOOST_TEST(product > 0);
  form["lot1_product"] = "CARROT";
  form["lot1_dp" + std::to_string(w.point)] = "250";
  form["deadline"] = core::formatTime(w.services->clock().now() + std::chrono::days(4));
  const std::size_t rounds_before = [&] {
    std::size_t n = 0;
    w.services->store().transact([&](core::Tx& tx) { n = tx.listRounds(w.dps.id).size(); });
    return n;
  }();
  r = officer.post("/officer/rounds", form);
  BOOST_TEST(r.status == 409);
  BOOST_TEST(contains(r.body, "too early"));
  checkPage(r.body, "round creation with error");
  // The officer gives the deadline in Kranj's legal time (UTC+01:00 in winter), as the date-time
  // field sends it: 10:00 on the morning after the earliest lawful deadline (23:59:59 local).
  const core::TimePoint wanted = w.f.earliestDeadline() + std::chrono::seconds(1) + std::chrono::hours(10);
  const std::string utc = core::formatTime(wanted);
  BOOST_TEST_REQUIRE(utc.substr(11) == "09:00:00Z");
  form["deadline"] = utc.substr(0, 10) + "T10:00";
  r = officer.post("/officer/rounds", form);
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 600));
  BOOST_TEST(contains(location(r), "done=dispatched"));
  w.services->store().transact([&](core::Tx& tx) {
    const std::vector<core::Round> rounds = tx.listRounds(w.dps.id);
    BOOST_TEST_REQUIRE(rounds.size() == rounds_before + 1);
    BOOST_TEST(core::formatTime(rounds.back().deadline) == utc);
  });
  // Shown back in legal time with its offset.
  r = officer.get(location(r));
  BOOST_TEST(contains(r.body, utc.substr(0, 10) + " 10:00 (UTC+01:00)"), r.body.substr(0, 300));

  // Opening, evaluation and award of the fixture's round through the round page.
  const std::string round = "/officer/rounds/" + std::to_string(w.round);
  r = officer.get(round);
  checkPage(r.body, "round page");
  BOOST_TEST(officer.post(round + "/open", {}).status == 409);  // before the deadline
  w.setNow(w.f.round(w.round).deadline + std::chrono::minutes(1));
  officer.get(round);
  BOOST_TEST(officer.post(round + "/open", {}).status == 303);
  officer.get(round);
  BOOST_TEST(officer.post(round + "/evaluate", {}).status == 303);
  r = officer.get(round + "/evaluation");
  checkPage(r.body, "evaluation");
  BOOST_TEST(contains(r.body, "Kmetija Kern"));
  // The inputs behind the points, as a person reads them: named, vehicles translated, fractions
  // also as decimals, the distances listed by delivery point.
  BOOST_TEST(contains(r.body, "<dt>Value scored</dt><dd>2.1</dd>"));
  BOOST_TEST(contains(r.body, "<dt>Vehicle</dt><dd>"));
  BOOST_TEST(contains(r.body, " ≈ "));
  BOOST_TEST(
      contains(r.body, "Distances to the delivery points (1)</summary><ul class=\"inputs\"><li>Kitchen OS-PRES: "));
  BOOST_TEST(!contains(r.body, "km." + std::to_string(w.point) + "="));
  r = officer.post(round + "/award", {});
  BOOST_TEST_REQUIRE(r.status == 303);
  r = officer.get(location(r));
  checkPage(r.body, "award");
  BOOST_TEST(contains(r.body, "Standstill ends"));
  BOOST_TEST(contains(r.body, "Kmetija Zupan"));  // dearer, but far less transport CO2

  // Rule 13: the dashboard lists the award notice due and records its publication.
  r = officer.get("/officer");
  checkPage(r.body, "dashboard with a notice due");
  BOOST_TEST(contains(r.body, "Record a published award notice"));
  const std::string n = std::to_string(w.dps.id);
  // A publication date that is no date is refused above the form, which keeps what was entered.
  r = officer.post("/officer/dps/" + n + "/award-notices", {{"covers-" + n, "round:" + std::to_string(w.round)},
                                                            {"reference-" + n, "00777777-2026"},
                                                            {"published-" + n, "yesterday"}});
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused notice record");
  BOOST_TEST(contains(r.body, "role=\"alert\">"));
  BOOST_TEST(contains(r.body, "value=\"00777777-2026\""));
  BOOST_TEST(contains(r.body, "value=\"yesterday\""));
  BOOST_TEST(contains(r.body, "value=\"round:" + std::to_string(w.round) + "\" selected"));
  BOOST_TEST(!w.services->engine().awardNotices(w.dps.id).at(0).publication.has_value());
  officer.get("/officer");
  r = officer.post("/officer/dps/" + n + "/award-notices",
                   {{"covers-" + n, "round:" + std::to_string(w.round)},
                    {"reference-" + n, "00777777-2026"},
                    {"published-" + n, core::formatTime(w.services->clock().now())}});
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 600));
  BOOST_TEST(contains(location(r), "done=notice_recorded"));
  BOOST_TEST(w.services->engine().awardNotices(w.dps.id).at(0).publication.has_value());
  r = officer.get("/officer");
  BOOST_TEST(!contains(r.body, "Record a published award notice"));  // nothing left to record

  // The farmer's results show its own points and rank only.
  Browser a(w, "en");
  a.login(w.usernames["farm_a"], dps_test::kWebPassword);
  r = a.get("/farmer/rounds/" + std::to_string(w.round) + "/results");
  checkPage(r.body, "results");
  BOOST_TEST(contains(r.body, "Kmetija Zupan"));
  BOOST_TEST(!contains(r.body, "Kmetija Kern"));

  // The auditor: verified log, recomputed scores.
  Browser auditor(w, "sl");
  auditor.login("revizor", dps_test::kWebPassword);
  r = auditor.get("/auditor");
  checkPage(r.body, "auditor");
  BOOST_TEST(contains(r.body, "Revizijska sled je nespremenjena"));
  r = auditor.get("/auditor/rounds/" + std::to_string(w.round));
  checkPage(r.body, "recomputation");
  BOOST_TEST(contains(r.body, "se ujemajo"));
  BOOST_TEST(!contains(r.body, "✗"));
  BOOST_TEST(auditor.get(round + "/evaluation").status == 200);  // read-only view
  BOOST_TEST(auditor.post(round + "/award", {}).status == 403);

  // The administrator advances the clock from the page.
  Browser admin(w, "en");
  admin.login("admin", dps_test::kWebPassword);
  admin.get("/admin");
  checkPage(admin.lastPage(), "admin");
  const core::TimePoint before = w.services->clock().now();
  // All authorities are Slovenian: the administrator reads the clock in Slovenian legal time too.
  BOOST_TEST(contains(admin.lastPage(), w.f.calendar().formatLocal(before)), admin.lastPage().substr(0, 200));
  BOOST_TEST(admin.post("/admin/clock", {{"hours", "48"}}).status == 303);
  BOOST_TEST((w.services->clock().now() - before == std::chrono::hours(48)));
}

BOOST_AUTO_TEST_CASE(in_an_optimal_round_a_farmer_caps_deliveries_per_school_and_sees_the_allocation) {
  WebFixture w;
  core::Engine& engine = w.services->engine();
  const core::Id second = w.f.deliveryPoint("VRTEC-ZARJA", 46.2500, 14.3600);
  core::Lot l = dps_test::EngineFixture::lot(1, w.point, "100");
  l.demands.push_back({second, core::Decimal::parse("50"), "weekly"});
  l.min_delivery = core::Decimal::parse("10");
  core::Round draft;
  draft.dps_id = w.dps.id;
  draft.category_id = w.dps.categories[0];
  draft.title = "Potatoes per school";
  draft.award_mode = core::AwardMode::kOptimalByDeliveryPoint;
  draft.allow_partial = true;
  const core::Id id = engine.createRound(w.f.officer, draft, {l});
  engine.dispatchRound(w.f.officer, id, w.f.earliestDeadline());
  const core::Id lot_id = w.f.lots(id).at(0).id;

  Browser a(w, "en");
  a.login(w.usernames["farm_a"], dps_test::kWebPassword);
  HttpResult r = a.get("/farmer/rounds/" + std::to_string(id));
  checkPage(r.body, "bid page of an optimal round");
  BOOST_TEST(contains(r.body, "Per school (optional)"));
  BOOST_TEST(contains(r.body, "Smallest delivery to one school: 10"));
  const std::string lot = "lot" + std::to_string(lot_id);
  const std::string cap = lot + "_dp" + std::to_string(second);
  std::map<std::string, std::string> form = {{"dispatch_point", std::to_string(w.farm_a.dispatch_point_id)},
                                             {"vehicle", "van"},
                                             {lot + "_price", "0,90"},
                                             {lot + "_quantity", "150"},
                                             {lot + "_hours", "20"},
                                             {cap, "a lot"}};
  r = a.post("/farmer/rounds/" + std::to_string(id) + "/bid", form);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(contains(r.body, cap));
  BOOST_TEST(w.f.bids(id).empty());  // nothing stored
  a.get("/farmer/rounds/" + std::to_string(id));
  form[cap] = "20";
  r = a.post("/farmer/rounds/" + std::to_string(id) + "/bid", form);
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 500));
  w.f.bid(w.farm_b, id, {dps_test::EngineFixture::bidLine(lot_id, "1.00", "150", w.farm_b)});

  w.setNow(w.f.round(id).deadline + std::chrono::minutes(1));
  engine.openRound(w.f.officer, id);
  const core::Id bid_a = w.f.bids(id).at(0).supplier_id == w.farm_a.id ? w.f.bids(id).at(0).id : w.f.bids(id).at(1).id;
  const std::vector<core::BidLine> lines = engine.readBid(w.f.officer, bid_a);
  BOOST_TEST_REQUIRE(lines.at(0).point_offers.size() == 1u);
  BOOST_TEST(lines.at(0).point_offers[0].delivery_point_id == second);
  BOOST_TEST(lines.at(0).point_offers[0].quantity.toString() == "20");
  engine.evaluateRound(w.f.officer, id);
  engine.awardRound(w.f.officer, id);

  Browser officer(w, "en");
  officer.login("mojca.novak", dps_test::kWebPassword);
  r = officer.get("/officer/rounds/" + std::to_string(id) + "/award");
  checkPage(r.body, "award of an optimal round");
  BOOST_TEST(contains(r.body, "Delivery point"));
  BOOST_TEST(contains(r.body, "Certificate of optimality"));
  // The kindergarten's 50 kg are covered, and farm A delivers it no more than its cap of 20 kg.
  core::Decimal to_second;
  core::Decimal from_a_to_second;
  for (const core::AwardLine& al : w.f.awardLines(id)) {
    if (!al.delivery_point_id || *al.delivery_point_id != second) continue;
    to_second += al.quantity;
    if (al.supplier_id == w.farm_a.id) from_a_to_second += al.quantity;
  }
  BOOST_TEST(to_second.toString() == "50");
  BOOST_TEST(!(core::Decimal::parse("20") < from_a_to_second));
}

BOOST_AUTO_TEST_CASE(documents_download_for_staff_and_each_farmer_reads_only_its_own_letter) {
  WebFixture w;
  w.f.bid(w.farm_a, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.40", "100", w.farm_a)});
  w.f.bid(w.farm_b, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.10", "100", w.farm_b)});
  Browser officer(w, "en");
  officer.login("mojca.novak", dps_test::kWebPassword);
  const std::string docs = "/documents/rounds/" + std::to_string(w.round) + "/";
  HttpResult r = officer.get(docs + "bids.xml");
  BOOST_TEST(r.status == 409);  // the bid register exists only after opening
  r = officer.get(docs + "invitation.xml");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(contains(r.header("content-type"), "application/xml"));
  BOOST_TEST(contains(r.body, "urn:dps-local-food:1.0"));

  core::Engine& engine = w.services->engine();
  w.setNow(w.f.round(w.round).deadline + std::chrono::minutes(1));
  engine.openRound(w.f.officer, w.round);
  engine.evaluateRound(w.f.officer, w.round);
  engine.awardRound(w.f.officer, w.round);
  r = officer.get("/officer/rounds/" + std::to_string(w.round));
  checkPage(r.body, "round page with documents");
  BOOST_TEST(contains(r.body, docs + "letters/" + std::to_string(w.farm_a.id)));
  for (const std::string& name : web::server::roundDocumentNames()) {
    r = officer.get(docs + name);
    BOOST_TEST(r.status == 200, name << ": " << r.body.substr(0, 300));
    BOOST_TEST(!r.body.empty(), name);
  }
  r = officer.get(docs + "evaluation.html");
  BOOST_TEST(contains(r.header("content-security-policy"), "style-src 'unsafe-inline'"));
  BOOST_TEST(!contains(r.header("content-security-policy"), "script"));
  r = officer.get(docs + "evaluation.csv");
  BOOST_TEST(contains(r.header("content-type"), "text/csv"));
  BOOST_TEST(contains(r.header("content-disposition"), "attachment"));
  r = officer.get(docs + "nonsense.pdf");
  BOOST_TEST(r.status == 404);
  BOOST_TEST(contains(r.body, "evaluation.html"));  // says what there is
  const std::string dps_docs = "/documents/dps/" + std::to_string(w.dps.id) + "/";
  for (const std::string& name : web::server::dpsDocumentNames())
    BOOST_TEST(officer.get(dps_docs + name).status == 200, name);

  Browser naklo(w, "en");
  naklo.login(w.usernames["other_officer"], dps_test::kWebPassword);
  BOOST_TEST(naklo.get(docs + "evaluation.html").status == 403);
  BOOST_TEST(naklo.get(dps_docs + "compliance.csv").status == 403);

  Browser a(w, "en");
  a.login(w.usernames["farm_a"], dps_test::kWebPassword);
  BOOST_TEST(a.get(docs + "evaluation.xml").status == 403);
  r = a.get(docs + "letters/" + std::to_string(w.farm_a.id));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(contains(r.body, "Article 55(2)"));
  BOOST_TEST(a.get(docs + "letters/" + std::to_string(w.farm_b.id)).status == 403);
  BOOST_TEST(contains(a.get("/farmer/rounds/" + std::to_string(w.round) + "/results").body,
                      docs + "letters/" + std::to_string(w.farm_a.id)));
  BOOST_TEST(a.get("/documents/audit.xml").status == 403);

  Browser auditor(w, "en");
  auditor.login("revizor", dps_test::kWebPassword);
  r = auditor.get("/documents/audit.xml");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(contains(r.body, "urn:dps-local-food:1.0"));
  BOOST_TEST(auditor.get(docs + "art84.html").status == 200);
}

BOOST_AUTO_TEST_CASE(eforms_notices_download_when_configured) {
  const auto sdk = dps_test::standardsDir("eforms-sdk");
  if (!sdk) {
    BOOST_TEST_MESSAGE("skipped: EFORMS_SDK_DIR does not exist");
    return;
  }
  {
    WebFixture plain;  // without notices.* the notices are not offered
    Browser officer(plain, "en");
    officer.login("mojca.novak", dps_test::kWebPassword);
    const HttpResult r =
        officer.get("/documents/dps/" + std::to_string(plain.dps.id) + "/notices/contract-notice.xml");
    BOOST_TEST(r.status == 404);
    BOOST_TEST(contains(r.body, "notices.settings"));
  }
  WebFixture w([&](web::Config& c) {
    c.notices_settings = dps_test::sourceDir() + "/data/demo/notice-settings.properties";
    c.notices_eforms_sdk = *sdk;
  });
  w.f.bid(w.farm_a, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.40", "100", w.farm_a)});
  core::Engine& engine = w.services->engine();
  w.setNow(w.f.round(w.round).deadline + std::chrono::minutes(1));
  engine.openRound(w.f.officer, w.round);
  engine.evaluateRound(w.f.officer, w.round);
  engine.awardRound(w.f.officer, w.round);
  Browser officer(w, "en");
  officer.login("mojca.novak", dps_test::kWebPassword);
  BOOST_TEST(contains(officer.get("/officer").body, "/notices/contract-notice.xml"));
  BOOST_TEST(contains(officer.get("/officer/rounds/" + std::to_string(w.round)).body, "/notices/award-notice.xml"));
  HttpResult r = officer.get("/documents/dps/" + std::to_string(w.dps.id) + "/notices/contract-notice.xml");
  BOOST_TEST(r.status == 200, r.body.substr(0, 300));
  BOOST_TEST(contains(r.body, "ContractNotice"));
  r = officer.get("/documents/rounds/" + std::to_string(w.round) + "/notices/award-notice.xml");
  BOOST_TEST(r.status == 200, r.body.substr(0, 300));
  BOOST_TEST(contains(r.body, "ContractAwardNotice"));
  const std::string quarter = engine.awardNotices(w.dps.id).at(0).quarter;
  r = officer.get("/documents/dps/" + std::to_string(w.dps.id) + "/quarters/" + quarter + "/award-notice.xml");
  BOOST_TEST(r.status == 200, r.body.substr(0, 300));
  BOOST_TEST(officer.get("/documents/dps/" + std::to_string(w.dps.id) + "/quarters/2026-5/award-notice.xml").status ==
             400);
  Browser farmer(w, "en");
  farmer.login(w.usernames["farm_a"], dps_test::kWebPassword);
  BOOST_TEST(farmer.get("/documents/rounds/" + std::to_string(w.round) + "/notices/award-notice.xml").status == 403);
}

BOOST_AUTO_TEST_CASE(an_officer_sets_up_a_dps_with_categories_and_criteria_and_publishes_it) {
  WebFixture w;
  Browser officer(w, "en");
  officer.login("mojca.novak", dps_test::kWebPassword);
  HttpResult r = officer.get("/officer/dps/new");
  checkPage(r.body, "new DPS");
  // A CPV code that is no code is refused on the form itself, which keeps what was typed.
  r = officer.post("/officer/dps",
                   {{"authority", std::to_string(w.f.authority_id)},
                    {"reference", "KR-DNS-2026-02"},
                    {"title", "Fruit for kindergartens"},
                    {"cpv", "fruit"},
                    {"request_deadline", core::formatTime(w.services->clock().now() + std::chrono::days(40))},
                    {"valid_until", "2029-12-31T00:00:00Z"}});
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused DPS");
  BOOST_TEST(contains(r.body, "role=\"alert\""));
  BOOST_TEST(contains(r.body, "value=\"Fruit for kindergartens\""));
  BOOST_TEST(contains(r.body, "value=\"fruit\""));
  BOOST_TEST(contains(r.body, "value=\"2029-12-31T00:00:00Z\""));
  r = officer.post("/officer/dps", {{"authority", std::to_string(w.f.authority_id)},
                                    {"reference", "KR-DNS-2026-02"},
                                    {"title", "Fruit for kindergartens"},
                                    {"cpv", "03222000"},
                                    {"request_deadline", core::formatTime(w.services->clock().now() + std::chrono::days(40))},
                                    {"valid_until", "2029-12-31T00:00:00Z"}});
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 500));
  const std::string dps = location(r).substr(0, location(r).find('?'));
  officer.get(dps);
  checkPage(officer.lastPage(), "DPS set-up");
  BOOST_TEST(officer.post(dps + "/categories", {{"code", "SAD"}, {"name", "Fresh fruit"}, {"cpv", "03222000"}}).status == 303);
  officer.get(dps);
  BOOST_TEST(contains(officer.lastPage(), "Fresh fruit"));
  // A code used already is refused on the set-up page, above the category form, which keeps it.
  r = officer.post(dps + "/categories", {{"code", "SAD"}, {"name", "Dried fruit"}, {"cpv", "03222000"}});
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused category");
  BOOST_TEST(contains(r.body,
                      "role=\"alert\">The category was not accepted; nothing was stored:<ul><li>Category code "
                      "&#39;SAD&#39; is already used in this DPS.</li>"));
  BOOST_TEST(contains(r.body, "value=\"Dried fruit\""));
  // Publishing without criteria is refused above the publish button.
  officer.get(dps);
  r = officer.post(dps + "/publish", {});
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused publication");
  BOOST_TEST(contains(r.body, "role=\"alert\">"));
  BOOST_TEST(contains(r.body, "name=\"price_weight\""));
  // Weights not summing to 100 are refused with the reason on the criteria form, which keeps the
  // values sent; the draft keeps no criteria.
  officer.get(dps);
  r = officer.post(dps + "/criteria", {{"price_formula", "relative_to_best"},
                                       {"price_weight", "60"},
                                       {"freshness_formula", "linear_band"},
                                       {"freshness_weight", "30"},
                                       {"freshness_a", "12"}});
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused criteria");
  BOOST_TEST(contains(r.body, "role=\"alert\">"));
  BOOST_TEST(contains(r.body, "100"));
  BOOST_TEST(contains(r.body, "name=\"price_weight\" value=\"60\""));
  BOOST_TEST(contains(r.body, "name=\"freshness_a\" value=\"12\""));
  BOOST_TEST(contains(r.body, "<option value=\"linear_band\" selected>"));
  BOOST_TEST(contains(officer.get(dps).body, "name=\"price_weight\" value=\"0\""));
  r = officer.post(dps + "/criteria", {{"price_formula", "relative_to_best"},
                                       {"price_weight", "70"},
                                       {"price_min", "60"},
                                       {"price_max", "80"},
                                       {"freshness_formula", "linear_band"},
                                       {"freshness_weight", "30"},
                                       {"freshness_a", "12"},
                                       {"freshness_b", "72"}});
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 800));
  officer.get(dps);
  r = officer.post(dps + "/publish", {});
  BOOST_TEST_REQUIRE(r.status == 303, r.body.substr(0, 800));
  r = officer.get(location(r));
  BOOST_TEST(contains(r.body, "The DPS is published."));
  BOOST_TEST(contains(r.body, "Freshness: 30"));
  // The other authority's officer cannot see it.
  Browser other(w, "en");
  other.login("janez.naklo", dps_test::kWebPassword);
  BOOST_TEST(other.get(dps).status == 403);
}

BOOST_AUTO_TEST_CASE(an_officers_refusals_are_in_the_pages_language) {
  WebFixture w;
  Browser sl(w, "sl");
  BOOST_TEST(sl.login("mojca.novak", dps_test::kWebPassword).status == 303);
  Browser en(w, "en");
  BOOST_TEST(en.login("mojca.novak", dps_test::kWebPassword).status == 303);
  const std::string reference = w.f.round(w.round).reference;

  // DPS set-up: the engine's problems under its heading, on the form.
  const std::map<std::string, std::string> dps = {
      {"authority", std::to_string(w.f.authority_id)},
      {"reference", "KR-DNS-2026-03"},
      {"title", "Sadje"},
      {"cpv", "fruit"},
      {"request_deadline", core::formatTime(w.services->clock().now() + std::chrono::days(40))},
      {"valid_until", "2029-12-31T00:00:00Z"}};
  sl.get("/officer/dps/new");
  HttpResult r = sl.post("/officer/dps", dps);
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused DPS sl");
  BOOST_TEST(contains(r.body, "DNS ni bil sprejet; nič ni bilo shranjeno:<ul><li>»fruit« ni 8-mestna koda CPV"));
  BOOST_TEST(!contains(r.body, "is not an 8-digit"));
  en.get("/officer/dps/new");
  r = en.post("/officer/dps", dps);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(
      contains(r.body, "The DPS was not accepted; nothing was stored:<ul><li>&#39;fruit&#39; is not an 8-digit"));

  // Criteria of a published DPS: refused on the set-up page, in the criteria section.
  const std::string setup = "/officer/dps/" + std::to_string(w.dps.id);
  const std::map<std::string, std::string> criteria = {{"price_formula", "relative_to_best"}, {"price_weight", "100"}};
  sl.get(setup);
  r = sl.post(setup + "/criteria", criteria);
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "refused criteria sl");
  BOOST_TEST(contains(r.body, "so bili v DNS " + w.f.dps(w.dps.id).reference + " določeni ob objavi"));
  en.get(setup);
  r = en.post(setup + "/criteria", criteria);
  BOOST_TEST(contains(r.body, "were fixed at publication (Art. 34(6), Art. 67(5))"));

  // Round creation: the 10-day rule, checked by the page before anything is stored.
  w.services->store().transact([&](core::Tx& tx) {
    core::Product p;
    p.code = "APPLE";
    p.cpv = "03222321";
    p.name_sl = "Jabolka";
    p.name_en = "Apples";
    tx.insertProduct(p);
  });
  const core::TimePoint earliest = w.f.earliestDeadline();
  const std::map<std::string, std::string> round = {
      {"dps", std::to_string(w.dps.id)},
      {"category", std::to_string(w.dps.categories[0])},
      {"title", "Jabolka"},
      {"award_mode", "best_bid"},
      {"lot1_product", "APPLE"},
      {"lot1_dp" + std::to_string(w.point), "80"},
      {"deadline", core::formatTime(w.services->clock().now() + std::chrono::days(4))}};
  sl.get("/officer/rounds/new?dps=" + std::to_string(w.dps.id));
  r = sl.post("/officer/rounds", round);
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "round refused by the 10-day rule sl");
  BOOST_TEST(contains(r.body,
                      "Rok za prejem ponudb je prezgoden (točka (b) 34(2). člena); najzgodnejši zakoniti "
                      "rok je " +
                          w.f.calendar().formatLocal(earliest) + "."));
  en.get("/officer/rounds/new?dps=" + std::to_string(w.dps.id));
  r = en.post("/officer/rounds", round);
  BOOST_TEST(r.status == 409);
  BOOST_TEST(contains(r.body, "The tender deadline is too early (Art. 34(2)(b)); the earliest lawful deadline is " +
                                  w.f.calendar().formatLocal(earliest) + "."));

  // Dispatch of a draft round: the engine's 10-day rule on the round page, which keeps the deadline.
  core::Round draft;
  draft.dps_id = w.dps.id;
  draft.category_id = w.dps.categories[0];
  draft.title = "Jabolka";
  const core::Id id =
      w.services->engine().createRound(w.f.officer, draft, {dps_test::EngineFixture::lot(1, w.point, "80")});
  const std::string page = "/officer/rounds/" + std::to_string(id);
  const std::map<std::string, std::string> early = {
      {"deadline", core::formatTime(w.services->clock().now() + std::chrono::days(4))}};
  sl.get(page);
  r = sl.post(page + "/dispatch", early);
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "dispatch refused sl");
  BOOST_TEST(contains(r.body, "role=\"alert\">"));
  BOOST_TEST(contains(r.body, "value=\"" + early.at("deadline") + "\""));
  BOOST_TEST(contains(r.body,
                      "Rok za prejem ponudb mora trajati najmanj 10 dni od povabila (točka (b) 34(2). "
                      "člena; v DNS ga zaradi nujnosti ni mogoče skrajšati): najzgodnejši zakoniti rok je " +
                          core::formatTime(earliest)));
  en.get(page);
  r = en.post(page + "/dispatch", early);
  BOOST_TEST(contains(r.body, "The tender period must last at least 10 days from the invitation"));

  // Opening before the tender deadline, and the award before the evaluation.
  const std::string open = "/officer/rounds/" + std::to_string(w.round);
  sl.get(open);
  r = sl.post(open + "/open", {});
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "opening refused sl");
  BOOST_TEST(contains(r.body, "Ponudbe se odprejo šele po roku za prejem ponudb " +
                                  core::formatTime(w.f.round(w.round).deadline) +
                                  " (22(3). člen); počakajte do takrat."));
  en.get(open);
  r = en.post(open + "/open", {});
  BOOST_TEST(contains(r.body, "Bids are opened only after the tender deadline"));
  w.setNow(w.f.round(w.round).deadline + std::chrono::minutes(1));
  sl.get(open);
  BOOST_TEST(sl.post(open + "/open", {}).status == 303);
  sl.get(open);
  r = sl.post(open + "/award", {});
  BOOST_TEST(r.status == 409);
  checkPage(r.body, "award refused sl");
  BOOST_TEST(contains(r.body, "Naročilo " + reference + " je v stanju »ponudbe odprte«; pred oddajo ocenite ponudbe"));
  en.get(open);
  r = en.post(open + "/award", {});
  BOOST_TEST(contains(r.body, "Round " + reference + " is in the state &#39;bids opened&#39;; evaluate the bids"));
}

BOOST_AUTO_TEST_CASE(sign_in_page_throttles_and_redirects_to_the_role_home) {
  WebFixture w;
  Browser b(w, "en");
  HttpResult r = b.login("revizor", "wrong password");
  BOOST_TEST(r.status == 401);
  BOOST_TEST(contains(r.body, "The username or the password is wrong."));
  r = b.login("revizor", dps_test::kWebPassword);
  BOOST_TEST(r.status == 303);
  BOOST_TEST(location(r) == "/auditor");
  BOOST_TEST(contains(r.header("set-cookie"), "HttpOnly"));
  BOOST_TEST(b.get("/officer/rounds/new?dps=1").status == 403);  // not for auditors
  Browser anon(w, "en");
  r = anon.get("/farmer");
  BOOST_TEST(r.status == 303);
  BOOST_TEST(location(r) == "/login?next=/farmer");
}

BOOST_AUTO_TEST_CASE(a_refused_registration_says_why_in_slovenian_and_keeps_the_form) {
  WebFixture w;
  Browser farmer(w, "sl");
  farmer.get("/register");
  std::map<std::string, std::string> form = {{"name", "Kmetija Bela"},
                                             {"tax_number", "55443322"},
                                             {"address", "Bela 3"},
                                             {"email", "bela@kmetija.si"},
                                             {"dp_name", "Dvorišče"},
                                             {"dp_address", "Bela 3"},
                                             {"dp_lat", "46°18'"},
                                             {"dp_lon", "14,42"},
                                             {"username", "bela@kmetija.si"},
                                             {"password", "a long farm password"}};
  HttpResult r = farmer.post("/register", form);
  BOOST_TEST(r.status == 400);
  checkPage(r.body, "refused registration");
  BOOST_TEST(contains(r.body, "»46°18&#39;« ni zemljepisna širina"));
  BOOST_TEST(contains(r.body, "value=\"Kmetija Bela\""));
  // A tax number that is registered already.
  std::string taken;
  w.services->store().read([&](core::Tx& tx) { taken = tx.getSupplier(w.farm_a.id)->tax_number; });
  form["dp_lat"] = "46,30";
  form["tax_number"] = taken;
  r = farmer.post("/register", form);
  BOOST_TEST(r.status == 409);
  BOOST_TEST(contains(r.body, "Ponudnik z davčno številko " + taken + " je že registriran"));
}

BOOST_AUTO_TEST_CASE(the_administrator_pages_through_the_accounts_a_hundred_at_a_time) {
  WebFixture w;
  // 230 more auditor accounts (no one signs in with them) beside the fixture's 6.
  w.services->store().transact([&](core::Tx& tx) {
    for (int i = 0; i < 230; ++i) {
      core::Account a;
      a.username = "auditor-" + std::to_string(1000 + i);
      a.display_name = a.username;
      a.role = core::AccountRole::kAuditor;
      a.password_hash = "not-a-hash";
      a.created_at = w.services->clock().now();
      tx.insertAccount(a);
    }
  });
  Browser admin(w, "en");
  admin.login("admin", dps_test::kWebPassword);
  HttpResult r = admin.get("/admin");
  BOOST_TEST(r.status == 200);
  checkPage(r.body, "admin accounts");
  BOOST_TEST(contains(r.body, "1–100 / 236"), r.body.substr(0, 300));
  BOOST_TEST(contains(r.body, ">admin<"));
  BOOST_TEST(!contains(r.body, "auditor-1094"));  // the 101st account
  BOOST_TEST(contains(r.body, "href=\"/admin?from=100\""));
  BOOST_TEST(!contains(r.body, "Previous accounts"));
  r = admin.get("/admin?from=200");
  BOOST_TEST(contains(r.body, "201–236 / 236"));
  BOOST_TEST(contains(r.body, "auditor-1229"));
  BOOST_TEST(contains(r.body, "href=\"/admin?from=100\""));
  BOOST_TEST(!contains(r.body, "Next accounts"));
  r = admin.get("/admin?from=5000");  // past the end: the last page
  BOOST_TEST(contains(r.body, "201–236 / 236"));
  BOOST_TEST(admin.get("/admin?from=many").status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
