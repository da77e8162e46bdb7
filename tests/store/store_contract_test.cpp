// The storage contract: every core::Tx method family round-trips through a real database, written
// once against core::Store and built once per backend (DPS_STORE_BACKEND "sqlite" or "mysql", see
// CMakeLists.txt). One fresh database serves the whole run, so each case creates the rows it needs
// under names of its own and never assumes the tables are empty.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/audit.h"
#include "core/error.h"
#include "core/sql/schema.h"
#include "core/sql/sql_store.h"
#include "core/store.h"
#include "tests/store/scratch_store.h"
#include "tests/support/paths.h"

#ifndef DPS_STORE_BACKEND
#error "DPS_STORE_BACKEND must name the backend under test: \"sqlite\" or \"mysql\""
#endif

namespace {

using core::Id;
using core::TimePoint;

const std::string kBackend = DPS_STORE_BACKEND;

dps_test::Backend backendKind() { return kBackend == "mysql" ? dps_test::Backend::kMysql : dps_test::Backend::kSqlite; }

bool configured() { return backendKind() == dps_test::Backend::kSqlite || dps_test::mysqlTestUri().has_value(); }

std::unique_ptr<dps_test::ScratchStore> g_scratch;

// Opens the run's database before the first case and drops it after the last, also when cases fail.
struct ScratchFixture {
  ScratchFixture() {
    if (configured()) g_scratch = std::make_unique<dps_test::ScratchStore>(backendKind());
  }
  ~ScratchFixture() { g_scratch.reset(); }
};

boost::test_tools::assertion_result backendConfigured(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result result(configured());
  result.message() << "DPS_TEST_MYSQL_URI is not set: the MariaDB store contract is skipped "
                      "(source /work/build/mariadb/env to run it)";
  return result;
}

core::Store& store() { return g_scratch->store(); }

// Runs f in one transaction and returns what it returned.
template <class F>
auto inTx(F f) -> decltype(f(std::declval<core::Tx&>())) {
  using R = decltype(f(std::declval<core::Tx&>()));
  if constexpr (std::is_void_v<R>) {
    store().transact([&](core::Tx& tx) { f(tx); });
  } else {
    std::optional<R> out;
    store().transact([&](core::Tx& tx) { out.emplace(f(tx)); });
    return std::move(*out);
  }
}

// A suffix no other case uses, for natural keys (tax numbers, codes, usernames).
std::string tag() {
  static int n = 0;
  return std::to_string(++n);
}

TimePoint at(std::int64_t seconds) { return TimePoint(std::chrono::seconds(1'788'000'000 + seconds)); }
constexpr std::int64_t kDay = 86'400;

core::Decimal dec(const char* text) { return core::Decimal::parse(text); }

// The name of the core::Error code f throws ("not_found", ...), or "no error".
template <class F>
std::string errorCodeOf(F f) {
  try {
    f();
  } catch (const core::Error& e) {
    return core::errorCodeName(e.code());
  }
  return "no error";
}

std::string code(core::ErrorCode c) { return core::errorCodeName(c); }

// --- describe(): one line per record with every field, so a failed comparison shows the difference.

std::string describe(const core::Authority& x);
std::string describe(const core::VehicleFactor& x);
std::string describe(const core::Dps& x);
std::string describe(const core::Category& x);
std::string describe(const core::Band& x);
std::string describe(const core::Criterion& x);
std::string describe(const core::Certificate& x);
std::string describe(const core::DispatchPoint& x);
std::string describe(const core::Supplier& x);
std::string describe(const core::DeliveryPoint& x);
std::string describe(const core::Product& x);
std::string describe(const core::AdmissionRequest& x);
std::string describe(const core::RenewalRequest& x);
std::string describe(const core::WeightRefinement& x);
std::string describe(const core::Round& x);
std::string describe(const core::Demand& x);
std::string describe(const core::Lot& x);
std::string describe(const core::Invitation& x);
std::string describe(const core::Bid& x);
std::string describe(const core::PointOffer& x);
std::string describe(const core::BidLine& x);
std::string describe(const core::ScoreRecord& x);
std::string describe(const core::LotResult& x);
std::string describe(const core::AbnormalLowCase& x);
std::string describe(const core::AwardLine& x);
std::string describe(const core::AwardDecision& x);
std::string describe(const core::AuditEntry& x);
std::string describe(const core::Account& x);
std::string describe(const core::Session& x);
std::string describe(const core::ApiToken& x);
std::string describe(const core::OutboxMessage& x);

std::string str(const char* v) { return v; }
std::string str(const std::string& v) { return "'" + v + "'"; }
std::string str(std::int64_t v) { return std::to_string(v); }
std::string str(int v) { return std::to_string(v); }
std::string str(bool v) { return v ? "true" : "false"; }
std::string str(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}
std::string str(core::Decimal v) { return v.toString(); }
std::string str(const core::Exact& v) { return v.toString(); }
std::string str(TimePoint v) { return std::to_string(v.time_since_epoch().count()); }
std::string str(const std::optional<TimePoint>& v) { return v ? str(*v) : "none"; }
std::string str(const std::optional<Id>& v) { return v ? str(*v) : "none"; }
std::string str(const core::GeoPoint& v) { return str(v.lat) + "," + str(v.lon); }
template <class E>
requires std::is_enum_v<E> std::string str(E v) { return core::toString(v); }
template <class T>
std::string str(const std::vector<T>& v) {
  std::string out = "[";
  for (const T& x : v) out += "{" + describe(x) + "}";
  return out + "]";
}

template <class... A>
std::string fields(const A&... a) {
  std::string out;
  ((out += str(a) + " "), ...);
  return out;
}

std::string describe(const core::Authority& x) {
  return fields("id", x.id, "name", x.name, "country", x.country, "tz", x.time_zone);
}
std::string describe(const core::VehicleFactor& x) { return fields(x.vehicle, x.kg_co2e_per_tkm); }
std::string describe(const core::Dps& x) {
  return fields("id", x.id, "authority", x.authority_id, "ref", x.reference, "title", x.title, "cpv", x.cpv, "status",
                x.status, "published", x.published_at, "deadline", x.request_deadline, "valid", x.valid_until,
                "criteria", x.criteria_version, "first", x.first_invitation_at, "extended",
                x.initial_assessment_extended_until, "factors", x.vehicle_factors);
}
std::string describe(const core::Category& x) {
  return fields("id", x.id, "dps", x.dps_id, "code", x.code, "name", x.name, "cpv", x.cpv, "area", x.area);
}
std::string describe(const core::Band& x) { return fields(x.threshold, x.points); }
std::string describe(const core::Criterion& x) {
  return fields("kind", x.kind, "formula", x.formula, "w", x.weight, x.min_weight, x.max_weight, "a", x.a, "b", x.b,
                "bands", x.bands, "fact", x.fact, "desc", x.description);
}
std::string describe(const core::Certificate& x) { return fields(x.name, x.number, x.valid_until); }
std::string describe(const core::DispatchPoint& x) {
  return fields("id", x.id, "supplier", x.supplier_id, x.name, x.address, x.location);
}
std::string describe(const core::Supplier& x) {
  return fields("id", x.id, x.name, x.tax_number, x.address, x.country, x.email, "sme", x.is_sme, "certs",
                x.certificates, "points", x.dispatch_points);
}
std::string describe(const core::DeliveryPoint& x) {
  return fields("id", x.id, "authority", x.authority_id, x.code, x.name, x.address, x.location);
}
std::string describe(const core::Product& x) {
  return fields("id", x.id, x.code, x.cpv, x.name_sl, x.name_en, x.unit, x.unit_mass_kg);
}
std::string describe(const core::AdmissionRequest& x) {
  return fields("id", x.id, "supplier", x.supplier_id, "category", x.category_id, "received", x.received_at,
                x.self_declaration, x.status, "decided", x.decided_at, x.decided_by, x.reason,
                x.extension_justification);
}
std::string describe(const core::RenewalRequest& x) {
  return fields("id", x.id, "supplier", x.supplier_id, x.requested_at, x.due_at, x.fulfilled_at, x.self_declaration);
}
std::string describe(const core::WeightRefinement& x) { return fields(x.kind, x.weight); }
std::string describe(const core::Round& x) {
  return fields("id", x.id, "dps", x.dps_id, "category", x.category_id, x.reference, x.title, x.status, x.award_mode,
                "partial", x.allow_partial, "dispatched", x.dispatched_at, "deadline", x.deadline, "opened",
                x.opened_at, "criteria", x.criteria_version, "refinements", x.refinements);
}
std::string describe(const core::Demand& x) { return fields(x.delivery_point_id, x.quantity, x.schedule); }
std::string describe(const core::Lot& x) {
  return fields("id", x.id, "round", x.round_id, "no", x.number, x.cpv, x.description, x.unit, x.unit_mass_kg,
                x.quality_spec, "demands", x.demands, "min", x.min_delivery);
}
std::string describe(const core::Invitation& x) { return fields(x.round_id, x.supplier_id, x.invited_at); }
std::string describe(const core::Bid& x) {
  return fields("id", x.id, "round", x.round_id, "supplier", x.supplier_id, "v", x.version, x.status, x.submitted_at,
                x.digest, "sealed", x.sealed, x.status_reason);
}
std::string describe(const core::PointOffer& x) { return fields(x.delivery_point_id, x.quantity); }
std::string describe(const core::BidLine& x) {
  return fields("lot", x.lot_id, x.unit_price, x.quantity, "dispatch", x.dispatch_point_id, x.organic, x.quality_scheme,
                x.hours_from_harvest, x.intermediaries, x.vehicle, "offers", x.point_offers);
}
std::string describe(const core::ScoreRecord& x) {
  return fields(x.round_id, x.lot_id, x.bid_id, x.delivery_point_id, x.kind, x.formula, x.weight, x.inputs, x.value,
                x.points);
}
std::string describe(const core::LotResult& x) {
  return fields(x.round_id, x.lot_id, x.bid_id, x.delivery_point_id, x.supplier_id, x.total, "rank", x.rank,
                x.admissible, x.abnormally_low, x.note);
}
std::string describe(const core::AbnormalLowCase& x) {
  return fields(x.round_id, x.lot_id, x.bid_id, x.explanation_requested_at, x.explanation, x.decided_at, x.rejected);
}
std::string describe(const core::AwardLine& x) {
  return fields(x.round_id, x.lot_id, x.bid_id, x.supplier_id, x.delivery_point_id, x.quantity, x.unit_price, x.score);
}
std::string describe(const core::AwardDecision& x) {
  return fields(x.round_id, x.decided_at, x.standstill_end, x.decided_by, x.certificate);
}
std::string describe(const core::AuditEntry& x) {
  return fields(x.seq, x.at, x.actor, x.action, x.object, x.digest, x.prev_hash, x.hash);
}
std::string describe(const core::Account& x) {
  return fields("id", x.id, x.username, x.display_name, x.email, x.password_hash, x.role, "authority", x.authority_id,
                "supplier", x.supplier_id, "active", x.active, x.language, x.created_at);
}
std::string describe(const core::Session& x) {
  return fields(x.token_hash, x.account_id, x.csrf_token, x.created_at, x.expires_at);
}
std::string describe(const core::ApiToken& x) {
  return fields("id", x.id, x.token_hash, x.account_id, x.label, x.created_at, "revoked", x.revoked);
}
std::string describe(const core::OutboxMessage& x) {
  return fields("id", x.id, x.recipient, x.subject, x.body, x.object, x.status, x.attempts, x.created_at,
                x.next_attempt_at, x.last_error);
}

template <class T>
std::string describeOpt(const std::optional<T>& x) {
  return x ? describe(*x) : std::string("none");
}

// The rows most cases hang theirs on: an authority with a DPS, a category, a supplier with a
// dispatch point, a delivery point, a round with one lot.
struct World {
  Id authority = 0;
  Id dps = 0;
  Id category = 0;
  Id supplier = 0;
  Id dispatch_point = 0;
  Id delivery_point = 0;
  Id round = 0;
  Id lot = 0;
};

World makeWorld(core::Tx& tx) {
  const std::string t = tag();
  World w;
  core::Authority a;
  a.name = "Občina " + t;
  w.authority = tx.insertAuthority(a);
  core::Dps d;
  d.authority_id = w.authority;
  d.reference = "DPS-" + t;
  d.title = "Živila " + t;
  d.cpv = "15000000";
  d.request_deadline = at(30 * kDay);
  d.valid_until = at(1000 * kDay);
  w.dps = tx.insertDps(d);
  core::Category c;
  c.dps_id = w.dps;
  c.code = "VEG";
  c.name = "Zelenjava";
  c.cpv = "03221000";
  w.category = tx.insertCategory(c);
  core::Supplier s;
  s.name = "Kmetija " + t;
  s.tax_number = "SI-W-" + t;
  s.dispatch_points.push_back(core::DispatchPoint{0, 0, "Skladišče", "Vas 1", {46.05, 14.5}});
  w.supplier = tx.insertSupplier(s);
  w.dispatch_point = tx.getSupplier(w.supplier)->dispatch_points.at(0).id;
  core::DeliveryPoint p;
  p.authority_id = w.authority;
  p.code = "OS-" + t;
  p.name = "OŠ " + t;
  p.location = {46.1, 14.6};
  w.delivery_point = tx.insertDeliveryPoint(p);
  core::Round r;
  r.dps_id = w.dps;
  r.category_id = w.category;
  r.reference = "R-" + t;
  r.title = "Krog " + t;
  r.deadline = at(60 * kDay);
  w.round = tx.insertRound(r);
  core::Lot l;
  l.round_id = w.round;
  l.number = 1;
  l.cpv = "03221000";
  l.description = "Korenje";
  l.demands.push_back(core::Demand{w.delivery_point, dec("100"), "weekly"});
  w.lot = tx.insertLot(l);
  return w;
}

core::Bid makeBid(const World& w, const std::string& sealed) {
  core::Bid b;
  b.round_id = w.round;
  b.supplier_id = w.supplier;
  b.submitted_at = at(40 * kDay);
  b.digest = std::string(64, 'a');
  b.sealed = sealed;
  return b;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ScratchFixture);

BOOST_AUTO_TEST_SUITE(store_backend)

BOOST_AUTO_TEST_CASE(backend_is_configured_or_reported_as_skipped) {
  if (configured()) {
    BOOST_TEST(store().backend() == kBackend);
    return;
  }
  BOOST_TEST_MESSAGE("skipped: DPS_TEST_MYSQL_URI is not set, so the MariaDB store contract does not run");
  BOOST_TEST(!dps_test::runningInCi(),
             "CI=true but DPS_TEST_MYSQL_URI is not set: the CI script must start MariaDB and export it");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(store_contract, *boost::unit_test::precondition(backendConfigured))

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(migrate_is_idempotent_and_returns_the_newest_version) {
  BOOST_TEST(store().migrate() == core::sql::latestSchemaVersion());
  BOOST_TEST(store().migrate() == core::sql::latestSchemaVersion());
  BOOST_TEST(core::sql::latestSchemaVersion() >= 4);
  // A second store on the same database finds it migrated and leaves it so.
  auto again = core::openStore(g_scratch->uri());
  BOOST_TEST(again->migrate() == core::sql::latestSchemaVersion());
}

// A database written by an earlier release (schema version 3) gains the accounts tables, the notice
// publications and the bid index, and keeps its data.
BOOST_AUTO_TEST_CASE(a_version_3_database_is_upgraded_in_place) {
  dps_test::ScratchStore old(backendKind());
  core::Authority a;
  a.name = "iz različice 3";
  old.store().transact([&](core::Tx& tx) { a.id = tx.insertAuthority(a); });
  auto* sql_store = dynamic_cast<core::sql::SqlStore*>(&old.store());
  BOOST_REQUIRE(sql_store != nullptr);
  sql_store->withConnection([](core::sql::Connection& c) {
    c.begin();
    for (const char* table :
         {"notice_publication", "certificate_archive", "web_session", "api_token", "account", "login_attempt", "app_setting",
          "outbox_message"}) {
      c.exec(std::string("DROP TABLE ") + table);
    }
    // SQLite creates the bid index again; InnoDB made it the index of the bid's round foreign key
    // and will not drop it, so there the step's guard (index exists: skip) is what runs.
    if (c.dialect() == core::sql::Dialect::kSqlite) c.exec("DROP INDEX ix_bid_round_supplier_version");
    c.exec("DELETE FROM schema_version WHERE version >= 4");
    c.commit();
  });
  BOOST_TEST(errorCodeOf([&] { old.store().transact([](core::Tx& tx) { tx.getSetting("x"); }); }) != "no error");

  BOOST_TEST(old.store().migrate() == core::sql::latestSchemaVersion());
  old.store().transact([&](core::Tx& tx) {
    BOOST_TEST(describeOpt(tx.getAuthority(a.id)) == describe(a));
    core::Account account;
    account.username = "po-nadgradnji";
    BOOST_TEST(tx.insertAccount(account) > 0);
    tx.putSetting("upgraded", "yes");
    BOOST_TEST(*tx.getSetting("upgraded") == "yes");
    BOOST_TEST(tx.listNoticePublications(a.id).empty());
  });
  std::int64_t indexes = 0;
  sql_store->withConnection([&](core::sql::Connection& c) {
    c.begin();
    core::sql::Statement& st =
        c.prepare(c.dialect() == core::sql::Dialect::kSqlite
                      ? "SELECT COUNT(*) FROM pragma_index_list('bid') WHERE name = 'ix_bid_round_supplier_version'"
                      : "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                        "TABLE_NAME = 'bid' AND INDEX_NAME = 'ix_bid_round_supplier_version'");
    st.query();
    while (st.next()) indexes = st.getInt(0);
    c.commit();
  });
  BOOST_TEST(indexes > 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(authorities)

BOOST_AUTO_TEST_CASE(authority_round_trips_and_is_listed) {
  core::Authority a;
  a.name = "Mestna občina Kranj";
  a.country = "SI";
  a.time_zone = "Europe/Ljubljana";
  a.id = inTx([&](core::Tx& tx) { return tx.insertAuthority(a); });
  BOOST_TEST(a.id > 0);
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getAuthority(a.id); })) == describe(a));
  const auto all = inTx([](core::Tx& tx) { return tx.listAuthorities(); });
  BOOST_TEST(std::count_if(all.begin(), all.end(), [&](const core::Authority& x) { return x.id == a.id; }) == 1);
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.getAuthority(999'999'999); }).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dps)

BOOST_AUTO_TEST_CASE(dps_with_vehicle_factors_round_trips_and_update_replaces_them) {
  const World w = inTx(makeWorld);
  core::Dps d = *inTx([&](core::Tx& tx) { return tx.getDps(w.dps); });
  d.title = "Sadje in zelenjava";
  d.status = core::DpsStatus::kPublished;
  d.published_at = at(kDay);
  d.criteria_version = 1;
  d.first_invitation_at = at(50 * kDay);
  d.initial_assessment_extended_until = at(45 * kDay);
  d.vehicle_factors = {{"van", dec("0.35")}, {"truck", dec("0.105")}};
  inTx([&](core::Tx& tx) { tx.updateDps(d); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getDps(w.dps); })) == describe(d));

