#pragma once
// The MySQL / MariaDB implementation of core::Store (InnoDB, utf8mb4), for one server or a Galera
// cluster shared by several service instances. Each transaction runs on its own pooled connection
// with autocommit off and isolation READ COMMITTED: what must be serialised is serialised by
// explicit locking reads (lockRound's FOR UPDATE / LOCK IN SHARE MODE, the audit head's FOR UPDATE),
// so REPEATABLE READ's snapshot would add nothing but its gap locks, which make concurrent bid
// inserts deadlock more often. Durability comes from the server: innodb_flush_log_at_trx_commit=1
// (and sync_binlog=1 when the binary log is on), as scripts/mariadb.sh configures it.
// Thread-safety: the returned store is thread-safe.

#include <memory>
#include <string>

#include "core/store.h"

namespace core {

struct MysqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string unix_socket;  // when set, the server is reached through this socket, not host:port
  std::string user;
  std::string password;
  std::string database;
};

// Connects at once (Error(kUnavailable) naming the server, user and database when that fails).
// The database must exist; call migrate() before the first transaction on a new one.
std::unique_ptr<Store> openMysqlStore(const MysqlOptions& options);

}  // namespace core
