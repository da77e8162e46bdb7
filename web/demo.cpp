#include "web/demo.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <set>

#include "core/error.h"
#include "core/scoring.h"
#include "import/csv_reader.h"
#include "import/importers.h"

namespace web {
namespace {

using core::Actor;
using core::Decimal;
using core::Id;
using core::Role;
using core::TimePoint;

const char* kDpsReference = "KR-DNS-2026-01";

Actor administrator() { return {"admin", Role::kAdministrator, 0, 0}; }
Actor officer(Id authority_id) { return {"mojca.novak", Role::kOfficer, authority_id, 0}; }
Actor supplierActor(const core::Supplier& s) { return {s.tax_number, Role::kSupplier, 0, s.id}; }

core::ManualClock& demoClock(Services& services) {
  core::ManualClock* clock = services.simulatedClock();
  if (clock == nullptr)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "the demo runs on the simulated clock; set clock = simulated in the configuration");
  return *clock;
}

// A small deterministic generator (xorshift), so that the demo prints the same story every time.
class Dice {
 public:
  explicit Dice(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  int between(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }

 private:
  std::uint64_t state_;
};

struct CategorySpec {
  const char* code;
  const char* name;
  const char* cpv;
  // Product CPV prefixes that belong to the category (matched against the catalogue).
  std::vector<std::string> cpv_prefixes;
};

const std::vector<CategorySpec>& categorySpecs() {
  static const std::vector<CategorySpec> specs = {
      {"ZEL", "Sveža zelenjava / Fresh vegetables", "03221000", {"03221", "03212"}},
      {"SAD", "Sveže sadje / Fresh fruit", "03222000", {"03222"}},
      {"MLE", "Mleko in mlečni izdelki / Milk and dairy products", "15500000", {"155"}},
      {"MES", "Meso in mesni izdelki / Meat and meat products", "15100000", {"151"}},
      {"KRU", "Kruh in pekovski izdelki / Bread and bakery products", "15810000", {"158"}},
      {"JAJ", "Jajca, med in drugo / Eggs, honey and other", "03142000", {"0314", "15831", "0311", "0313"}},
  };
  return specs;
}

// What each demo supplier produces, hence the categories it asks to join: data/demo/applications.csv,
// "tax_number;categories" with the category codes separated by spaces.
std::map<std::string, std::vector<std::string>> demoApplications(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw core::Error(core::ErrorCode::kNotFound, "demo data file '" + path + "' is missing; check demo.dir");
  importer::CsvReader reader(in);
  importer::CsvRecord record;
  std::map<std::string, std::vector<std::string>> applications;
  reader.next(record);  // header
  while (reader.next(record)) {
    if (!record.problems.empty() || record.fields.size() != 2)
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        path + ":" + std::to_string(record.line) + ": expected 'tax_number;categories'");
    std::istringstream codes(record.fields[1]);
    for (std::string code; codes >> code;) applications[record.fields[0]].push_back(code);
  }
  return applications;
}

std::string espdFor(const core::Supplier& s) {
  return "<QualificationApplicationResponse xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:"
         "QualificationApplicationResponse-2\"><EconomicOperatorParty><Name>" +
         s.name + "</Name><CompanyID>" + s.tax_number +
         "</CompanyID></EconomicOperatorParty><Exclusion>none</Exclusion><Selection>met</Selection>"
         "</QualificationApplicationResponse>";
}

void importDemoFile(Services& services, importer::Kind kind, const std::string& file, std::ostream& out) {
  const std::string path = services.config().demo_dir + "/" + file;
  std::ifstream in(path);
  if (!in)
    throw core::Error(core::ErrorCode::kNotFound, "demo data file '" + path + "' is missing; check demo.dir");
  importer::ImportOptions options;
  options.file_name = path;
  options.cpv_list_path = services.config().cpv_file;
  options.actor = "admin";
  options.clock = &services.clock();
  const importer::ImportReport report = importer::apply(services.store(), kind, in, options);
  if (!report.problems.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "demo data file '" + path + "' has problems:\n" +
                                                             importer::formatReport(report));
  out << "  " << file << ": " << report.added << " new, " << report.updated << " updated, " << report.unchanged
      << " unchanged\n";
}

std::optional<core::Dps> demoDps(core::Store& store) {
  std::optional<core::Dps> found;
  store.transact([&](core::Tx& tx) {
    for (const core::Dps& d : tx.listDps())
      if (d.reference == kDpsReference) found = d;
  });
  return found;
}

}  // namespace