  d.vehicle_factors = {{"electric_van", dec("0.02")}};
  d.published_at.reset();
  inTx([&](core::Tx& tx) { tx.updateDps(d); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getDps(w.dps); })) == describe(d));

  core::Dps fresh = d;
  fresh.reference = "DPS-NEW-" + tag();
  fresh.vehicle_factors = {{"car", dec("0.5")}, {"van", dec("0.3")}};
  fresh.id = inTx([&](core::Tx& tx) { return tx.insertDps(fresh); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getDps(fresh.id); })) == describe(fresh));
  // The factors alone, in their order, as a bid checks its vehicles.
  const auto factors = inTx([&](core::Tx& tx) { return tx.listVehicleFactors(fresh.id); });
  BOOST_TEST_REQUIRE(factors.size() == 2u);
  BOOST_TEST(factors[0].vehicle == "car");
  BOOST_TEST(factors[1].vehicle == "van");
  BOOST_TEST(factors[1].kg_co2e_per_tkm.toString() == "0.3");
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.listVehicleFactors(999'999'999); }).empty());
  const auto all = inTx([](core::Tx& tx) { return tx.listDps(); });
  BOOST_TEST(
      std::count_if(all.begin(), all.end(), [&](const core::Dps& x) { return describe(x) == describe(fresh); }) == 1);

  core::Dps missing = d;
  missing.id = 999'999'999;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateDps(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(categories_and_criteria)

BOOST_AUTO_TEST_CASE(categories_round_trip_and_codes_are_unique_in_a_dps) {
  const World w = inTx(makeWorld);
  core::Category c;
  c.dps_id = w.dps;
  c.code = "FRUIT-N";
  c.name = "Sadje, sever";
  c.cpv = "03222000";
  c.area = "sever";
  c.id = inTx([&](core::Tx& tx) { return tx.insertCategory(c); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getCategory(c.id); })) == describe(c));
  const auto list = inTx([&](core::Tx& tx) { return tx.listCategories(w.dps); });
  BOOST_REQUIRE(list.size() == 2u);
  BOOST_TEST(list[0].id == w.category);
  BOOST_TEST(describe(list[1]) == describe(c));
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertCategory(c); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_CASE(criteria_versions_round_trip_and_are_immutable) {
  const World w = inTx(makeWorld);
  core::Criterion price;
  price.kind = core::CriterionKind::kPrice;
  price.formula = core::Formula::kRelativeToBest;
  price.weight = 60;
  price.min_weight = 50;
  price.max_weight = 70;
  price.description = "Cena";
  core::Criterion distance;
  distance.kind = core::CriterionKind::kDistance;
  distance.formula = core::Formula::kBands;
  distance.weight = 20;
  distance.min_weight = 10;
  distance.max_weight = 30;
  distance.bands = {{dec("25"), core::Exact(20)}, {dec("50.5"), core::Exact::fraction(40, 3)}, {dec("100"), 0}};
  core::Criterion label;
  label.kind = core::CriterionKind::kLabel;
  label.formula = core::Formula::kLinearBand;
  label.weight = 20;
  label.a = dec("1.5");
  label.b = dec("7.25");
  label.fact = "organic_or_quality";
  core::Criterion fresh;  // a second criterion with bands: each keeps its own
  fresh.kind = core::CriterionKind::kFreshness;
  fresh.formula = core::Formula::kBands;
  fresh.weight = 10;
  fresh.bands = {{dec("12"), core::Exact(10)}, {dec("48"), core::Exact(5)}};
  const std::vector<core::Criterion> v1 = {price, distance, label, fresh};
  inTx([&](core::Tx& tx) { tx.insertCriteria(w.dps, 1, v1); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listCriteria(w.dps, 1); })) == str(v1));

  std::vector<core::Criterion> changed = v1;
  changed[0].weight = 55;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertCriteria(w.dps, 1, changed); }); }) ==
             code(core::ErrorCode::kConflict));
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listCriteria(w.dps, 1); })) == str(v1));

  inTx([&](core::Tx& tx) { tx.insertCriteria(w.dps, 2, changed); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listCriteria(w.dps, 2); })) == str(changed));
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listCriteria(w.dps, 1); })) == str(v1));
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listCriteria(w.dps, 3); }).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(suppliers)

