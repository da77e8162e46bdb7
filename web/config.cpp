#include "web/config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

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
  if (c.simulated_clock && c.store_uri.rfind("mysql://", 0) == 0)
    problems += "\n  clock: a simulated clock is for the demo only; a MySQL (production) store needs clock = system";
  if (!problems.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "configuration '" + path + "' is not valid:" + problems);
  if (c.store_uri.rfind("sqlite:", 0) == 0) c.store_uri = "sqlite:" + c.resolve(c.store_uri.substr(7));
  c.calendar_dir = c.resolve(c.calendar_dir);
  c.key_file = c.resolve(c.key_file);
  c.demo_dir = c.resolve(c.demo_dir);
  c.cpv_file = c.resolve(c.cpv_file);
  return c;
}

}  // namespace web
