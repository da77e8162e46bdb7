#include "tests/support/engine_fixture.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/decimal.h"
#include "core/error.h"
#include "core/sql/sql_store.h"
#include "tests/support/paths.h"

namespace dps_test {
namespace {

core::Actor actor(const std::string& name, core::Role role, core::Id authority_id = 0, core::Id supplier_id = 0) {
  core::Actor a;
  a.name = name;
  a.role = role;
  a.authority_id = authority_id;
  a.supplier_id = supplier_id;
  return a;
}

core::Criterion criterion(core::CriterionKind kind, core::Formula formula, int weight, int min_weight = 0,
                          int max_weight = 0) {
  core::Criterion c;
  c.kind = kind;
  c.formula = formula;
  c.weight = weight;
  c.min_weight = min_weight;
  c.max_weight = max_weight;
  return c;
}

int nextFixtureNumber() {
  static int counter = 0;
  return ++counter;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string rootClient() {
  const std::string client = env("DPS_TEST_MYSQL_ROOT");
  if (client.empty())
    throw core::Error(core::ErrorCode::kUnavailable,
                      "DPS_TEST_MYSQL_ROOT is not set: source build/mariadb/env (scripts/mariadb.sh start) so that "
                      "the engine tests can create their own MariaDB databases");
  return client;
}

// Runs SQL statements with the MariaDB root client named by DPS_TEST_MYSQL_ROOT.
void runRootSql(const std::string& sql) {
  const std::string client = rootClient();
  FILE* pipe = ::popen((client + " --batch --silent").c_str(), "w");
  if (pipe == nullptr)
    throw core::Error(core::ErrorCode::kUnavailable, "cannot start the MariaDB client '" + client + "'");
  std::fputs((sql + ";\n").c_str(), pipe);
  const int status = ::pclose(pipe);
  if (status != 0)
    throw core::Error(core::ErrorCode::kUnavailable, "the MariaDB client '" + client + "' failed (status " +
                                                         std::to_string(status) + ") on: " + sql.substr(0, 200));
}

// The tables of a database, read with the root client.
std::vector<std::string> tablesOf(const std::string& database) {
  const std::string client = rootClient();
  FILE* pipe = ::popen((client + " --batch --silent -e 'SHOW TABLES FROM " + database + "'").c_str(), "r");
  if (pipe == nullptr)
    throw core::Error(core::ErrorCode::kUnavailable, "cannot start the MariaDB client '" + client + "'");
  std::vector<std::string> tables;
  std::string line;
  for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe)) {
    if (c != '\n') {
      line += static_cast<char>(c);
    } else if (!line.empty()) {
      tables.push_back(line);
      line.clear();
    }
  }
  if (!line.empty()) tables.push_back(line);
  if (::pclose(pipe) != 0 || tables.empty())
    throw core::Error(core::ErrorCode::kUnavailable, "could not list the tables of " + database);
  return tables;
}

// DPS_TEST_MYSQL_URI with its database replaced by `database`.
std::string mysqlUriFor(const std::string& database) {
  const std::string uri = env("DPS_TEST_MYSQL_URI");
  const std::size_t slash = uri.rfind('/');
  if (uri.rfind("mysql://", 0) != 0 || slash == std::string::npos || slash < 8)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "DPS_TEST_MYSQL_URI '" + uri + "' is not of the form mysql://USER@HOST:PORT/DATABASE");
  return uri.substr(0, slash + 1) + database;
}

// The MariaDB databases of this test process. Creating, migrating and dropping a database costs
// about 2.5 s of DDL on a 2-core machine, so each process migrates two databases once: a template
// that is never written, and the fixtures' database, which every fixture after the first gets back
// in exactly the template's state (every table emptied and refilled from the template in one
// transaction). Both are dropped when the process ends. Fixtures of one process run one at a time.
class MysqlDatabases {
 public:
  static MysqlDatabases& instance() {
    static MysqlDatabases databases;
    return databases;
  }
  MysqlDatabases(const MysqlDatabases&) = delete;
  MysqlDatabases& operator=(const MysqlDatabases&) = delete;

