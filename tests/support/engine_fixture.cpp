#include "tests/support/engine_fixture.h"

#include <algorithm>

#include "core/decimal.h"
#include "core/error.h"
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

std::string nextFixtureDir() {
  static int counter = 0;
  return tempDir("engine-" + std::to_string(++counter));
}

}  // namespace

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
    : dir(nextFixtureDir()),
      db_path(dir + "/dps.sqlite"),
      calendars(core::CalendarRegistry::loadDirectory(calendar_dir)),
      clock(at(kStart)),
      sealer(testSealingKey()) {
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

EngineFixture::~EngineFixture() = default;

void EngineFixture::open() {
  store = core::openStore("sqlite:" + db_path);
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
