// The route table and path matching (see router.h).
#include "web/server/router.h"

#include <charconv>

#include "core/error.h"

namespace web::server {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  if (path.empty() || path[0] != '/') return parts;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    parts.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool matches(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params) {
  const std::vector<std::string> p = splitPath(pattern);
  const std::vector<std::string> s = splitPath(path);
  if (p.size() != s.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i].size() > 2 && p[i].front() == '{' && p[i].back() == '}') {
      if (s[i].empty()) return false;
      found[p[i].substr(1, p[i].size() - 2)] = s[i];
    } else if (p[i] != s[i]) {
      return false;
    }
  }
  params = std::move(found);
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
  routes_.push_back({std::move(method), std::move(pattern), audience, std::move(handler), std::move(summary)});
  return routes_.back();
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    if (!matches(r.pattern, path, params)) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      if (result.route == nullptr) {
        result.route = &r;
        result.params = std::move(params);
      }
    }
    result.allowed.push_back(r.method);
  }
  return result;
}

}  // namespace web::server