BOOST_AUTO_TEST_CASE(supplier_with_certificates_and_dispatch_points_round_trips) {
  core::Supplier s;
  s.name = "Kmetija Novak";
  s.tax_number = "SI" + tag();
  s.address = "Pot 3, Kranj";
  s.email = "novak@example.si";
  s.is_sme = false;
  s.certificates = {{"organic (EU 2018/848)", "SI-EKO-001", at(365 * kDay)}, {"HACCP", "H-7", std::nullopt}};
  s.dispatch_points = {{0, 0, "Hlev", "Pot 3", {46.2389, 14.3556}}, {0, 0, "Tržnica", "Trg 1", {46.05, 14.50625}}};
  s.id = inTx([&](core::Tx& tx) { return tx.insertSupplier(s); });
  const auto got = inTx([&](core::Tx& tx) { return tx.getSupplier(s.id); });
  BOOST_REQUIRE(got.has_value());
  BOOST_REQUIRE(got->dispatch_points.size() == 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    BOOST_TEST(got->dispatch_points[i].id > 0);
    s.dispatch_points[i].id = got->dispatch_points[i].id;
    s.dispatch_points[i].supplier_id = s.id;
  }
  BOOST_TEST(describe(*got) == describe(s));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findSupplierByTaxNumber(s.tax_number); })) == describe(s));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getDispatchPoint(s.dispatch_points[1].id); })) ==
             describe(s.dispatch_points[1]));
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.findSupplierByTaxNumber("no-such-tax-number"); }).has_value());
  core::Supplier certificates_only;
  certificates_only.certificates = inTx([&](core::Tx& tx) { return tx.listCertificates(s.id); });
  core::Supplier expected_certificates;
  expected_certificates.certificates = s.certificates;
  BOOST_TEST(describe(certificates_only) == describe(expected_certificates));
  const auto all = inTx([](core::Tx& tx) { return tx.listSuppliers(); });
  BOOST_TEST(
      std::count_if(all.begin(), all.end(), [&](const core::Supplier& x) { return describe(x) == describe(s); }) == 1);
  // The list reads every supplier's certificates and dispatch points at once: each as getSupplier reads it.
  for (const core::Supplier& x : all)
    BOOST_TEST(describe(x) == describeOpt(inTx([&](core::Tx& tx) { return tx.getSupplier(x.id); })));

  core::Supplier twin = s;
  twin.name = "Another";
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertSupplier(twin); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_CASE(suppliers_inserted_in_batches_read_back_as_inserted_one_by_one) {
  // More than one batch statement, and a remainder, so that every statement size is used.
  std::vector<core::Supplier> batch;
  for (int i = 0; i < 700; ++i) {
    core::Supplier s;
    s.name = "Kmetija " + std::to_string(i);
    s.tax_number = "SI" + tag() + "-" + std::to_string(i);
    s.address = "Vas " + std::to_string(i);
    s.email = "k" + std::to_string(i) + "@example.si";
    s.is_sme = i % 2 == 0;
    if (i % 3 != 0) s.certificates = {{"organic", "EKO-" + std::to_string(i), at(kDay)}, {"HACCP", "H", std::nullopt}};
    s.dispatch_points = {{0, 0, "Farm", "Vas", {46.0 + i * 0.001, 14.0}}};
    if (i % 5 == 0) s.dispatch_points.push_back({0, 0, "Hub", "Trg 1", {46.05, 14.5}});
    batch.push_back(s);
  }
  const std::vector<Id> ids = inTx([&](core::Tx& tx) { return tx.insertSuppliers(batch); });
  BOOST_REQUIRE(ids.size() == batch.size());
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].id = ids[i];
    keys.push_back(batch[i].tax_number);
  }
  keys.push_back("no-such-tax-number");
  keys.push_back(batch[3].tax_number);  // asked twice, found once
  const auto found = inTx([&](core::Tx& tx) { return tx.findSuppliersByTaxNumbers(keys); });
  BOOST_TEST(found.size() == batch.size());
  for (const core::Supplier& got : found) {
    const auto it = std::find(ids.begin(), ids.end(), got.id);
    BOOST_REQUIRE(it != ids.end());
    const std::size_t i = static_cast<std::size_t>(it - ids.begin());
    BOOST_TEST(describe(got) == describeOpt(inTx([&](core::Tx& tx) { return tx.getSupplier(got.id); })));
    core::Supplier expected = batch[i];
    for (std::size_t p = 0; p < expected.dispatch_points.size(); ++p) {
      BOOST_REQUIRE(p < got.dispatch_points.size());
      expected.dispatch_points[p].id = got.dispatch_points[p].id;
      expected.dispatch_points[p].supplier_id = got.id;
    }
    BOOST_TEST(describe(got) == describe(expected));
  }
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.findSuppliersByTaxNumbers({}); }).empty());
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertSuppliers({batch[0]}); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_CASE(supplier_update_keeps_dispatch_point_ids_and_never_deletes_points) {
  core::Supplier s;
  s.name = "Sadjarstvo";
  s.tax_number = "SI" + tag();
  s.certificates = {{"HACCP", "1", std::nullopt}};
  s.dispatch_points = {{0, 0, "A", "a", {1, 2}}, {0, 0, "B", "b", {3, 4}}};
  s.id = inTx([&](core::Tx& tx) { return tx.insertSupplier(s); });
  core::Supplier stored = *inTx([&](core::Tx& tx) { return tx.getSupplier(s.id); });
  const Id a_id = stored.dispatch_points[0].id;
  const Id b_id = stored.dispatch_points[1].id;

  stored.name = "Sadjarstvo d.o.o.";
  stored.certificates = {{"organic", "EKO-9", at(kDay)}, {"IFS", "2", std::nullopt}};
  stored.dispatch_points = {stored.dispatch_points[0], {0, 0, "C", "c", {5, 6}}};
  stored.dispatch_points[0].name = "A renamed";
  stored.dispatch_points[0].location = {1.5, 2.5};
  inTx([&](core::Tx& tx) { tx.updateSupplier(stored); });

  const core::Supplier after = *inTx([&](core::Tx& tx) { return tx.getSupplier(s.id); });
  BOOST_TEST(after.name == "Sadjarstvo d.o.o.");
  BOOST_TEST(str(after.certificates) == str(stored.certificates));
  BOOST_REQUIRE(after.dispatch_points.size() == 2u);
  BOOST_TEST(after.dispatch_points[0].id == a_id);
  BOOST_TEST(after.dispatch_points[0].name == "A renamed");
  BOOST_TEST(after.dispatch_points[0].location.lat == 1.5);
  BOOST_TEST(after.dispatch_points[1].name == "C");
  BOOST_TEST(after.dispatch_points[1].id != a_id);
  BOOST_TEST(after.dispatch_points[1].id != b_id);
  // B is no longer listed but still exists: bids may refer to it.
  const auto b = inTx([&](core::Tx& tx) { return tx.getDispatchPoint(b_id); });
  BOOST_REQUIRE(b.has_value());
  BOOST_TEST(b->name == "B");
  BOOST_TEST(b->supplier_id == s.id);
  // The current points alone list what the supplier's profile lists, not B.
  const auto current = inTx([&](core::Tx& tx) { return tx.listDispatchPoints(s.id); });
  BOOST_REQUIRE(current.size() == 2u);
  BOOST_TEST(current[0].id == a_id);
  BOOST_TEST(current[1].name == "C");

  core::Supplier missing = stored;
  missing.id = 999'999'999;
  missing.tax_number = "SI-missing-" + tag();
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateSupplier(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(delivery_points_and_products)

BOOST_AUTO_TEST_CASE(delivery_points_round_trip_update_and_find_by_code) {
  const World w = inTx(makeWorld);
  core::DeliveryPoint p;
  p.authority_id = w.authority;
  p.code = "VRTEC-1";
  p.name = "Vrtec Čebelica";
  p.address = "Šolska 2";
  p.location = {46.123456789, 14.987654321};
  p.id = inTx([&](core::Tx& tx) { return tx.insertDeliveryPoint(p); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getDeliveryPoint(p.id); })) == describe(p));
  p.name = "Vrtec Čebelica, enota 2";
  p.location = {46.5, 15.25};
  inTx([&](core::Tx& tx) { tx.updateDeliveryPoint(p); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findDeliveryPoint(w.authority, "VRTEC-1"); })) ==
             describe(p));
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.findDeliveryPoint(w.authority, "NONE"); }).has_value());
  const auto list = inTx([&](core::Tx& tx) { return tx.listDeliveryPoints(w.authority); });
  BOOST_REQUIRE(list.size() == 2u);
  BOOST_TEST(list[0].id == w.delivery_point);
  BOOST_TEST(describe(list[1]) == describe(p));
  core::DeliveryPoint missing = p;
  missing.id = 999'999'999;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateDeliveryPoint(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(products_round_trip_and_update) {
  core::Product p;
  p.code = "APPLE-" + tag();
  p.cpv = "03222321";
  p.name_sl = "Jabolka Gala";
  p.name_en = "Gala apples";
  p.unit = "kg";
  p.unit_mass_kg = dec("1");
  p.id = inTx([&](core::Tx& tx) { return tx.insertProduct(p); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findProductByCode(p.code); })) == describe(p));
  p.unit = "piece";
  p.unit_mass_kg = dec("0.185");
  inTx([&](core::Tx& tx) { tx.updateProduct(p); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findProductByCode(p.code); })) == describe(p));
  const auto all = inTx([](core::Tx& tx) { return tx.listProducts(); });
  BOOST_TEST(
      std::count_if(all.begin(), all.end(), [&](const core::Product& x) { return describe(x) == describe(p); }) == 1);
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.findProductByCode("NO-SUCH-PRODUCT"); }).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(admission_and_renewal)

