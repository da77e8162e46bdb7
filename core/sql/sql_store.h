#pragma once
// core::sql::SqlStore: the one implementation of core::Store over any SQL driver that implements
// core::sql::Connection (SQLite in core/sqlite, MySQL/MariaDB in core/mysql). It owns a pool of
// connections, runs each transact() on its own connection with bounded retries of lock conflicts,
// and applies the versioned schema (schema.h).
//
// Thread-safety: fully thread-safe; one SqlStore may serve many threads and share its database with
// other processes.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/sql/connection.h"
#include "core/store.h"

namespace core::sql {

// Opens a new connection to the store's database; throws core::Error(kUnavailable) saying which
// database could not be reached and what to check.
using Connector = std::function<std::unique_ptr<Connection>()>;

class SqlStore final : public core::Store {
 public:
  // How often transact() runs a callback that keeps losing lock conflicts before giving up.
  static constexpr int kMaxAttempts = 6;

  // Opens one connection at once, so that an unreachable database is reported here and not at the
  // first transaction.
  SqlStore(std::string backend, Connector connect);
  ~SqlStore() override;

  void transact(const std::function<void(Tx&)>& fn) override;
  int migrate() override;
  std::string backend() const override;

  // Runs fn on one of the store's own pooled connections, outside transact(): for diagnostics and
  // tests (e.g. reading the durability settings in force). fn must leave no transaction open.
  void withConnection(const std::function<void(Connection&)>& fn);

 private:
  class Lease;
  std::unique_ptr<Connection> acquire();
  void release(std::unique_ptr<Connection> connection);

  std::string backend_;
  Connector connect_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace core::sql