  // The fixtures' database, as freshly migrated.
  std::string acquire() {
    if (!ready_) {
      for (const std::string& db : {template_, working_}) {
        runRootSql("DROP DATABASE IF EXISTS " + db + ";\nCREATE DATABASE " + db + " CHARACTER SET utf8mb4");
        core::openStore(mysqlUriFor(db))->migrate();
      }
      tables_ = tablesOf(template_);
      ready_ = true;
      return working_;
    }
    std::string reset = "SET FOREIGN_KEY_CHECKS = 0;\nSTART TRANSACTION;\n";
    for (const std::string& t : tables_)
      reset += "DELETE FROM " + working_ + "." + t + ";\nINSERT INTO " + working_ + "." + t + " SELECT * FROM " +
               template_ + "." + t + ";\n";
    reset += "COMMIT";
    runRootSql(reset);
    return working_;
  }

  ~MysqlDatabases() {
    if (!ready_ || ::getpid() != owner_) return;
    try {
      runRootSql("DROP DATABASE IF EXISTS " + working_ + ";\nDROP DATABASE IF EXISTS " + template_);
    } catch (const core::Error& e) {
      std::fprintf(stderr, "engine fixture: could not drop the test databases: %s\n", e.what());
    }
  }

 private:
  MysqlDatabases()
      : owner_(::getpid()),
        template_("dps_engine_" + std::to_string(owner_) + "_template"),
        working_("dps_engine_" + std::to_string(owner_)) {}

  pid_t owner_;
  std::string template_;
  std::string working_;
  std::vector<std::string> tables_;
  bool ready_ = false;
};

}  // namespace

std::string testBackend() {
  const std::string b = env("DPS_TEST_BACKEND");
  return b.empty() ? "sqlite" : b;
}

bool underCi() { return env("CI") == "true"; }

std::string backendUnavailableReason() {
  const std::string b = testBackend();
  if (b == "sqlite") return {};
  if (b != "mysql") return "DPS_TEST_BACKEND='" + b + "' is neither sqlite nor mysql";
  if (env("DPS_TEST_MYSQL_URI").empty())
    return "the MariaDB engine tests need DPS_TEST_MYSQL_URI (source build/mariadb/env after scripts/mariadb.sh "
           "start): skipped";
  return {};
}

core::Sealer::Key testSealingKey() {
  core::Sealer::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(0xA5 ^ (i * 7));
  return key;
}

std::vector<core::Criterion> standardCriteria() {
  using core::CriterionKind;
  using core::Formula;
  core::Criterion price = criterion(CriterionKind::kPrice, Formula::kRelativeToBest, 60, 50, 70);
  price.description = "unit price, lower is better";
  core::Criterion co2 = criterion(CriterionKind::kCo2, Formula::kRelativeToBest, 20, 10, 30);
  co2.description = "transport CO2 from the dispatch point";
  core::Criterion fresh = criterion(CriterionKind::kFreshness, Formula::kLinearBand, 10);
  fresh.a = core::Decimal::fromInt(12);
  fresh.b = core::Decimal::fromInt(72);
  fresh.description = "hours from harvest to delivery";
  core::Criterion label = criterion(CriterionKind::kLabel, Formula::kYesNo, 10);
  label.fact = "organic_or_quality";
  label.description = "organic or quality scheme label, or equivalent";
  return {price, co2, fresh, label};
}

std::vector<core::VehicleFactor> standardVehicleFactors() {
  return {{"van", core::Decimal::parse("0.55")},
          {"truck", core::Decimal::parse("0.12")},
          {"electric_van", core::Decimal::parse("0.10")}};
}

EngineFixture::EngineFixture() : EngineFixture(sourceDir() + "/data/calendars") {}