BOOST_AUTO_TEST_CASE(admission_requests_round_trip_and_list_by_dps_and_supplier) {
  const World w = inTx(makeWorld);
  core::AdmissionRequest r;
  r.supplier_id = w.supplier;
  r.category_id = w.category;
  r.received_at = at(2 * kDay);
  r.self_declaration = "<espd:QualificationApplicationResponse>…</espd:QualificationApplicationResponse>";
  r.id = inTx([&](core::Tx& tx) { return tx.insertAdmissionRequest(r); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getAdmissionRequest(r.id); })) == describe(r));
  r.status = core::AdmissionStatus::kAdmitted;
  r.decided_at = at(5 * kDay);
  r.decided_by = "officer";
  r.reason = "meets the criteria";
  r.extension_justification = "many requests";
  inTx([&](core::Tx& tx) { tx.updateAdmissionRequest(r); });
  core::AdmissionRequest second = r;
  second.received_at = at(3 * kDay);
  second.status = core::AdmissionStatus::kPending;
  second.decided_at.reset();
  second.id = inTx([&](core::Tx& tx) { return tx.insertAdmissionRequest(second); });
  const auto by_dps = inTx([&](core::Tx& tx) { return tx.listAdmissionRequests(w.dps); });
  BOOST_TEST(str(by_dps) == str(std::vector<core::AdmissionRequest>{r, second}));
  const auto by_supplier = inTx([&](core::Tx& tx) { return tx.listSupplierAdmissions(w.supplier); });
  BOOST_TEST(str(by_supplier) == str(std::vector<core::AdmissionRequest>{r, second}));
  // Admitted once however many requests; a pending request alone does not count.
  BOOST_TEST((inTx([&](core::Tx& tx) { return tx.listAdmittedSuppliers(w.category); }) == std::vector<Id>{w.supplier}));
  const World other = inTx(makeWorld);
  core::AdmissionRequest pending = second;
  pending.supplier_id = other.supplier;
  pending.category_id = other.category;
  inTx([&](core::Tx& tx) { return tx.insertAdmissionRequest(pending); });
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listAdmittedSuppliers(other.category); }).empty());
  core::AdmissionRequest missing = r;
  missing.id = 999'999'999;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateAdmissionRequest(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(renewal_requests_round_trip) {
  const World w = inTx(makeWorld);
  core::RenewalRequest r;
  r.supplier_id = w.supplier;
  r.requested_at = at(kDay);
  r.due_at = at(11 * kDay);
  r.id = inTx([&](core::Tx& tx) { return tx.insertRenewalRequest(r); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listRenewalRequests(w.supplier); })) ==
             str(std::vector<core::RenewalRequest>{r}));
  r.fulfilled_at = at(4 * kDay);
  r.self_declaration = "<espd/>";
  inTx([&](core::Tx& tx) { tx.updateRenewalRequest(r); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listRenewalRequests(w.supplier); })) ==
             str(std::vector<core::RenewalRequest>{r}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(road_distances)

BOOST_AUTO_TEST_CASE(road_distances_and_points_are_read_a_batch_at_a_time) {
  const World w = inTx(makeWorld);
  const World other = inTx(makeWorld);
  inTx([&](core::Tx& tx) {
    tx.putRoadDistance(w.dispatch_point, w.delivery_point, dec("12.5"));
    tx.putRoadDistance(w.dispatch_point, other.delivery_point, dec("30"));
    tx.putRoadDistance(other.dispatch_point, w.delivery_point, dec("7.25"));
  });
  std::vector<core::RoadDistance> got = inTx([&](core::Tx& tx) {
    return tx.listRoadDistances({w.dispatch_point, 999'999'999, w.dispatch_point});
  });
  std::sort(got.begin(), got.end(), [](const core::RoadDistance& a, const core::RoadDistance& b) {
    return a.delivery_point_id < b.delivery_point_id;
  });
  BOOST_REQUIRE(got.size() == 2u);
  BOOST_TEST(got[0].dispatch_point_id == w.dispatch_point);
  BOOST_TEST(got[0].delivery_point_id == w.delivery_point);
  BOOST_TEST(str(got[0].km) == "12.5");
  BOOST_TEST(got[1].delivery_point_id == other.delivery_point);
  BOOST_TEST(str(got[1].km) == "30");
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listRoadDistances({}); }).empty());

  // Dispatch points by id, a removed one too (bids name it); delivery points by id.
  core::Supplier s = *inTx([&](core::Tx& tx) { return tx.getSupplier(w.supplier); });
  const core::DispatchPoint removed = s.dispatch_points.at(0);
  s.dispatch_points.clear();
  inTx([&](core::Tx& tx) { tx.updateSupplier(s); });
  const auto dispatch = inTx([&](core::Tx& tx) {
    return tx.findDispatchPoints({other.dispatch_point, removed.id, 999'999'999});
  });
  BOOST_REQUIRE(dispatch.size() == 2u);
  const auto it =
      std::find_if(dispatch.begin(), dispatch.end(), [&](const core::DispatchPoint& p) { return p.id == removed.id; });
  BOOST_REQUIRE(it != dispatch.end());
  BOOST_TEST(it->name == removed.name);
  BOOST_TEST(it->location.lat == removed.location.lat);
  const auto delivery = inTx([&](core::Tx& tx) {
    return tx.findDeliveryPoints({w.delivery_point, other.delivery_point, w.delivery_point});
  });
  BOOST_REQUIRE(delivery.size() == 2u);
  for (const core::DeliveryPoint& p : delivery)
    BOOST_TEST(describe(p) == describeOpt(inTx([&](core::Tx& tx) { return tx.getDeliveryPoint(p.id); })));
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.findDispatchPoints({}); }).empty());
}

BOOST_AUTO_TEST_CASE(road_distance_is_stored_and_replaced) {
  const World w = inTx(makeWorld);
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.getRoadDistance(w.dispatch_point, w.delivery_point); }).has_value());
  inTx([&](core::Tx& tx) { tx.putRoadDistance(w.dispatch_point, w.delivery_point, dec("12.345678")); });
  BOOST_TEST(str(*inTx([&](core::Tx& tx) { return tx.getRoadDistance(w.dispatch_point, w.delivery_point); })) ==
             "12.345678");
  inTx([&](core::Tx& tx) { tx.putRoadDistance(w.dispatch_point, w.delivery_point, dec("9.5")); });
  BOOST_TEST(str(*inTx([&](core::Tx& tx) { return tx.getRoadDistance(w.dispatch_point, w.delivery_point); })) == "9.5");
  BOOST_TEST(errorCodeOf([&] {
               inTx([&](core::Tx& tx) { tx.putRoadDistance(999'999'999, w.delivery_point, dec("1")); });
             }) == code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rounds_and_lots)

BOOST_AUTO_TEST_CASE(suspension_records_are_the_certificates_archive_and_renewal_dates_in_order) {
  const World w = inTx(makeWorld);
  core::Supplier s = *inTx([&](core::Tx& tx) { return tx.getSupplier(w.supplier); });
  s.certificates = {{"organic", "SI-EKO-1", at(10 * kDay)}, {"HACCP", "H-1", std::nullopt}};
  inTx([&](core::Tx& tx) { tx.updateSupplier(s); });
  inTx([&](core::Tx& tx) { tx.archiveCertificates(w.supplier, at(12 * kDay)); });
  s.certificates = {{"organic", "SI-EKO-2", at(400 * kDay)}, {"GlobalG.A.P.", "G-7", at(300 * kDay)}};
  inTx([&](core::Tx& tx) { tx.updateSupplier(s); });
  core::RenewalRequest late;
  late.supplier_id = w.supplier;
  late.requested_at = at(30 * kDay);
  late.due_at = at(40 * kDay);
  core::RenewalRequest early = late;
  early.requested_at = at(5 * kDay);
  early.due_at = at(15 * kDay);
  early.fulfilled_at = at(9 * kDay);
  early.self_declaration = "<espd/>";
  inTx([&](core::Tx& tx) {
    tx.insertRenewalRequest(late);
    tx.insertRenewalRequest(early);
  });

  const core::SuspensionRecords got = inTx([&](core::Tx& tx) { return tx.suspensionRecords(w.supplier); });
  BOOST_TEST(str(got.certificates) == str(inTx([&](core::Tx& tx) { return tx.listCertificates(w.supplier); })));
  BOOST_REQUIRE(got.archived.size() == 2u);
  const auto archived = inTx([&](core::Tx& tx) { return tx.listArchivedCertificates(w.supplier); });
  for (std::size_t i = 0; i < archived.size(); ++i) {
    BOOST_TEST(str(std::vector<core::Certificate>{got.archived[i].certificate}) ==
               str(std::vector<core::Certificate>{archived[i].certificate}));
    BOOST_TEST((got.archived[i].in_effect_until == archived[i].in_effect_until));
  }
  BOOST_REQUIRE(got.renewals.size() == 2u);
  BOOST_TEST((got.renewals[0].requested_at == early.requested_at));
  BOOST_TEST((got.renewals[0].due_at == early.due_at));
  BOOST_TEST((got.renewals[0].fulfilled_at == early.fulfilled_at));
  BOOST_TEST((got.renewals[1].requested_at == late.requested_at));
  BOOST_TEST((got.renewals[1].due_at == late.due_at));
  BOOST_TEST(!got.renewals[1].fulfilled_at.has_value());

  const core::SuspensionRecords none = inTx([&](core::Tx& tx) { return tx.suspensionRecords(w.supplier + 1000000); });
  BOOST_TEST(none.certificates.empty());
  BOOST_TEST(none.archived.empty());
  BOOST_TEST(none.renewals.empty());
}

BOOST_AUTO_TEST_CASE(rounds_round_trip_with_refinements_and_lock) {
  const World w = inTx(makeWorld);
  core::Round r = *inTx([&](core::Tx& tx) { return tx.getRound(w.round); });
  r.status = core::RoundStatus::kOpen;
  r.award_mode = core::AwardMode::kOptimalByDeliveryPoint;
  r.allow_partial = true;
  r.dispatched_at = at(41 * kDay);
  r.opened_at = at(61 * kDay);
  r.criteria_version = 2;
  r.refinements = {{core::CriterionKind::kPrice, 65}, {core::CriterionKind::kCo2, 15}};
  inTx([&](core::Tx& tx) { tx.updateRound(r); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getRound(w.round); })) == describe(r));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.lockRound(w.round, core::LockMode::kShared); })) ==
             describe(r));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.lockRound(w.round, core::LockMode::kExclusive); })) ==
             describe(r));
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.lockRound(999'999'999, core::LockMode::kExclusive); }).has_value());

  core::Round second = r;
  second.reference = "R-2-" + tag();
  second.refinements.clear();
  second.id = inTx([&](core::Tx& tx) { return tx.insertRound(second); });
  core::Round third = r;  // refinements again after a round without any
  third.reference = "R-3-" + tag();
  third.refinements = {{core::CriterionKind::kDistance, 30}};
  third.id = inTx([&](core::Tx& tx) { return tx.insertRound(third); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listRounds(w.dps); })) ==
             str(std::vector<core::Round>{r, second, third}));
  core::Round missing = r;
  missing.id = 999'999'999;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateRound(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(lots_with_demands_round_trip_in_number_order) {
  const World w = inTx(makeWorld);
  const Id second_point = inTx([&](core::Tx& tx) {
    core::DeliveryPoint p;
    p.authority_id = w.authority;
    p.code = "P2";
    return tx.insertDeliveryPoint(p);
  });
  core::Lot l;
  l.round_id = w.round;
  l.number = 3;
  l.cpv = "03222321";
  l.description = "Jabolka";
  l.unit = "piece";
  l.unit_mass_kg = dec("0.2");
  l.quality_spec = "razred I";
  l.min_delivery = dec("12.5");
  l.demands = {{w.delivery_point, dec("1000"), "weekly, Mon"}, {second_point, dec("250.75"), "twice a week"}};
  l.id = inTx([&](core::Tx& tx) { return tx.insertLot(l); });
  const auto lots = inTx([&](core::Tx& tx) { return tx.listLots(w.round); });
  BOOST_REQUIRE(lots.size() == 2u);
  BOOST_TEST(lots[0].id == w.lot);
  BOOST_TEST(describe(lots[1]) == describe(l));
  core::Lot same_number = l;
  same_number.demands.clear();
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertLot(same_number); }); }) ==
             code(core::ErrorCode::kConflict));

  // findLots: only the named lots of this round, in number order, each with its demand in order; a
  // lot of another round and an unknown id are not found; naming a lot twice finds it once.
  const World other = inTx(makeWorld);
  const auto found = inTx([&](core::Tx& tx) { return tx.findLots(w.round, {l.id, other.lot, 999'999'999, l.id}); });
  BOOST_REQUIRE(found.size() == 1u);
  BOOST_TEST(describe(found[0]) == describe(l));
  const auto both = inTx([&](core::Tx& tx) { return tx.findLots(w.round, {l.id, w.lot}); });
  BOOST_REQUIRE(both.size() == 2u);
  BOOST_TEST(describe(both[0]) == describe(lots[0]));
  BOOST_TEST(describe(both[1]) == describe(l));
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.findLots(w.round, {}); }).empty());
  core::Lot bare = l;  // a lot without demand rows is found too, with none
  bare.number = 4;
  bare.demands.clear();
  bare.id = inTx([&](core::Tx& tx) { return tx.insertLot(bare); });
  const auto with_bare = inTx([&](core::Tx& tx) { return tx.findLots(w.round, {bare.id, l.id}); });
  BOOST_REQUIRE(with_bare.size() == 2u);
  BOOST_TEST(describe(with_bare[0]) == describe(l));
  BOOST_TEST(describe(with_bare[1]) == describe(bare));
}

