#include "tests/import/import_world.h"

#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <memory>

#include "core/error.h"
#include "tests/support/paths.h"
#include "web/server/messages.h"

namespace import_test {
namespace {

bool underCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// Runs an SQL statement through the root client command; false when it failed.
bool rootSql(const std::string& sql) {
  const char* root = std::getenv("DPS_TEST_MYSQL_ROOT");
  if (root == nullptr || *root == '\0') return false;
  const std::string command = std::string(root) + " -e \"" + sql + "\" >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

class MysqlDatabase {
 public:
  MysqlDatabase() {
    const char* uri = std::getenv("DPS_TEST_MYSQL_URI");
    if (uri == nullptr || *uri == '\0') return;
    std::string base(uri);
    const std::size_t slash = base.rfind('/');
    name_ = "dps_import_" + std::to_string(::getpid());
    if (!rootSql("DROP DATABASE IF EXISTS " + name_ + "; CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4"))
      throw core::Error(core::ErrorCode::kUnavailable,
                        "cannot create the test database " + name_ + " with DPS_TEST_MYSQL_ROOT");
    store_ = core::openStore(base.substr(0, slash + 1) + name_);
    store_->migrate();
  }
  ~MysqlDatabase() {
    store_.reset();
    if (!name_.empty()) rootSql("DROP DATABASE IF EXISTS " + name_);
  }
  core::Store* store() { return store_.get(); }

 private:
  std::string name_;
  std::unique_ptr<core::Store> store_;
};

std::atomic<int> next_world{1};

}  // namespace

core::Store& sqliteStore() {
  static const std::string dir = dps_test::tempDir("import-sqlite");
  static const std::unique_ptr<core::Store> store = [] {
    auto s = core::openStore("sqlite:" + dir + "/import.sqlite");
    s->migrate();
    return s;
  }();
  return *store;
}

core::Store* mysqlStore() {
  static MysqlDatabase db;
  return db.store();
}

bool MysqlConfigured::operator()(std::uint64_t) const {
  const char* uri = std::getenv("DPS_TEST_MYSQL_URI");
  if ((uri != nullptr && *uri != '\0') || underCi()) return true;
  BOOST_TEST_MESSAGE("skipped: DPS_TEST_MYSQL_URI is not set (source build/mariadb/env to run on MariaDB)");
  return false;
}

core::Store& storeFor(const std::string& backend) {
  if (backend == "sqlite") return sqliteStore();
  core::Store* s = mysqlStore();
  if (s == nullptr) BOOST_FAIL("MariaDB is required here (CI=true) but DPS_TEST_MYSQL_URI is not set");
  return *s;
}

std::string cpvListPath() {
  const auto dir = dps_test::standardsDir("cpv");
  return dir ? *dir + "/classifiers/cpv/en.json" : std::string();
}

std::int64_t auditHead(core::Store& store) {
  std::int64_t seq = 0;
  store.transact([&](core::Tx& tx) {
    if (const auto e = tx.lastAuditEntry()) seq = e->seq;
  });
  return seq;
}

ImportWorld::ImportWorld(core::Store& s) : store(s) {
  tag = "W" + std::to_string(::getpid()) + "-" + std::to_string(next_world++);
  authority = "Občina " + tag;
  store.transact([&](core::Tx& tx) {
    core::Authority a;
    a.name = authority;
    authority_id = tx.insertAuthority(a);
    core::Dps d;
    d.authority_id = authority_id;
    d.reference = "DPS-" + tag;
    d.title = "Food for schools " + tag;
    d.cpv = "15000000";
    d.status = core::DpsStatus::kPublished;
    d.published_at = clock.now();
    d.request_deadline = core::parseTime("2026-02-01T23:00:00Z");
    d.valid_until = core::parseTime("2029-12-31T23:00:00Z");
    d.criteria_version = 1;
    dps_id = tx.insertDps(d);
    core::Category c;
    c.dps_id = dps_id;
    c.code = "VEG";
    c.name = "Vegetables";
    c.cpv = "03221000";
    category_id = tx.insertCategory(c);
  });
  round_id = newRound();
}

core::Id ImportWorld::newRound(core::RoundStatus status) {
  core::Id id = 0;
  store.transact([&](core::Tx& tx) {
    core::Round r;
    r.dps_id = dps_id;
    r.category_id = category_id;
    r.reference = "DPS-" + tag + "/R" + std::to_string(tx.listRounds(dps_id).size() + 1);
    r.title = "Round of " + tag;
    r.status = status;
    r.deadline = core::parseTime("2026-04-01T10:00:00Z");
    r.criteria_version = 1;
    id = tx.insertRound(r);
  });
  return id;
}

importer::ImportReport ImportWorld::run(importer::Kind kind, const std::string& csv, bool apply,
                                        importer::ImportOptions options) {
  std::istringstream in(csv);
  options.clock = &clock;
  if (options.file_name == importer::ImportOptions{}.file_name) options.file_name = "test.csv";
  if (kind == importer::Kind::kDemand && !options.round_id) options.round_id = round_id;
  importer::ImportReport report =
      apply ? importer::apply(store, kind, in, options) : importer::preview(store, kind, in, options);
  checkCatalogued(report);
  return report;
}

void checkCatalogued(const importer::ImportReport& report) {
  for (const importer::Problem& p : report.problems) {
    BOOST_TEST_CONTEXT("problem '" << p.message << "' (key '" << p.localized.key << "')") {
      BOOST_TEST_REQUIRE(web::server::hasMessage(p.localized.key));
      BOOST_TEST(web::server::fillMessage(web::server::message("en", p.localized.key), p.localized.args) == p.message);
    }
  }
}

std::optional<core::DeliveryPoint> ImportWorld::deliveryPoint(const std::string& code) {
  std::optional<core::DeliveryPoint> p;
  store.transact([&](core::Tx& tx) { p = tx.findDeliveryPoint(authority_id, code); });
  return p;
}

std::optional<core::Supplier> ImportWorld::supplier(const std::string& tax_number) {
  std::optional<core::Supplier> s;
  store.transact([&](core::Tx& tx) { s = tx.findSupplierByTaxNumber(tax_number); });
  return s;
}

std::optional<core::Product> ImportWorld::product(const std::string& code) {
  std::optional<core::Product> p;
  store.transact([&](core::Tx& tx) { p = tx.findProductByCode(code); });
  return p;
}

std::vector<core::Lot> ImportWorld::lots(core::Id round) {
  std::vector<core::Lot> out;
  store.transact([&](core::Tx& tx) { out = tx.listLots(round); });
  return out;
}

std::string problemsText(const importer::ImportReport& report) { return importer::formatReport(report); }

}  // namespace import_test