EngineFixture::EngineFixture(const std::string& calendar_dir)
    : dir(tempDir("engine-" + std::to_string(nextFixtureNumber()))),
      db_path(dir + "/dps.sqlite"),
      calendars(core::CalendarRegistry::loadDirectory(calendar_dir)),
      clock(at(kStart)),
      sealer(testSealingKey()) {
  const std::string unavailable = backendUnavailableReason();
  if (!unavailable.empty())
    throw core::Error(core::ErrorCode::kUnavailable,
                      unavailable + (underCi() ? " (CI=true: a backend that cannot run is a failure)" : ""));
  if (testBackend() == "mysql") {
    mysql_database = MysqlDatabases::instance().acquire();
    store_uri = mysqlUriFor(mysql_database);
  } else {
    store_uri = "sqlite:" + db_path;
  }
  open();
  admin = actor("Ana Admin", core::Role::kAdministrator);
  auditor = actor("Rok Revizor", core::Role::kAuditor);
  core::Authority kranj;
  kranj.name = "Mestna občina Kranj";
  authority_id = engine->createAuthority(admin, kranj);
  core::Authority naklo;
  naklo.name = "Občina Naklo";
  other_authority_id = engine->createAuthority(admin, naklo);
  officer = actor("Maja Novak", core::Role::kOfficer, authority_id);
  other_officer = actor("Luka Kos", core::Role::kOfficer, other_authority_id);
}

EngineFixture::~EngineFixture() { closeStore(); }

void EngineFixture::open() {
  store = core::openStore(store_uri);
  store->migrate();
  engine = std::make_unique<core::Engine>(*store, clock, calendars, sealer);
}

void EngineFixture::closeStore() {
  engine.reset();
  store.reset();
}

void EngineFixture::reopen() { open(); }

core::TimePoint EngineFixture::at(const std::string& iso) { return core::parseTime(iso); }

void EngineFixture::setNow(const std::string& iso) { clock.set(at(iso)); }

const core::Calendar& EngineFixture::calendar() const { return calendars.forCountry("SI"); }

DpsHandle EngineFixture::draftDps(const std::vector<std::string>& category_codes,
                                  const std::vector<core::Criterion>& criteria) {
  core::Dps d;
  d.authority_id = authority_id;
  d.reference = "KR-DNS-2026-" + std::to_string(next_tax_number_++);
  d.title = "Local food for schools and kindergartens of Kranj";
  d.cpv = "15000000";
  d.request_deadline = calendar().periodEndCalendarDays(clock.now(), 30);
  d.valid_until = at("2029-12-31T22:59:59Z");
  d.vehicle_factors = standardVehicleFactors();
  DpsHandle h;
  h.id = engine->createDps(officer, d);
  for (const std::string& code : category_codes) {
    core::Category c;
    c.dps_id = h.id;
    c.code = code;
    c.name = "Category " + code;
    c.cpv = "03220000";
    h.categories.push_back(engine->addCategory(officer, c));
  }
  engine->setCriteria(officer, h.id, criteria);
  return h;
}

DpsHandle EngineFixture::publishedDps(const std::vector<std::string>& category_codes,
                                      const std::vector<core::Criterion>& criteria) {
  DpsHandle h = draftDps(category_codes, criteria);
  engine->publishDps(officer, h.id);
  return h;
}

core::Dps EngineFixture::dps(core::Id id) {
  std::optional<core::Dps> d;
  store->transact([&](core::Tx& tx) { d = tx.getDps(id); });
  if (!d) throw core::Error(core::ErrorCode::kNotFound, "fixture: no DPS " + std::to_string(id));
  return *d;
}

