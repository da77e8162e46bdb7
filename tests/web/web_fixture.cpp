// The in-process HTTP service fixture and its clients (see web_fixture.h).
#include "tests/web/web_fixture.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "core/error.h"
#include "tests/support/paths.h"
#include "web/server/auth.h"

namespace dps_test {

std::string HttpResult::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

Poco::JSON::Object::Ptr HttpResult::json() const {
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var v = parser.parse(body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  BOOST_FAIL("the response body is not a JSON object: " << body.substr(0, 300));
  return {};
}

std::string HttpResult::message() const {
  if (body.empty() || body[0] != '{') return {};
  const auto o = json();
  return o->has("message") ? o->getValue<std::string>("message") : std::string();
}

namespace {

std::string hexKey() {
  const core::Sealer::Key key = testSealingKey();
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (const unsigned char c : key) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

}  // namespace

WebFixture::WebFixture(const std::function<void(web::Config&)>& tune) {
  dps = f.publishedDps();
  farm_a = f.admittedSupplier("Kmetija Zupan", dps.categories[0]);
  farm_b = f.admittedSupplier("Kmetija Kern", dps.categories[0], 0.05, 0.05);
  point = f.deliveryPoint("OS-PRES");
  round = f.createRound(dps, dps.categories[0], {EngineFixture::lot(1, point, "100")});
  lot = f.lots(round).at(0).id;
  f.startRounds();
  f.dispatch(round);

  ::setenv("DPS_MASTER_KEY", hexKey().c_str(), 1);
  web::Config config;
  config.store_uri = f.store_uri;
  config.calendar_dir = sourceDir() + "/data/calendars";
  config.key_file = f.dir + "/master.key";
  config.simulated_clock = true;
  config.http_port = 0;
  config.http_threads = 8;
  config.http_max_body_bytes = 65536;
  config.http_static_dir = sourceDir() + "/web/static";
  config.auth_password_cost = "minimum";
  config.http_access_log = "off";
  if (tune) tune(config);
  services = std::make_unique<web::Services>(config);
  services->simulatedClock()->set(f.clock.now());
  server = std::make_unique<web::server::Server>(*services, &access_log);
  server->start();

  struct Spec {
    std::string role_name;
    std::string username;
    core::AccountRole role;
    core::Id authority;
    core::Id supplier;
  };
  const std::vector<Spec> specs = {
      {"admin", "admin", core::AccountRole::kAdministrator, 0, 0},
      {"officer", "mojca.novak", core::AccountRole::kOfficer, f.authority_id, 0},
      {"other_officer", "janez.naklo", core::AccountRole::kOfficer, f.other_authority_id, 0},
      {"auditor", "revizor", core::AccountRole::kAuditor, 0, 0},
      {"farm_a", "zupan@kmetija.si", core::AccountRole::kSupplier, 0, farm_a.id},
      {"farm_b", "kern@kmetija.si", core::AccountRole::kSupplier, 0, farm_b.id},
  };
  for (const Spec& s : specs) {
    core::Account a;
    a.username = s.username;
    a.display_name = s.username;
    a.role = s.role;
    a.authority_id = s.authority;
    a.supplier_id = s.supplier;
    const core::Id id = server->authenticator().createAccount(a, kWebPassword);
    tokens[s.role_name] = server->authenticator().createApiToken(id, "tests").second;
    usernames[s.role_name] = s.username;
  }
}

WebFixture::~WebFixture() {
  if (server) server->stop();
}

HttpResult WebFixture::call(const std::string& method, const std::string& path, const std::string& body,
                            const std::string& auth, const std::map<std::string, std::string>& headers,
                            const std::string& content_type) {
  Poco::Net::HTTPClientSession session("127.0.0.1", server->port());
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!auth.empty()) request.set("Authorization", "Bearer " + tokens.at(auth));
  for (const auto& [k, v] : headers) request.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.setContentType(content_type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  std::ostream& out = session.sendRequest(request);
  out << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  for (const auto& [k, v] : response) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(name, v);
  }
  return r;
}

void WebFixture::setNow(const std::string& iso) { setNow(core::parseTime(iso)); }

void WebFixture::setNow(core::TimePoint t) {
  f.clock.set(t);
  services->simulatedClock()->set(t);
}

std::string WebFixture::bidBody(const SupplierHandle& s, const std::string& price, const std::string& quantity) const {
  return "{\"lines\":[{\"lot_id\":" + std::to_string(lot) + ",\"unit_price\":\"" + price + "\",\"quantity\":\"" +
         quantity + "\",\"dispatch_point_id\":" + std::to_string(s.dispatch_point_id) +
         ",\"hours_from_harvest\":24,\"vehicle\":\"van\"}]}";
}

std::string csrfOf(const std::string& html) {
  const std::string marker = "name=\"csrf\" value=\"";
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

std::string formEncode(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    std::string ek;
    std::string ev;
    Poco::URI::encode(k, "&=+?#%/", ek);
    Poco::URI::encode(v, "&=+?#%/", ev);
    out += (out.empty() ? "" : "&") + ek + "=" + ev;
  }
  return out;
}

Browser::Browser(WebFixture& fixture, std::string language) : fx_(fixture), language_(std::move(language)) {}

std::map<std::string, std::string> Browser::headers() const {
  std::map<std::string, std::string> h;
  std::string cookie;
  for (const auto& [k, v] : cookies_) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
  if (!cookie.empty()) h["Cookie"] = cookie;
  h["Accept-Language"] = language_;
  return h;
}

void Browser::remember(const HttpResult& r) {
  for (auto [it, end] = r.headers.equal_range("set-cookie"); it != end; ++it) {
    const std::string& c = it->second;
    const std::size_t eq = c.find('=');
    const std::size_t semi = c.find(';');
    const std::string name = c.substr(0, eq);
    const std::string value = c.substr(eq + 1, semi - eq - 1);
    if (value.empty() || c.find("Max-Age=0") != std::string::npos)
      cookies_.erase(name);
    else
      cookies_[name] = value;
  }
  if (r.status == 200 || r.status >= 400) last_page_ = r.body;
}

HttpResult Browser::get(const std::string& path) {
  HttpResult r = fx_.call("GET", path, "", "", headers());
  remember(r);
  return r;
}

HttpResult Browser::post(const std::string& path, std::map<std::string, std::string> fields) {
  if (!fields.count("csrf")) fields["csrf"] = csrfOf(last_page_);
  HttpResult r = fx_.call("POST", path, formEncode(fields), "", headers(), "application/x-www-form-urlencoded");
  remember(r);
  return r;
}

HttpResult Browser::login(const std::string& username, const std::string& password) {
  get("/login");
  return post("/login", {{"username", username}, {"password", password}});
}

}  // namespace dps_test