BOOST_AUTO_TEST_CASE(lots_inserted_in_batches_read_back_with_their_demand) {
  const World w = inTx(makeWorld);
  std::vector<core::Lot> batch;
  for (int n = 10; n < 10 + 300; ++n) {
    core::Lot l;
    l.round_id = w.round;
    l.number = n;
    l.cpv = "03221000";
    l.description = "Zelenjava " + std::to_string(n);
    l.unit = "kg";
    l.unit_mass_kg = dec("1");
    for (int d = 0; d < n % 4; ++d) l.demands.push_back({w.delivery_point, core::Decimal::fromRaw(n * 1000000 + 500000), "week " + std::to_string(d)});
    batch.push_back(l);
  }
  const std::vector<Id> ids = inTx([&](core::Tx& tx) { return tx.insertLots(batch); });
  BOOST_REQUIRE(ids.size() == batch.size());
  const auto lots = inTx([&](core::Tx& tx) { return tx.listLots(w.round); });
  BOOST_REQUIRE(lots.size() == batch.size() + 1);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].id = ids[i];
    BOOST_TEST(describe(lots[i + 1]) == describe(batch[i]));
  }
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertLots({batch[5]}); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_CASE(invitations_round_trip_and_are_unique_per_supplier) {
  const World w = inTx(makeWorld);
  const std::vector<core::Invitation> invitations = {{w.round, w.supplier, at(41 * kDay)}};
  inTx([&](core::Tx& tx) { tx.insertInvitations(invitations); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listInvitations(w.round); })) == str(invitations));
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertInvitations(invitations); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bids)

BOOST_AUTO_TEST_CASE(bids_keep_binary_sealed_content_and_status) {
  const World w = inTx(makeWorld);
  std::string sealed("\x00\x01\x02\xff\xfe sealed \x00 tail", 19);
  for (int i = 0; i < 4096; ++i) sealed.push_back(static_cast<char>(i % 256));
  core::Bid b = makeBid(w, sealed);
  b.id = inTx([&](core::Tx& tx) { return tx.insertBid(b); });
  const auto got = inTx([&](core::Tx& tx) { return tx.getBid(b.id); });
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->sealed.size() == sealed.size());
  BOOST_TEST(got->sealed == sealed);
  BOOST_TEST(describe(*got) == describe(b));

  core::Bid v2 = makeBid(w, "second");
  v2.version = 2;
  v2.id = inTx([&](core::Tx& tx) {
    tx.updateBidStatus(b.id, core::BidStatus::kSuperseded, "replaced by version 2");
    return tx.insertBid(v2);
  });
  b.status = core::BidStatus::kSuperseded;
  b.status_reason = "replaced by version 2";
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listBids(w.round); })) == str(std::vector<core::Bid>{b, v2}));
  BOOST_TEST(errorCodeOf([&] {
               inTx([&](core::Tx& tx) { tx.updateBidStatus(999'999'999, core::BidStatus::kWithdrawn, ""); });
             }) == code(core::ErrorCode::kNotFound));
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.getBid(999'999'999); }).has_value());
}

BOOST_AUTO_TEST_CASE(bid_lines_with_point_offers_round_trip) {
  const World w = inTx(makeWorld);
  const Id bid = inTx([&](core::Tx& tx) { return tx.insertBid(makeBid(w, "x")); });
  core::BidLine line;
  line.lot_id = w.lot;
  line.unit_price = dec("1.234567");
  line.quantity = dec("100");
  line.dispatch_point_id = w.dispatch_point;
  line.organic = true;
  line.quality_scheme = false;
  line.hours_from_harvest = 36;
  line.intermediaries = 1;
  line.vehicle = "electric_van";
  line.point_offers = {{w.delivery_point, dec("60.5")}};
  inTx([&](core::Tx& tx) { tx.insertBidLines(bid, {line}); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listBidLines(bid); })) == str(std::vector<core::BidLine>{line}));
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.listBidLines(999'999'999); }).empty());
}

BOOST_AUTO_TEST_CASE(a_suppliers_invitation_and_newest_bid_are_found_without_the_others) {
  const World w = inTx(makeWorld);
  const Id other = inTx([&](core::Tx& tx) {
    core::Supplier s;
    s.name = "Druga kmetija " + tag();
    s.tax_number = "SI-O-" + tag();
    return tx.insertSupplier(s);
  });
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.lockInvitation(w.round, w.supplier); }).has_value());
  const core::Invitation invitation{w.round, w.supplier, at(41 * kDay)};
  inTx([&](core::Tx& tx) { tx.insertInvitations({invitation}); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.lockInvitation(w.round, w.supplier); })) ==
             describe(invitation));
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.lockInvitation(w.round, other); }).has_value());

  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.latestBid(w.round, w.supplier); }).has_value());
  core::Bid first = makeBid(w, "first");
  first.status = core::BidStatus::kSuperseded;
  first.id = inTx([&](core::Tx& tx) { return tx.insertBid(first); });
  core::Bid theirs = makeBid(w, "theirs");
  theirs.supplier_id = other;
  theirs.version = 7;
  theirs.id = inTx([&](core::Tx& tx) { return tx.insertBid(theirs); });
  core::Bid second = makeBid(w, "second");
  second.version = 2;
  second.status = core::BidStatus::kWithdrawn;
  second.id = inTx([&](core::Tx& tx) { return tx.insertBid(second); });
  // The newest version whatever its status, and only the supplier's own.
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.latestBid(w.round, w.supplier); })) == describe(second));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.latestBid(w.round, other); })) == describe(theirs));
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.latestBid(999'999'999, w.supplier); }).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(evaluation_and_award)

BOOST_AUTO_TEST_CASE(scores_and_lot_results_keep_exact_values_exactly) {
  const World w = inTx(makeWorld);
  const Id bid = inTx([&](core::Tx& tx) { return tx.insertBid(makeBid(w, "x")); });
  // Values no double holds: a third, and a fraction with a 30-digit numerator.
  const core::Exact third = core::Exact::fraction(1, 3);
  const core::Exact huge = core::Exact::parse("123456789012345678901234567890/7");
  core::ScoreRecord s;
  s.round_id = w.round;
  s.lot_id = w.lot;
  s.bid_id = bid;
  s.kind = core::CriterionKind::kPrice;
  s.formula = core::Formula::kRelativeToBest;
  s.weight = 60;
  s.inputs = "value=3;best=1;unit=EUR/kg";
  s.value = huge;
  s.points = third * core::Exact(60);
  core::ScoreRecord per_point = s;
  per_point.delivery_point_id = w.delivery_point;
  per_point.kind = core::CriterionKind::kDistance;
  per_point.points = core::Exact::fraction(-7, 9);
  inTx([&](core::Tx& tx) { tx.insertScores({s, per_point}); });
  const auto scores = inTx([&](core::Tx& tx) { return tx.listScores(w.round); });
  BOOST_TEST(str(scores) == str(std::vector<core::ScoreRecord>{s, per_point}));
  BOOST_REQUIRE(scores.size() == 2u);
  BOOST_TEST((scores[0].value == huge));
  BOOST_TEST((scores[0].points == core::Exact(20)));

  core::LotResult r;
  r.round_id = w.round;
  r.lot_id = w.lot;
  r.bid_id = bid;
  r.supplier_id = w.supplier;
  r.total = huge + third;
  r.rank = 1;
  r.note = "najboljša";
  inTx([&](core::Tx& tx) { tx.insertLotResults({r}); });
  auto results = inTx([&](core::Tx& tx) { return tx.listLotResults(w.round); });
  BOOST_REQUIRE(results.size() == 1u);
  BOOST_TEST((results[0].total == huge + third));
  BOOST_TEST(describe(results[0]) == describe(r));

  r.total = core::Exact::fraction(200, 3);
  r.rank = 0;
  r.admissible = false;
  r.abnormally_low = true;
  r.note = "abnormally low";
  inTx([&](core::Tx& tx) { tx.updateLotResult(r); });
  results = inTx([&](core::Tx& tx) { return tx.listLotResults(w.round); });
  BOOST_TEST(str(results) == str(std::vector<core::LotResult>{r}));

  core::LotResult missing = r;
  missing.delivery_point_id = w.delivery_point;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateLotResult(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(delete_evaluation_removes_only_that_rounds_scores_and_results) {
  const World a = inTx(makeWorld);
  const World b = inTx(makeWorld);
  for (const World* w : {&a, &b}) {
    inTx([&](core::Tx& tx) {
      const Id bid = tx.insertBid(makeBid(*w, "x"));
      core::ScoreRecord s;
      s.round_id = w->round;
      s.lot_id = w->lot;
      s.bid_id = bid;
      s.points = 10;
      tx.insertScores({s});
      core::LotResult r;
      r.round_id = w->round;
      r.lot_id = w->lot;
      r.bid_id = bid;
      r.supplier_id = w->supplier;
      r.total = 10;
      r.rank = 1;
      tx.insertLotResults({r});
    });
  }
  inTx([&](core::Tx& tx) { tx.deleteEvaluation(a.round); });
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listScores(a.round); }).empty());
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listLotResults(a.round); }).empty());
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listScores(b.round); }).size() == 1u);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listLotResults(b.round); }).size() == 1u);
}

BOOST_AUTO_TEST_CASE(abnormal_low_cases_are_inserted_then_replaced) {
  const World w = inTx(makeWorld);
  const Id bid = inTx([&](core::Tx& tx) { return tx.insertBid(makeBid(w, "x")); });
  core::AbnormalLowCase c;
  c.round_id = w.round;
  c.lot_id = w.lot;
  c.bid_id = bid;
  c.explanation_requested_at = at(62 * kDay);
  inTx([&](core::Tx& tx) { tx.putAbnormalLowCase(c); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listAbnormalLowCases(w.round); })) ==
             str(std::vector<core::AbnormalLowCase>{c}));
  c.explanation = "lastna pridelava, brez posrednikov";
  c.decided_at = at(70 * kDay);
  c.rejected = true;
  inTx([&](core::Tx& tx) { tx.putAbnormalLowCase(c); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listAbnormalLowCases(w.round); })) ==
             str(std::vector<core::AbnormalLowCase>{c}));
}

