#pragma once
// The route table: every route of the service (method, path pattern, who may call it, handler) in
// one place, matched segment by segment ("/api/v1/rounds/{id}/bids"). A path that matches no
// pattern is 404; a path that matches with another method is 405 with the allowed methods.
// Routes are added once at start-up; matching afterwards is read-only and thread-safe.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/model.h"
#include "web/server/http_types.h"

namespace web {
class Services;
}

namespace web::server {

class Authenticator;
class Metrics;
struct Messages;

// Who may call a route: a bit set of account roles; kPublic needs no account.
enum Audience : unsigned {
  kPublic = 0,
  kAdministrators = 1u << 0,
  kOfficers = 1u << 1,
  kSuppliers = 1u << 2,
  kAuditors = 1u << 3,
  kSignedIn = kAdministrators | kOfficers | kSuppliers | kAuditors,
};

unsigned audienceOf(core::AccountRole role);

// The signed-in account of a request, by session cookie or API token.
struct Principal {
  core::Account account;
  std::string session_hash;  // empty when authenticated by API token
  std::string csrf_token;    // the session's CSRF token (empty for API tokens)
  bool via_api_token = false;

  core::Actor actor() const;
};

// What a handler gets: the request, the response to fill and the services.
struct Context {
  Services& services;
  Authenticator& auth;
  Metrics& metrics;
  Request& request;
  Response& response;
  std::optional<Principal> principal;
  std::string lang;  // "sl" or "en"
  // The calendar whose legal time the pages show and read times in, once looked up (html.h
  // legalTime()); null inside means UTC.
  std::optional<const core::Calendar*> legal_time;

  const Principal& who() const { return *principal; }
  core::Actor actor() const;
  // The path parameter as a positive id; throws kInvalidArgument naming it when it is not.
  core::Id idParam(const std::string& name) const;
  // The form field (pages) or empty.
  std::string form(const std::string& name) const;
};

using Handler = std::function<void(Context&)>;

struct Route {
  std::string method;
  std::string pattern;
  unsigned audience = kPublic;
  Handler handler;
  std::string summary;  // one line for the route list and the docs
  // The route takes a file: a page form as multipart/form-data (fields in Request::form, files in
  // Request::files), an API route as a raw body of any media type (the file itself).
  bool uploads = false;
  // The pattern cut at its slashes, once when the route is added ("{name}" segments are parameters).
  std::vector<std::string> segments;
};

struct RouteMatch {
  const Route* route = nullptr;  // null: 404 or 405
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;  // methods that match the path (405 when route is null)
};

class Router {
 public:
  // Returns the new route (valid until the next add) so that a caller may mark it, e.g. uploads.
  Route& add(std::string method, std::string pattern, unsigned audience, Handler handler, std::string summary = {});
  RouteMatch match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace web::server