bool demoLoaded(Services& services) { return demoDps(services.store()).has_value(); }

void loadDemo(Services& services, std::ostream& out) {
  core::ManualClock& clock = demoClock(services);
  if (demoLoaded(services))
    throw core::Error(core::ErrorCode::kConflict, "the demo data is loaded already; run `dps demo` for a new round");
  bool empty = true;
  services.store().transact([&](core::Tx& tx) { empty = tx.listAuthorities().empty() && tx.listSuppliers().empty(); });
  if (!empty)
    throw core::Error(core::ErrorCode::kConflict,
                      "the store already holds data that is not the demo; the demo loads only into an empty store: "
                      "point store.uri at a new database (e.g. remove var/dps.sqlite) and run `dps init --demo`");
  core::Engine& engine = services.engine();
  out << "Loading the demo: City of Kranj, school and kindergarten food, simulated clock at "
      << core::formatTime(clock.now()) << "\n";

  core::Authority kranj;
  kranj.name = "Mestna občina Kranj";
  const Id authority_id = engine.createAuthority(administrator(), kranj);
  importDemoFile(services, importer::Kind::kDeliveryPoints, "delivery-points.csv", out);
  importDemoFile(services, importer::Kind::kProducts, "products.csv", out);
  importDemoFile(services, importer::Kind::kSuppliers, "suppliers.csv", out);

  const Actor mojca = officer(authority_id);
  const core::Calendar& cal = engine.calendarFor(authority_id);
  core::Dps dps;
  dps.authority_id = authority_id;
  dps.reference = kDpsReference;
  dps.title = "Dinamični nabavni sistem za dobavo živil za vrtce in osnovne šole, Kranj 2026-2030";
  dps.cpv = "15000000";
  dps.request_deadline = cal.periodEndCalendarDays(clock.now(), 30);
  dps.valid_until = dps.request_deadline + std::chrono::days(4 * 365);
  dps.vehicle_factors = {{"electric_van", Decimal::parse("0.10")},
                         {"van", Decimal::parse("0.55")},
                         {"truck", Decimal::parse("0.12")},
                         {"car", Decimal::parse("1.20")}};
  const Id dps_id = engine.createDps(mojca, dps);
  for (const CategorySpec& spec : categorySpecs())
    engine.addCategory(mojca, {0, dps_id, spec.code, spec.name, spec.cpv, ""});

  core::Criterion price{core::CriterionKind::kPrice, core::Formula::kRelativeToBest, 60, 55, 65, {}, {}, {}, "",
                        "Cena na enoto / unit price: 60 x lowest price / price"};
  core::Criterion co2{core::CriterionKind::kCo2, core::Formula::kRelativeToBest, 20, 15, 25, {}, {}, {}, "",
                      "Emisije CO2 prevoza / transport CO2e from the dispatch point to each school"};
  core::Criterion fresh{core::CriterionKind::kFreshness, core::Formula::kLinearBand, 10, 5, 15,
                        Decimal::fromInt(12), Decimal::fromInt(72), {}, "",
                        "Svežina / hours from harvest to delivery: full at 12 h, none at 72 h"};
  core::Criterion label{core::CriterionKind::kLabel, core::Formula::kYesNo, 10, 5, 15, {}, {}, {},
                        "organic_or_quality", "Ekološka pridelava ali shema kakovosti (ali enakovredno)"};
  engine.setCriteria(mojca, dps_id, {price, co2, fresh, label});
  engine.publishDps(mojca, dps_id);
  out << "  DPS " << kDpsReference << " published; requests to participate until "
      << core::formatTime(dps.request_deadline) << "\n";

  // Suppliers ask to join the categories of the products they make; the officer decides within
  // the legal 10 working days (one request needs the 15-day extension, one is rejected).
  std::vector<core::Supplier> suppliers;
  std::vector<core::Category> categories;
  services.store().transact([&](core::Tx& tx) {
    suppliers = tx.listSuppliers();
    categories = tx.listCategories(dps_id);
  });
  const auto category_id = [&](const std::string& code) {
    for (const core::Category& c : categories)
      if (c.code == code) return c.id;
    throw core::Error(core::ErrorCode::kInternal, "demo category " + code + " is missing");
  };
  const auto applications = demoApplications(services.config().demo_dir + "/applications.csv");
  for (const core::Supplier& s : suppliers) {
    const auto it = applications.find(s.tax_number);
    if (it == applications.end()) continue;
    clock.advance(std::chrono::hours(5));
    for (const std::string& code : it->second)
      engine.requestAdmission(supplierActor(s), s.id, category_id(code), espdFor(s));
  }
  clock.advance(std::chrono::days(2));
  int admitted = 0;
  int rejected = 0;
  const auto pending = engine.pendingAdmissions(dps_id);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const core::AdmissionRequest& r = pending[i].request;
    if (i == 3) {
      engine.extendAdmissionPeriod(mojca, r.id, "HACCP certificate sent by post; waiting for the original");
      continue;
    }
    if (i == 7) {
      engine.decideAdmission(mojca, r.id, false,
                             "The self-declaration does not cover the exclusion grounds of Art. 57; submit a "
                             "complete ESPD and apply again");
      ++rejected;
      continue;
    }
    engine.decideAdmission(mojca, r.id, true, "Selection criteria met (ESPD checked)");
    ++admitted;
  }
  clock.advance(std::chrono::days(9));
  for (const core::AdmissionDue& due : engine.pendingAdmissions(dps_id)) {
    engine.decideAdmission(mojca, due.request.id, true, "Selection criteria met after the certificate arrived");
    ++admitted;
  }
  out << "  " << suppliers.size() << " suppliers registered; " << admitted << " admissions, " << rejected
      << " rejected (with reasons)\n";
  // The first period for requests must run its 30 days before the first invitation (Art. 34(2)(a)).
  if (clock.now() <= dps.request_deadline) clock.set(dps.request_deadline + std::chrono::hours(9));
  services.saveSimulatedClock();
  out << "Demo loaded. Simulated clock now " << core::formatTime(clock.now()) << "\n";
}

