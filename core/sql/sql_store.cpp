#include "core/sql/sql_store.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
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

// A transaction started inside another of the same store would take a second connection and wait
// for locks its own outer transaction holds.
void refuseNested(const SqlStore* store, const char* call) {
  if (t_active_store != store) return;
  throw Error(ErrorCode::kInternal, std::string("Store::") + call +
                                        "() was called inside a transaction of the same store: pass the Tx down "
                                        "instead (a nested transaction would wait for the locks of its own outer "
                                        "transaction)");
}

// What a migration statement adds, for its guard: a column or an index, named "table.name".
enum class SchemaPart { kColumn, kIndex };

// Whether the column or index "table.name" exists in the connection's database.
bool has(Connection& c, SchemaPart part, const std::string& table_name) {
  const bool sqlite = c.dialect() == Dialect::kSqlite;
  const char* sql =
      part == SchemaPart::kColumn
          ? (sqlite ? "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?"
                    : "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                      "AND TABLE_NAME = ? AND COLUMN_NAME = ?")
          : (sqlite ? "SELECT COUNT(*) FROM pragma_index_list(?) WHERE name = ?"
                    : "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
                      "AND TABLE_NAME = ? AND INDEX_NAME = ?");
  const std::size_t dot = table_name.find('.');
  Statement& st = c.prepare(sql);
  st.bindText(1, table_name.substr(0, dot));
  st.bindText(2, table_name.substr(dot + 1));
  st.query();
  std::int64_t n = 0;
  while (st.next()) n = st.getInt(0);
  return n > 0;
}

// 5, 10, 20, 40, 80 ms plus up to as much again at random, so that two transactions that just
// collided do not collide again in step.
void backoff(int retry) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int base = 5 << std::min(retry - 1, 4);
  std::uniform_int_distribution<int> jitter(0, base);
  std::this_thread::sleep_for(std::chrono::milliseconds(base + jitter(rng)));
}

}  // namespace