BOOST_AUTO_TEST_CASE(award_lines_and_decision_round_trip) {
  const World w = inTx(makeWorld);
  const Id bid = inTx([&](core::Tx& tx) { return tx.insertBid(makeBid(w, "x")); });
  core::AwardLine whole;
  whole.round_id = w.round;
  whole.lot_id = w.lot;
  whole.bid_id = bid;
  whole.supplier_id = w.supplier;
  whole.quantity = dec("100");
  whole.unit_price = dec("1.99");
  whole.score = core::Exact::fraction(271, 3);
  core::AwardLine to_point = whole;
  to_point.delivery_point_id = w.delivery_point;
  to_point.quantity = dec("40.5");
  inTx([&](core::Tx& tx) { tx.insertAwardLines({whole, to_point}); });
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listAwardLines(w.round); })) ==
             str(std::vector<core::AwardLine>{whole, to_point}));

  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.getAwardDecision(w.round); }).has_value());
  core::AwardDecision d;
  d.round_id = w.round;
  d.decided_at = at(80 * kDay);
  d.standstill_end = at(90 * kDay);
  d.decided_by = "Župan";
  d.certificate = std::string(100'000, 'c');
  inTx([&](core::Tx& tx) { tx.insertAwardDecision(d); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getAwardDecision(w.round); })) == describe(d));
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertAwardDecision(d); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_CASE(replaced_certificates_are_archived_with_the_instant_they_ended) {
  const World w = inTx(makeWorld);
  core::Supplier s = *inTx([&](core::Tx& tx) { return tx.getSupplier(w.supplier); });
  s.certificates = {{"organic", "SI-EKO-1", at(10 * kDay)}, {"HACCP", "H-1", std::nullopt}};
  inTx([&](core::Tx& tx) { tx.updateSupplier(s); });
  inTx([&](core::Tx& tx) { tx.archiveCertificates(w.supplier, at(12 * kDay)); });
  inTx([&](core::Tx& tx) { tx.archiveCertificates(w.supplier, at(12 * kDay)); });  // same instant: kept once
  s.certificates = {{"organic", "SI-EKO-2", at(400 * kDay)}};
  inTx([&](core::Tx& tx) { tx.updateSupplier(s); });
  inTx([&](core::Tx& tx) { tx.archiveCertificates(w.supplier, at(20 * kDay)); });
  const std::vector<core::ArchivedCertificate> a =
      inTx([&](core::Tx& tx) { return tx.listArchivedCertificates(w.supplier); });
  BOOST_REQUIRE(a.size() == 3u);
  BOOST_TEST(a[0].certificate.number == "SI-EKO-1");
  BOOST_TEST((a[0].certificate.valid_until == at(10 * kDay)));
  BOOST_TEST((a[0].in_effect_until == at(12 * kDay)));
  BOOST_TEST(a[1].certificate.name == "HACCP");
  BOOST_TEST(!a[1].certificate.valid_until.has_value());
  BOOST_TEST(a[2].certificate.number == "SI-EKO-2");
  BOOST_TEST((a[2].in_effect_until == at(20 * kDay)));
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listArchivedCertificates(w.supplier + 1000000); }).empty());
}

BOOST_AUTO_TEST_CASE(notice_publications_round_trip_once_per_round_and_per_quarter) {
  const World w = inTx(makeWorld);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listNoticePublications(w.dps); }).empty());
  core::NoticePublication one;
  one.dps_id = w.dps;
  one.round_id = w.round;
  one.reference = "00123456-2026";
  one.published_at = at(85 * kDay);
  one.recorded_at = at(86 * kDay);
  one.recorded_by = "Mojca Novak";
  core::NoticePublication quarterly = one;
  quarterly.round_id = 0;
  quarterly.quarter = "2026-Q1";
  quarterly.reference = "00234567-2026";
  one.id = inTx([&](core::Tx& tx) { return tx.insertNoticePublication(one); });
  quarterly.id = inTx([&](core::Tx& tx) { return tx.insertNoticePublication(quarterly); });
  const std::vector<core::NoticePublication> listed =
      inTx([&](core::Tx& tx) { return tx.listNoticePublications(w.dps); });
  BOOST_REQUIRE(listed.size() == 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const core::NoticePublication& want = i == 0 ? one : quarterly;
    BOOST_TEST(listed[i].id == want.id);
    BOOST_TEST(listed[i].dps_id == want.dps_id);
    BOOST_TEST(listed[i].round_id == want.round_id);
    BOOST_TEST(listed[i].quarter == want.quarter);
    BOOST_TEST(listed[i].reference == want.reference);
    BOOST_TEST((listed[i].published_at == want.published_at));
    BOOST_TEST((listed[i].recorded_at == want.recorded_at));
    BOOST_TEST(listed[i].recorded_by == want.recorded_by);
  }
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertNoticePublication(one); }); }) ==
             code(core::ErrorCode::kConflict));
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertNoticePublication(quarterly); }); }) ==
             code(core::ErrorCode::kConflict));
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listNoticePublications(w.dps); }).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audit_log)

BOOST_AUTO_TEST_CASE(audit_entries_append_in_sequence_and_list_from_a_seq) {
  const auto before = inTx([](core::Tx& tx) { return tx.lastAuditEntry(); });
  const std::int64_t last = before ? before->seq : 0;
  core::AuditEntry e;
  e.seq = last + 1;
  e.at = at(kDay);
  e.actor = "uradnik Žiga";
  e.action = "dps.publish";
  e.object = "dps:1";
  e.digest = std::string(64, 'd');
  e.prev_hash = before ? before->hash : std::string(64, '0');
  e.hash = core::auditEntryHash(e);
  core::AuditEntry next = e;
  next.seq = last + 2;
  next.action = "round.open";
  next.prev_hash = e.hash;
  next.hash = core::auditEntryHash(next);
  inTx([&](core::Tx& tx) {
    BOOST_TEST(describeOpt(tx.lastAuditEntry()) == describeOpt(before));
    tx.appendAudit(e);
    tx.appendAudit(next);
  });
  BOOST_TEST(describeOpt(inTx([](core::Tx& tx) { return tx.lastAuditEntry(); })) == describe(next));
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listAudit(last + 1, 10); })) ==
             str(std::vector<core::AuditEntry>{e, next}));
  BOOST_TEST(str(inTx([&](core::Tx& tx) { return tx.listAudit(last + 1, 1); })) ==
             str(std::vector<core::AuditEntry>{e}));
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listAudit(last + 3, 10); }).empty());

  core::AuditEntry gap = next;
  gap.seq = last + 5;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.appendAudit(gap); }); }) ==
             code(core::ErrorCode::kConflict));
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.lastAuditEntry(); })->seq == last + 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(accounts_sessions_settings)

BOOST_AUTO_TEST_CASE(accounts_round_trip_and_usernames_are_unique) {
  const World w = inTx(makeWorld);
  core::Account a;
  a.username = "mojca." + tag() + "@example.si";
  a.display_name = "Mojca Žagar";
  a.email = "mojca@example.si";
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  a.role = core::AccountRole::kOfficer;
  a.authority_id = w.authority;
  a.language = "en";
  a.created_at = at(kDay);
  a.id = inTx([&](core::Tx& tx) { return tx.insertAccount(a); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getAccount(a.id); })) == describe(a));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findAccountByUsername(a.username); })) == describe(a));

  core::Account twin = a;
  twin.display_name = "Someone else";
  try {
    inTx([&](core::Tx& tx) { tx.insertAccount(twin); });
    BOOST_ERROR("a second account with the same username was accepted");
  } catch (const core::Error& e) {
    BOOST_TEST((e.code() == core::ErrorCode::kConflict));
    BOOST_TEST(std::string(e.what()).find(a.username) != std::string::npos, e.what());
  }
  // Usernames are case-sensitive.
  core::Account upper = a;
  upper.username = "MOJCA." + a.username.substr(6);
  upper.id = inTx([&](core::Tx& tx) { return tx.insertAccount(upper); });
  BOOST_TEST(upper.id != a.id);

  a.display_name = "Mojca Žagar Novak";
  a.password_hash = "$argon2id$new";
  a.role = core::AccountRole::kAuditor;
  a.authority_id = 0;
  a.supplier_id = w.supplier;
  a.active = false;
  a.language = "sl";
  core::Account changed = a;
  changed.created_at = at(99 * kDay);  // not updatable
  inTx([&](core::Tx& tx) { tx.updateAccount(changed); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.getAccount(a.id); })) == describe(a));

  core::Account clash = a;
  clash.username = upper.username;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateAccount(clash); }); }) ==
             code(core::ErrorCode::kConflict));
  core::Account missing = a;
  missing.id = 999'999'999;
  missing.username = "nobody-" + tag();
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateAccount(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
  const auto all = inTx([](core::Tx& tx) { return tx.listAccounts(); });
  BOOST_TEST(
      std::count_if(all.begin(), all.end(), [&](const core::Account& x) { return describe(x) == describe(a); }) == 1);
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.findAccountByUsername("nobody"); }).has_value());
}

BOOST_AUTO_TEST_CASE(sessions_are_found_and_deleted_one_by_account_or_by_expiry) {
  const Id account = inTx([](core::Tx& tx) {
    core::Account a;
    a.username = "session-user-" + tag();
    return tx.insertAccount(a);
  });
  const std::string t = tag();
  const core::Session s1{"hash-1-" + t, account, "csrf-1", at(0), at(kDay)};
  const core::Session s2{"hash-2-" + t, account, "csrf-2", at(0), at(3 * kDay)};
  const core::Session s3{"hash-3-" + t, account, "csrf-3", at(0), at(10 * kDay)};
  inTx([&](core::Tx& tx) {
    tx.insertSession(s1);
    tx.insertSession(s2);
    tx.insertSession(s3);
  });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findSession(s1.token_hash); })) == describe(s1));
  // With its account in one read, as every signed-in request reads it.
  const auto joined = inTx([&](core::Tx& tx) { return tx.findSessionWithAccount(s2.token_hash); });
  BOOST_TEST_REQUIRE(joined.has_value());
  BOOST_TEST(describe(joined->first) == describe(s2));
  BOOST_TEST(describe(joined->second) == describe(*inTx([&](core::Tx& tx) { return tx.getAccount(account); })));
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.findSessionWithAccount("no-such-session"); }).has_value());
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertSession(s1); }); }) ==
             code(core::ErrorCode::kConflict));

  inTx([&](core::Tx& tx) { tx.deleteExpiredSessions(at(2 * kDay)); });
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.findSession(s1.token_hash); }).has_value());
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.findSession(s2.token_hash); }).has_value());

  inTx([&](core::Tx& tx) { tx.deleteSession(s2.token_hash); });
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.findSession(s2.token_hash); }).has_value());
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.findSession(s3.token_hash); }).has_value());

  inTx([&](core::Tx& tx) { tx.deleteAccountSessions(account); });
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.findSession(s3.token_hash); }).has_value());
  // Deleting what is gone is not an error (log out twice).
  inTx([&](core::Tx& tx) { tx.deleteSession(s3.token_hash); });

  const core::Session orphan{"hash-orphan-" + t, 999'999'999, "csrf", at(0), at(kDay)};
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertSession(orphan); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(api_tokens_round_trip_and_revoke) {
  const Id account = inTx([](core::Tx& tx) {
    core::Account a;
    a.username = "token-user-" + tag();
    return tx.insertAccount(a);
  });
  core::ApiToken t;
  t.token_hash = "token-hash-" + tag();
  t.account_id = account;
  t.label = "izvoz OCDS";
  t.created_at = at(kDay);
  t.id = inTx([&](core::Tx& tx) { return tx.insertApiToken(t); });
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findApiToken(t.token_hash); })) == describe(t));
  const std::string owner = describe(*inTx([&](core::Tx& tx) { return tx.getAccount(account); }));
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findAccountByApiToken(t.token_hash); })) == owner);
  inTx([&](core::Tx& tx) { tx.revokeApiToken(t.id); });
  t.revoked = true;
  BOOST_TEST(describeOpt(inTx([&](core::Tx& tx) { return tx.findApiToken(t.token_hash); })) == describe(t));
  // A revoked or unknown token signs nobody in.
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.findAccountByApiToken(t.token_hash); }).has_value());
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.findAccountByApiToken("no-such-token"); }).has_value());
  BOOST_TEST(!inTx([](core::Tx& tx) { return tx.findApiToken("no-such-token"); }).has_value());
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.revokeApiToken(999'999'999); }); }) ==
             code(core::ErrorCode::kNotFound));
  core::ApiToken twin = t;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.insertApiToken(twin); }); }) ==
             code(core::ErrorCode::kConflict));
}

