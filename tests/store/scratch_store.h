#pragma once
// A fresh, migrated store for one run of the storage contract suite: a temporary SQLite file, or a
// MariaDB/MySQL database of its own (named dps_store_<pid>_<n>) on the server of DPS_TEST_MYSQL_URI,
// dropped again when the ScratchStore is destroyed. Thread-safety: the store() is thread-safe; the
// ScratchStore itself belongs to one thread.

#include <memory>
#include <optional>
#include <string>

#include "core/store.h"

namespace dps_test {

enum class Backend { kSqlite, kMysql };

// DPS_TEST_MYSQL_URI when set and not empty.
std::optional<std::string> mysqlTestUri();
// True when the environment variable CI is "true" (a skipped backend is then a failure).
bool runningInCi();

class ScratchStore {
 public:
  // Creates the database, opens it through core::openStore() and migrates it. For kMysql the
  // caller checks mysqlTestUri() first; throws core::Error when the server cannot be used.
  explicit ScratchStore(Backend backend);
  ~ScratchStore();
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  core::Store& store() { return *store_; }
  // The uri the store was opened with (another openStore() on it reaches the same database).
  const std::string& uri() const { return uri_; }

 private:
  Backend backend_;
  std::string uri_;
  std::string sqlite_dir_;      // kSqlite: the folder holding the file
  std::string mysql_database_;  // kMysql: the database to drop
  std::unique_ptr<core::Store> store_;
};

}  // namespace dps_test
