#pragma once
// dps_test::EngineFixture: a core::Engine over a fresh store (SQLite in its own temp directory, or a
// fresh MariaDB database when DPS_TEST_BACKEND=mysql, see testBackend()), with the shipped holiday
// calendars, a ManualClock starting Monday 2026-01-12T07:00:00Z and a Sealer
// from a fixed test key; plus helpers that set up what the engine tests need the way its users
// would: a published DPS with the standard criteria, suppliers near Kranj admitted to categories,
// delivery points, rounds with lots, bids, and the actors (officer of the authority, suppliers,
// auditor, administrator, another authority's officer).
// Thread-safety: none; one fixture per test case.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/model.h"
#include "core/sealer.h"
#include "core/store.h"

namespace dps_test {

// The fixed master key the fixture seals bids with (tests only).
core::Sealer::Key testSealingKey();

// The backend the fixture opens, from the environment variable DPS_TEST_BACKEND: "sqlite" (unset or
// empty) or "mysql". For mysql the server comes from DPS_TEST_MYSQL_URI (password in
// DPS_MYSQL_PASSWORD) and databases are created and dropped with the client command in
// DPS_TEST_MYSQL_ROOT: each fixture starts on a database dps_engine_<pid> in the state of a freshly
// migrated one (see MysqlDatabases in engine_fixture.cpp).
std::string testBackend();
// Empty when the selected backend can run; else why not (the mysql backend without
// DPS_TEST_MYSQL_URI). Under CI=true the fixture fails instead of being skipped.
std::string backendUnavailableReason();
// True when CI=true: a backend that cannot run is then a failure, never a skip.
bool underCi();

// The criteria every fixture DPS publishes unless told otherwise: price 60 and CO2 20 relative to
// best, freshness 10 as a linear band (full points at <= 12 h from harvest, none at >= 72 h), label 10
// yes/no for "organic_or_quality". Price and CO2 may be refined by a round within 50..70 and 10..30.
std::vector<core::Criterion> standardCriteria();
// van 0.55, truck 0.12, electric_van 0.10 kg CO2e per tonne-km.
std::vector<core::VehicleFactor> standardVehicleFactors();

// Where the fixture's suppliers dispatch from by default: near Kranj.
inline constexpr double kKranjLat = 46.24;
inline constexpr double kKranjLon = 14.35;

struct DpsHandle {
  core::Id id = 0;
  std::vector<core::Id> categories;  // in the order the codes were given
};

struct SupplierHandle {
  core::Id id = 0;
  core::Id dispatch_point_id = 0;
  core::Actor actor;
};

class EngineFixture {
 public:
  // Calendars from data/calendars.
  EngineFixture();
  // Calendars from `calendar_dir` (e.g. an edited copy of SI.calendar).
  explicit EngineFixture(const std::string& calendar_dir);
  ~EngineFixture();
  EngineFixture(const EngineFixture&) = delete;
  EngineFixture& operator=(const EngineFixture&) = delete;

  static constexpr const char* kStart = "2026-01-12T07:00:00Z";  // a Monday
  // When the helpers start rounds: Monday after the first 30-day request period of a DPS published at kStart.
  static constexpr const char* kRoundsStart = "2026-02-16T08:00:00Z";

  std::string dir;             // the fixture's own temp directory
  std::string db_path;         // the SQLite file inside it (sqlite backend)
  std::string mysql_database;  // the fixture's own database (mysql backend), else empty
  std::string store_uri;       // what core::openStore() is given: another process can open the same store
  core::CalendarRegistry calendars;
  core::ManualClock clock;
  core::Sealer sealer;
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Engine> engine;

  core::Id authority_id = 0;        // Mestna občina Kranj (SI)
  core::Id other_authority_id = 0;  // Občina Naklo (SI)
  core::Actor admin;
  core::Actor officer;        // officer of authority_id
  core::Actor other_officer;  // officer of other_authority_id
  core::Actor auditor;

