#pragma once
// The `dps` configuration, read once from dps.properties into a plain struct. Every key has a
// documented default (see dps.properties); an unknown key or an invalid value is an error naming it.
// Plain value; thread-safe to share once loaded.

#include <string>

namespace web {

struct Config {
  std::string store_uri = "sqlite:var/dps.sqlite";
  std::string calendar_dir = "data/calendars";
  std::string key_file = "var/master.key";
  bool simulated_clock = false;
  std::string demo_dir = "data/demo";
  std::string cpv_file;
  // Folder that relative paths are resolved against (the folder of the properties file).
  std::string base_dir = ".";

  // A path from the file, resolved against base_dir when relative.
  std::string resolve(const std::string& path) const;
};

// Reads `path` (a Java-style properties file). Throws core::Error(kInvalidArgument) naming every
// unknown key and invalid value; kNotFound when the file does not exist.
Config loadConfig(const std::string& path);

}  // namespace web
