#pragma once
// Test support for the importers: one store per backend for the whole test process (SQLite in a
// temp directory; MariaDB in a fresh database dps_import_<pid>, created and dropped with the client
// command in DPS_TEST_MYSQL_ROOT), and an ImportWorld per test case holding that case's own
// authority, DPS, category and draft round under unique names, so that cases sharing a store do not
// see each other's rows. Thread-safety: none; tests run one case at a time.

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "core/clock.h"
#include "core/store.h"
#include "import/importers.h"

namespace import_test {

// The process's SQLite store (migrated).
core::Store& sqliteStore();
// The process's MariaDB store (migrated); nullptr when DPS_TEST_MYSQL_URI is unset.
core::Store* mysqlStore();
// For boost::unit_test::precondition: true when MariaDB is configured or CI=true (where a missing
// server must fail the test, not skip it).
struct MysqlConfigured {
  bool operator()(std::uint64_t) const;
};
// The store for a backend name ("sqlite" or "mysql"); fails the test when mysql is asked for and not
// configured.
core::Store& storeFor(const std::string& backend);

// The CPV list under CPV_DIR, or empty when the standards folder is absent.
std::string cpvListPath();

// Highest audit sequence number so far (0 when the log is empty).
std::int64_t auditHead(core::Store& store);

class ImportWorld {
 public:
  explicit ImportWorld(core::Store& store);

  core::Store& store;
  core::ManualClock clock{core::parseTime("2026-03-02T08:00:00Z")};
  std::string tag;  // unique per world: prefixes names and keys
  core::Id authority_id = 0;
  std::string authority;  // the authority's unique name
  core::Id dps_id = 0;
  core::Id category_id = 0;
  core::Id round_id = 0;  // a draft round of the DPS, without lots

  // Runs an import of `csv` (preview or apply) with the world's clock and options.
  importer::ImportReport run(importer::Kind kind, const std::string& csv, bool apply,
                             importer::ImportOptions options = {});
  importer::ImportReport preview(importer::Kind kind, const std::string& csv, importer::ImportOptions options = {}) {
    return run(kind, csv, false, std::move(options));
  }
  importer::ImportReport apply(importer::Kind kind, const std::string& csv, importer::ImportOptions options = {}) {
    return run(kind, csv, true, std::move(options));
  }

  // A further draft round of the world's DPS; `status` lets tests make a non-draft one.
  core::Id newRound(core::RoundStatus status = core::RoundStatus::kDraft);

  std::optional<core::DeliveryPoint> deliveryPoint(const std::string& code);
  std::optional<core::Supplier> supplier(const std::string& tax_number);
  std::optional<core::Product> product(const std::string& code);
  std::vector<core::Lot> lots(core::Id round);
};

// Checks that every problem of the report names its message in the pages' catalogue (so that the
// upload page shows it in the reader's language) and that the catalogue's English, filled with the
// problem's values, is the problem's message word for word. ImportWorld::run checks every report.
void checkCatalogued(const importer::ImportReport& report);

// The report's problems as text (for failure messages and substring checks).
std::string problemsText(const importer::ImportReport& report);

}  // namespace import_test

// Defines a test case per store running the body that follows with an ImportWorld `w`: SQLite
// always, MariaDB when configured (reported skipped otherwise, failed under CI=true).
#define ON_BOTH_STORES(name)                                                                     \
  void name##_body(import_test::ImportWorld& w);                                                 \
  BOOST_AUTO_TEST_CASE(name##_on_sqlite) {                                                       \
    import_test::ImportWorld w(import_test::storeFor("sqlite"));                                 \
    name##_body(w);                                                                              \
  }                                                                                              \
  BOOST_AUTO_TEST_CASE(name##_on_mariadb,                                                        \
                       *boost::unit_test::precondition(import_test::MysqlConfigured())) {        \
    import_test::ImportWorld w(import_test::storeFor("mysql"));                                  \
    name##_body(w);                                                                              \
  }                                                                                              \
  void name##_body(import_test::ImportWorld& w)
