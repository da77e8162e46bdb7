// Imports 200,000 demand rows and 50,000 suppliers through the importers on each store (SQLite; and
// MariaDB when DPS_TEST_MYSQL_URI is set), and in the same run loads the same files with the
// store's own bulk loader as the ceiling: the sqlite3 command's `.import`, and MariaDB's
// `LOAD DATA LOCAL INFILE` through the mariadb client. Peak memory is the process's high-water
// mark (VmHWM, reset before each import); the demand import also runs on a quarter of the rows to
// show whether memory grows with the file. On MariaDB the same demand rows also go through the
// client as one INSERT per row and as INSERTs of 1000 rows, to show what round trips per row cost.
// Each import also prints the share of its wall time this process was on a CPU: on MariaDB the
// rest is the server's work and the wait for it, the part a faster client cannot remove.
// Prints `name value unit` lines and ratio lines.
// Usage: bench_import [demand_rows] [suppliers]

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/store.h"
#include "import/importers.h"

namespace {

namespace fs = std::filesystem;
constexpr int kDeliveryPoints = 100;
constexpr int kProducts = 200;

void line(const std::string& name, double value, const char* unit) {
  std::printf("%s %.6g %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

// Resets the high-water mark of resident memory (Linux: "5" into clear_refs).
void resetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

double peakMiB() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      double kb = 0;
      in >> kb;
      return kb / 1024.0;
    }
    std::getline(in, key);
  }
  return 0;
}

