// Imports 200,000 demand rows and 50,000 suppliers through the importers on each store (SQLite; and
// MariaDB when DPS_TEST_MYSQL_URI is set), and in the same run loads the same files with the
// store's own bulk loader as the ceiling: the sqlite3 command's `.import`, and MariaDB's
// `LOAD DATA LOCAL INFILE` through the mariadb client. Peak memory is the process's high-water
// mark (VmHWM, reset before each import); the demand import also runs on a quarter of the rows to
// show whether memory grows with the file. On MariaDB the same demand rows also go through the
// client as one INSERT per row and as INSERTs of 1000 rows, to show what round trips per row cost.
// Each import also prints the share of its wall time this process was on a CPU: on MariaDB the
// rest is the server's work and the wait for it, the part a faster client cannot remove.
// A second ceiling, "keyed": the same bulk loader loading the records the importer stored, already
// resolved (ids in place of the file's codes), into copies of the store's own tables with their
// primary, unique and foreign keys (demand: one table; suppliers: supplier, certificate and
// dispatch point, three rows per file row here). It is what the importer's writes cost the
// database without any of its reading, checking and looking up; the first ceiling loads the file's
// rows into one table without keys.
// Each rate is the best of kRuns runs, on both sides of a ratio: every further run imports a
// new file of the same size (new lot numbers in a new draft round, new tax numbers) and loads it
// into a new table, so that a moment's noise on this machine (a shared VM) does not decide the
// ratio. Peak memory and the CPU share are of the first run.
// Prints `name value unit` lines and ratio lines.
// Usage: bench_import [demand_rows] [suppliers]

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

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

// Runs of each import and bulk load; each rate is the best of them.
constexpr int kRuns = 3;

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

// One of the store's tables for the keyed ceiling: its copy's name, and the SELECT giving the rows
// the importer stored in it (columns in the table's order).
struct KeyedTable {
  std::string table;
  std::string copy;
  std::string select;
};

struct Target {
  std::string name;  // "sqlite", "mysql"
  std::unique_ptr<core::Store> store;
  // Runs the store's bulk loader on a CSV file into a new table; returns false when it failed.
  std::function<bool(const fs::path& csv, const std::string& table, const std::string& columns)> bulk;
  // Runs a file of SQL statements through the database's command-line client, which sends one
  // statement per round trip (MariaDB only): the floor of row-by-row inserts vs. batched ones.
  std::function<bool(const fs::path& sql)> script;
  // Copies the tables (keys included, foreign keys pointing at the copies where they point at a
  // copied table), exports the rows and loads them with the bulk loader; returns the seconds of the
  // load alone, or -1 when a step failed.
  std::function<double(const std::vector<KeyedTable>& tables)> keyed;
};

// Runs a shell command and returns what it printed; empty when it failed.
std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  if (::pclose(pipe) != 0) {
    std::fprintf(stderr, "bench_import: '%s' failed\n", command.c_str());
    return {};
  }
  return out;
}

// The number of lines in a file.
std::size_t lineCount(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::size_t n = 0;
  std::string text;
  while (std::getline(in, text)) ++n;
  return n;
}

// Whether each copy holds as many rows as its export file has lines (a loader that skipped rows
// would give a ceiling for less work); `count` prints a table's row count.
bool loadedWhole(const std::vector<KeyedTable>& tables, const fs::path& dir, const std::string& extension,
                 const std::function<std::string(const std::string& table)>& count) {
  for (const KeyedTable& t : tables) {
    const std::size_t exported = lineCount(dir / (t.copy + extension));
    const std::string loaded = count(t.copy);
    if (exported == 0 || std::to_string(exported) + "\n" != loaded) {
      std::fprintf(stderr, "bench_import: %s holds %s rows of the %zu exported\n", t.copy.c_str(), loaded.c_str(),
                   exported);
      return false;
    }
  }
  return true;
}

