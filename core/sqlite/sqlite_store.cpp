#include "core/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/sql/sql_store.h"

namespace core {

namespace {

// How long a transaction waits for another writer before SqlStore retries it.
constexpr int kBusyTimeoutMs = 5000;

// By default SQLite keeps process-wide memory statistics under one mutex that every allocation of
// every connection takes: with dozens of request threads that mutex was a fifth of all lock waits.
// The store never reads them. Must run before SQLite initialises itself (at the first open); when
// something in the process opened SQLite earlier, SQLite refuses and keeps its statistics.
void configureSqliteOnce() {
  static const int done = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)done;
}

class SqliteConnection;

// Copies the write-ahead log back into the database file (a checkpoint) on a thread of its own, so
// that committing writers seldom do it. SQLite's own automatic checkpoint runs within the COMMIT
// that takes the log past 1,000 pages, on the committing thread: it copies every page the log
// holds into the database file and syncs both files, and the whole write queue waits for it
// (bench/web: a few milliseconds, about 30 times a second under load). A passive checkpoint needs
// no write lock, so the writer goes on committing while this thread copies.
//
// Such a checkpoint never catches up with a writer that keeps committing, though, and SQLite
// starts the log afresh only when a checkpoint has copied all of it. So once the log reaches
// kSelfAtPages the committing writer checkpoints itself, as SQLite would have: by then this thread
// has copied nearly everything, and the writer copies only what came since. The log thus stays
// below about kSelfAtPages pages (16 MiB).
class Checkpointer {
 public:
  // The log's size in pages at which the writer asks for a checkpoint (SQLite's own threshold),
  // and at which it checkpoints itself.
  static constexpr int kAskAtPages = 1000;
  static constexpr int kSelfAtPages = 4 * kAskAtPages;

  explicit Checkpointer(std::string path) : path_(std::move(path)), thread_([this] { run(); }) {}
  ~Checkpointer() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Registered on every connection of the store as its write-ahead-log hook, which turns SQLite's
  // automatic checkpoint off for it; SQLite calls it at the end of each commit, on the committing
  // thread, with the log's size in pages.
  static int onCommit(void* self, sqlite3* db, const char* schema, int pages) {
    auto* c = static_cast<Checkpointer*>(self);
    if (pages >= kSelfAtPages) {
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kAskAtPages) {
      {
        const std::lock_guard<std::mutex> lock(c->mutex_);
        c->asked_ = true;
      }
      c->wake_.notify_one();
    }
    return SQLITE_OK;
  }

 private:
  void run();