  // Closes the engine and the store (e.g. before editing the database file); reopen() undoes it.
  void closeStore();
  void reopen();
  bool isMysql() const { return !mysql_database.empty(); }

  // --- time ---
  static core::TimePoint at(const std::string& iso);
  void setNow(const std::string& iso);
  const core::Calendar& calendar() const;  // SI

  // --- set-up ---
  // A draft DPS of authority_id with categories (codes) and criteria; its first period for requests
  // ends at the earliest lawful end from now (30 days), validity until 2029-12-31.
  DpsHandle draftDps(const std::vector<std::string>& category_codes = {"VEG"},
                     const std::vector<core::Criterion>& criteria = standardCriteria());
  DpsHandle publishedDps(const std::vector<std::string>& category_codes = {"VEG"},
                         const std::vector<core::Criterion>& criteria = standardCriteria());
  core::Dps dps(core::Id id);

  // A supplier with one dispatch point at (kKranjLat + dlat, kKranjLon + dlon) and the given certificates.
  SupplierHandle registerSupplier(const std::string& name, double dlat = 0, double dlon = 0,
                                  const std::vector<core::Certificate>& certificates = {});
  core::Id requestAdmission(const SupplierHandle& s, core::Id category_id);
  void admit(const SupplierHandle& s, core::Id category_id);
  SupplierHandle admittedSupplier(const std::string& name, core::Id category_id, double dlat = 0, double dlon = 0,
                                  const std::vector<core::Certificate>& certificates = {});

  core::Id deliveryPoint(const std::string& code, double lat = 46.2389, double lon = 14.3556);

  // --- rounds ---
  // Moves the clock to kRoundsStart (after the first request period of a DPS published at kStart).
  void startRounds();
  static core::Lot lot(int number, core::Id delivery_point_id, const std::string& quantity,
                       const std::string& cpv = "03221000");
  core::Id createRound(const DpsHandle& dps, core::Id category_id, const std::vector<core::Lot>& lots,
                       core::AwardMode mode = core::AwardMode::kBestBid, bool allow_partial = false,
                       const std::vector<core::WeightRefinement>& refinements = {});
  // The earliest lawful tender deadline if invitations were sent now (Art. 34(2)(b)).
  core::TimePoint earliestDeadline() const;
  // Dispatches with the earliest lawful deadline.
  std::vector<core::Invitation> dispatch(core::Id round_id);
  core::Round round(core::Id id);
  std::vector<core::Lot> lots(core::Id round_id);
  // One lot of a bid from the supplier's own dispatch point.
  static core::BidLine bidLine(core::Id lot_id, const std::string& unit_price, const std::string& quantity,
                               const SupplierHandle& s, const std::string& vehicle = "van", int hours_from_harvest = 24,
                               bool organic = false);
  core::BidReceipt bid(const SupplierHandle& s, core::Id round_id, const std::vector<core::BidLine>& lines);
  // One second after the round's tender deadline.
  void passDeadline(core::Id round_id);
  // Passes the deadline, opens and evaluates the round as the officer.
  void openAndEvaluate(core::Id round_id);

  // --- reading the store ---
  std::optional<core::Bid> bidRecord(core::Id bid_id);
  std::vector<core::Bid> bids(core::Id round_id);
  std::vector<core::Invitation> invitations(core::Id round_id);
  std::vector<core::LotResult> results(core::Id round_id);
  std::vector<core::ScoreRecord> scores(core::Id round_id);
  std::vector<core::AwardLine> awardLines(core::Id round_id);
  std::vector<core::AuditEntry> audit();
  // The MariaDB server's count of statements run so far (its global Questions; the benchmarks'
  // round-trip count), or -1 on SQLite.
  double statementsSoFar();
  std::vector<core::AuditEntry> auditWithAction(const std::string& action);

 private:
  void open();
  int next_tax_number_ = 1;
};

// The lot-level (delivery_point_id 0) result of one bid on one lot, if evaluated.
std::optional<core::LotResult> resultOf(const std::vector<core::LotResult>& results, core::Id lot_id, core::Id bid_id);

}  // namespace dps_test
