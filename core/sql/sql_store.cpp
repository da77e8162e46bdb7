#include "core/sql/sql_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "core/sql/schema.h"
#include "core/sql/sql_tx.h"

namespace core::sql {

namespace {

// Idle connections kept for reuse; more may be open while many transactions run at once.
constexpr std::size_t kMaxIdle = 16;

// The store whose transaction runs on this thread, to refuse a nested transact(): it would take a
// second connection and wait for locks its own outer transaction holds.
thread_local const SqlStore* t_active_store = nullptr;

class ActiveGuard {
 public:
  explicit ActiveGuard(const SqlStore* store) : previous_(t_active_store) { t_active_store = store; }
  ~ActiveGuard() { t_active_store = previous_; }
  ActiveGuard(const ActiveGuard&) = delete;
  ActiveGuard& operator=(const ActiveGuard&) = delete;

 private:
  const SqlStore* previous_;
};

// 5, 10, 20, 40, 80 ms plus up to as much again at random, so that two transactions that just
// collided do not collide again in step.
void backoff(int retry) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int base = 5 << std::min(retry - 1, 4);
  std::uniform_int_distribution<int> jitter(0, base);
  std::this_thread::sleep_for(std::chrono::milliseconds(base + jitter(rng)));
}

}  // namespace

// A pooled connection for the length of one transaction; returned to the pool unless broken.
class SqlStore::Lease {
 public:
  explicit Lease(SqlStore& store) : store_(store), connection_(store.acquire()) {}
  ~Lease() { store_.release(std::move(connection_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& get() { return *connection_; }

 private:
  SqlStore& store_;
  std::unique_ptr<Connection> connection_;
};

SqlStore::SqlStore(std::string backend, Connector connect)
    : backend_(std::move(backend)), connect_(std::move(connect)) {
  idle_.push_back(connect_());
}

SqlStore::~SqlStore() = default;

std::unique_ptr<Connection> SqlStore::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return connect_();
}

void SqlStore::release(std::unique_ptr<Connection> connection) {
  if (!connection || !connection->healthy()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

std::string SqlStore::backend() const { return backend_; }

void SqlStore::transact(const std::function<void(Tx&)>& fn) {
  if (t_active_store == this) {
    throw Error(ErrorCode::kInternal,
                "Store::transact() was called inside a transaction of the same store: pass the Tx down instead "
                "(a nested transaction would wait for the locks of its own outer transaction)");
  }
  std::string last_failure;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) backoff(attempt - 1);
    Lease lease(*this);
    Connection& c = lease.get();
    try {
      c.begin();
      {
        ActiveGuard active(this);
        SqlTx tx(c);
        fn(tx);
      }
      c.commit();
      return;
    } catch (const RetryableError& e) {
      c.rollback();
      last_failure = e.what();
    } catch (...) {
      c.rollback();
      throw;
    }
  }
  throw Error(ErrorCode::kUnavailable, "the transaction lost a lock conflict " + std::to_string(kMaxAttempts) +
                                           " times in a row (last: " + last_failure +
                                           "); the database is overloaded or a transaction holds its locks too "
                                           "long: retry later");
}

void SqlStore::withConnection(const std::function<void(Connection&)>& fn) {
  Lease lease(*this);
  fn(lease.get());
}

int SqlStore::migrate() {
  // A connection of its own, closed at the end: on MySQL that also frees the named lock whatever
  // happens, and the pool never sees a connection with a half-done migration.
  std::unique_ptr<Connection> owned = connect_();
  Connection& c = *owned;
  const Dialect d = c.dialect();
  const int latest = latestSchemaVersion();

  std::string last_failure;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) backoff(attempt - 1);
    try {
      if (d == Dialect::kSqlite) {
        // DDL is transactional in SQLite: the whole migration commits or nothing does, and a second
        // process waits at BEGIN IMMEDIATE until the first one is done.
        c.begin();
      } else {
        // MySQL commits every DDL statement by itself, so two processes are kept apart by a named
        // lock on this database instead; each step is recorded as soon as it is done, and its
        // statements are written to be safe to run again after a crash (IF NOT EXISTS, IGNORE).
        Statement& lock = c.prepare("SELECT GET_LOCK(CONCAT('dps_migrate_', LEFT(SHA1(DATABASE()), 32)), 60)");
        lock.query();
        std::int64_t got = 0;
        while (lock.next()) got = lock.isNull(0) ? 0 : lock.getInt(0);
        if (got != 1) {
          throw Error(ErrorCode::kUnavailable, "another process has been migrating " + c.describe() +
                                                   " for 60 s: wait for it to finish, then retry");
        }
      }
      c.exec(renderDdl(
          "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, description {text} NOT NULL)"
          "{opts}",
          d));
      Statement& cur = c.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
      cur.query();
      std::int64_t current = 0;
      while (cur.next()) current = cur.getInt(0);
      if (current > latest) {
        throw Error(ErrorCode::kConflict, c.describe() + " has schema version " + std::to_string(current) +
                                              ", newer than the " + std::to_string(latest) +
                                              " this program knows: run a newer version of the program");
      }
      for (const MigrationStep& step : migrationSteps()) {
        if (step.version <= current) continue;
        for (const SchemaStatement& s : step.statements) {
          if (!s.only || *s.only == d) c.exec(renderDdl(s.text, d));
        }
        Statement& done = c.prepare("INSERT INTO schema_version (version, description) VALUES (?, ?)");
        done.bindInt(1, step.version);
        done.bindText(2, step.description);
        done.execute();
        if (d == Dialect::kMysql) c.commit();
      }
      if (d == Dialect::kSqlite) {
        c.commit();
      } else {
        Statement& unlock = c.prepare("SELECT RELEASE_LOCK(CONCAT('dps_migrate_', LEFT(SHA1(DATABASE()), 32)))");
        unlock.query();
        while (unlock.next()) {
        }
        c.commit();
      }
      return latest;
    } catch (const RetryableError& e) {
      c.rollback();
      last_failure = e.what();
    } catch (...) {
      c.rollback();
      throw;
    }
  }
  throw Error(ErrorCode::kUnavailable, "the schema migration of " + c.describe() + " stayed blocked after " +
                                           std::to_string(kMaxAttempts) + " attempts (last: " + last_failure +
                                           "): stop the other programs using the database and retry");
}

}  // namespace core::sql