SupplierHandle EngineFixture::registerSupplier(const std::string& name, double dlat, double dlon,
                                               const std::vector<core::Certificate>& certificates) {
  core::Supplier s;
  s.name = name;
  s.tax_number = "SI" + std::to_string(10000000 + next_tax_number_++);
  s.address = "Kranj";
  s.email = "farm" + std::to_string(next_tax_number_) + "@example.si";
  s.size_class = "micro";
  s.certificates = certificates;
  core::DispatchPoint dp;
  dp.name = name + " farm";
  dp.address = "near Kranj";
  dp.location = {kKranjLat + dlat, kKranjLon + dlon};
  s.dispatch_points.push_back(dp);
  SupplierHandle h;
  h.id = engine->registerSupplier(actor(name, core::Role::kSupplier), s);
  h.actor = actor(name, core::Role::kSupplier, 0, h.id);
  std::optional<core::Supplier> stored;
  store->transact([&](core::Tx& tx) { stored = tx.getSupplier(h.id); });
  if (!stored || stored->dispatch_points.empty())
    throw core::Error(core::ErrorCode::kInternal, "fixture: the supplier's dispatch point was not stored");
  h.dispatch_point_id = stored->dispatch_points.front().id;
  return h;
}

core::Id EngineFixture::requestAdmission(const SupplierHandle& s, core::Id category_id) {
  return engine->requestAdmission(s.actor, s.id, category_id, "<QualificationApplicationResponse/>");
}

void EngineFixture::admit(const SupplierHandle& s, core::Id category_id) {
  const core::Id request = requestAdmission(s, category_id);
  engine->decideAdmission(officer, request, true, "selection criteria met");
}

SupplierHandle EngineFixture::admittedSupplier(const std::string& name, core::Id category_id, double dlat, double dlon,
                                               const std::vector<core::Certificate>& certificates) {
  SupplierHandle s = registerSupplier(name, dlat, dlon, certificates);
  admit(s, category_id);
  return s;
}

core::Id EngineFixture::deliveryPoint(const std::string& code, double lat, double lon) {
  core::DeliveryPoint p;
  p.authority_id = authority_id;
  p.code = code;
  p.name = "Kitchen " + code;
  p.address = "Kranj";
  p.location = {lat, lon};
  return engine->addDeliveryPoint(officer, p);
}

void EngineFixture::startRounds() {
  if (clock.now() < at(kRoundsStart)) setNow(kRoundsStart);
}

core::Lot EngineFixture::lot(int number, core::Id delivery_point_id, const std::string& quantity,
                             const std::string& cpv) {
  core::Lot l;
  l.number = number;
  l.cpv = cpv;
  l.description = "lot " + std::to_string(number);
  l.unit = "kg";
  l.unit_mass_kg = core::Decimal::fromInt(1);
  l.demands.push_back({delivery_point_id, core::Decimal::parse(quantity), "weekly"});
  return l;
}

core::Id EngineFixture::createRound(const DpsHandle& dps, core::Id category_id, const std::vector<core::Lot>& lots,
                                    core::AwardMode mode, bool allow_partial,
                                    const std::vector<core::WeightRefinement>& refinements) {
  core::Round r;
  r.dps_id = dps.id;
  r.category_id = category_id;
  r.title = "Vegetables for school kitchens";
  r.award_mode = mode;
  r.allow_partial = allow_partial;
  r.refinements = refinements;
  return engine->createRound(officer, r, lots);
}

core::TimePoint EngineFixture::earliestDeadline() const { return calendar().periodEndCalendarDays(clock.now(), 10); }

std::vector<core::Invitation> EngineFixture::dispatch(core::Id round_id) {
  return engine->dispatchRound(officer, round_id, earliestDeadline());
}

core::Round EngineFixture::round(core::Id id) {
  std::optional<core::Round> r;
  store->transact([&](core::Tx& tx) { r = tx.getRound(id); });
  if (!r) throw core::Error(core::ErrorCode::kNotFound, "fixture: no round " + std::to_string(id));
  return *r;
}

std::vector<core::Lot> EngineFixture::lots(core::Id round_id) {
  std::vector<core::Lot> out;
  store->transact([&](core::Tx& tx) { out = tx.listLots(round_id); });
  return out;
}

