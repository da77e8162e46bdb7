// The route table and path matching (see router.h).
#include "web/server/router.h"

#include <charconv>
#include <string_view>

#include "core/error.h"

namespace web::server {
namespace {

// The segments of an absolute path ("/a/b/" -> "a", "b", ""); none when it is not absolute. Views
// into `path`, so that matching a request against every route allocates nothing per route.
std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path[0] != '/') return parts;
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool isParameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool matches(const Route& route, const std::vector<std::string_view>& path) {
  if (route.segments.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& p = route.segments[i];
    if (isParameter(p) ? path[i].empty() : p != path[i]) return false;
  }
  return true;
}

}  // namespace

unsigned audienceOf(core::AccountRole role) {
  switch (role) {
    case core::AccountRole::kAdministrator: return kAdministrators;
    case core::AccountRole::kOfficer: return kOfficers;
    case core::AccountRole::kSupplier: return kSuppliers;
    case core::AccountRole::kAuditor: return kAuditors;
  }
  return 0;
}

core::Actor Principal::actor() const {
  core::Actor a;
  a.name = account.username;
  switch (account.role) {
    case core::AccountRole::kAdministrator: a.role = core::Role::kAdministrator; break;
    case core::AccountRole::kOfficer: a.role = core::Role::kOfficer; break;
    case core::AccountRole::kSupplier: a.role = core::Role::kSupplier; break;
    case core::AccountRole::kAuditor: a.role = core::Role::kAuditor; break;
  }
  a.authority_id = account.authority_id;
  a.supplier_id = account.supplier_id;
  return a;
}

core::Actor Context::actor() const {
  if (!principal) throw core::Error(core::ErrorCode::kForbidden, "sign in first");
  return principal->actor();
}

core::Id Context::idParam(const std::string& name) const {
  const auto it = request.params.find(name);
  const std::string text = it == request.params.end() ? std::string() : it->second;
  core::Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "path parameter " + name + " must be a positive number, not '" + text.substr(0, 40) + "'", name);
  return id;
}

std::string Context::form(const std::string& name) const {
  const auto it = request.form.find(name);
  return it == request.form.end() ? std::string() : it->second;
}

Route& Router::add(std::string method, std::string pattern, unsigned audience, Handler handler, std::string summary) {
  Route route{std::move(method), std::move(pattern), audience, std::move(handler), std::move(summary), false, {}};
  for (const std::string_view segment : splitPath(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
  return routes_.back();
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  const std::vector<std::string_view> segments = splitPath(path);
  for (const Route& r : routes_) {
    if (!matches(r, segments)) continue;
    if (result.route == nullptr && (r.method == method || (method == "HEAD" && r.method == "GET"))) {
      result.route = &r;
      for (std::size_t i = 0; i < segments.size(); ++i)
        if (isParameter(r.segments[i]))
          result.params[r.segments[i].substr(1, r.segments[i].size() - 2)] = std::string(segments[i]);
    }
    result.allowed.push_back(r.method);
  }
  return result;
}

}  // namespace web::server