  const std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool asked_ = false;
  bool stop_ = false;
  std::thread thread_;
};

class SqliteStatement final : public sql::Statement {
 public:
  SqliteStatement(SqliteConnection& connection, sqlite3_stmt* stmt, std::string text)
      : connection_(connection), stmt_(stmt), text_(std::move(text)) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void clear() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  void bindNull(int index) override { check(sqlite3_bind_null(stmt_, index)); }
  void bindInt(int index, std::int64_t value) override { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bindDouble(int index, double value) override { check(sqlite3_bind_double(stmt_, index, value)); }
  void bindText(int index, const std::string& value) override {
    check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bindBlob(int index, const std::string& value) override {
    check(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT));
  }

  std::int64_t execute() override;
  void query() override { sqlite3_reset(stmt_); }
  bool next() override;

  bool isNull(int column) override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t getInt(int column) override { return sqlite3_column_int64(stmt_, column); }
  double getDouble(int column) override { return sqlite3_column_double(stmt_, column); }
  std::string getText(int column) override {
    const auto* p = sqlite3_column_text(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
  }
  std::string getBlob(int column) override {
    const void* p = sqlite3_column_blob(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
  }

 private:
  void check(int rc);

  SqliteConnection& connection_;
  sqlite3_stmt* stmt_;
  std::string text_;
};

class SqliteConnection final : public sql::Connection {
 public:
  explicit SqliteConnection(std::string path, Checkpointer* checkpointer = nullptr) : path_(std::move(path)) {
    configureSqliteOnce();
    const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(ErrorCode::kUnavailable, "cannot open the SQLite database " + path_ + ": " + why +
                                               ": check that the path is a writable file in an existing folder");
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    try {
      // WAL lets readers of other processes go on while a writer commits; FULL syncs the log at
      // every commit, so a committed transaction survives a power cut.
      sql::Statement& mode = prepare("PRAGMA journal_mode = WAL");
      mode.query();
      std::string got;
      while (mode.next()) got = mode.getText(0);
      if (got != "wal") {
        throw Error(ErrorCode::kUnavailable, "the SQLite database " + path_ + " cannot use write-ahead logging (mode is '" +
                                                 got + "'): put it on a local file system");
      }
      exec("PRAGMA synchronous = FULL");
      exec("PRAGMA foreign_keys = ON");
      if (checkpointer) sqlite3_wal_hook(db_, &Checkpointer::onCommit, checkpointer);
    } catch (...) {
      statements_.clear();
      sqlite3_close(db_);
      throw;
    }
  }

  ~SqliteConnection() override {
    statements_.clear();
    sqlite3_close(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }

  sql::Statement& prepare(const std::string& text) override {
    auto it = statements_.find(text);
    if (it != statements_.end()) {
      it->second->clear();
      return *it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      fail(rc, text);
    }
    auto owned = std::make_unique<SqliteStatement>(*this, stmt, text);
    SqliteStatement& ref = *owned;
    statements_.emplace(text, std::move(owned));
    return ref;
  }

  // One statement is prepared once per connection and kept, as prepare() does: BEGIN, COMMIT and
  // the write queue's savepoints run several times per request, and compiling them anew each time
  // (sqlite3_exec) was a tenth of the transaction's own cost. Text with several statements runs
  // through sqlite3_exec.
  void exec(const std::string& text) override {
    if (text.find(';') == std::string::npos) {
      prepare(text).execute();
      return;
    }
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, text);
  }

  void begin() override { exec("BEGIN IMMEDIATE"); }
  void makeReadOnly() override {
    exec("PRAGMA query_only = ON");
    read_only_ = true;
  }
  void beginRead() override { exec("BEGIN DEFERRED"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override {
    if (sqlite3_get_autocommit(db_)) return;  // no transaction open (SQLite may have rolled back already)
    if (sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) healthy_ = false;
  }

  // A passive checkpoint: copies what the log holds into the database file as far as no reader
  // still needs the older pages, without the write lock.
  void checkpoint() { sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr); }

  std::int64_t lastInsertId() override { return sqlite3_last_insert_rowid(db_); }
  bool insertReturnsId() const override { return false; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  bool healthy() const override { return healthy_; }
  std::string describe() const override { return "SQLite database " + path_; }

  // Turns an SQLite result code into core::Error (or RetryableError) with a message for the user.
  [[noreturn]] void fail(int rc, const std::string& text) {
    const std::string msg = sqlite3_errmsg(db_);
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      throw sql::RetryableError(describe() + " is locked by another writer (" + msg + ")");
    }
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw Error(ErrorCode::kConflict, "a row with the same key already exists (" + msg +
                                            "): use the existing row or choose another key");
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
      throw Error(ErrorCode::kNotFound,
                  "a row this change refers to does not exist (" + msg + "): check the ids it names");
    }
    if (primary == SQLITE_CONSTRAINT || primary == SQLITE_TOOBIG || primary == SQLITE_RANGE) {
      throw Error(ErrorCode::kInvalidArgument, "the database refused the values (" + msg + ")");
    }
    if (primary == SQLITE_READONLY && read_only_) {
      throw Error(ErrorCode::kInternal, "a read-only transaction (Store::read) tried to write (" + msg +
                                            "): the caller must use Store::transact; running: " + text);
    }
    if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN ||
        primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_NOTADB ||
        primary == SQLITE_NOLFS || primary == SQLITE_PROTOCOL) {
      healthy_ = false;
      throw Error(ErrorCode::kUnavailable, describe() + " cannot be used (" + msg +
                                               "): check the disk, its free space and the file's permissions");
    }
    if (msg.rfind("no such table", 0) == 0 || msg.rfind("no such column", 0) == 0) {
      throw Error(ErrorCode::kUnavailable,
                  describe() + " lacks part of the schema (" + msg + "): run the schema migration (Store::migrate)");
    }
    throw Error(ErrorCode::kInternal, describe() + " failed (" + msg + ", code " + std::to_string(rc) +
                                          ") running: " + text);
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  bool healthy_ = true;
  bool read_only_ = false;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> statements_;
};

void SqliteStatement::check(int rc) {
  if (rc != SQLITE_OK) connection_.fail(rc, text_);
}

std::int64_t SqliteStatement::execute() {
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    sqlite3_reset(stmt_);
    connection_.fail(rc, text_);
  }
  const std::int64_t n = connection_.changes();
  sqlite3_reset(stmt_);
  return n;
}

bool SqliteStatement::next() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  sqlite3_reset(stmt_);
  if (rc != SQLITE_DONE) connection_.fail(rc, text_);
  return false;
}

void Checkpointer::run() {
  std::unique_ptr<SqliteConnection> connection;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return asked_ || stop_; });
    if (stop_) return;
    asked_ = false;
    lock.unlock();
    try {
      if (!connection) connection = std::make_unique<SqliteConnection>(path_);
      connection->checkpoint();
    } catch (const Error&) {
      // The database cannot be opened now: the writer checkpoints itself at kSelfAtPages.
    }
    lock.lock();
  }
}

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "the SQLite store needs the path of a database file, got '" + path + "'", "path");
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    throw Error(ErrorCode::kUnavailable, "cannot open the SQLite database " + path + ": the folder " +
                                             parent.string() + " does not exist; create it first");
  }
  // SQLite has one writer at a time: the threads of this process queue their transactions and
  // share durable commits (sql::Commits::kGrouped) instead of each waiting for the write lock in
  // SQLite's busy handler, which sleeps in steps of up to 100 ms, and syncing the log on its own.
  auto checkpointer = std::make_shared<Checkpointer>(path);
  return std::make_unique<sql::SqlStore>(
      "sqlite",
      [path, checkpointer]() -> std::unique_ptr<sql::Connection> {
        return std::make_unique<SqliteConnection>(path, checkpointer.get());
      },
      sql::Commits::kGrouped);
}

}  // namespace core
