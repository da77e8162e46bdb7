#pragma once
// Writes to an engine fixture's database behind the store's back, as someone with direct access to
// the database file or server would: the audit tests tamper with the log this way. SQLite through
// the sqlite3 C API on the fixture's file (close the fixture's store first: closeStore()), MariaDB
// through the root client in DPS_TEST_MYSQL_ROOT. Not thread-safe; tests only.

#include <string>

#include "tests/support/engine_fixture.h"

namespace dps_test {

// Runs one or more SQL statements separated by ';' (plain SQL both backends accept); throws
// core::Error(kInternal) with the database's message when a statement fails.
void rawSql(const EngineFixture& f, const std::string& sql);

}  // namespace dps_test