namespace {

struct LotPlan {
  core::Product product;
  Decimal base_price;  // EUR per unit
};

std::string padRight(std::string s, std::size_t width) {
  // Width counted in code points, so that č, š, ž line up.
  std::size_t cps = 0;
  for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
  if (cps > width) {
    std::size_t keep = 0, seen = 0;
    while (keep < s.size() && seen < width - 1) {
      ++keep;
      while (keep < s.size() && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) ++keep;
      ++seen;
    }
    return s.substr(0, keep) + "…";
  }
  return s + std::string(width - cps, ' ');
}

std::string padLeft(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string inputValue(const std::string& inputs, const std::string& key) {
  const std::string needle = key + "=";
  std::size_t pos = 0;
  std::string found;
  while ((pos = inputs.find(needle, pos)) != std::string::npos) {
    if (pos == 0 || inputs[pos - 1] == ';') {
      const std::size_t end = inputs.find(';', pos);
      found = inputs.substr(pos + needle.size(), end == std::string::npos ? std::string::npos : end - pos - needle.size());
    }
    pos += needle.size();
  }
  return found;
}

}  // namespace

void runDemoRound(Services& services, std::ostream& out) {
  core::ManualClock& clock = demoClock(services);
  core::Engine& engine = services.engine();
  const auto dps = demoDps(services.store());
  if (!dps) throw core::Error(core::ErrorCode::kNotFound, "no demo DPS; run `dps init --demo` first");
  const Actor mojca = officer(dps->authority_id);
  const core::Calendar& cal = engine.calendarFor(dps->authority_id);

  core::Category vegetables;
  std::vector<core::Product> products;
  std::vector<core::DeliveryPoint> points;
  std::size_t rounds_before = 0;
  services.store().transact([&](core::Tx& tx) {
    for (const core::Category& c : tx.listCategories(dps->id))
      if (c.code == std::string("ZEL")) vegetables = c;
    products = tx.listProducts();
    points = tx.listDeliveryPoints(dps->authority_id);
    rounds_before = tx.listRounds(dps->id).size();
  });
  // Lots: the vegetables of the catalogue (CPV 03221xxx, 03212xxx), five per round.
  std::vector<LotPlan> plans;
  for (const core::Product& p : products)
    if (p.cpv.rfind("03221", 0) == 0 || p.cpv.rfind("03212", 0) == 0) plans.push_back({p, {}});
  if (plans.empty() || points.empty())
    throw core::Error(core::ErrorCode::kNotFound, "the demo catalogue has no vegetables or no delivery points");
  Dice dice(rounds_before + 1);
  std::rotate(plans.begin(), plans.begin() + static_cast<long>(rounds_before % plans.size()), plans.end());
  plans.resize(std::min<std::size_t>(plans.size(), 5));
  for (LotPlan& plan : plans) plan.base_price = Decimal::fromRaw(dice.between(55, 240) * 10'000);

  core::Round round;
  round.dps_id = dps->id;
  round.category_id = vegetables.id;
  round.title = "Sveža zelenjava za vrtce in šole / Fresh vegetables for kindergartens and schools";
  round.award_mode = core::AwardMode::kPartialFill;
  round.allow_partial = true;
  std::vector<core::Lot> lots;
  int number = 0;
  for (const LotPlan& plan : plans) {
    core::Lot lot;
    lot.number = ++number;
    lot.cpv = plan.product.cpv;
    lot.description = plan.product.name_sl + " / " + plan.product.name_en;
    lot.unit = plan.product.unit;
    lot.unit_mass_kg = plan.product.unit_mass_kg;
    lot.quality_spec = "Class I, EU marketing standard; delivered washed in returnable crates";
    for (const core::DeliveryPoint& p : points)
      lot.demands.push_back({p.id, Decimal::fromInt(dice.between(4, 30) * 10), "weekly, Monday before 7:00"});
    lots.push_back(std::move(lot));
  }
  const Id round_id = engine.createRound(mojca, round, lots);
  const TimePoint deadline = cal.periodEndCalendarDays(clock.now(), 10) + std::chrono::hours(11);
  const auto invitations = engine.dispatchRound(mojca, round_id, deadline);
  std::vector<core::Lot> stored_lots;
  core::Round stored_round;
  services.store().transact([&](core::Tx& tx) {
    stored_lots = tx.listLots(round_id);
    stored_round = *tx.getRound(round_id);
  });
  out << "\nRound " << stored_round.reference << ": " << stored_round.title << "\n"
      << "  dispatched " << core::formatTime(clock.now()) << " to " << invitations.size()
      << " admitted suppliers; tender deadline " << core::formatTime(deadline) << " (at least 10 days, Art. 34(2)(b))\n";

  // Bids: every invitee bids on some lots; small farms offer part of the quantity.
  std::map<Id, core::Supplier> supplier_by_id;
  services.store().transact([&](core::Tx& tx) {
    for (const core::Invitation& inv : invitations) supplier_by_id[inv.supplier_id] = *tx.getSupplier(inv.supplier_id);
  });
  const char* vehicles[] = {"van", "van", "electric_van", "truck", "car"};
  int bids = 0;
  bool low_placed = false;
  for (const core::Invitation& inv : invitations) {
    const core::Supplier& s = supplier_by_id[inv.supplier_id];
    const bool organic = std::any_of(s.certificates.begin(), s.certificates.end(), [](const core::Certificate& c) {
      return c.name.find("rgan") != std::string::npos || c.name.find("kolo") != std::string::npos;
    });
    std::vector<core::BidLine> lines;
    for (std::size_t i = 0; i < stored_lots.size(); ++i) {
      if (dice.between(0, 3) == 0) continue;
      Decimal demand;
      for (const core::Demand& d : stored_lots[i].demands) demand += d.quantity;
      core::BidLine line;
      line.lot_id = stored_lots[i].id;
      int percent = dice.between(85, 130);
      if (!low_placed && i == 0 && lines.empty()) {
        percent = 45;  // an abnormally low offer, to be explained (Art. 69)
        low_placed = true;
      }
      line.unit_price = plans[i].base_price * Decimal::fromRaw(percent * 10'000);
      line.quantity = dice.between(0, 2) == 0 ? demand : demand * Decimal::fromRaw(dice.between(20, 70) * 10'000);
      line.dispatch_point_id = s.dispatch_points.front().id;
      line.organic = organic;
      line.quality_scheme = dice.between(0, 3) == 0;
      line.hours_from_harvest = dice.between(8, 60);
      line.intermediaries = dice.between(0, 1);
      line.vehicle = vehicles[dice.between(0, 4)];
      lines.push_back(line);
    }
    if (lines.empty()) continue;
    clock.advance(std::chrono::minutes(dice.between(30, 600)));
    const core::BidReceipt receipt = engine.submitBid(supplierActor(s), round_id, lines);
    ++bids;
    out << "  bid from " << padRight(s.name, 36) << " " << lines.size() << " lot(s), receipt "
        << receipt.digest.substr(0, 16) << "… at " << core::formatTime(receipt.submitted_at) << "\n";
  }

  // Sealed until the deadline: even the officer is refused, and the attempt is logged.
  std::vector<core::Bid> stored_bids;
  services.store().transact([&](core::Tx& tx) { stored_bids = tx.listBids(round_id); });
  try {
    engine.readBid(mojca, stored_bids.front().id);
  } catch (const core::Error& e) {
    out << "  officer tries to read a bid before the deadline: refused (" << core::errorCodeName(e.code())
        << ", logged in the audit trail)\n";
  }

  clock.set(deadline + std::chrono::minutes(5));
  engine.openRound(mojca, round_id);
  engine.evaluateRound(mojca, round_id);
  std::vector<core::AbnormalLowCase> cases;
  services.store().transact([&](core::Tx& tx) { cases = tx.listAbnormalLowCases(round_id); });
  for (const core::AbnormalLowCase& c : cases) {
    engine.requestExplanation(mojca, round_id, c.lot_id, c.bid_id);
    clock.advance(std::chrono::days(3));
    engine.decideAbnormalLow(mojca, round_id, c.lot_id, c.bid_id, false,
                             "Own harvest surplus from storage; price covers costs (explanation accepted)");
  }
  clock.advance(std::chrono::hours(2));
  const core::AwardDecision decision = engine.awardRound(mojca, round_id);
  services.saveSimulatedClock();

  // The result, per lot.
  std::vector<core::LotResult> results;
  std::vector<core::ScoreRecord> scores;
  std::vector<core::AwardLine> awards;
  std::map<Id, core::Bid> bid_by_id;
  services.store().transact([&](core::Tx& tx) {
    results = tx.listLotResults(round_id);
    scores = tx.listScores(round_id);
    awards = tx.listAwardLines(round_id);
    for (const core::Bid& b : tx.listBids(round_id)) bid_by_id[b.id] = b;
  });
  out << "  " << bids << " bids opened " << core::formatTime(deadline + std::chrono::minutes(5)) << "; "
      << cases.size() << " abnormally low offer(s) explained and accepted (Art. 69)\n";
  for (const core::Lot& lot : stored_lots) {
    Decimal demand;
    for (const core::Demand& d : lot.demands) demand += d.quantity;
    out << "\nLot " << lot.number << ": " << lot.description << " (CPV " << lot.cpv << "), " << demand.toString()
        << " " << lot.unit << " to " << lot.demands.size() << " delivery points\n";
    out << "  " << padRight("rank", 5) << padRight("supplier", 34) << padLeft("EUR/" + lot.unit, 9)
        << padLeft("km", 8) << padLeft("price", 8) << padLeft("CO2", 8) << padLeft("fresh", 8)
        << padLeft("label", 8) << padLeft("total", 9) << padLeft("award", 10) << "  notes\n";
    std::vector<core::LotResult> lot_results;
    for (const core::LotResult& r : results)
      if (r.lot_id == lot.id && r.delivery_point_id == 0) lot_results.push_back(r);
    std::stable_sort(lot_results.begin(), lot_results.end(), [](const core::LotResult& a, const core::LotResult& b) {
      return (a.rank == 0 ? 1 << 30 : a.rank) < (b.rank == 0 ? 1 << 30 : b.rank);
    });
    for (const core::LotResult& r : lot_results) {
      const core::Supplier& s = supplier_by_id[r.supplier_id];
      std::map<core::CriterionKind, std::string> criterion_points;
      std::string km = "-";
      std::string price = "-";
      for (const core::ScoreRecord& sc : scores) {
        if (sc.lot_id != lot.id || sc.bid_id != r.bid_id || sc.delivery_point_id != 0) continue;
        criterion_points[sc.kind] = sc.points.toDecimalString(3);
        if (sc.kind == core::CriterionKind::kCo2) {
          const std::string mean = inputValue(sc.inputs, "mean_km");
          if (!mean.empty()) km = core::Exact::parse(mean).toDecimalString(1);
        }
        if (sc.kind == core::CriterionKind::kPrice) price = sc.value.toDecimalString(2);
      }
      Decimal awarded;
      for (const core::AwardLine& a : awards)
        if (a.lot_id == lot.id && a.bid_id == r.bid_id) awarded += a.quantity;
      const auto get = [&](core::CriterionKind k) { return criterion_points.count(k) ? criterion_points[k] : std::string("-"); };
      std::string note = r.note;
      if (r.abnormally_low) note = "abnormally low, explained";
      out << "  " << padRight(r.rank ? std::to_string(r.rank) : "-", 5) << padRight(s.name, 34) << padLeft(price, 9)
          << padLeft(km, 8) << padLeft(get(core::CriterionKind::kPrice), 8)
          << padLeft(get(core::CriterionKind::kCo2), 8) << padLeft(get(core::CriterionKind::kFreshness), 8)
          << padLeft(get(core::CriterionKind::kLabel), 8)
          << padLeft(r.admissible ? r.total.toDecimalString(3) : "-", 9)
          << padLeft(awarded.isZero() ? "-" : awarded.toString(), 10) << "  " << note << "\n";
    }
    Decimal covered;
    for (const core::AwardLine& a : awards)
      if (a.lot_id == lot.id) covered += a.quantity;
    if (covered < demand)
      out << "  open: " << (demand - covered).toString() << " " << lot.unit
          << " not covered by any bid (a further round can buy it)\n";
  }
  out << "\nAward decided " << core::formatTime(decision.decided_at) << "; standstill until "
      << (decision.standstill_end ? core::formatTime(*decision.standstill_end) : std::string("(none)"))
      << " (10 calendar days, Directive 2007/66/EC)\n"
      << "Scores are exact; shown rounded half up to 3 decimals. Verify the audit trail with `dps audit verify`.\n";
}

}  // namespace web