// CPU seconds (user + system) this process has used so far.
double processCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds(const std::function<void()>& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs fn and prints `<name>.process_cpu_share`: the share of its wall time this process spent on
// a CPU (the rest is the database server's work and waiting for it). Returns the wall seconds.
double timed(const std::string& name, const std::function<void()>& fn) {
  const double cpu = processCpuSeconds();
  const double wall = seconds(fn);
  line(name + ".process_cpu_share", (processCpuSeconds() - cpu) / wall, "ratio");
  return wall;
}

std::string authorityName(const std::string& tag) { return "Bench authority " + tag; }

void writeSetupFiles(const fs::path& dir, const std::string& tag) {
  std::ofstream points(dir / "points.csv");
  points << "authority,code,name,address,lat,lon\n";
  for (int i = 0; i < kDeliveryPoints; ++i)
    points << authorityName(tag) << ",DP" << i << ",School " << i << ",Street " << i << "," << 46.1 + i * 0.002 << ","
           << 14.2 + i * 0.002 << "\n";
  std::ofstream products(dir / "products.csv");
  products << "code,cpv,name_sl,name_en,unit,unit_mass_kg\n";
  for (int i = 0; i < kProducts; ++i) products << tag << "-P" << i << ",03221000,Zelenjava " << i << ",Vegetable " << i << ",kg,1\n";
}

// `rows` demand rows: lots of kDeliveryPoints rows each, one row per delivery point.
void writeDemand(const fs::path& path, const std::string& tag, int rows) {
  std::ofstream out(path);
  out << "lot,product,delivery_point_code,quantity,schedule\n";
  for (int r = 0; r < rows; ++r) {
    const int lot = r / kDeliveryPoints + 1;
    out << lot << "," << tag << "-P" << lot % kProducts << ",DP" << r % kDeliveryPoints << "," << 10 + r % 90 << "."
        << r % 10 << ",weekly Mon\n";
  }
}

void writeSuppliers(const fs::path& path, const std::string& tag, int suppliers) {
  std::ofstream out(path);
  out << "tax_number,name,address,email,sme,dispatch_point,dispatch_address,dispatch_lat,dispatch_lon,certificate,"
         "certificate_number,certificate_valid_until\n";
  for (int s = 0; s < suppliers; ++s) {
    out << tag << "-S" << s << ",Farm " << s << ",Village " << s % 500 << ",farm" << s << "@example.si,yes,Farm,Village "
        << s % 500 << "," << 46.0 + (s % 1000) * 0.0005 << "," << 14.0 + (s % 997) * 0.0005 << ",organic,EKO-" << s
        << ",2028-12-31\n";
  }
}

struct Target {
  std::string name;  // "sqlite", "mysql"
  std::unique_ptr<core::Store> store;
  // Runs the store's bulk loader on a CSV file into a new table; returns false when it failed.
  std::function<bool(const fs::path& csv, const std::string& table, const std::string& columns)> bulk;
  // Runs a file of SQL statements through the database's command-line client, which sends one
  // statement per round trip (MariaDB only): the floor of row-by-row inserts vs. batched ones.
  std::function<bool(const fs::path& sql)> script;
};

// The demand rows as INSERT statements into `table` in one transaction, `per_statement` rows each.
void writeDemandInserts(const fs::path& path, const std::string& tag, int rows, const std::string& table,
                        int per_statement) {
  std::ofstream out(path);
  out << "CREATE TABLE " << table
      << " (id BIGINT AUTO_INCREMENT PRIMARY KEY, lot INT, product VARCHAR(64), delivery_point_code VARCHAR(64), "
         "quantity DECIMAL(18,6), schedule VARCHAR(200)) ENGINE=InnoDB;\nSTART TRANSACTION;\n";
  for (int r = 0; r < rows; ++r) {
    const int lot = r / kDeliveryPoints + 1;
    if (r % per_statement == 0)
      out << "INSERT INTO " << table << " (lot, product, delivery_point_code, quantity, schedule) VALUES ";
    else
      out << ",";
    out << "(" << lot << ",'" << tag << "-P" << lot % kProducts << "','DP" << r % kDeliveryPoints << "',"
        << 10 + r % 90 << "." << r % 10 << ",'weekly Mon')";
    if (r % per_statement == per_statement - 1 || r + 1 == rows) out << ";\n";
  }
  out << "COMMIT;\n";
}

int run(const std::string& command) {
  const int rc = std::system(command.c_str());
  if (rc != 0) std::fprintf(stderr, "bench_import: '%s' failed (%d)\n", command.c_str(), rc);
  return rc;
}

importer::ImportReport importFile(core::Store& store, importer::Kind kind, const fs::path& path,
                                  std::optional<core::Id> round = std::nullopt) {
  std::ifstream in(path, std::ios::binary);
  importer::ImportOptions options;
  options.file_name = path.filename().string();
  options.round_id = round;
  const importer::ImportReport r = importer::apply(store, kind, in, options);
  if (!r.ok()) {
    std::fprintf(stderr, "%s", importer::formatReport(r).substr(0, 2000).c_str());
    throw core::Error(core::ErrorCode::kInternal, "the benchmark's own file was refused");
  }
  return r;
}

core::Id draftRound(core::Store& store, const std::string& tag, int n) {
  core::Id id = 0;
  store.transact([&](core::Tx& tx) {
    core::Id authority = 0;
    for (const core::Authority& a : tx.listAuthorities())
      if (a.name == authorityName(tag)) authority = a.id;
    core::Dps d;
    d.authority_id = authority;
    d.reference = "BENCH-" + tag + "-" + std::to_string(n);
    d.title = "Bench";
    d.cpv = "15000000";
    d.status = core::DpsStatus::kPublished;
    d.request_deadline = core::parseTime("2026-02-01T00:00:00Z");
    d.valid_until = core::parseTime("2029-12-31T00:00:00Z");
    d.criteria_version = 1;
    const core::Id dps = tx.insertDps(d);
    core::Category c;
    c.dps_id = dps;
    c.code = "VEG";
    c.name = "Vegetables";
    c.cpv = "03221000";
    core::Round r;
    r.dps_id = dps;
    r.category_id = tx.insertCategory(c);
    r.reference = d.reference + "/R1";
    r.title = "Bench round";
    r.deadline = core::parseTime("2026-04-01T00:00:00Z");
    r.criteria_version = 1;
    id = tx.insertRound(r);
  });
  return id;
}

void benchTarget(Target& t, const fs::path& dir, int demand_rows, int suppliers) {
  const std::string tag = "B" + std::to_string(::getpid());
  writeSetupFiles(dir, tag);
  t.store->transact([&](core::Tx& tx) {
    core::Authority a;
    a.name = authorityName(tag);
    tx.insertAuthority(a);
  });
  importFile(*t.store, importer::Kind::kDeliveryPoints, dir / "points.csv");
  importFile(*t.store, importer::Kind::kProducts, dir / "products.csv");

  const std::string p = "import." + t.name + ".";
  const int small_rows = demand_rows / 4;
  writeDemand(dir / "demand-small.csv", tag, small_rows);
  writeDemand(dir / "demand.csv", tag, demand_rows);
  writeSuppliers(dir / "suppliers.csv", tag, suppliers);

  const core::Id small_round = draftRound(*t.store, tag, 1);
  resetPeak();
  const double before_small = peakMiB();
  const double small_s = timed(p + "demand_" + std::to_string(small_rows), [&] {
    importFile(*t.store, importer::Kind::kDemand, dir / "demand-small.csv", small_round);
  });
  const double small_peak = peakMiB() - before_small;
  line(p + "demand_" + std::to_string(small_rows) + ".rows_per_s", small_rows / small_s, "rows/s");
  line(p + "demand_" + std::to_string(small_rows) + ".peak_memory_growth", small_peak, "MiB");

  const core::Id round = draftRound(*t.store, tag, 2);
  resetPeak();
  const double before = peakMiB();
  const double demand_s = timed(p + "demand_" + std::to_string(demand_rows),
                                [&] { importFile(*t.store, importer::Kind::kDemand, dir / "demand.csv", round); });
  const double demand_peak = peakMiB() - before;
  const double demand_rate = demand_rows / demand_s;
  line(p + "demand_" + std::to_string(demand_rows) + ".rows_per_s", demand_rate, "rows/s");
  line(p + "demand_" + std::to_string(demand_rows) + ".peak_memory_growth", demand_peak, "MiB");
  line(p + "demand.memory_growth_4x_rows_vs_1x", small_peak > 0 ? demand_peak / small_peak : 0, "ratio");

  resetPeak();
  const double before_suppliers = peakMiB();
  const double suppliers_s = timed(p + "suppliers_" + std::to_string(suppliers),
                                   [&] { importFile(*t.store, importer::Kind::kSuppliers, dir / "suppliers.csv"); });
  const double suppliers_rate = suppliers / suppliers_s;
  line(p + "suppliers_" + std::to_string(suppliers) + ".rows_per_s", suppliers_rate, "rows/s");
  line(p + "suppliers_" + std::to_string(suppliers) + ".peak_memory_growth", peakMiB() - before_suppliers, "MiB");

  const std::string b = "bulk." + t.name + ".";
  double bulk_demand_s = 0;
  if (!t.bulk) return;
  bulk_demand_s = seconds([&] {
    if (!t.bulk(dir / "demand.csv", "bench_demand_" + tag,
                "lot INT, product VARCHAR(64), delivery_point_code VARCHAR(64), quantity DECIMAL(18,6), "
                "schedule VARCHAR(200)"))
      bulk_demand_s = -1;
  });
  const double bulk_suppliers_s = seconds([&] {
    t.bulk(dir / "suppliers.csv", "bench_suppliers_" + tag,
           "tax_number VARCHAR(64), name VARCHAR(200), address VARCHAR(200), email VARCHAR(200), sme VARCHAR(8), "
           "dispatch_point VARCHAR(200), dispatch_address VARCHAR(200), dispatch_lat DOUBLE, dispatch_lon DOUBLE, "
           "certificate VARCHAR(200), certificate_number VARCHAR(64), certificate_valid_until DATE");
  });
  const double bulk_demand_rate = demand_rows / bulk_demand_s;
  const double bulk_suppliers_rate = suppliers / bulk_suppliers_s;
  line(b + "demand_" + std::to_string(demand_rows) + ".rows_per_s", bulk_demand_rate, "rows/s");
  line(b + "suppliers_" + std::to_string(suppliers) + ".rows_per_s", bulk_suppliers_rate, "rows/s");
  line("ratio." + t.name + ".demand_import_vs_bulk_load", demand_rate / bulk_demand_rate, "ratio");
  line("ratio." + t.name + ".suppliers_import_vs_bulk_load", suppliers_rate / bulk_suppliers_rate, "ratio");
  if (!t.script) return;
  // Where the time goes: the same demand rows as one INSERT per row (one round trip each, as
  // Tx::insertLot writes a lot's demand), and as multi-row INSERTs of 1000 rows (about what the
  // importers' batched Tx::insertLots sends: statements of up to 512 rows).
  for (const int per_statement : {1, 1000}) {
    const std::string label = per_statement == 1 ? "single_row_inserts" : "inserts_of_1000_rows";
    const fs::path sql = dir / ("demand-" + label + ".sql");
    writeDemandInserts(sql, tag, demand_rows, "bench_demand_" + label + "_" + tag, per_statement);
    const double script_s = seconds([&] { t.script(sql); });
    const double rate = demand_rows / script_s;
    line("client." + t.name + ".demand_" + std::to_string(demand_rows) + "." + label + ".rows_per_s", rate, "rows/s");
    line("ratio." + t.name + ".demand_import_vs_" + label, demand_rate / rate, "ratio");
    line("ratio." + t.name + ".demand_" + label + "_vs_bulk_load", rate / bulk_demand_rate, "ratio");
  }
}

// mysql://USER@HOST:PORT/DATABASE -> its parts (the bench's own database replaces DATABASE).
struct MysqlUri {
  std::string user, host, port, database;
};
std::optional<MysqlUri> parseMysqlUri(const std::string& uri) {
  const std::string scheme = "mysql://";
  if (uri.rfind(scheme, 0) != 0) return std::nullopt;
  const std::string rest = uri.substr(scheme.size());
  const auto at = rest.find('@');
  const auto colon = rest.find(':', at);
  const auto slash = rest.find('/', at);
  if (at == std::string::npos || colon == std::string::npos || slash == std::string::npos) return std::nullopt;
  return MysqlUri{rest.substr(0, at), rest.substr(at + 1, colon - at - 1), rest.substr(colon + 1, slash - colon - 1),
                  rest.substr(slash + 1)};
}

}  // namespace

