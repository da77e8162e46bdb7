#pragma once
// Where tests find the project's data and the shared standards (set by CMake). Thread-safe.

#include <optional>
#include <string>

namespace dps_test {

// The source tree root (for data/ files such as data/calendars).
std::string sourceDir();
// A standards folder when it exists, else nullopt: the test then reports "skipped".
std::optional<std::string> standardsDir(const std::string& which);  // "eforms-sdk", "espd-edm", "ocds", "cpv"
// A fresh empty directory under the build tree's temp area for this test process.
std::string tempDir(const std::string& name);
// A file's bytes; empty when it cannot be read.
std::string readFile(const std::string& path);

}  // namespace dps_test