core::BidLine EngineFixture::bidLine(core::Id lot_id, const std::string& unit_price, const std::string& quantity,
                                     const SupplierHandle& s, const std::string& vehicle, int hours_from_harvest,
                                     bool organic) {
  core::BidLine l;
  l.lot_id = lot_id;
  l.unit_price = core::Decimal::parse(unit_price);
  l.quantity = core::Decimal::parse(quantity);
  l.dispatch_point_id = s.dispatch_point_id;
  l.organic = organic;
  l.hours_from_harvest = hours_from_harvest;
  l.intermediaries = 0;
  l.vehicle = vehicle;
  return l;
}

core::BidReceipt EngineFixture::bid(const SupplierHandle& s, core::Id round_id, const std::vector<core::BidLine>& lines) {
  return engine->submitBid(s.actor, round_id, lines);
}

void EngineFixture::passDeadline(core::Id round_id) { clock.set(round(round_id).deadline + std::chrono::seconds(1)); }

void EngineFixture::openAndEvaluate(core::Id round_id) {
  passDeadline(round_id);
  engine->openRound(officer, round_id);
  engine->evaluateRound(officer, round_id);
}

double EngineFixture::statementsSoFar() {
  auto* sql = dynamic_cast<core::sql::SqlStore*>(store.get());
  if (sql == nullptr || store->backend() != "mysql") return -1;
  double n = -1;
  sql->withConnection([&](core::sql::Connection& c) {
    core::sql::Statement& st = c.prepare("SHOW GLOBAL STATUS LIKE 'Questions'");
    st.query();
    while (st.next()) n = std::atof(st.getText(1).c_str());
    c.commit();
  });
  return n;
}

std::optional<core::Bid> EngineFixture::bidRecord(core::Id bid_id) {
  std::optional<core::Bid> b;
  store->transact([&](core::Tx& tx) { b = tx.getBid(bid_id); });
  return b;
}

std::vector<core::Bid> EngineFixture::bids(core::Id round_id) {
  std::vector<core::Bid> out;
  store->transact([&](core::Tx& tx) { out = tx.listBids(round_id); });
  return out;
}

std::vector<core::Invitation> EngineFixture::invitations(core::Id round_id) {
  std::vector<core::Invitation> out;
  store->transact([&](core::Tx& tx) { out = tx.listInvitations(round_id); });
  return out;
}

std::vector<core::LotResult> EngineFixture::results(core::Id round_id) {
  std::vector<core::LotResult> out;
  store->transact([&](core::Tx& tx) { out = tx.listLotResults(round_id); });
  return out;
}

std::vector<core::ScoreRecord> EngineFixture::scores(core::Id round_id) {
  std::vector<core::ScoreRecord> out;
  store->transact([&](core::Tx& tx) { out = tx.listScores(round_id); });
  return out;
}

std::vector<core::AwardLine> EngineFixture::awardLines(core::Id round_id) {
  std::vector<core::AwardLine> out;
  store->transact([&](core::Tx& tx) { out = tx.listAwardLines(round_id); });
  return out;
}

std::vector<core::AuditEntry> EngineFixture::audit() {
  std::vector<core::AuditEntry> out;
  store->transact([&](core::Tx& tx) { out = tx.listAudit(1, 1000000); });
  return out;
}

std::vector<core::AuditEntry> EngineFixture::auditWithAction(const std::string& action) {
  std::vector<core::AuditEntry> all = audit();
  std::vector<core::AuditEntry> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const core::AuditEntry& e) { return e.action == action; });
  return out;
}

std::optional<core::LotResult> resultOf(const std::vector<core::LotResult>& results, core::Id lot_id, core::Id bid_id) {
  for (const core::LotResult& r : results)
    if (r.lot_id == lot_id && r.bid_id == bid_id && r.delivery_point_id == 0) return r;
  return std::nullopt;
}

}  // namespace dps_test
