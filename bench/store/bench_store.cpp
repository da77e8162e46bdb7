// Bids stored per second through core::Store, as the engine stores them (one transaction per bid:
// insertBid, then the audit entry appended with core::appendAudit), against the ceiling of the same
// rows written straight through the driver with the same durability in the same run: sqlite3 with
// WAL and synchronous=FULL, and Connector/C++ with one commit per bid (the bid row, the audit head
// and the audit entry, as the store writes them). Then the store's throughput with several threads
// submitting at once. SQLite always; MariaDB/MySQL when DPS_TEST_MYSQL_URI is set (each run in
// scratch databases of its own, dropped at the end).
//
// Prints `name value unit` lines, e.g. `store_sqlite_ratio_to_raw 0.91 ratio`.
// Usage: bench_store [bids per measurement, default 2000] [sqlite|mysql|all, default all]

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/audit.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/store.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBlocks = 20;  // store and raw measured in turn, in this many blocks each

core::TimePoint at(std::int64_t s) { return core::TimePoint(std::chrono::seconds(1'788'000'000 + s)); }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

void print(const std::string& name, double value, const char* unit) {
  std::printf("%s %.2f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

// What every bid refers to: a round of a DPS and a supplier, inserted through the store.
struct Seed {
  core::Id round = 0;
  core::Id supplier = 0;
};

Seed seed(core::Store& store) {
  Seed s;
  store.transact([&](core::Tx& tx) {
    core::Authority a;
    a.name = "Občina";
    const core::Id authority = tx.insertAuthority(a);
    core::Dps d;
    d.authority_id = authority;
    d.reference = "DPS-BENCH";
    d.title = "Živila";
    d.cpv = "15000000";
    d.request_deadline = at(0);
    d.valid_until = at(86'400 * 1000);
    const core::Id dps = tx.insertDps(d);
    core::Category c;
    c.dps_id = dps;
    c.code = "VEG";
    const core::Id category = tx.insertCategory(c);
    core::Supplier sup;
    sup.name = "Kmetija";
    sup.tax_number = "SI12345678";
    s.supplier = tx.insertSupplier(sup);
    core::Round r;
    r.dps_id = dps;
    r.category_id = category;
    r.reference = "R-BENCH";
    r.deadline = at(86'400 * 60);
    s.round = tx.insertRound(r);
  });
  return s;
}

// A sealed bid of realistic size (2 KiB of ciphertext-like bytes).
std::string sealedContent() {
  std::mt19937 rng(42);
  std::string out(2048, '\0');
  for (char& ch : out) ch = static_cast<char>(rng() & 0xff);
  return out;
}

core::Bid makeBid(const Seed& s, const std::string& sealed) {
  core::Bid b;
  b.round_id = s.round;
  b.supplier_id = s.supplier;
  b.submitted_at = at(1000);
  b.digest = core::sha256Hex(sealed);
  b.sealed = sealed;
  return b;
}

// --- through the store ------------------------------------------------------------------------------

void storeOneBid(core::Store& store, const core::Bid& bid) {
  store.transact([&](core::Tx& tx) {
    const core::Id id = tx.insertBid(bid);
    core::appendAudit(tx, bid.submitted_at, "supplier", "bid.submit", "bid:" + std::to_string(id), bid.digest);
  });
}

// CPU time of the calling thread (user + system), to tell the store's own cost from waiting on the disk.
double threadCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double storeRate(core::Store& store, const core::Bid& bid, int n) {
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) storeOneBid(store, bid);
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

double storeConcurrentRate(core::Store& store, const core::Bid& bid, int threads, int n) {
  const int per_thread = std::max(1, n / threads);
  std::vector<std::thread> workers;
  std::vector<std::string> failures(static_cast<std::size_t>(threads));
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        for (int i = 0; i < per_thread; ++i) storeOneBid(store, bid);
      } catch (const std::exception& e) {
        failures[static_cast<std::size_t>(t)] = e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& f : failures) {
    if (!f.empty()) throw std::runtime_error("a concurrent writer failed: " + f);
  }
  return per_thread * threads / seconds;
}

// The audit entry the store would append after `last` for the bid with `id`.
core::AuditEntry nextAudit(const core::AuditEntry& last, const core::Bid& bid, std::int64_t id) {
  core::AuditEntry e;
  e.seq = last.seq + 1;
  e.at = bid.submitted_at;
  e.actor = "supplier";
  e.action = "bid.submit";
  e.object = "bid:" + std::to_string(id);
  e.digest = core::sha256Hex(bid.digest);
  e.prev_hash = last.seq == 0 ? std::string(64, '0') : last.hash;
  e.hash = core::auditEntryHash(e);
  return e;
}

// --- raw SQLite ---------------------------------------------------------------------------------------

class RawSqlite {
 public:
  explicit RawSqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) fail("open");
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA foreign_keys = ON");
    insert_bid_ = prepare(
        "INSERT INTO bid (round_id, supplier_id, version, status, submitted_at, digest, sealed, status_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    move_head_ = prepare("UPDATE audit_head SET last_seq = ? WHERE id = 1 AND last_seq = ?");
    insert_audit_ = prepare(
        "INSERT INTO audit_entry (seq, at, actor, action, object, digest, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    begin_ = prepare("BEGIN IMMEDIATE");
    commit_ = prepare("COMMIT");
    // The writer is alone: the chain's head is read once and then followed in memory.
    sqlite3_stmt* head =
        prepare("SELECT e.seq, e.hash FROM audit_head h JOIN audit_entry e ON e.seq = h.last_seq WHERE h.id = 1");
    if (sqlite3_step(head) == SQLITE_ROW) {
      last_.seq = sqlite3_column_int64(head, 0);
      last_.hash = reinterpret_cast<const char*>(sqlite3_column_text(head, 1));
    }
    sqlite3_finalize(head);
  }
  ~RawSqlite() {
    for (sqlite3_stmt* s : {insert_bid_, move_head_, insert_audit_, begin_, commit_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  RawSqlite(const RawSqlite&) = delete;
  RawSqlite& operator=(const RawSqlite&) = delete;

  void insert(const core::Bid& b) {
    run(begin_);
    sqlite3_bind_int64(insert_bid_, 1, b.round_id);
    sqlite3_bind_int64(insert_bid_, 2, b.supplier_id);
    sqlite3_bind_int64(insert_bid_, 3, b.version);
    bindText(insert_bid_, 4, core::toString(b.status));
    sqlite3_bind_int64(insert_bid_, 5, b.submitted_at.time_since_epoch().count());
    bindText(insert_bid_, 6, b.digest);
    sqlite3_bind_blob(insert_bid_, 7, b.sealed.data(), static_cast<int>(b.sealed.size()), SQLITE_STATIC);
    bindText(insert_bid_, 8, b.status_reason);
    run(insert_bid_);
    const core::AuditEntry e = nextAudit(last_, b, sqlite3_last_insert_rowid(db_));
    sqlite3_bind_int64(move_head_, 1, e.seq);
    sqlite3_bind_int64(move_head_, 2, e.seq - 1);
    run(move_head_);
    if (sqlite3_changes(db_) != 1) throw std::runtime_error("raw SQLite: the audit head moved under the benchmark");
    sqlite3_bind_int64(insert_audit_, 1, e.seq);
    sqlite3_bind_int64(insert_audit_, 2, e.at.time_since_epoch().count());
    bindText(insert_audit_, 3, e.actor);
    bindText(insert_audit_, 4, e.action);
    bindText(insert_audit_, 5, e.object);
    bindText(insert_audit_, 6, e.digest);
    bindText(insert_audit_, 7, e.prev_hash);
    bindText(insert_audit_, 8, e.hash);
    run(insert_audit_);
    run(commit_);
    last_ = e;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("raw SQLite " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "no database"));
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) fail(sql);
    return s;
  }
  static void bindText(sqlite3_stmt* s, int index, const std::string& v) {
    sqlite3_bind_text(s, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void run(sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) fail("step");
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_bid_ = nullptr;
  sqlite3_stmt* move_head_ = nullptr;
  sqlite3_stmt* insert_audit_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  core::AuditEntry last_;
};

double rawRate(const std::function<void(const core::Bid&)>& insert, const core::Bid& bid, int n) {
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) insert(bid);
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

// --- raw MySQL ----------------------------------------------------------------------------------------

struct MysqlServer {
  std::string user;
  std::string location;  // HOST:PORT or unix:SOCKET
  std::string password;
};

MysqlServer parseServer(const std::string& uri) {
  const std::string scheme = "mysql://";
  const std::size_t at_sign = uri.find('@');
  const std::size_t slash = uri.rfind('/');
  if (uri.rfind(scheme, 0) != 0 || at_sign == std::string::npos || slash == std::string::npos || slash < at_sign) {
    throw std::runtime_error("DPS_TEST_MYSQL_URI '" + uri + "' is not of the form mysql://USER@HOST:PORT/DATABASE");
  }
  return MysqlServer{uri.substr(scheme.size(), at_sign - scheme.size()), uri.substr(at_sign + 1, slash - at_sign - 1),
                     env("DPS_MYSQL_PASSWORD")};
}

std::unique_ptr<::sql::Connection> connectMysql(const MysqlServer& server, const std::string& database) {
  ::sql::ConnectOptionsMap props;
  const bool socket = server.location.rfind("unix:", 0) == 0;
  props["hostName"] = ::sql::SQLString(socket ? "unix://" + server.location.substr(5) : "tcp://" + server.location);
  props["userName"] = ::sql::SQLString(server.user);
  props["password"] = ::sql::SQLString(server.password);
  if (!database.empty()) props["schema"] = ::sql::SQLString(database);
  props["OPT_CHARSET_NAME"] = ::sql::SQLString("utf8mb4");
  return std::unique_ptr<::sql::Connection>(::sql::mysql::get_mysql_driver_instance()->connect(props));
}

void runOnServer(const MysqlServer& server, const std::string& statement) {
  auto c = connectMysql(server, "");
  std::unique_ptr<::sql::Statement> st(c->createStatement());
  st->execute(statement);
}

class RawMysql {
 public:
  RawMysql(const MysqlServer& server, const std::string& database) : conn_(connectMysql(server, database)) {
    conn_->setAutoCommit(false);
    conn_->setTransactionIsolation(::sql::TRANSACTION_READ_COMMITTED);
    insert_bid_.reset(conn_->prepareStatement(
        "INSERT INTO bid (round_id, supplier_id, version, status, submitted_at, digest, sealed, status_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    last_id_.reset(conn_->prepareStatement("SELECT LAST_INSERT_ID()"));
    move_head_.reset(conn_->prepareStatement("UPDATE audit_head SET last_seq = ? WHERE id = 1 AND last_seq = ?"));
    insert_audit_.reset(
        conn_->prepareStatement("INSERT INTO audit_entry (seq, at, actor, action, object, digest, prev_hash, hash) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    std::unique_ptr<::sql::Statement> st(conn_->createStatement());
    std::unique_ptr<::sql::ResultSet> head(st->executeQuery(
        "SELECT e.seq, e.hash FROM audit_head h JOIN audit_entry e ON e.seq = h.last_seq WHERE h.id = 1"));
    if (head->next()) {
      last_.seq = head->getInt64(1);
      last_.hash = head->getString(2);
    }
    conn_->commit();
  }

  void insert(const core::Bid& b) {
    std::istringstream blob(b.sealed);
    insert_bid_->setInt64(1, b.round_id);
    insert_bid_->setInt64(2, b.supplier_id);
    insert_bid_->setInt(3, b.version);
    insert_bid_->setString(4, core::toString(b.status));
    insert_bid_->setInt64(5, b.submitted_at.time_since_epoch().count());
    insert_bid_->setString(6, b.digest);
    insert_bid_->setBlob(7, &blob);
    insert_bid_->setString(8, b.status_reason);
    insert_bid_->executeUpdate();
    std::int64_t id = 0;
    {
      std::unique_ptr<::sql::ResultSet> rs(last_id_->executeQuery());
      while (rs->next()) id = rs->getInt64(1);
    }
    const core::AuditEntry e = nextAudit(last_, b, id);
    move_head_->setInt64(1, e.seq);
    move_head_->setInt64(2, e.seq - 1);
    if (move_head_->executeUpdate() != 1) throw std::runtime_error("raw MySQL: the audit head moved");
    insert_audit_->setInt64(1, e.seq);
    insert_audit_->setInt64(2, e.at.time_since_epoch().count());
    insert_audit_->setString(3, e.actor);
    insert_audit_->setString(4, e.action);
    insert_audit_->setString(5, e.object);
    insert_audit_->setString(6, e.digest);
    insert_audit_->setString(7, e.prev_hash);
    insert_audit_->setString(8, e.hash);
    insert_audit_->executeUpdate();
    conn_->commit();
    last_ = e;
  }

 private:
  std::unique_ptr<::sql::Connection> conn_;
  std::unique_ptr<::sql::PreparedStatement> insert_bid_;
  std::unique_ptr<::sql::PreparedStatement> last_id_;
  std::unique_ptr<::sql::PreparedStatement> move_head_;
  std::unique_ptr<::sql::PreparedStatement> insert_audit_;
  core::AuditEntry last_;
};

// --- one backend ----------------------------------------------------------------------------------------

// Opens a fresh migrated store for the named scratch database and seeds it.
struct Scratch {
  std::unique_ptr<core::Store> store;
  Seed seed;
};

void measure(const std::string& backend, const std::function<Scratch()>& make_store_db,
             const std::function<Scratch()>& make_raw_db,
             const std::function<std::function<void(const core::Bid&)>()>& open_raw, int n) {
  const std::string sealed = sealedContent();
  Scratch through_store = make_store_db();
  Scratch raw_db = make_raw_db();
  const core::Bid store_bid = makeBid(through_store.seed, sealed);
  const core::Bid raw_bid = makeBid(raw_db.seed, sealed);
  raw_db.store.reset();  // the raw writer is alone on its database
  const std::function<void(const core::Bid&)> raw = open_raw();

  // Warm-up: caches, prepared statements, file growth.
  storeRate(*through_store.store, store_bid, n / 10 + 1);
  rawRate(raw, raw_bid, n / 10 + 1);
  // Short blocks taken in turn, so that both sides see the same load of a shared machine (fsync
  // latency drifts by a factor of several within seconds); the rates are over all blocks.
  const int block = std::max(1, n / kBlocks);
  double store_seconds = 0;
  double raw_seconds = 0;
  double store_cpu = 0;
  double raw_cpu = 0;
  auto timeRaw = [&] {
    const double cpu = threadCpuSeconds();
    raw_seconds += block / rawRate(raw, raw_bid, block);
    raw_cpu += threadCpuSeconds() - cpu;
  };
  for (int i = 0; i < kBlocks; ++i) {
    const bool raw_first = i % 2 == 0;
    if (raw_first) timeRaw();
    const double cpu = threadCpuSeconds();
    store_seconds += block / storeRate(*through_store.store, store_bid, block);
    store_cpu += threadCpuSeconds() - cpu;
    if (!raw_first) timeRaw();
  }
  const double store_rate = block * kBlocks / store_seconds;
  const double raw_rate = block * kBlocks / raw_seconds;
  print("store_" + backend + "_bids_per_s", store_rate, "bids/s");
  print("raw_" + backend + "_bids_per_s", raw_rate, "bids/s");
  print("store_" + backend + "_ratio_to_raw", store_rate / raw_rate, "ratio");
  // Client-side CPU per bid (the process only; the MySQL server's own work is not in it).
  print("store_" + backend + "_client_cpu_per_bid", store_cpu / (block * kBlocks) * 1e6, "us");
  print("raw_" + backend + "_client_cpu_per_bid", raw_cpu / (block * kBlocks) * 1e6, "us");

  for (int threads : {1, 2, 4, 8}) {
    const double rate = storeConcurrentRate(*through_store.store, store_bid, threads, n);
    print("store_" + backend + "_concurrent_" + std::to_string(threads) + "_threads_bids_per_s", rate, "bids/s");
  }
  const core::AuditVerification v = core::verifyAudit(*through_store.store);
  if (!v.ok()) throw std::runtime_error("the audit chain is broken after the benchmark: " + v.problems[0].what);
  print("store_" + backend + "_audit_entries_verified", static_cast<double>(v.entries), "entries");
}

void benchSqlite(int n) {
  char dir_template[] = "/tmp/dps-bench-store-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (dir == nullptr) throw std::runtime_error("cannot create a temporary folder under /tmp");
  const std::string folder = dir;
  struct Cleanup {
    std::string folder;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(folder, ignored);
    }
  } cleanup{folder};
  auto make = [&](const std::string& name) {
    return [&folder, name] {
      Scratch s;
      s.store = core::openStore("sqlite:" + folder + "/" + name);
      s.store->migrate();
      s.seed = seed(*s.store);
      return s;
    };
  };
  std::unique_ptr<RawSqlite> raw;
  measure(
      "sqlite", make("store.sqlite"), make("raw.sqlite"),
      [&] {
        raw = std::make_unique<RawSqlite>(folder + "/raw.sqlite");
        return [&](const core::Bid& b) { raw->insert(b); };
      },
      n);
}

void benchMysql(const std::string& uri, int n) {
  const MysqlServer server = parseServer(uri);
  const std::string prefix = "dps_bench_store_" + std::to_string(::getpid());
  const std::string store_db = prefix + "_s";
  const std::string raw_db = prefix + "_r";
  struct Cleanup {
    MysqlServer server;
    std::vector<std::string> databases;
    ~Cleanup() {
      for (const auto& d : databases) {
        try {
          runOnServer(server, "DROP DATABASE IF EXISTS " + d);
        } catch (const ::sql::SQLException& e) {
          std::fprintf(stderr, "could not drop %s: %s\n", d.c_str(), e.what());
        }
      }
    }
  } cleanup{server, {}};
  auto make = [&](const std::string& database) {
    return [&, database] {
      runOnServer(server, "CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
      cleanup.databases.push_back(database);
      Scratch s;
      s.store = core::openStore("mysql://" + server.user + "@" + server.location + "/" + database);
      s.store->migrate();
      s.seed = seed(*s.store);
      return s;
    };
  };
  std::unique_ptr<RawMysql> raw;
  measure(
      "mysql", make(store_db), make(raw_db),
      [&] {
        raw = std::make_unique<RawMysql>(server, raw_db);
        return [&](const core::Bid& b) { raw->insert(b); };
      },
      n);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(kBlocks, std::atoi(argv[1])) : 2000;
  const std::string which = argc > 2 ? argv[2] : "all";
  if (which != "all" && which != "sqlite" && which != "mysql") {
    std::fprintf(stderr, "usage: bench_store [bids, default 2000] [sqlite|mysql|all, default all]\n");
    return 2;
  }
  try {
    if (which != "mysql") benchSqlite(n);
    const std::string uri = env("DPS_TEST_MYSQL_URI");
    if (which == "sqlite") return 0;
    if (uri.empty()) {
      std::fprintf(stderr, "DPS_TEST_MYSQL_URI is not set: the MySQL figures are skipped\n");
    } else {
      benchMysql(uri, n);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_store: %s\n", e.what());
    return 1;
  }
  return 0;
}
