// Every route of the service against every role (the access matrix), the sealed-bid refusal on
// every role that may ask, no server error on any route, and docs/openapi.yaml kept equal to the
// route table in both directions.

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <set>

#include "tests/engine/engine_test.h"
#include "tests/support/paths.h"
#include "tests/web/web_fixture.h"
#include "web/server/router.h"

using dps_test::HttpResult;
using dps_test::WebFixture;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// The paths and methods that docs/openapi.yaml names ("GET /api/v1/dps").
std::set<std::string> documentedRoutes() {
  std::ifstream in(dps_test::sourceDir() + "/docs/openapi.yaml");
  BOOST_TEST_REQUIRE(static_cast<bool>(in), "docs/openapi.yaml is missing");
  std::set<std::string> out;
  std::string line;
  std::string path;
  bool in_paths = false;
  const std::regex path_line("^  (/[^:]*):\\s*$");
  const std::regex method_line("^    (get|post|put|delete|patch):\\s*$");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = false;
    if (!in_paths) continue;
    if (std::regex_match(line, m, path_line)) path = m[1];
    if (std::regex_match(line, m, method_line)) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(method + " " + path);
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(web_routes, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(openapi_names_exactly_the_api_routes_of_the_server) {
  WebFixture w;
  std::set<std::string> served;
  for (const web::server::Route& r : w.server->router().routes())
    if (r.pattern.rfind("/api/", 0) == 0 || r.pattern == "/healthz" || r.pattern == "/metrics")
      served.insert(r.method + " " + r.pattern);
  const std::set<std::string> documented = documentedRoutes();
  BOOST_TEST(served.size() > 50u);
  for (const std::string& s : served) BOOST_TEST(documented.count(s) == 1u, s << " is served but not in docs/openapi.yaml");
  for (const std::string& d : documented) BOOST_TEST(served.count(d) == 1u, d << " is in docs/openapi.yaml but not served");
}

BOOST_AUTO_TEST_CASE(every_route_answers_every_role_as_the_access_matrix_says) {
  WebFixture w;
  const core::BidReceipt receipt = w.f.bid(w.farm_a, w.round, {dps_test::EngineFixture::bidLine(w.lot, "2.40", "100", w.farm_a)});
  core::Id admission = 0;
  w.services->store().transact([&](core::Tx& tx) { admission = tx.listSupplierAdmissions(w.farm_a.id).at(0).id; });

  const std::vector<std::pair<std::string, core::AccountRole>> roles = {
      {"admin", core::AccountRole::kAdministrator},
      {"officer", core::AccountRole::kOfficer},
      {"auditor", core::AccountRole::kAuditor},
      {"farm_a", core::AccountRole::kSupplier},
  };
  int checked = 0;
  for (const web::server::Route& route : w.server->router().routes()) {
    std::string path = route.pattern;
    const auto id_for = [&]() -> core::Id {
      if (contains(path, "/dps/")) return w.dps.id;
      if (contains(path, "/rounds/")) return w.round;
      if (contains(path, "/bids/")) return receipt.bid_id;
      if (contains(path, "/admissions/")) return admission;
      if (contains(path, "/suppliers/")) return w.farm_a.id;
      if (contains(path, "/authorities/")) return w.f.authority_id;
      return 1;
    };
    path = replaceAll(path, "{id}", std::to_string(id_for()));
    path = replaceAll(path, "{file}", "style.css");
    const bool api = path.rfind("/api/", 0) == 0;
    const bool unsafe = route.method != "GET";

    // Anonymous.
    const HttpResult anon = w.call(route.method, path, "", "", {}, api ? "application/json" : "application/x-www-form-urlencoded");
    if (route.audience == web::server::kPublic) {
      BOOST_TEST(anon.status != 401, route.method << " " << route.pattern);
    } else if (!api && !unsafe) {
      BOOST_TEST(anon.status == 303, route.method << " " << route.pattern);
      BOOST_TEST(contains(anon.header("location"), "/login?next="), route.pattern);
    } else {
      BOOST_TEST(anon.status == 401, route.method << " " << route.pattern << " anonymous: " << anon.status);
    }
    BOOST_TEST(anon.status < 500, route.method << " " << route.pattern << " anonymous: " << anon.body.substr(0, 200));

    for (const auto& [who, role] : roles) {
      const HttpResult r =
          w.call(route.method, path, "", who, {}, api ? "application/json" : "application/x-www-form-urlencoded");
      const bool allowed = route.audience == web::server::kPublic || (route.audience & web::server::audienceOf(role)) != 0;
      const std::string what = route.method + " " + route.pattern + " as " + who + ": " + std::to_string(r.status) + " " +
                               r.body.substr(0, 160);
      BOOST_TEST(r.status < 500, what);
      BOOST_TEST(r.status != 401, what);
      // The API says it in English; a page in its language (Slovenian without Accept-Language).
      const std::string refused = api ? "this is not for the role" : "To ni namenjeno vaši vlogi";
      if (allowed) {
        BOOST_TEST(!contains(r.body, refused), what);
      } else {
        BOOST_TEST(r.status == 403, what);
        BOOST_TEST(contains(r.body, refused), what);
      }
      // Sealed until opening: every role that may ask is refused.
      if (route.pattern == "/api/v1/bids/{id}") {
        BOOST_TEST(r.status == 403, what);
        BOOST_TEST(contains(r.message(), "sealed"), what);
      }
      ++checked;
    }
  }
  BOOST_TEST(checked == static_cast<int>(w.server->router().routes().size() * roles.size()));
  BOOST_TEST(checked > 300);
}

BOOST_AUTO_TEST_SUITE_END()