// One of the store's kMaxActive turns, for the length of one attempt of a transaction. Turns are
// handed out in the order they were asked for, so that no caller waits much longer than the others.
class SqlStore::Turn {
 public:
  explicit Turn(SqlStore& store) : store_(store) {
    std::unique_lock<std::mutex> lock(store_.turns_mutex_);
    if (store_.free_turns_ > 0 && store_.turn_waiters_.empty()) {
      --store_.free_turns_;
      return;
    }
    TurnWaiter me;
    store_.turn_waiters_.push_back(&me);
    me.wake.wait(lock, [&] { return me.granted; });
  }
  ~Turn() {
    // Handed on under the mutex: the waiter cannot leave (and destroy its TurnWaiter) before that.
    const std::lock_guard<std::mutex> lock(store_.turns_mutex_);
    if (store_.turn_waiters_.empty()) {
      ++store_.free_turns_;
      return;
    }
    TurnWaiter* next = store_.turn_waiters_.front();
    store_.turn_waiters_.pop_front();
    next->granted = true;
    next->wake.notify_one();
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;

 private:
  SqlStore& store_;
};

// A pooled connection for the length of one transaction; returned to the pool unless broken.
class SqlStore::Lease {
 public:
  explicit Lease(SqlStore& store, Access access = Access::kWrite)
      : store_(store), access_(access), connection_(store.acquire(access)) {}
  ~Lease() { store_.release(std::move(connection_), access_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& get() { return *connection_; }

 private:
  SqlStore& store_;
  const Access access_;
  std::unique_ptr<Connection> connection_;
};

// One caller's transaction in the write queue. Each caller waits on its own mutex, not the
// queue's, so that the writer ending a group of dozens wakes each without them all then contending
// for the queue. The writer fills in `error` and then, under `m`, sets `state`; the caller reads
// `error` only after it saw kDone. Shared, so that the writer may wake a caller after releasing `m`
// while the caller may already have left.
struct SqlStore::Queued {
  enum class State { kWaiting, kLead, kDone };
  const std::function<void(Tx&)>* fn = nullptr;
  std::exception_ptr error;
  std::mutex m;
  State state = State::kWaiting;
  std::condition_variable wake;

  void set(State s) {
    {
      const std::lock_guard<std::mutex> lock(m);
      state = s;
    }
    wake.notify_one();
  }
};

SqlStore::SqlStore(std::string backend, Connector connect, Commits commits)
    : backend_(std::move(backend)), connect_(std::move(connect)), commits_(commits) {
  idle_.push_back(connect_());
}

SqlStore::~SqlStore() = default;

std::unique_ptr<Connection> SqlStore::acquire(Access access) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& idle = access == Access::kRead ? idle_readers_ : idle_;
    if (!idle.empty()) {
      std::unique_ptr<Connection> c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
  }
  std::unique_ptr<Connection> c = connect_();
  if (access == Access::kRead) c->makeReadOnly();
  return c;
}

void SqlStore::release(std::unique_ptr<Connection> connection, Access access) {
  if (!connection || !connection->healthy()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto& idle = access == Access::kRead ? idle_readers_ : idle_;
  if (idle.size() < kMaxIdle) idle.push_back(std::move(connection));
}

std::string SqlStore::backend() const { return backend_; }

void SqlStore::transact(const std::function<void(Tx&)>& fn) {
  refuseNested(this, "transact");
  if (commits_ == Commits::kGrouped) {
    transactGrouped(fn);
    return;
  }
  transactAlone(fn, Access::kWrite);
}

void SqlStore::read(const std::function<void(Tx&)>& fn) {
  refuseNested(this, "read");
  transactAlone(fn, Access::kRead);
}

void SqlStore::transactAlone(const std::function<void(Tx&)>& fn, Access access) {
  std::string last_failure;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) backoff(attempt - 1);
    Turn turn(*this);
    Lease lease(*this, access);
    Connection& c = lease.get();
    try {
      if (access == Access::kRead) {
        c.beginRead();
      } else {
        c.begin();
      }
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

void SqlStore::transactGrouped(const std::function<void(Tx&)>& fn) {
  const auto mine = std::make_shared<Queued>();
  mine->fn = &fn;
  bool lead = false;
  {
    const std::lock_guard<std::mutex> lock(queue_mutex_);
    queue_.push_back(mine);
    if (!writing_) writing_ = lead = true;
  }
  if (!lead) {
    std::unique_lock<std::mutex> lock(mine->m);
    mine->wake.wait(lock, [&] { return mine->state != Queued::State::kWaiting; });
    lead = mine->state == Queued::State::kLead;
  }
  if (lead) {
    // This thread is the writer for what is queued now, its own transaction first among it (a new
    // writer is always the first of the queue); what is queued meanwhile waits for the next group,
    // whose writer is the first of its own callers.
    std::vector<std::shared_ptr<Queued>> group;
    {
      const std::lock_guard<std::mutex> lock(queue_mutex_);
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxGroup));
      group.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    runGroup(group);
    std::shared_ptr<Queued> next;
    {
      const std::lock_guard<std::mutex> lock(queue_mutex_);
      if (queue_.empty())
        writing_ = false;
      else
        next = queue_.front();
    }
    for (const auto& q : group)
      if (q != mine) q->set(Queued::State::kDone);
    if (next) next->set(Queued::State::kLead);
  }
  if (mine->error) std::rethrow_exception(mine->error);
}

void SqlStore::runGroup(const std::vector<std::shared_ptr<Queued>>& group) noexcept {
  std::string last_failure;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) backoff(attempt - 1);
    for (const auto& q : group) q->error = nullptr;
    try {
      Lease lease(*this);
      Connection& c = lease.get();
      try {
        c.begin();
        for (const auto& q : group) {
          c.exec("SAVEPOINT dps_queued");
          try {
            ActiveGuard active(this);
            SqlTx tx(c);
            (*q->fn)(tx);
          } catch (const RetryableError&) {
            throw;  // a lock conflict: the whole group runs again
          } catch (...) {
            q->error = std::current_exception();
            try {
              c.exec("ROLLBACK TO SAVEPOINT dps_queued");
            } catch (...) {
              // The database dropped the whole transaction (disk full, I/O error): the group fails
              // with this caller's failure, which says what happened.
              std::rethrow_exception(q->error);
            }
          }
          c.exec("RELEASE SAVEPOINT dps_queued");
        }
        c.commit();
        return;
      } catch (const RetryableError& e) {
        c.rollback();
        last_failure = e.what();
      } catch (...) {
        // The group itself failed (its begin, a savepoint or the commit): callers whose own
        // transaction failed keep that failure; the others get this one, as they would have from a
        // transaction of their own.
        c.rollback();
        const std::exception_ptr failure = std::current_exception();
        for (const auto& q : group)
          if (!q->error) q->error = failure;
        return;
      }
    } catch (...) {
      // No connection could be had (the database is unreachable).
      const std::exception_ptr failure = std::current_exception();
      for (const auto& q : group) q->error = failure;
      return;
    }
  }
  const std::exception_ptr failure = std::make_exception_ptr(Error(
      ErrorCode::kUnavailable, "the transaction lost a lock conflict " + std::to_string(kMaxAttempts) +
                                   " times in a row (last: " + last_failure +
                                   "); the database is overloaded or another process holds its write lock too "
                                   "long: retry later"));
  for (const auto& q : group) q->error = failure;
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
          if (s.only && *s.only != d) continue;
          if (!s.adds_column.empty() && has(c, SchemaPart::kColumn, s.adds_column)) continue;
          if (!s.adds_index.empty() && has(c, SchemaPart::kIndex, s.adds_index)) continue;
          c.exec(renderDdl(s.text, d));
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
