#pragma once
// core::sql::SqlStore: the one implementation of core::Store over any SQL driver that implements
// core::sql::Connection (SQLite in core/sqlite, MySQL/MariaDB in core/mysql). It owns a pool of
// connections, runs transactions with bounded retries of lock conflicts, and applies the versioned
// schema (schema.h). Transactions run side by side, each on its own connection (MySQL), or through
// an in-process write queue with group commit (SQLite, which has one writer at a time): see
// Commits. Read-only transactions (read()) never enter the write queue: they run on connections of
// a second pool that refuse writes, beside the writer.
//
// Thread-safety: fully thread-safe; one SqlStore may serve many threads and share its database with
// other processes.

#include <condition_variable>
#include <cstddef>
#include <deque>
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

// How transact() runs the transactions of the threads of one process.
enum class Commits {
  // Each transaction on its own pooled connection, side by side; the database's row locks decide
  // who waits (MySQL/MariaDB).
  kConcurrent,
  // A write queue for a database with a single writer (SQLite): the threads queue their
  // transactions, and one of them at a time, the writer, runs everything queued so far one after
  // another inside one database transaction, each in a savepoint of its own, and makes them durable
  // with a single commit (group commit: one log sync for the whole group). Every caller returns
  // only once the commit that holds its transaction is durable; a transaction that throws is rolled
  // back to its savepoint alone and its caller gets the exception; a failed commit reaches every
  // caller of the group. Other processes still take the database's write lock in turn.
  kGrouped,
};

class SqlStore final : public core::Store {
 public:
  // How often transact() runs a callback that keeps losing lock conflicts before giving up.
  static constexpr int kMaxAttempts = 6;

  // How many queued transactions one group commit takes at most (Commits::kGrouped).
  static constexpr std::size_t kMaxGroup = 128;
  // How many transactions run at once (Commits::kConcurrent); more callers wait for a turn. Past a
  // few per core, more only add lock waits and context switches in the database (bench/web: at 64
  // connections MariaDB stored fewer bids per second than at 16), and with no more connections in
  // use than the pool keeps idle, none is closed only to open a new one for the next transaction.
  static constexpr int kMaxActive = 8;

  // Opens one connection at once, so that an unreachable database is reported here and not at the
  // first transaction.
  SqlStore(std::string backend, Connector connect, Commits commits = Commits::kConcurrent);
  ~SqlStore() override;

  void transact(const std::function<void(Tx&)>& fn) override;
  void read(const std::function<void(Tx&)>& fn) override;
  int migrate() override;
  std::string backend() const override;

  // Runs fn on one of the store's own pooled connections, outside transact(): for diagnostics and
  // tests (e.g. reading the durability settings in force). fn must leave no transaction open.
  void withConnection(const std::function<void(Connection&)>& fn);

 private:
  class Lease;
  class Turn;
  struct Queued;
  struct TurnWaiter {
    bool granted = false;
    std::condition_variable wake;
  };
  enum class Access { kWrite, kRead };
  std::unique_ptr<Connection> acquire(Access access);
  void release(std::unique_ptr<Connection> connection, Access access);
  // One transaction on a connection of its own (Commits::kConcurrent, and every read()).
  void transactAlone(const std::function<void(Tx&)>& fn, Access access);
  void transactGrouped(const std::function<void(Tx&)>& fn);
  void runGroup(const std::vector<std::shared_ptr<Queued>>& group) noexcept;

  std::string backend_;
  Connector connect_;
  const Commits commits_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // made read-only when opened

  // The write queue (Commits::kGrouped): transactions waiting for the writer, and whether a thread
  // is the writer now.
  std::mutex queue_mutex_;
  std::vector<std::shared_ptr<Queued>> queue_;
  bool writing_ = false;

  // The turns of Commits::kConcurrent: how many are free, and who waits for one, first come first.
  std::mutex turns_mutex_;
  int free_turns_ = kMaxActive;
  std::deque<TurnWaiter*> turn_waiters_;
};

}  // namespace core::sql
