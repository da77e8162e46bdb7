#pragma once
// dps_test::WebFixture: the real HTTP service in process on 127.0.0.1, port 0, over a store prepared
// by the engine fixture (SQLite, or MariaDB when DPS_TEST_BACKEND=mysql): the Kranj authority with
// a published DPS, two admitted farms, a delivery point and an open round with one lot; accounts for
// every role (administrator, officer of Kranj, officer of Naklo, auditor, two farms) with API
// tokens; and an HTTP client (POCO HTTPClientSession) that returns status, headers and body.
// Thread-safety: none; one fixture per test case.

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "tests/support/engine_fixture.h"
#include "web/server/server.h"
#include "web/services.h"

namespace dps_test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names in lower case

  std::string header(const std::string& lower_name) const;
  // The body parsed as a JSON object; fails the test when it is not one.
  Poco::JSON::Object::Ptr json() const;
  // The "message" of a JSON error body (empty when none).
  std::string message() const;
};

// The password of every fixture account.
inline constexpr const char* kWebPassword = "correct horse battery";

class WebFixture {
 public:
  // `tune` may change the service's configuration before it starts (e.g. TLS).
  explicit WebFixture(const std::function<void(web::Config&)>& tune = {});
  ~WebFixture();

  EngineFixture f;
  std::unique_ptr<web::Services> services;
  std::unique_ptr<web::server::Server> server;
  std::ostringstream access_log;

  DpsHandle dps;
  SupplierHandle farm_a;
  SupplierHandle farm_b;
  core::Id point = 0;
  core::Id round = 0;  // open (dispatched), one lot of 100 kg
  core::Id lot = 0;

  // API tokens by role name: admin, officer, other_officer, auditor, farm_a, farm_b.
  std::map<std::string, std::string> tokens;
  // Usernames by the same role names.
  std::map<std::string, std::string> usernames;

  // One request. `auth` is a role name from `tokens` (Bearer), "" for none; `headers` are added as given.
  HttpResult call(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& auth = {}, const std::map<std::string, std::string>& headers = {},
                  const std::string& content_type = "application/json");
  // Moves the service's simulated clock (and the engine fixture's) to `iso`.
  void setNow(const std::string& iso);
  void setNow(core::TimePoint t);
  // A JSON bid body for the fixture's lot.
  std::string bidBody(const SupplierHandle& s, const std::string& price, const std::string& quantity = "100") const;
};

// A browser-like client with a cookie jar: signs in through the pages and posts forms with the
// CSRF token read from the page it came from.
class Browser {
 public:
  Browser(WebFixture& fixture, std::string language = "sl");
  HttpResult get(const std::string& path);
  // Posts the form fields; adds the CSRF token of the last page fetched.
  HttpResult post(const std::string& path, std::map<std::string, std::string> fields);
  HttpResult login(const std::string& username, const std::string& password);
  const std::string& lastPage() const { return last_page_; }
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  void remember(const HttpResult& r);
  std::map<std::string, std::string> headers() const;

  WebFixture& fx_;
  std::string language_;
  std::map<std::string, std::string> cookies_;
  std::string last_page_;
};

// The value of the hidden CSRF field in a page ("" when none).
std::string csrfOf(const std::string& html);
// Form encoding of fields.
std::string formEncode(const std::map<std::string, std::string>& fields);

}  // namespace dps_test
