// Raw SQL on an engine fixture's database for the tamper tests (see raw_sql.h).

#include "tests/engine/raw_sql.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>

#include "core/error.h"

namespace dps_test {

namespace {

void rawSqlite(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw core::Error(core::ErrorCode::kInternal, "cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw core::Error(core::ErrorCode::kInternal, "SQLite refused '" + sql + "': " + message);
}

void rawMysql(const std::string& database, const std::string& sql) {
  const char* client = std::getenv("DPS_TEST_MYSQL_ROOT");
  if (client == nullptr || *client == '\0')
    throw core::Error(core::ErrorCode::kUnavailable, "DPS_TEST_MYSQL_ROOT is not set: source build/mariadb/env");
  FILE* pipe = ::popen((std::string(client) + " --batch --silent -D " + database).c_str(), "w");
  if (pipe == nullptr) throw core::Error(core::ErrorCode::kUnavailable, std::string("cannot start ") + client);
  std::fputs((sql + ";\n").c_str(), pipe);
  if (::pclose(pipe) != 0) throw core::Error(core::ErrorCode::kInternal, "MariaDB refused '" + sql + "'");
}

}  // namespace

void rawSql(const EngineFixture& f, const std::string& sql) {
  if (f.isMysql())
    rawMysql(f.mysql_database, sql);
  else
    rawSqlite(f.db_path, sql);
}

}  // namespace dps_test