// A table's DDL (as the database prints it) made into its copy's: every copied table's name
// replaced by its copy's, and constraint and index names suffixed so that they stay unique.
std::string copyDdl(std::string ddl, const std::vector<KeyedTable>& tables, const std::string& suffix) {
  for (const KeyedTable& t : tables) ddl = std::regex_replace(ddl, std::regex("\\b" + t.table + "\\b"), t.copy);
  return std::regex_replace(ddl, std::regex("\\b((fk|uq|ix)_\\w+)"), "$1_" + suffix);
}

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

  // Each run's bulk load follows its import, so that both sides of a ratio meet the machine in the
  // same state; the first run's memory and CPU share are shown.
  const std::string b = "bulk." + t.name + ".";
  bool bulk_ok = static_cast<bool>(t.bulk);  // a failed load would be a ceiling of nothing
  const auto bulkLoad = [&](const fs::path& csv, const std::string& table, const std::string& columns) {
    if (!t.bulk) return 0.0;
    return seconds([&] { bulk_ok = t.bulk(csv, table, columns) && bulk_ok; });
  };
  const auto fewer = [](int run, double& best, double s) { best = run == 1 ? s : std::min(best, s); };

  const core::Id round = draftRound(*t.store, tag, 2);
  double demand_s = 0;
  double bulk_demand_s = 0;
  double demand_peak = 0;
  for (int run = 1; run <= kRuns; ++run) {
    double s = 0;
    if (run == 1) {
      resetPeak();
      const double before = peakMiB();
      s = timed(p + "demand_" + std::to_string(demand_rows),
                [&] { importFile(*t.store, importer::Kind::kDemand, dir / "demand.csv", round); });
      demand_peak = peakMiB() - before;
    } else {
      const core::Id next = draftRound(*t.store, tag, 1 + run);
      s = seconds([&] { importFile(*t.store, importer::Kind::kDemand, dir / "demand.csv", next); });
    }
    fewer(run, demand_s, s);
    fewer(run, bulk_demand_s,
          bulkLoad(dir / "demand.csv", "bench_demand_" + tag + "_" + std::to_string(run),
                   "lot INT, product VARCHAR(64), delivery_point_code VARCHAR(64), quantity DECIMAL(18,6), "
                   "schedule VARCHAR(200)"));
  }
  const double demand_rate = demand_rows / demand_s;
  line(p + "demand_" + std::to_string(demand_rows) + ".rows_per_s", demand_rate, "rows/s");
  line(p + "demand_" + std::to_string(demand_rows) + ".peak_memory_growth", demand_peak, "MiB");
  line(p + "demand.memory_growth_4x_rows_vs_1x", small_peak > 0 ? demand_peak / small_peak : 0, "ratio");

  double suppliers_s = 0;
  double bulk_suppliers_s = 0;
  double suppliers_peak = 0;
  for (int run = 1; run <= kRuns; ++run) {
    // Every run's file has tax numbers of its own (the first run's are the keyed ceiling's below).
    const fs::path file = dir / (run == 1 ? std::string("suppliers.csv") : "suppliers-" + std::to_string(run) + ".csv");
    if (run > 1) writeSuppliers(file, tag + "r" + std::to_string(run), suppliers);
    double s = 0;
    if (run == 1) {
      resetPeak();
      const double before = peakMiB();
      s = timed(p + "suppliers_" + std::to_string(suppliers),
                [&] { importFile(*t.store, importer::Kind::kSuppliers, file); });
      suppliers_peak = peakMiB() - before;
    } else {
      s = seconds([&] { importFile(*t.store, importer::Kind::kSuppliers, file); });
    }
    fewer(run, suppliers_s, s);
    fewer(run, bulk_suppliers_s,
          bulkLoad(file, "bench_suppliers_" + tag + "_" + std::to_string(run),
                   "tax_number VARCHAR(64), name VARCHAR(200), address VARCHAR(200), email VARCHAR(200), sme "
                   "VARCHAR(8), dispatch_point VARCHAR(200), dispatch_address VARCHAR(200), dispatch_lat DOUBLE, "
                   "dispatch_lon DOUBLE, certificate VARCHAR(200), certificate_number VARCHAR(64), "
                   "certificate_valid_until DATE"));
  }
  const double suppliers_rate = suppliers / suppliers_s;
  line(p + "suppliers_" + std::to_string(suppliers) + ".rows_per_s", suppliers_rate, "rows/s");
  line(p + "suppliers_" + std::to_string(suppliers) + ".peak_memory_growth", suppliers_peak, "MiB");

  if (!bulk_ok) {
    if (t.bulk) std::fprintf(stderr, "bench_import: the %s bulk load failed; no ceiling\n", t.name.c_str());
    return;
  }
  const double bulk_demand_rate = demand_rows / bulk_demand_s;
  const double bulk_suppliers_rate = suppliers / bulk_suppliers_s;
  line(b + "demand_" + std::to_string(demand_rows) + ".rows_per_s", bulk_demand_rate, "rows/s");
  line(b + "suppliers_" + std::to_string(suppliers) + ".rows_per_s", bulk_suppliers_rate, "rows/s");
  line("ratio." + t.name + ".demand_import_vs_bulk_load", demand_rate / bulk_demand_rate, "ratio");
  line("ratio." + t.name + ".suppliers_import_vs_bulk_load", suppliers_rate / bulk_suppliers_rate, "ratio");
  if (t.keyed) {
    const std::string k = "bulk_keyed." + t.name + ".";
    const std::string like = "'" + tag + "-S%'";
    const double keyed_demand_s = t.keyed({{"demand", "k_demand_" + tag,
                                            "SELECT d.lot_id, d.pos, d.delivery_point_id, d.quantity, d.schedule FROM "
                                            "demand d JOIN lot l ON l.id = d.lot_id WHERE l.round_id = " +
                                                std::to_string(round)}});
    const double keyed_suppliers_s = t.keyed(
        {{"supplier", "k_supplier_" + tag,
          "SELECT id, name, tax_number, address, country, email, is_sme, size_class FROM supplier WHERE tax_number "
          "LIKE " +
              like},
         {"certificate", "k_certificate_" + tag,
          "SELECT c.supplier_id, c.pos, c.name, c.number, c.valid_until FROM certificate c JOIN supplier s ON s.id = "
          "c.supplier_id WHERE s.tax_number LIKE " +
              like},
         {"dispatch_point", "k_dispatch_point_" + tag,
          "SELECT p.id, p.supplier_id, p.pos, p.name, p.address, p.lat, p.lon FROM dispatch_point p JOIN supplier s ON "
          "s.id = p.supplier_id WHERE s.tax_number LIKE " +
              like}});
    if (keyed_demand_s > 0 && keyed_suppliers_s > 0) {
      line(k + "demand_" + std::to_string(demand_rows) + ".rows_per_s", demand_rows / keyed_demand_s, "rows/s");
      line(k + "suppliers_" + std::to_string(suppliers) + ".rows_per_s", suppliers / keyed_suppliers_s, "rows/s");
      line("ratio." + t.name + ".demand_import_vs_keyed_bulk_load", demand_rate * keyed_demand_s / demand_rows,
           "ratio");
      line("ratio." + t.name + ".suppliers_import_vs_keyed_bulk_load", suppliers_rate * keyed_suppliers_s / suppliers,
           "ratio");
      line("ratio." + t.name + ".demand_keyed_bulk_load_vs_bulk_load", demand_rows / keyed_demand_s / bulk_demand_rate,
           "ratio");
      line("ratio." + t.name + ".suppliers_keyed_bulk_load_vs_bulk_load",
           suppliers / keyed_suppliers_s / bulk_suppliers_rate, "ratio");
    }
  }
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
      const fs::path store_db = dir / "import.sqlite";
      sqlite.keyed = [store_db, dir](const std::vector<KeyedTable>& tables) -> double {
        const std::string db = "sqlite3 '" + store_db.string() + "'";
        std::string ddl;
        for (const KeyedTable& t : tables)
          ddl += capture(db + " \"SELECT sql || ';' FROM sqlite_master WHERE tbl_name = '" + t.table +
                         "' AND sql IS NOT NULL\"");
        std::ofstream(dir / "keyed.sql") << copyDdl(ddl, tables, tables.front().copy);
        if (run(db + " < '" + (dir / "keyed.sql").string() + "'") != 0) return -1;
        std::string load = db + " 'PRAGMA foreign_keys = ON;' 'PRAGMA synchronous = FULL;' '.mode csv'";
        for (const KeyedTable& t : tables) {
          const fs::path csv = dir / (t.copy + ".csv");
          if (run(db + " -csv \"" + t.select + "\" > '" + csv.string() + "'") != 0) return -1;
          load += " '.import \"" + csv.string() + "\" " + t.copy + "'";
        }
        bool ok = false;
        const double s = seconds([&] { ok = run(load + " >/dev/null") == 0; });
        const auto count = [&](const std::string& table) {
          return capture(db + " 'SELECT COUNT(*) FROM " + table + "'");
        };
        return ok && loadedWhole(tables, dir, ".csv", count) ? s : -1;
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
      mysql.keyed = [client, dir](const std::vector<KeyedTable>& tables) -> double {
        std::string ddl;
        for (const KeyedTable& t : tables) {
          // "<table>\t<CREATE TABLE ...>": -r prints the statement's newlines as they are.
          const std::string shown = capture(client + " -B -N -r -e 'SHOW CREATE TABLE " + t.table + "'");
          const auto tab = shown.find('\t');
          if (tab == std::string::npos) return -1;
          ddl += shown.substr(tab + 1) + ";\n";
        }
        std::ofstream(dir / "keyed.sql") << copyDdl(ddl, tables, tables.front().copy);
        if (run(client + " < '" + (dir / "keyed.sql").string() + "'") != 0) return -1;
        std::string load;
        for (const KeyedTable& t : tables) {
          // Tab-separated with backslash escapes: LOAD DATA's default format (the rows hold no NULL).
          const fs::path tsv = dir / (t.copy + ".tsv");
          if (run(client + " -B -N -e \"" + t.select + "\" > '" + tsv.string() + "'") != 0) return -1;
          load += "LOAD DATA LOCAL INFILE '" + tsv.string() + "' INTO TABLE " + t.copy + " CHARACTER SET utf8mb4; ";
        }
        bool ok = false;
        const double s = seconds([&] { ok = run(client + " -e \"" + load + "\"") == 0; });
        const auto count = [&](const std::string& table) {
          return capture(client + " -B -N -e 'SELECT COUNT(*) FROM " + table + "'");
        };
        return ok && loadedWhole(tables, dir, ".tsv", count) ? s : -1;
      };
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
