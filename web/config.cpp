#include "web/config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <vector>

#include "core/error.h"

namespace web {

std::string Config::resolve(const std::string& path) const {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

namespace {

// Every key that holds a value, below `prefix` ("" for all). A key may hold a value and have
// children too ("clock" and "clock.start").
void collectKeys(const Poco::Util::AbstractConfiguration& cfg, const std::string& prefix,
                 std::vector<std::string>& out) {
  Poco::Util::AbstractConfiguration::Keys children;
  cfg.keys(prefix, children);
  if (!prefix.empty() && (children.empty() || cfg.has(prefix))) out.push_back(prefix);
  for (const std::string& child : children) collectKeys(cfg, prefix.empty() ? child : prefix + "." + child, out);
}

}  // namespace

Config loadConfig(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw core::Error(core::ErrorCode::kNotFound,
                      "configuration file '" + path + "' does not exist; copy dps.properties from the project "
                      "root or pass --config PATH");
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file;
  try {
    file = new Poco::Util::PropertyFileConfiguration(path);
  } catch (const Poco::Exception& e) {
    throw core::Error(core::ErrorCode::kInvalidArgument, "cannot read configuration '" + path + "': " + e.displayText());
  }
  Config c;
  c.base_dir = std::filesystem::absolute(path).parent_path().string();
  std::string problems;
  using Setter = std::function<void(const std::string&)>;
  const auto intSetter = [&](const std::string& key, int min, int max, int& target) -> Setter {
    return [&problems, key, min, max, &target](const std::string& v) {
      int value = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
      if (ec != std::errc() || end != v.data() + v.size() || value < min || value > max) {
        problems += "\n  " + key + ": '" + v + "' must be a whole number from " + std::to_string(min) + " to " +
                    std::to_string(max);
        return;
      }
      target = value;
    };
  };
  const std::map<std::string, Setter> setters = {
      {"store.uri",
       [&](const std::string& v) {
         if (v.rfind("sqlite:", 0) != 0 && v.rfind("mysql://", 0) != 0)
           problems += "\n  store.uri: '" + v + "' must start with sqlite: or mysql://";
         c.store_uri = v;
       }},
      {"calendar.dir", [&](const std::string& v) { c.calendar_dir = v; }},
      {"sealing.key_file", [&](const std::string& v) { c.key_file = v; }},
      {"clock",
       [&](const std::string& v) {
         if (v != "system" && v != "simulated") problems += "\n  clock: '" + v + "' must be system or simulated";
         c.simulated_clock = v == "simulated";
       }},
      {"demo.dir", [&](const std::string& v) { c.demo_dir = v; }},
      {"cpv.file", [&](const std::string& v) { c.cpv_file = v; }},
      {"espd.schema_dir", [&](const std::string& v) { c.espd_schema_dir = v; }},
      {"notices.settings", [&](const std::string& v) { c.notices_settings = v; }},
      {"notices.eforms_sdk", [&](const std::string& v) { c.notices_eforms_sdk = v; }},
      {"http.address", [&](const std::string& v) { c.http_address = v; }},
      {"http.port", intSetter("http.port", 0, 65535, c.http_port)},
      {"http.threads", intSetter("http.threads", 1, 1024, c.http_threads)},
      {"http.max_body_bytes", intSetter("http.max_body_bytes", 1024, 64 * 1024 * 1024, c.http_max_body_bytes)},
      {"http.static_dir", [&](const std::string& v) { c.http_static_dir = v; }},
      {"http.access_log", [&](const std::string& v) { c.http_access_log = v; }},
      {"http.tls.certificate", [&](const std::string& v) { c.http_tls_certificate = v; }},
      {"http.tls.private_key", [&](const std::string& v) { c.http_tls_private_key = v; }},
      {"auth.password_cost",
       [&](const std::string& v) {
         if (v != "interactive" && v != "moderate" && v != "minimum")
           problems += "\n  auth.password_cost: '" + v + "' must be interactive, moderate or minimum";
         c.auth_password_cost = v;
       }},
      {"auth.session_hours", intSetter("auth.session_hours", 1, 24 * 30, c.auth_session_hours)},
      {"auth.max_failures_account", intSetter("auth.max_failures_account", 1, 1000, c.auth_max_failures_account)},
      {"auth.max_failures_address", intSetter("auth.max_failures_address", 1, 100000, c.auth_max_failures_address)},
      {"auth.throttle_minutes", intSetter("auth.throttle_minutes", 1, 24 * 60, c.auth_throttle_minutes)},
      {"smtp.host", [&](const std::string& v) { c.smtp_host = v; }},
      {"smtp.port", intSetter("smtp.port", 1, 65535, c.smtp_port)},
      {"smtp.from", [&](const std::string& v) { c.smtp_from = v; }},
      {"smtp.max_attempts", intSetter("smtp.max_attempts", 1, 100, c.smtp_max_attempts)},
      {"smtp.retry_seconds", intSetter("smtp.retry_seconds", 1, 86400, c.smtp_retry_seconds)},
  };
  std::vector<std::string> keys;
  collectKeys(*file, "", keys);
  for (const std::string& k : keys) {
    const auto it = setters.find(k);
    if (it == setters.end()) {
      std::string known;
      for (const auto& [name, _] : setters) known += (known.empty() ? "" : ", ") + name;
      problems += "\n  unknown key '" + k + "' (known keys: " + known + ")";
      continue;
    }
    it->second(file->getString(k));
  }
  if (c.http_tls_certificate.empty() != c.http_tls_private_key.empty())
    problems += "\n  http.tls.certificate and http.tls.private_key go together: set both for HTTPS, or neither";
  if (c.auth_password_cost == "minimum" && c.store_uri.rfind("mysql://", 0) == 0)
    problems += "\n  auth.password_cost: minimum is for tests only; a MySQL (production) store needs interactive or moderate";
  if (c.simulated_clock && c.store_uri.rfind("mysql://", 0) == 0)
    problems += "\n  clock: a simulated clock is for the demo only; a MySQL (production) store needs clock = system";
  if (!problems.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "configuration '" + path + "' is not valid:" + problems);
  if (c.store_uri.rfind("sqlite:", 0) == 0) c.store_uri = "sqlite:" + c.resolve(c.store_uri.substr(7));
  c.calendar_dir = c.resolve(c.calendar_dir);
  c.key_file = c.resolve(c.key_file);
  c.demo_dir = c.resolve(c.demo_dir);
  c.cpv_file = c.resolve(c.cpv_file);
  c.espd_schema_dir = c.resolve(c.espd_schema_dir);
  c.notices_settings = c.resolve(c.notices_settings);
  c.notices_eforms_sdk = c.resolve(c.notices_eforms_sdk);
  c.http_static_dir = c.resolve(c.http_static_dir);
  if (c.http_access_log != "-" && c.http_access_log != "off") c.http_access_log = c.resolve(c.http_access_log);
  c.http_tls_certificate = c.resolve(c.http_tls_certificate);
  c.http_tls_private_key = c.resolve(c.http_tls_private_key);
  return c;
}

}  // namespace web
