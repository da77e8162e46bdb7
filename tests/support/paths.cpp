#include "tests/support/paths.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dps_test {

std::string sourceDir() { return DPS_SOURCE_DIR; }

std::optional<std::string> standardsDir(const std::string& which) {
  std::string dir;
  if (which == "eforms-sdk") dir = EFORMS_SDK_DIR;
  else if (which == "espd-edm") dir = ESPD_EDM_DIR;
  else if (which == "ocds") dir = OCDS_DIR;
  else if (which == "cpv") dir = CPV_DIR;
  else return std::nullopt;
  if (!std::filesystem::is_directory(dir)) return std::nullopt;
  return dir;
}

std::string tempDir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("dps-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace dps_test