BOOST_AUTO_TEST_CASE(failed_logins_are_counted_by_username_or_address_since_a_time) {
  const std::string t = tag();
  const std::string user = "login-" + t;
  const std::string other = "other-" + t;
  const std::string addr = "192.0.2." + t;
  inTx([&](core::Tx& tx) {
    tx.insertLoginAttempt({user, addr, at(100), false});
    tx.insertLoginAttempt({user, "198.51.100.1", at(200), false});
    tx.insertLoginAttempt({user, addr, at(300), true});
    tx.insertLoginAttempt({other, addr, at(400), false});
    tx.insertLoginAttempt({user, addr, at(10), false});  // before the window
  });
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins(user, "", at(50)); }) == 2);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins("", addr, at(50)); }) == 2);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins(user, addr, at(50)); }) == 3);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins(user, addr, at(0)); }) == 4);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins(user, "", at(150)); }) == 1);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins("", "", at(0)); }) == 0);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.countFailedLogins("nobody-" + t, "", at(0)); }) == 0);
}

BOOST_AUTO_TEST_CASE(settings_are_put_replaced_and_read) {
  const std::string key = "clock.simulated_now." + tag();
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.getSetting(key); }).has_value());
  inTx([&](core::Tx& tx) { tx.putSetting(key, "2026-09-01T08:00:00Z"); });
  BOOST_TEST(*inTx([&](core::Tx& tx) { return tx.getSetting(key); }) == "2026-09-01T08:00:00Z");
  inTx([&](core::Tx& tx) { tx.putSetting(key, ""); });
  const auto empty = inTx([&](core::Tx& tx) { return tx.getSetting(key); });
  BOOST_REQUIRE(empty.has_value());
  BOOST_TEST(empty->empty());
}

BOOST_AUTO_TEST_CASE(outbox_lists_due_pending_messages_oldest_first_and_all_newest_first) {
  std::vector<core::OutboxMessage> m(4);
  for (std::size_t i = 0; i < m.size(); ++i) {
    m[i].recipient = "dobavitelj" + std::to_string(i) + "@example.si";
    m[i].subject = "Povabilo k oddaji ponudbe";
    m[i].body = "Spoštovani, vabimo vas …";
    m[i].object = "round:" + std::to_string(i);
    m[i].created_at = at(static_cast<std::int64_t>(i));
    m[i].next_attempt_at = at(100);
  }
  m[2].next_attempt_at = at(500);  // not due yet at 200
  inTx([&](core::Tx& tx) {
    for (auto& x : m) x.id = tx.insertOutboxMessage(x);
  });
  m[1].status = core::OutboxStatus::kSent;
  m[1].attempts = 1;
  m[1].last_error = "";
  m[3].attempts = 2;
  m[3].last_error = "451 try again later";
  m[3].next_attempt_at = at(150);
  inTx([&](core::Tx& tx) {
    tx.updateOutboxMessage(m[1]);
    tx.updateOutboxMessage(m[3]);
  });
  BOOST_TEST(str(inTx([](core::Tx& tx) { return tx.listDueOutbox(at(200), 10); })) ==
             str(std::vector<core::OutboxMessage>{m[0], m[3]}));
  BOOST_TEST(str(inTx([](core::Tx& tx) { return tx.listDueOutbox(at(200), 1); })) ==
             str(std::vector<core::OutboxMessage>{m[0]}));
  BOOST_TEST(str(inTx([](core::Tx& tx) { return tx.listDueOutbox(at(600), 10); })) ==
             str(std::vector<core::OutboxMessage>{m[0], m[2], m[3]}));
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.listDueOutbox(at(50), 10); }).empty());
  BOOST_TEST(str(inTx([](core::Tx& tx) { return tx.listOutbox(2); })) ==
             str(std::vector<core::OutboxMessage>{m[3], m[2]}));
  core::OutboxMessage missing = m[0];
  missing.id = 999'999'999;
  BOOST_TEST(errorCodeOf([&] { inTx([&](core::Tx& tx) { tx.updateOutboxMessage(missing); }); }) ==
             code(core::ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_AUTO_TEST_CASE(exception_rolls_back_every_write_and_propagates) {
  const std::string t = tag();
  Id authority = 0;
  Id outbox = 0;
  const auto audit_before = inTx([](core::Tx& tx) { return tx.lastAuditEntry(); });
  try {
    store().transact([&](core::Tx& tx) {
      core::Authority a;
      a.name = "rolled back " + t;
      authority = tx.insertAuthority(a);
      core::Account acc;
      acc.username = "rolled-back-" + t;
      tx.insertAccount(acc);
      tx.putSetting("rolled-back-" + t, "x");
      core::OutboxMessage m;
      m.recipient = "x@example.si";
      outbox = tx.insertOutboxMessage(m);
      core::appendAudit(tx, at(0), "test", "test.rollback", "authority:" + std::to_string(authority), "x");
      throw std::runtime_error("boom " + t);
    });
    BOOST_ERROR("transact() swallowed the callback's exception");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "boom " + t);
  }
  BOOST_TEST(authority > 0);
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.getAuthority(authority); }).has_value());
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.findAccountByUsername("rolled-back-" + t); }).has_value());
  BOOST_TEST(!inTx([&](core::Tx& tx) { return tx.getSetting("rolled-back-" + t); }).has_value());
  const auto outboxes = inTx([](core::Tx& tx) { return tx.listOutbox(1000); });
  BOOST_TEST(
      std::none_of(outboxes.begin(), outboxes.end(), [&](const core::OutboxMessage& m) { return m.id == outbox; }));
  BOOST_TEST(describeOpt(inTx([](core::Tx& tx) { return tx.lastAuditEntry(); })) == describeOpt(audit_before));
}

BOOST_AUTO_TEST_CASE(core_error_from_the_callback_keeps_its_code) {
  BOOST_TEST(errorCodeOf([] {
               store().transact([](core::Tx&) { throw core::Error(core::ErrorCode::kDeadline, "too late"); });
             }) == code(core::ErrorCode::kDeadline));
}

BOOST_AUTO_TEST_CASE(a_nested_transaction_is_refused) {
  BOOST_TEST(errorCodeOf([] { store().transact([](core::Tx&) { store().transact([](core::Tx&) {}); }); }) ==
             code(core::ErrorCode::kInternal));
}

// Store::read: a write inside it is refused as a programming error and leaves nothing behind, and
// the store's next read still works (the refusal does not break its connection).
BOOST_AUTO_TEST_CASE(a_read_only_transaction_refuses_writes) {
  const std::string key = "read.only." + tag();
  BOOST_TEST(errorCodeOf([&] { store().read([&](core::Tx& tx) { tx.putSetting(key, "x"); }); }) ==
             code(core::ErrorCode::kInternal));
  std::optional<std::string> got = std::string("unread");
  store().read([&](core::Tx& tx) { got = tx.getSetting(key); });
  BOOST_TEST(!got.has_value());
  BOOST_TEST(errorCodeOf([] { store().transact([](core::Tx&) { store().read([](core::Tx&) {}); }); }) ==
             code(core::ErrorCode::kInternal));
}

// A read does not wait for a writer that holds its transaction open (on SQLite the writer holds the
// write lock; the reader reads its snapshot beside it) and sees only what was committed.
BOOST_AUTO_TEST_CASE(a_read_runs_beside_an_open_write_and_sees_only_committed_data) {
  const std::string key = "read.beside." + tag();
  inTx([&](core::Tx& tx) { tx.putSetting(key, "committed"); });
  std::mutex m;
  std::condition_variable cv;
  bool written = false;
  bool release = false;
  bool released_by_test = false;  // false: the writer gave up waiting, i.e. the read waited for it
  std::thread writer([&] {
    store().transact([&](core::Tx& tx) {
      tx.putSetting(key + ".other", "uncommitted");
      std::unique_lock<std::mutex> lock(m);
      written = true;
      cv.notify_all();
      // Bounded: the test releases the writer right after its read; the wait ends by itself anyway.
      released_by_test = cv.wait_for(lock, std::chrono::seconds(20), [&] { return release; });
    });
  });
  {
    std::unique_lock<std::mutex> lock(m);
    BOOST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return written; }));
  }
  std::optional<std::string> seen, other = std::string("unread");
  store().read([&](core::Tx& tx) {
    seen = tx.getSetting(key);
    other = tx.getSetting(key + ".other");
  });
  {
    std::lock_guard<std::mutex> lock(m);
    release = true;
  }
  cv.notify_all();
  writer.join();
  BOOST_TEST(released_by_test);
  BOOST_TEST(seen.value_or("") == "committed");
  BOOST_TEST(!other.has_value());
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.getSetting(key + ".other"); }).value_or("") == "uncommitted");
}

BOOST_AUTO_TEST_CASE(utf8_text_round_trips_unchanged) {
  const std::string name = "Kmetija Čuček, Šmarje, Žalec — ćevapčiči đ ß € 日本 🍎";
  core::Supplier s;
  s.name = name;
  s.tax_number = "SI-čšž-" + tag();
  s.address = "Ulica Žiga Šuštar 7";
  s.dispatch_points = {{0, 0, "Skladišče Črnuče", "Šentvid", {46, 14}}};
  s.id = inTx([&](core::Tx& tx) { return tx.insertSupplier(s); });
  const auto got = inTx([&](core::Tx& tx) { return tx.findSupplierByTaxNumber(s.tax_number); });
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->name == name);
  BOOST_TEST(got->address == s.address);
  BOOST_TEST(got->dispatch_points.at(0).name == "Skladišče Črnuče");
  core::Account a;
  a.username = "žan.čuk-" + tag();
  a.display_name = "Žan Čuk";
  inTx([&](core::Tx& tx) { tx.insertAccount(a); });
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.findAccountByUsername(a.username); })->display_name == "Žan Čuk");
  // Binary collation: "zan" is not "žan".
  BOOST_TEST(
      !inTx([&](core::Tx& tx) { return tx.findAccountByUsername("zan.cuk-" + a.username.substr(9)); }).has_value());
}

// Bids from several threads, each with its audit entry, as the engine writes them: every one
// commits (lock conflicts are retried inside transact) and the audit chain has no gaps.
BOOST_AUTO_TEST_CASE(concurrent_writers_all_succeed) {
  const World w = inTx(makeWorld);
  const std::int64_t audit_before = [] {
    const auto last = inTx([](core::Tx& tx) { return tx.lastAuditEntry(); });
    return last ? last->seq : 0;
  }();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          store().transact([&](core::Tx& tx) {
            tx.lockRound(w.round, core::LockMode::kShared);
            const Id bid = tx.insertBid(makeBid(w, "t" + std::to_string(t) + "-" + std::to_string(i)));
            core::appendAudit(tx, at(i), "supplier", "bid.submit", "bid:" + std::to_string(bid), "x");
          });
        }
      } catch (const std::exception& e) {
        failures[static_cast<std::size_t>(t)] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) BOOST_TEST(f.empty(), f);
  BOOST_TEST(inTx([&](core::Tx& tx) { return tx.listBids(w.round); }).size() ==
             static_cast<std::size_t>(kThreads * kPerThread));
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.lastAuditEntry(); })->seq == audit_before + kThreads * kPerThread);
  const core::AuditVerification v = core::verifyAudit(store());
  BOOST_TEST(v.ok(), (v.problems.empty() ? std::string() : v.problems.front().what));
}