int main(int argc, char** argv) {
  const int demand_rows = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int suppliers = argc > 2 ? std::atoi(argv[2]) : 50000;
  if (demand_rows < 4 * kDeliveryPoints || suppliers < 1) {
    std::fprintf(stderr, "usage: bench_import [demand_rows >= %d] [suppliers >= 1]\n", 4 * kDeliveryPoints);
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("dps-bench-import-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  int status = 0;
  try {
    Target sqlite;
    sqlite.name = "sqlite";
    sqlite.store = core::openStore("sqlite:" + (dir / "import.sqlite").string());
    sqlite.store->migrate();
    const fs::path bulk_db = dir / "bulk.sqlite";
    if (std::system("command -v sqlite3 >/dev/null 2>&1") == 0) {
      sqlite.bulk = [bulk_db](const fs::path& csv, const std::string& table, const std::string&) {
        // Same durability as the store: WAL with synchronous=FULL; the header names the columns.
        return run("sqlite3 '" + bulk_db.string() + "' 'PRAGMA journal_mode=WAL;' 'PRAGMA synchronous=FULL;' "
                   "'.mode csv' '.import \"" + csv.string() + "\" \"" + table + "\"' >/dev/null") == 0;
      };
    } else {
      std::fprintf(stderr, "bench_import: sqlite3 command not found; no SQLite bulk-load ceiling\n");
    }
    benchTarget(sqlite, dir, demand_rows, suppliers);

    const char* uri = std::getenv("DPS_TEST_MYSQL_URI");
    const char* root = std::getenv("DPS_TEST_MYSQL_ROOT");
    const auto parts = uri ? parseMysqlUri(uri) : std::nullopt;
    if (!parts || root == nullptr) {
      std::fprintf(stderr, "bench_import: DPS_TEST_MYSQL_URI / DPS_TEST_MYSQL_ROOT not set; MariaDB skipped\n");
    } else {
      const std::string db = "dps_bench_import_" + std::to_string(::getpid());
      if (run(std::string(root) + " -e 'DROP DATABASE IF EXISTS " + db + "; CREATE DATABASE " + db +
              " CHARACTER SET utf8mb4'") != 0)
        throw core::Error(core::ErrorCode::kUnavailable, "cannot create the bench database " + db);
      Target mysql;
      mysql.name = "mysql";
      mysql.store = core::openStore("mysql://" + parts->user + "@" + parts->host + ":" + parts->port + "/" + db);
      mysql.store->migrate();
      const std::string client = "MYSQL_PWD=\"$DPS_MYSQL_PASSWORD\" mariadb --no-defaults --local-infile=1 -h " +
                                 parts->host + " -P " + parts->port + " -u " + parts->user + " " + db;
      mysql.bulk = [client](const fs::path& csv, const std::string& table, const std::string& columns) {
        return run(client + " -e \"CREATE TABLE " + table + " (" + columns + ") ENGINE=InnoDB; LOAD DATA LOCAL INFILE '" +
                   csv.string() + "' INTO TABLE " + table +
                   " CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\\\"' IGNORE 1 LINES\"") ==
               0;
      };
      mysql.script = [client](const fs::path& sql) { return run(client + " < '" + sql.string() + "'") == 0; };
      try {
        benchTarget(mysql, dir, demand_rows, suppliers);
      } catch (...) {
        mysql.store.reset();
        run(std::string(root) + " -e 'DROP DATABASE IF EXISTS " + db + "'");
        throw;
      }
      mysql.store.reset();
      run(std::string(root) + " -e 'DROP DATABASE IF EXISTS " + db + "'");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_import: %s\n", e.what());
    status = 1;
  }
  fs::remove_all(dir);
  return status;
}
