// Creates and drops the scratch databases of the storage contract suite (see scratch_store.h).
#include "tests/store/scratch_store.h"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "tests/support/paths.h"

namespace dps_test {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The parts of mysql://USER@HOST:PORT/DATABASE (or USER@unix:SOCKET) needed to reach the server.
struct ServerAddress {
  std::string user;
  std::string location;  // "HOST:PORT" or "unix:SOCKET"
};

ServerAddress parseServer(const std::string& uri) {
  const std::string scheme = "mysql://";
  const std::size_t at = uri.find('@');
  const std::size_t slash = uri.rfind('/');
  if (uri.rfind(scheme, 0) != 0 || at == std::string::npos || slash == std::string::npos || slash < at) {
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "DPS_TEST_MYSQL_URI '" + uri + "' is not of the form mysql://USER@HOST:PORT/DATABASE");
  }
  return ServerAddress{uri.substr(scheme.size(), at - scheme.size()), uri.substr(at + 1, slash - at - 1)};
}

void runOnServer(const ServerAddress& server, const std::string& statement) {
  ::sql::ConnectOptionsMap props;
  const bool socket = server.location.rfind("unix:", 0) == 0;
  props["hostName"] = ::sql::SQLString(socket ? "unix://" + server.location.substr(5) : "tcp://" + server.location);
  props["userName"] = ::sql::SQLString(server.user);
  props["password"] = ::sql::SQLString(env("DPS_MYSQL_PASSWORD"));
  try {
    std::unique_ptr<::sql::Connection> connection(::sql::mysql::get_mysql_driver_instance()->connect(props));
    std::unique_ptr<::sql::Statement> st(connection->createStatement());
    st->execute(statement);
  } catch (const ::sql::SQLException& e) {
    throw core::Error(core::ErrorCode::kUnavailable, "the test server " + server.location + " refused '" + statement +
                                                         "': " + e.what() +
                                                         " (is the private MariaDB running? source "
                                                         "/work/build/mariadb/env or run scripts/mariadb.sh)");
  }
}

}  // namespace

std::optional<std::string> mysqlTestUri() {
  std::string uri = env("DPS_TEST_MYSQL_URI");
  if (uri.empty()) return std::nullopt;
  return uri;
}

bool runningInCi() { return env("CI") == "true"; }

ScratchStore::ScratchStore(Backend backend) : backend_(backend) {
  static std::atomic<int> counter{0};
  const std::string name = "dps_store_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  if (backend_ == Backend::kSqlite) {
    sqlite_dir_ = tempDir(name);
    uri_ = "sqlite:" + sqlite_dir_ + "/store.sqlite";
  } else {
    const std::optional<std::string> base = mysqlTestUri();
    if (!base) {
      throw core::Error(core::ErrorCode::kUnavailable, "DPS_TEST_MYSQL_URI is not set: source /work/build/mariadb/env");
    }
    const ServerAddress server = parseServer(*base);
    runOnServer(server, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    mysql_database_ = name;
    uri_ = "mysql://" + server.user + "@" + server.location + "/" + name;
  }
  try {
    store_ = core::openStore(uri_);
    store_->migrate();
  } catch (...) {
    store_.reset();
    if (!mysql_database_.empty())
      runOnServer(parseServer(*mysqlTestUri()), "DROP DATABASE IF EXISTS " + mysql_database_);
    throw;
  }
}

ScratchStore::~ScratchStore() {
  store_.reset();
  if (!sqlite_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(sqlite_dir_, ignored);
    // The per-process folder above it goes too once it is empty (remove() leaves a non-empty one).
    std::filesystem::remove(std::filesystem::path(sqlite_dir_).parent_path(), ignored);
  }
  if (!mysql_database_.empty()) {
    try {
      runOnServer(parseServer(*mysqlTestUri()), "DROP DATABASE IF EXISTS " + mysql_database_);
    } catch (const core::Error& e) {
      std::cerr << "could not drop the scratch database " << mysql_database_ << ": " << e.what() << "\n";
    }
  }
}

}  // namespace dps_test