// A callback that reads first and then writes (on SQLite its first run is read-only and gives way to
// the write queue at its first write statement; later runs go to the queue directly): each call
// stores its write exactly once and sees the writes committed before it.
BOOST_AUTO_TEST_CASE(a_callback_that_reads_then_writes_stores_its_write_once) {
  const World w = inTx(makeWorld);
  for (int i = 0; i < 3; ++i) {
    store().transact([&](core::Tx& tx) {
      const std::optional<core::Bid> latest = tx.latestBid(w.round, w.supplier);
      core::Bid b = makeBid(w, "rw" + std::to_string(i));
      b.version = latest ? latest->version + 1 : 1;
      tx.insertBid(b);
    });
  }
  std::string versions;
  for (const core::Bid& b : inTx([&](core::Tx& tx) { return tx.listBids(w.round); }))
    versions += b.sealed + "/" + std::to_string(b.version) + " ";
  BOOST_TEST(versions == "rw0/1 rw1/2 rw2/3 ");
}

// Many threads at once, every third transaction throwing after it wrote: each caller gets its own
// outcome (on SQLite the store commits waiting transactions together, so one that fails must roll
// back alone): the failed ones leave nothing behind, every acknowledged one is stored, and the audit
// chain has no gaps.
BOOST_AUTO_TEST_CASE(concurrent_transactions_commit_or_fail_each_on_its_own) {
  const World w = inTx(makeWorld);
  const std::int64_t audit_before = [] {
    const auto last = inTx([](core::Tx& tx) { return tx.lastAuditEntry(); });
    return last ? last->seq : 0;
  }();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 12;
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads);
  std::vector<std::vector<std::string>> acknowledged(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string sealed = "g" + std::to_string(t) + "-" + std::to_string(i);
        const bool refuse = (t + i) % 3 == 0;
        try {
          store().transact([&](core::Tx& tx) {
            tx.lockRound(w.round, core::LockMode::kShared);
            const Id bid = tx.insertBid(makeBid(w, sealed));
            core::appendAudit(tx, at(i), "supplier", "bid.submit", "bid:" + std::to_string(bid), sealed);
            if (refuse) throw core::Error(core::ErrorCode::kConflict, "refused " + sealed);
          });
          if (refuse) failures[static_cast<std::size_t>(t)] += sealed + " threw but was reported committed; ";
          acknowledged[static_cast<std::size_t>(t)].push_back(sealed);
        } catch (const core::Error& e) {
          if (!refuse || e.code() != core::ErrorCode::kConflict ||
              std::string(e.what()).find("refused " + sealed) == std::string::npos)
            failures[static_cast<std::size_t>(t)] += sealed + ": " + e.what() + "; ";
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) BOOST_TEST(f.empty(), f);
  std::set<std::string> expected;
  for (const auto& mine : acknowledged) expected.insert(mine.begin(), mine.end());
  std::set<std::string> stored;
  for (const core::Bid& b : inTx([&](core::Tx& tx) { return tx.listBids(w.round); })) stored.insert(b.sealed);
  BOOST_TEST(expected.size() == static_cast<std::size_t>(kThreads * kPerThread - kThreads * kPerThread / 3));
  const auto join = [](const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += n + " ";
    return out;
  };
  BOOST_TEST(join(stored) == join(expected));
  BOOST_TEST(inTx([](core::Tx& tx) { return tx.lastAuditEntry(); })->seq ==
             audit_before + static_cast<std::int64_t>(expected.size()));
  const core::AuditVerification v = core::verifyAudit(store());
  BOOST_TEST(v.ok(), (v.problems.empty() ? std::string() : v.problems.front().what));
}

// Two transactions locking two rounds in opposite order: on MariaDB one of them loses a deadlock
// and transact() runs it again; on SQLite the second waits for the first. Both commit either way.
BOOST_AUTO_TEST_CASE(a_transaction_that_loses_a_deadlock_is_retried) {
  const World w = inTx(makeWorld);
  const Id other_round = inTx([&](core::Tx& tx) {
    core::Round r = *tx.getRound(w.round);
    r.reference += "-B";
    return tx.insertRound(r);
  });
  const bool can_deadlock = store().backend() == "mysql";
  std::mutex m;
  std::condition_variable cv;
  bool first_holds_a = false;
  bool second_holds_b = false;
  std::atomic<int> runs{0};
  std::string failure_a, failure_b;

  std::thread a([&] {
    try {
      store().transact([&](core::Tx& tx) {
        ++runs;
        core::Round r = *tx.lockRound(w.round, core::LockMode::kExclusive);
        r.title = "written by A";
        tx.updateRound(r);
        if (can_deadlock) {
          std::unique_lock<std::mutex> lock(m);
          first_holds_a = true;
          cv.notify_all();
          cv.wait_for(lock, std::chrono::seconds(10), [&] { return second_holds_b; });
        }
        core::Round b = *tx.lockRound(other_round, core::LockMode::kExclusive);
        b.title = "written by A";
        tx.updateRound(b);
      });
    } catch (const std::exception& e) {
      failure_a = e.what();
    }
  });
  std::thread b([&] {
    try {
      store().transact([&](core::Tx& tx) {
        ++runs;
        if (can_deadlock) {
          std::unique_lock<std::mutex> lock(m);
          cv.wait_for(lock, std::chrono::seconds(10), [&] { return first_holds_a; });
        }
        core::Round r = *tx.lockRound(other_round, core::LockMode::kExclusive);
        r.title = "written by B";
        tx.updateRound(r);
        {
          std::lock_guard<std::mutex> lock(m);
          second_holds_b = true;
        }
        cv.notify_all();
        core::Round x = *tx.lockRound(w.round, core::LockMode::kExclusive);
        x.title = "written by B";
        tx.updateRound(x);
      });
    } catch (const std::exception& e) {
      failure_b = e.what();
    }
  });
  a.join();
  b.join();
  BOOST_TEST(failure_a.empty(), failure_a);
  BOOST_TEST(failure_b.empty(), failure_b);
  // Whoever committed last wrote both rounds.
  const std::string t1 = inTx([&](core::Tx& tx) { return tx.getRound(w.round)->title; });
  const std::string t2 = inTx([&](core::Tx& tx) { return tx.getRound(other_round)->title; });
  BOOST_TEST(t1 == t2);
  if (can_deadlock) BOOST_TEST(runs.load() >= 3, "no transaction was retried: runs = " + std::to_string(runs.load()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()  // store_contract

BOOST_AUTO_TEST_SUITE(store_uri)

BOOST_AUTO_TEST_CASE(malformed_uris_are_invalid_arguments_that_say_what_to_write) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "unknown scheme"},
      {"postgres://dps@127.0.0.1/dps", "unknown scheme"},
      {"sqlite:", "file path is missing"},
      {"mysql://127.0.0.1:3306/dps", "user name is missing"},
      {"mysql://dps:secret@127.0.0.1:3306/dps", "DPS_MYSQL_PASSWORD"},
      {"mysql://dps@127.0.0.1:99999/dps", "port '99999'"},
      {"mysql://dps@127.0.0.1:port/dps", "port 'port'"},
      {"mysql://dps@127.0.0.1:3306/", "database name is missing"},
      {"mysql://dps@127.0.0.1:3306", "database name is missing"},
      {"mysql://dps@:3306/dps", "host name is missing"},
      {"mysql://dps@unix:/dps", "socket path"},
  };
  for (const auto& [uri, hint] : cases) {
    try {
      core::openStore(uri);
      BOOST_ERROR("'" << uri << "' was accepted");
    } catch (const core::Error& e) {
      const std::string message = e.what();
      BOOST_TEST((e.code() == core::ErrorCode::kInvalidArgument), uri);
      BOOST_TEST(message.find(hint) != std::string::npos, uri + ": " + message);
      BOOST_TEST(message.find("mysql://USER@HOST:PORT/DATABASE") != std::string::npos, message);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_unavailable) {
  // Port 1 on the loopback interface: nothing listens there, so the connection is refused at once.
  try {
    core::openStore("mysql://dps@127.0.0.1:1/dps_unreachable");
    BOOST_ERROR("a store on a closed port was opened");
  } catch (const core::Error& e) {
    BOOST_TEST((e.code() == core::ErrorCode::kUnavailable));
    BOOST_TEST(std::string(e.what()).find("127.0.0.1") != std::string::npos, e.what());
  }
  const std::string temp = dps_test::tempDir("uri-missing");
  const std::string missing_dir = temp + "/no/such/folder/dps.sqlite";
  BOOST_TEST(errorCodeOf([&] { core::openStore("sqlite:" + missing_dir); }) == code(core::ErrorCode::kUnavailable));
  std::error_code ignored;
  std::filesystem::remove_all(temp, ignored);
}

BOOST_AUTO_TEST_SUITE_END()

// SQLite's write-ahead log is copied back into the database file by the store's own thread (see
// Checkpointer in core/sqlite/sqlite_store.cpp), not by SQLite's automatic checkpoint.
BOOST_AUTO_TEST_SUITE(sqlite_log, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                        boost::test_tools::assertion_result result(kBackend == "sqlite");
                        result.message() << "the write-ahead log belongs to the SQLite store";
                        return result;
                      }))

std::uintmax_t fileSize(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

BOOST_AUTO_TEST_CASE(the_log_is_copied_into_the_database_file_and_stays_bounded_under_steady_writes) {
  constexpr std::uintmax_t kMiB = 1024 * 1024;
  const std::string dir = dps_test::tempDir("sqlite-log");
  const std::string path = dir + "/dps.sqlite";
  {
    const std::unique_ptr<core::Store> s = core::openStore("sqlite:" + path);
    s->migrate();
    const std::uintmax_t empty = fileSize(path);
    const std::string value(64 * 1024, 'v');
    const auto put = [&](const std::string& key, const std::string& v) {
      s->transact([&](core::Tx& tx) { tx.putSetting(key, v); });
    };

    // 5 MiB in 80 commits: the log passes 1,000 pages, so the checkpoint thread is asked to copy it.
    // Nothing commits after that, so only that thread can make the database file grow.
    for (int i = 0; i < 80; ++i) put("first." + std::to_string(i), value);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (fileSize(path) < empty + 4 * kMiB && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BOOST_TEST(fileSize(path) >= empty + 4 * kMiB, "database file: " << fileSize(path) << " bytes");

    // 30 MiB more in 480 commits without a pause, 100 keys overwritten in turn: a checkpoint running
    // beside the writer never finishes, so without the writer's own at 4,000 pages the log would
    // grow by all of it.
    std::uintmax_t largest_log = 0;
    for (int i = 0; i < 480; ++i) {
      put("steady." + std::to_string(i % 100), std::string(value.size(), static_cast<char>('a' + i % 26)));
      largest_log = std::max(largest_log, fileSize(path + "-wal"));
    }
    BOOST_TEST(largest_log < 20 * kMiB, "largest log: " << largest_log << " bytes");

    s->read([&](core::Tx& tx) {
      BOOST_TEST(tx.getSetting("first.0").value_or("") == value);
      BOOST_TEST(tx.getSetting("steady.79").value_or("") ==
                 std::string(value.size(), static_cast<char>('a' + 479 % 26)));
    });
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

BOOST_AUTO_TEST_SUITE_END()
