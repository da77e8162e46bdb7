#include "import/importers.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/audit.h"
#include "core/error.h"
#include "core/scoring.h"
#include "import/batch_lane.h"
#include "import/cpv_list.h"
#include "import/csv_reader.h"
#include "import/key_set.h"
#include "import/values.h"

namespace importer {
namespace {

using core::ErrorCode;

// Coordinates read back from the store are compared with this slack (about 0.1 mm), so that a
// backend that rounds the last bit of a double does not turn a re-import into an update.
constexpr double kSameDegrees = 1e-9;

// Lookup caches keyed by what rows name without bound (suppliers in road-distances, products in
// demand) are cleared when they reach this size, which bounds memory however many a file names.
// What is bounded by the stored data (an authority's delivery points, the product catalogue) is
// read whole with one query instead: on MariaDB every lookup is a round trip.
constexpr std::size_t kCacheLimit = 4096;

// A road shorter than the straight line by more than this is refused; the slack absorbs
// coordinates given to a few decimals.
constexpr std::int64_t kStraightLineSlackMetres = 500;

struct KindInfo {
  Kind kind;
  const char* name;
  std::vector<std::string> columns;
  // The most characters each column's value may have: the field's core::max_chars limit, as in
  // the JSON API. Numbers, dates and other strictly parsed values get kParsed, well above any
  // valid form.
  std::vector<std::size_t> max_chars;
};

constexpr std::size_t kParsed = 40;

const std::vector<KindInfo>& kinds() {
  using namespace core::max_chars;
  static const std::vector<KindInfo> table = {
      {Kind::kDeliveryPoints,
       "delivery-points",
       {"authority", "code", "name", "address", "lat", "lon"},
       {kName, kCode, kName, kAddress, kParsed, kParsed}},
      {Kind::kSuppliers,
       "suppliers",
       {"tax_number", "name", "address", "email", "sme", "dispatch_point", "dispatch_address", "dispatch_lat",
        "dispatch_lon", "certificate", "certificate_number", "certificate_valid_until"},
       {kCode, kName, kAddress, kEmail, kParsed, kName, kAddress, kParsed, kParsed, kName, kCertificateNumber,
        kParsed}},
      {Kind::kProducts,
       "products",
       {"code", "cpv", "name_sl", "name_en", "unit", "unit_mass_kg"},
       {kCode, kParsed, kName, kName, kUnit, kParsed}},
      {Kind::kRoadDistances,
       "road-distances",
       {"tax_number", "dispatch_point", "authority", "delivery_point_code", "km"},
       {kCode, kName, kName, kCode, kParsed}},
      {Kind::kDemand,
       "demand",
       {"lot", "product", "delivery_point_code", "quantity", "schedule"},
       {kParsed, kCode, kCode, kParsed, kSchedule}},
  };
  return table;
}

// A problem shows at most this many characters of the value (an over-long value is cut, with "…"),
// so that a report of many problems stays small whatever the file holds.
constexpr std::size_t kShownValueChars = 100;

// The value as a problem shows it: its first kShownValueChars characters.
std::string shown(std::string_view value) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xC0) == 0x80) continue;
    if (chars++ == kShownValueChars) return std::string(value.substr(0, i)) + "…";
  }
  return std::string(value);
}

const KindInfo& infoOf(Kind kind) {
  for (const KindInfo& k : kinds())
    if (k.kind == kind) return k;
  throw core::Error(ErrorCode::kInternal, "unknown import kind value; report this defect");
}

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

std::string degreesText(double v) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, v);
  return ec == std::errc() ? std::string(text, end) : std::string("?");
}

bool sameDegrees(double a, double b) { return std::fabs(a - b) <= kSameDegrees; }
bool samePlace(const core::GeoPoint& a, const core::GeoPoint& b) {
  return sameDegrees(a.lat, b.lat) && sameDegrees(a.lon, b.lon);
}

class Sha256 {
 public:
  Sha256() {
    if (sodium_init() < 0) throw core::Error(ErrorCode::kInternal, "libsodium could not be initialised");
    crypto_hash_sha256_init(&state_);
  }
  void update(std::string_view text) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  std::string hex() {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, out);
    char text[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(text, sizeof text, out, sizeof out);
    return text;
  }

 private:
  crypto_hash_sha256_state state_;
};

// One data row seen through the header: column i of the kind is field index_[i] of the record.
class Row {
 public:
  Row(const CsvRecord& record, const std::vector<std::size_t>& index) : record_(record), index_(index) {}
  std::string_view text(std::size_t column) const { return trimmed(record_.fields[index_[column]]); }
  int column(std::size_t c) const { return record_.positions[index_[c]].column; }
  int line() const { return record_.line; }

 private:
  const CsvRecord& record_;
  const std::vector<std::size_t>& index_;
};

enum class Outcome { kAdded, kUpdated, kUnchanged };

// What every kind shares: the transaction, the report, problems and counts, and the digest of
// what changed for the audit entry.
// The sme column: a size class (English or Slovenian) or yes/no; nullopt when it is neither.
std::optional<std::string> sizeClassOf(std::string_view text) {
  std::string t(text);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, std::string> kNames = {
      {"micro", "micro"}, {"small", "small"}, {"medium", "medium"}, {"large", "large"},
      {"mikro", "micro"}, {"majhno", "small"}, {"srednje", "medium"}, {"veliko", "large"}};
  if (const auto it = kNames.find(t); it != kNames.end()) return it->second;
  if (const std::optional<bool> yes = parseYesNo(text)) return std::string(*yes ? "yes" : "no");
  return std::nullopt;
}

class Context {
 public:
  Context(core::Tx& tx, const KindInfo& info, const ImportOptions& options, bool apply, ImportReport& report,
          core::TimePoint now)
      : lane_(tx), info_(info), options_(options), apply_(apply), report_(report), now_(now) {}

  // The transaction, once the batch in flight (if any) is done.
  core::Tx& tx() { return lane_.tx(); }
  // Where suppliers and demand write their batches while the next one is read (see BatchLane).
  BatchLane& lane() { return lane_; }
  // The time of the import's changes (the audit entry's time).
  core::TimePoint now() const { return now_; }
  const ImportOptions& options() const { return options_; }
  // Writes stop at the first problem: the transaction will be rolled back anyway, and the rest of
  // the file is still read to report every problem.
  bool writing() const { return apply_ && report_.problems.empty(); }

  // `message` is English; `localized` names it in the interface's catalogue (see Problem).
  void problem(int line, int column, const std::string& field, std::string_view value, std::string message,
               core::Localized localized, bool data_row = true) {
    report_.problems.push_back(
        {options_.file_name, line, column, field, shown(value), std::move(message), std::move(localized)});
    if (data_row && line > 0) rejected_lines_.push_back(line);
  }
  void problem(const Row& row, std::size_t column, std::string message, core::Localized localized) {
    problem(row.line(), row.column(column), info_.columns[column], row.text(column), std::move(message),
            std::move(localized));
  }
  std::size_t problemCount() const { return report_.problems.size(); }
  // Marks the start of a data row, so that rowOk() says whether the row has a problem so far.
  void beginRow() { row_start_ = report_.problems.size(); }
  bool rowOk() const { return report_.problems.size() == row_start_; }
  void skipRowProblems(std::size_t count) { row_start_ += count; }

  // A cell that must not be empty; reports it and returns nullopt when it is. The catalogue names
  // what to give per kind and column: "import.empty.<kind>.<column>".
  std::optional<std::string_view> required(const Row& row, std::size_t column, const std::string& what) {
    const std::string_view v = row.text(column);
    if (!v.empty()) return v;
    const std::string& name = info_.columns[column];
    problem(row, column, name + " is empty: give " + what,
            {std::string("import.empty.") + info_.name + "." + name, {name}});
    return std::nullopt;
  }

  std::optional<double> degrees(const Row& row, std::size_t column, double limit, const char* which) {
    const std::optional<std::string_view> text = required(row, column, std::string("the ") + which +
                                                                           " in decimal degrees (WGS84)");
    if (!text) return std::nullopt;
    const std::optional<double> v = parseDegrees(*text);
    if (!v) {
      problem(row, column,
              std::string("not a ") + which +
                  ": write decimal degrees such as 46.2389 or 46,2389 (no degree sign, minutes or exponent; at most "
                  "20 decimals)",
              {std::string("import.problem.not_") + which, {}});
      return std::nullopt;
    }
    if (*v < -limit || *v > limit) {
      problem(row, column,
              std::string(which) + " must be between -" + degreesText(limit) + " and " + degreesText(limit) +
                  ": check that latitude and longitude are not swapped and that the value is in degrees",
              {std::string("import.problem.") + which + "_range", {degreesText(limit)}});
      return std::nullopt;
    }
    return v;
  }

  // Counts a record and, when it changed, feeds its canonical description to the audit digest.
  void record(Outcome outcome, const std::string& canonical) {
    switch (outcome) {
      case Outcome::kAdded:
        ++report_.added;
        digest_.update("new\t");
        break;
      case Outcome::kUpdated:
        ++report_.updated;
        digest_.update("updated\t");
        break;
      case Outcome::kUnchanged:
        ++report_.unchanged;
        return;
    }
    digest_.update(canonical);
    digest_.update("\n");
  }

  std::uint64_t changes() const { return report_.added + report_.updated; }
  std::string digestHex() { return digest_.hex(); }

  std::uint64_t rejectedRows() {
    std::sort(rejected_lines_.begin(), rejected_lines_.end());
    return static_cast<std::uint64_t>(std::unique(rejected_lines_.begin(), rejected_lines_.end()) -
                                      rejected_lines_.begin());
  }

 private:
  BatchLane lane_;
  const KindInfo& info_;
  const ImportOptions& options_;
  bool apply_;
  ImportReport& report_;
  core::TimePoint now_;
  Sha256 digest_;
  std::vector<int> rejected_lines_;
  std::size_t row_start_ = 0;
};

class KindImporter {
 public:
  virtual ~KindImporter() = default;
  virtual void row(const Row& row) = 0;
  virtual void finish() {}
};

std::map<std::string, std::vector<core::Id>> authoritiesByName(core::Tx& tx) {
  std::map<std::string, std::vector<core::Id>> out;
  for (const core::Authority& a : tx.listAuthorities()) out[a.name].push_back(a.id);
  return out;
}

// Resolves an authority cell; reports and returns nullopt when it names none or several.
std::optional<core::Id> resolveAuthority(Context& ctx, const Row& row, std::size_t column,
                                         const std::map<std::string, std::vector<core::Id>>& authorities,
                                         std::string_view name) {
  const auto it = authorities.find(std::string(name));
  if (it == authorities.end()) {
    std::vector<std::string> names;
    for (const auto& [n, ids] : authorities) names.push_back("'" + n + "'");
    if (names.empty()) {
      ctx.problem(row, column,
                  "no contracting authority is named exactly so; none is stored yet: create the authority first",
                  {"import.problem.no_authority_stored", {}});
    } else {
      ctx.problem(
          row, column,
          "no contracting authority is named exactly so; the stored ones are " + joined(names) + ": correct the name",
          {"import.problem.no_such_authority", {joined(names)}});
    }
    return std::nullopt;
  }
  if (const std::optional<core::Id> own = ctx.options().authority_id) {
    if (std::find(it->second.begin(), it->second.end(), *own) == it->second.end()) {
      ctx.problem(row, column,
                  "this is another contracting authority's data and you may import only your own authority's: "
                  "remove the row, or ask that authority's officer to import it",
                  {"import.problem.other_authority", {}});
      return std::nullopt;
    }
    return *own;
  }
  if (it->second.size() > 1) {
    ctx.problem(row, column,
                std::to_string(it->second.size()) +
                    " stored authorities have this name, so the row cannot say which one it means: rename one "
                    "of them first",
                {"import.problem.authority_ambiguous", {std::to_string(it->second.size())}});
    return std::nullopt;
  }
  return it->second.front();
}

// ---------------------------------------------------------------------------------------------
class DeliveryPointImporter final : public KindImporter {
 public:
  enum Col : std::size_t { kAuthority, kCode, kName, kAddress, kLat, kLon };

  explicit DeliveryPointImporter(Context& ctx) : ctx_(ctx), authorities_(authoritiesByName(ctx.tx())) {}

  void row(const Row& row) override {
    const auto authority = ctx_.required(row, kAuthority, "the contracting authority's name as stored");
    const auto code = ctx_.required(row, kCode, "the delivery point's code, unique within its authority");
    const auto name = ctx_.required(row, kName, "the school's or kindergarten's name");
    const auto address = ctx_.required(row, kAddress, "the delivery address");
    const auto lat = ctx_.degrees(row, kLat, 90, "latitude");
    const auto lon = ctx_.degrees(row, kLon, 180, "longitude");
    std::optional<core::Id> authority_id;
    if (authority) authority_id = resolveAuthority(ctx_, row, kAuthority, authorities_, *authority);
    if (authority && code) {
      std::string key(*authority);
      key += '\x1f';
      key += *code;
      if (const auto first = keys_.insert(key, row.line())) {
        ctx_.problem(row, kCode,
                     "duplicate: this authority's delivery point with this code is already on line " +
                         std::to_string(*first) + "; keep one row per delivery point",
                     {"import.problem.duplicate_delivery_point", {std::to_string(*first)}});
      }
    }
    if (!ctx_.rowOk()) return;

    core::DeliveryPoint p;
    p.authority_id = *authority_id;
    p.code = std::string(*code);
    p.name = std::string(*name);
    p.address = std::string(*address);
    p.location = {*lat, *lon};
    const core::DeliveryPoint* stored = storedPoint(p.authority_id, p.code);
    Outcome outcome = Outcome::kAdded;
    if (stored) {
      p.id = stored->id;
      outcome = stored->name == p.name && stored->address == p.address && samePlace(stored->location, p.location)
                    ? Outcome::kUnchanged
                    : Outcome::kUpdated;
    }
    if (ctx_.writing()) {
      if (outcome == Outcome::kAdded) ctx_.tx().insertDeliveryPoint(p);
      if (outcome == Outcome::kUpdated) ctx_.tx().updateDeliveryPoint(p);
    }
    ctx_.record(outcome, "delivery-point\t" + std::string(*authority) + "\t" + p.code + "\t" + p.name + "\t" +
                             p.address + "\t" + degreesText(p.location.lat) + "\t" + degreesText(p.location.lon));
  }

 private:
  // The authority's stored delivery points, read with one query when the file first names it
  // (instead of one lookup per row: a round trip each on MariaDB). An authority has hundreds of
  // points, not millions, and a file names few authorities.
  const core::DeliveryPoint* storedPoint(core::Id authority_id, const std::string& code) {
    auto it = stored_.find(authority_id);
    if (it == stored_.end()) {
      std::unordered_map<std::string, core::DeliveryPoint> points;
      for (core::DeliveryPoint& p : ctx_.tx().listDeliveryPoints(authority_id)) points.emplace(p.code, std::move(p));
      it = stored_.emplace(authority_id, std::move(points)).first;
    }
    const auto point = it->second.find(code);
    return point == it->second.end() ? nullptr : &point->second;
  }

  Context& ctx_;
  std::map<std::string, std::vector<core::Id>> authorities_;
  std::unordered_map<core::Id, std::unordered_map<std::string, core::DeliveryPoint>> stored_;
  KeySet keys_;
};

// ---------------------------------------------------------------------------------------------
class ProductImporter final : public KindImporter {
 public:
  enum Col : std::size_t { kCode, kCpv, kNameSl, kNameEn, kUnit, kUnitMass };

  ProductImporter(Context& ctx, const CpvList* cpv) : ctx_(ctx), cpv_(cpv) {}

  void row(const Row& row) override {
    const auto code = ctx_.required(row, kCode, "the product's code, unique in the catalogue (e.g. APPLE-IDARED)");
    const auto cpv_text = ctx_.required(row, kCpv, "the product's CPV code (8 digits, e.g. 03222321)");
    const auto name_sl = ctx_.required(row, kNameSl, "the Slovenian name");
    const auto unit = ctx_.required(row, kUnit, "the unit the product is bought in (kg, l, piece)");
    const auto mass_text = ctx_.required(row, kUnitMass, "the mass in kg of one unit (1 for kg)");
    std::optional<std::string> cpv;
    if (cpv_text) cpv = checkCpv(row, *cpv_text);
    core::Decimal mass;
    if (mass_text) {
      if (const std::optional<core::Decimal> parsed = parseNumber(*mass_text); !parsed) {
        ctx_.problem(row, kUnitMass,
                     "not a number: write the mass in kg of one unit with at most six decimals, e.g. 1 or 0,06",
                     {"import.problem.mass_not_number", {}});
      } else if (parsed->isNegative() || parsed->isZero()) {
        ctx_.problem(row, kUnitMass,
                     "must be greater than 0: the mass in kg of one unit (1 for kg, about 1.03 for a litre of "
                     "milk); CO2 per delivery is computed from it",
                     {"import.problem.mass_positive", {}});
      } else {
        mass = *parsed;
      }
    }
    if (code) {
      if (const auto first = keys_.insert(*code, row.line()))
        ctx_.problem(row, kCode,
                     "duplicate: product code already on line " + std::to_string(*first) + "; keep one row per product",
                     {"import.problem.duplicate_product", {std::to_string(*first)}});
    }
    if (!ctx_.rowOk()) return;

    core::Product p;
    p.code = std::string(*code);
    p.cpv = *cpv;
    p.name_sl = std::string(*name_sl);
    p.name_en = std::string(row.text(kNameEn));
    p.unit = std::string(*unit);
    p.unit_mass_kg = mass;
    const core::Product* stored = storedProduct(p.code);
    Outcome outcome = Outcome::kAdded;
    if (stored) {
      p.id = stored->id;
      outcome = stored->cpv == p.cpv && stored->name_sl == p.name_sl && stored->name_en == p.name_en &&
                        stored->unit == p.unit && stored->unit_mass_kg == p.unit_mass_kg
                    ? Outcome::kUnchanged
                    : Outcome::kUpdated;
    }
    if (ctx_.writing()) {
      if (outcome == Outcome::kAdded) ctx_.tx().insertProduct(p);
      if (outcome == Outcome::kUpdated) ctx_.tx().updateProduct(p);
    }
    ctx_.record(outcome, "product\t" + p.code + "\t" + p.cpv + "\t" + p.name_sl + "\t" + p.name_en + "\t" + p.unit +
                             "\t" + p.unit_mass_kg.toString());
  }

 private:
  // The stored catalogue, read with one query at the first row that needs it (instead of one
  // lookup per row: a round trip each on MariaDB). A catalogue holds thousands of products.
  const core::Product* storedProduct(const std::string& code) {
    if (!stored_) {
      stored_.emplace();
      for (core::Product& p : ctx_.tx().listProducts()) stored_->emplace(p.code, std::move(p));
    }
    const auto it = stored_->find(code);
    return it == stored_->end() ? nullptr : &it->second;
  }

  std::optional<std::string> checkCpv(const Row& row, std::string_view text) {
    const std::optional<CpvCode> code = parseCpvCode(text);
    if (!code) {
      ctx_.problem(row, kCpv,
                   "not a CPV code: write its 8 digits, optionally with the check digit (03222321 or 03222321-9)",
                   {"import.problem.not_cpv", {}});
      return std::nullopt;
    }
    const CpvList::Entry* entry = cpv_ ? cpv_->find(code->digits) : nullptr;
    if (cpv_ && !entry) {
      ctx_.problem(row, kCpv,
                   "CPV " + code->digits + " is not in the CPV 2008 list (" + cpv_->source() +
                       "): look the product up in the list and use its code",
                   {"import.problem.cpv_unknown", {code->digits, cpv_->source()}});
      return std::nullopt;
    }
    if (entry && code->check && *code->check != entry->check) {
      ctx_.problem(row, kCpv,
                   "the check digit of CPV " + code->digits + " (" + entry->label + ") is " + entry->check + ", not " +
                       *code->check + ": correct it, or give the 8 digits alone",
                   {"import.problem.cpv_check_digit",
                    {code->digits, entry->label, std::string(1, entry->check), std::string(1, *code->check)}});
      return std::nullopt;
    }
    if (!isFoodCpv(code->digits)) {
      const std::string named = code->digits + (entry ? " (" + entry->label + ")" : std::string());
      ctx_.problem(row, kCpv,
                   "CPV " + named +
                       " is not food: food products must be in CPV division 03 (agricultural products) or 15 "
                       "(food and beverages)",
                   {"import.problem.cpv_not_food", {named}});
      return std::nullopt;
    }
    return code->digits;
  }

  Context& ctx_;
  const CpvList* cpv_;
  std::optional<std::unordered_map<std::string, core::Product>> stored_;
  KeySet keys_;
};

// ---------------------------------------------------------------------------------------------
class SupplierImporter final : public KindImporter {
 public:
  enum Col : std::size_t {
    kTaxNumber,
    kName,
    kAddress,
    kEmail,
    kSme,
    kDispatchPoint,
    kDispatchAddress,
    kDispatchLat,
    kDispatchLon,
    kCertificate,
    kCertificateNumber,
    kCertificateValidUntil
  };

  explicit SupplierImporter(Context& ctx) : ctx_(ctx) {}

  void row(const Row& row) override {
    const auto tax = ctx_.required(row, kTaxNumber, "the supplier's tax number on every row of the supplier");
    if (!tax) return;
    if (!group_ || group_->tax != *tax) {
      const std::size_t before_finish = ctx_.problemCount();
      finishGroup();
      // The previous supplier's problems belong to its rows, not to this one.
      ctx_.skipRowProblems(ctx_.problemCount() - before_finish);
      if (pending_.size() >= kSupplierBatch) flush();
      startGroup(row, *tax);
    }
    Group& g = *group_;
    g.last_line = row.line();
    supplierField(row, kName, g.name);
    supplierField(row, kAddress, g.address);
    if (!row.text(kEmail).empty() && !looksLikeEmail(row.text(kEmail)))
      ctx_.problem(row, kEmail, "not an e-mail address: write one address such as kmetija@example.si",
                   {"import.problem.email", {}});
    supplierField(row, kEmail, g.email);
    if (!row.text(kSme).empty()) {
      const std::optional<std::string> size = sizeClassOf(row.text(kSme));
      if (!size) {
        ctx_.problem(row, kSme,
                     "write the size class micro, small, medium or large (mikro, majhno, srednje, veliko), or yes or "
                     "no (da or ne) for whether the supplier is a small or medium enterprise",
                     {"import.problem.size_class", {}});
        if (g.sme.value.empty()) g.sme = {std::string(row.text(kSme)), row.line()};
      } else {
        const std::string& canonical = *size;
        if (g.sme.value.empty()) {
          g.sme = {canonical, row.line()};
        } else if (g.sme.value != canonical) {
          differs(row, kSme, g.sme);
        }
      }
    }
    dispatchPoint(row, g);
    certificate(row, g);
    if (!ctx_.rowOk()) g.bad = true;
  }

  void finish() override {
    finishGroup();
    flush();
  }

 private:
  // Suppliers are looked up and written a batch at a time: one lookup query and a few multi-row
  // INSERTs per batch instead of several round trips per supplier. Memory stays bounded by the batch.
  static constexpr std::size_t kSupplierBatch = 512;

  void finishGroup() {
    if (!group_) return;
    Group g = std::move(*group_);
    group_.reset();
    const std::size_t before = ctx_.problemCount();
    const auto missing = [&](const GroupField& f, const char* column, const char* what) {
      if (!f.value.empty()) return;
      ctx_.problem(
          g.first_line, 0, column, "",
          std::string("supplier ") + g.tax + " has no " + column + ": give " + what + " on the supplier's first row",
          {std::string("import.problem.supplier_without.") + column, {g.tax}});
    };
    // A block repeating an earlier supplier's tax number was reported as such; what it lacks adds nothing.
    if (g.duplicate) return;
    missing(g.name, "name", "the registered name");
    missing(g.address, "address", "the registered address");
    missing(g.email, "email", "the address invitations are sent to");
    missing(g.sme, "sme", "the size class (micro, small, medium, large) or yes or no");
    if (!g.dispatch_given) {
      ctx_.problem(g.first_line, 0, "dispatch_point", "",
                   "supplier " + g.tax +
                       " has no dispatch point: give at least one row with dispatch_point, dispatch_address, "
                       "dispatch_lat and dispatch_lon (where the goods leave from; bids and distances need it)",
                   {"import.problem.supplier_without.dispatch_point", {g.tax}});
    }
    if (g.bad || ctx_.problemCount() != before) return;

    core::Supplier s;
    s.tax_number = g.tax;
    s.name = g.name.value;
    s.address = g.address.value;
    s.email = g.email.value;
    // "yes": an SME of undeclared class; "no": not an SME, i.e. large.
    s.is_sme = g.sme.value != "no" && g.sme.value != "large";
    s.size_class = g.sme.value == "no" ? "large" : g.sme.value == "yes" ? "" : g.sme.value;
    for (const Pending<core::Certificate>& c : g.certificates) s.certificates.push_back(c.item);
    for (const Pending<core::DispatchPoint>& p : g.points) s.dispatch_points.push_back(p.item);
    pending_.push_back(std::move(s));
  }

  // Hands the pending suppliers to the lane, which classifies them against the stored ones and,
  // when writing, updates the changed ones and inserts the new ones together. The batch comes back
  // to this thread with the outcomes, which are counted here in file order (for the audit digest);
  // it is also freed here, where it was allocated (a free on the lane's thread would contend for
  // this thread's malloc arena).
  void flush() {
    if (pending_.empty()) return;
    ctx_.lane().submit([batch = std::move(pending_), writing = ctx_.writing(), now = ctx_.now(),
                        &ctx = ctx_](core::Tx& tx) mutable -> BatchLane::Completion {
      std::vector<Outcome> outcomes = store(tx, batch, writing, now);
      return [&ctx, batch = std::move(batch), outcomes = std::move(outcomes)] {
        for (std::size_t i = 0; i < batch.size(); ++i) ctx.record(outcomes[i], canonical(batch[i]));
      };
    });
    pending_.clear();
  }

  // Runs on the lane's thread: touches only the transaction and the batch. Returns each
  // supplier's outcome, in the batch's order.
  static std::vector<Outcome> store(core::Tx& tx, std::vector<core::Supplier>& batch, bool writing,
                                    core::TimePoint now) {
    std::vector<std::string> keys;
    keys.reserve(batch.size());
    for (const core::Supplier& s : batch) keys.push_back(s.tax_number);
    std::unordered_map<std::string, core::Supplier> stored;
    for (core::Supplier& s : tx.findSuppliersByTaxNumbers(keys)) stored.emplace(s.tax_number, std::move(s));
    std::vector<Outcome> outcomes;
    outcomes.reserve(batch.size());
    std::vector<core::Supplier> added;
    std::vector<std::size_t> added_at;  // where each of `added` came from in the batch
    for (std::size_t i = 0; i < batch.size(); ++i) {
      core::Supplier& s = batch[i];
      Outcome outcome = Outcome::kAdded;
      if (const auto it = stored.find(s.tax_number); it != stored.end()) {
        const core::Supplier& old_supplier = it->second;
        s.id = old_supplier.id;
        s.country = old_supplier.country;
        for (core::DispatchPoint& p : s.dispatch_points) {
          p.supplier_id = old_supplier.id;
          for (const core::DispatchPoint& old : old_supplier.dispatch_points)
            if (old.name == p.name) p.id = old.id;
        }
        outcome = same(old_supplier, s) ? Outcome::kUnchanged : Outcome::kUpdated;
      }
      outcomes.push_back(outcome);
      if (writing && outcome == Outcome::kUpdated) {
        // Replaced certificates stay on record with the instant they ended (rule 5 at a past deadline).
        if (!core::sameCertificates(stored.at(s.tax_number).certificates, s.certificates))
          tx.archiveCertificates(s.id, now);
        tx.updateSupplier(s);
      }
      if (writing && outcome == Outcome::kAdded) {
        added.push_back(std::move(s));
        added_at.push_back(i);
      }
    }
    if (!added.empty()) tx.insertSuppliers(added);
    for (std::size_t k = 0; k < added.size(); ++k) batch[added_at[k]] = std::move(added[k]);
    return outcomes;
  }

  static std::string canonical(const core::Supplier& s) {
    std::string canonical = "supplier\t" + s.tax_number + "\t" + s.name + "\t" + s.address + "\t" + s.email + "\t" +
                            (s.size_class.empty() ? std::string(s.is_sme ? "sme" : "large") : s.size_class);
    for (const core::DispatchPoint& p : s.dispatch_points)
      canonical += "\tdispatch:" + p.name + "|" + p.address + "|" + degreesText(p.location.lat) + "|" +
                   degreesText(p.location.lon);
    for (const core::Certificate& c : s.certificates)
      canonical += "\tcertificate:" + c.name + "|" + c.number + "|" +
                   (c.valid_until ? core::formatTime(*c.valid_until) : std::string("-"));
    return canonical;
  }

  struct GroupField {
    std::string value;
    int line = 0;
  };
  template <typename T>
  struct Pending {
    T item;
    int line = 0;
  };
  struct Group {
    std::string tax;
    int first_line = 0;
    int last_line = 0;
    bool bad = false;
    bool duplicate = false;  // the tax number's rows began earlier in the file
    bool dispatch_given = false;  // a row tried to give a dispatch point, even a bad one
    GroupField name, address, email, sme;
    std::vector<Pending<core::DispatchPoint>> points;
    std::vector<Pending<core::Certificate>> certificates;
  };

  void startGroup(const Row& row, std::string_view tax) {
    group_.emplace();
    group_->tax = std::string(tax);
    group_->first_line = row.line();
    if (const auto first = keys_.insert(tax, row.line())) {
      ctx_.problem(row, kTaxNumber,
                   "duplicate: this supplier's rows already began on line " + std::to_string(*first) +
                       "; keep all rows of one supplier together, one after the other",
                   {"import.problem.duplicate_supplier", {std::to_string(*first)}});
      group_->bad = true;
      group_->duplicate = true;
    }
  }

  void supplierField(const Row& row, std::size_t column, GroupField& field) {
    const std::string_view v = row.text(column);
    if (v.empty()) return;
    if (field.value.empty()) {
      field = {std::string(v), row.line()};
    } else if (field.value != v) {
      differs(row, column, field);
    }
  }

  // A detail of the supplier given on an earlier row with another value.
  void differs(const Row& row, std::size_t column, const GroupField& earlier) {
    ctx_.problem(row, column,
                 "differs from '" + earlier.value + "' given for this supplier on line " +
                     std::to_string(earlier.line) + ": give the supplier's details once, or the same on every row",
                 {"import.problem.supplier_differs", {earlier.value, std::to_string(earlier.line)}});
  }

  void dispatchPoint(const Row& row, Group& g) {
    if (row.text(kDispatchPoint).empty() && row.text(kDispatchAddress).empty() && row.text(kDispatchLat).empty() &&
        row.text(kDispatchLon).empty())
      return;
    g.dispatch_given = true;
    const std::size_t before = ctx_.problemCount();
    const auto name = ctx_.required(row, kDispatchPoint, "the dispatch point's name (farm, hub or cooperative)");
    const auto address = ctx_.required(row, kDispatchAddress, "the dispatch point's address");
    const auto lat = ctx_.degrees(row, kDispatchLat, 90, "latitude");
    const auto lon = ctx_.degrees(row, kDispatchLon, 180, "longitude");
    if (ctx_.problemCount() != before) return;
    core::DispatchPoint p;
    p.name = std::string(*name);
    p.address = std::string(*address);
    p.location = {*lat, *lon};
    for (const Pending<core::DispatchPoint>& other : g.points) {
      if (other.item.name != p.name) continue;
      if (other.item.address != p.address || !samePlace(other.item.location, p.location)) {
        ctx_.problem(row, kDispatchPoint,
                     "dispatch point given on line " + std::to_string(other.line) +
                         " with a different address or coordinates: give each dispatch point once per supplier",
                     {"import.problem.dispatch_point_differs", {std::to_string(other.line)}});
      }
      return;
    }
    g.points.push_back({std::move(p), row.line()});
  }

  void certificate(const Row& row, Group& g) {
    if (row.text(kCertificate).empty() && row.text(kCertificateNumber).empty() &&
        row.text(kCertificateValidUntil).empty())
      return;
    const std::size_t before = ctx_.problemCount();
    const auto name =
        ctx_.required(row, kCertificate, "the certificate's name (e.g. organic (EU 2018/848), HACCP)");
    const auto number = ctx_.required(row, kCertificateNumber, "the certificate's number as printed on it");
    std::optional<core::TimePoint> valid_until;
    if (!row.text(kCertificateValidUntil).empty()) {
      const std::optional<core::Date> date = parseIsoDate(row.text(kCertificateValidUntil));
      if (!date) {
        ctx_.problem(row, kCertificateValidUntil,
                     "not a date: write the last valid day as YYYY-MM-DD, e.g. 2027-12-31, or leave it empty when "
                     "the certificate does not expire",
                     {"import.problem.certificate_date", {}});
      } else {
        valid_until = endOfDay(*date);
      }
    }
    if (ctx_.problemCount() != before) return;
    core::Certificate c{std::string(*name), std::string(*number), valid_until};
    for (const Pending<core::Certificate>& other : g.certificates) {
      if (other.item.name != c.name || other.item.number != c.number) continue;
      if (other.item.valid_until != c.valid_until) {
        ctx_.problem(row, kCertificateValidUntil,
                     "certificate given on line " + std::to_string(other.line) +
                         " with a different validity: give each certificate once per supplier",
                     {"import.problem.certificate_differs", {std::to_string(other.line)}});
      }
      return;
    }
    g.certificates.push_back({std::move(c), row.line()});
  }

  core::TimePoint endOfDay(core::Date d) const {
    if (ctx_.options().calendar) return ctx_.options().calendar->endOfDay(d);
    return core::TimePoint(std::chrono::sys_days(d)) + std::chrono::seconds(24 * 3600 - 1);
  }

  static bool same(const core::Supplier& a, const core::Supplier& b) {
    if (a.name != b.name || a.address != b.address || a.email != b.email || a.is_sme != b.is_sme ||
        a.size_class != b.size_class)
      return false;
    const auto certificates = [](const core::Supplier& s) {
      std::vector<std::tuple<std::string, std::string, std::optional<core::TimePoint>>> out;
      for (const core::Certificate& c : s.certificates) out.emplace_back(c.name, c.number, c.valid_until);
      std::sort(out.begin(), out.end());
      return out;
    };
    if (certificates(a) != certificates(b)) return false;
    if (a.dispatch_points.size() != b.dispatch_points.size()) return false;
    for (const core::DispatchPoint& p : b.dispatch_points) {
      const auto it = std::find_if(a.dispatch_points.begin(), a.dispatch_points.end(),
                                   [&](const core::DispatchPoint& q) { return q.name == p.name; });
      if (it == a.dispatch_points.end() || it->address != p.address || !samePlace(it->location, p.location))
        return false;
    }
    return true;
  }

  Context& ctx_;
  std::optional<Group> group_;
  KeySet keys_;
  std::vector<core::Supplier> pending_;
};

// ---------------------------------------------------------------------------------------------
class RoadDistanceImporter final : public KindImporter {
 public:
  enum Col : std::size_t { kTaxNumber, kDispatchPoint, kAuthority, kDeliveryPointCode, kKm };

  explicit RoadDistanceImporter(Context& ctx) : ctx_(ctx), authorities_(authoritiesByName(ctx.tx())) {}

  void row(const Row& row) override {
    const auto tax = ctx_.required(row, kTaxNumber, "the tax number of the supplier the dispatch point belongs to");
    const auto point_name = ctx_.required(row, kDispatchPoint, "the dispatch point's name as imported with the supplier");
    const auto authority = ctx_.required(row, kAuthority, "the contracting authority's name as stored");
    const auto code = ctx_.required(row, kDeliveryPointCode, "the delivery point's code");
    const auto km_text = ctx_.required(row, kKm, "the road distance in km");
    std::optional<core::Decimal> km;
    if (km_text) {
      km = parseNumber(*km_text);
      if (!km) {
        ctx_.problem(row, kKm, "not a number: write kilometres with at most six decimals, e.g. 12.4 or 12,4",
                     {"import.problem.km_not_number", {}});
      } else if (km->isNegative()) {
        ctx_.problem(row, kKm, "a distance cannot be negative: write the road distance in km",
                     {"import.problem.km_negative", {}});
        km.reset();
      }
    }
    const core::DispatchPoint* from = nullptr;
    if (tax && point_name) from = dispatchPoint(row, *tax, *point_name);
    const core::DeliveryPoint* to = nullptr;
    if (authority && code) {
      if (const auto authority_id = resolveAuthority(ctx_, row, kAuthority, authorities_, *authority))
        to = deliveryPoint(row, *authority_id, *code);
    }
    if (from && to && km) {
      const core::Decimal straight = core::haversineKm(from->location, to->location);
      if (*km + core::Decimal::fromRaw(kStraightLineSlackMetres * 1000) < straight) {
        ctx_.problem(row, kKm,
                     "shorter than the straight line (" + straight.toString() +
                         " km) between the dispatch point and the delivery point: a road is never shorter; check "
                         "the distance and both points' coordinates",
                     {"import.problem.km_shorter", {straight.toString()}});
      }
    }
    if (from && to) {
      char key[2 * sizeof(core::Id)];
      std::memcpy(key, &from->id, sizeof(core::Id));
      std::memcpy(key + sizeof(core::Id), &to->id, sizeof(core::Id));
      if (const auto first = keys_.insert(std::string_view(key, sizeof key), row.line())) {
        ctx_.problem(row, kDeliveryPointCode,
                     "duplicate: the distance between these two points is already on line " + std::to_string(*first) +
                         "; keep one row per pair",
                     {"import.problem.duplicate_distance", {std::to_string(*first)}});
      }
    }
    if (!ctx_.rowOk()) return;

    const std::optional<core::Decimal> stored = ctx_.tx().getRoadDistance(from->id, to->id);
    const Outcome outcome = !stored ? Outcome::kAdded : *stored == *km ? Outcome::kUnchanged : Outcome::kUpdated;
    if (ctx_.writing() && outcome != Outcome::kUnchanged) ctx_.tx().putRoadDistance(from->id, to->id, *km);
    ctx_.record(outcome, "road-distance\t" + std::string(*tax) + "\t" + from->name + "\t" + std::string(*authority) +
                             "\t" + to->code + "\t" + km->toString());
  }

 private:
  struct SupplierPoints {
    bool found = false;
    std::vector<core::DispatchPoint> points;
  };

  const core::DispatchPoint* dispatchPoint(const Row& row, std::string_view tax, std::string_view name) {
    auto it = suppliers_.find(std::string(tax));
    if (it == suppliers_.end()) {
      if (suppliers_.size() >= kCacheLimit) suppliers_.clear();
      SupplierPoints entry;
      if (std::optional<core::Supplier> s = ctx_.tx().findSupplierByTaxNumber(std::string(tax))) {
        entry.found = true;
        entry.points = std::move(s->dispatch_points);
      }
      it = suppliers_.emplace(std::string(tax), std::move(entry)).first;
    }
    if (!it->second.found) {
      ctx_.problem(row, kTaxNumber, "no supplier with this tax number is stored: import the suppliers file first",
                   {"import.problem.no_supplier", {}});
      return nullptr;
    }
    for (const core::DispatchPoint& p : it->second.points)
      if (p.name == name) return &p;
    std::vector<std::string> names;
    for (const core::DispatchPoint& p : it->second.points) names.push_back("'" + p.name + "'");
    ctx_.problem(row, kDispatchPoint,
                 "the supplier has no dispatch point of this name; its dispatch points are " + joined(names) +
                     ": correct the name or import the supplier's dispatch point first",
                 {"import.problem.no_dispatch_point", {joined(names)}});
    return nullptr;
  }

  // Each authority's delivery points are read with one query when the file first names it.
  const core::DeliveryPoint* deliveryPoint(const Row& row, core::Id authority_id, std::string_view code) {
    auto it = delivery_points_.find(authority_id);
    if (it == delivery_points_.end()) {
      std::unordered_map<std::string, core::DeliveryPoint> points;
      for (core::DeliveryPoint& p : ctx_.tx().listDeliveryPoints(authority_id)) points.emplace(p.code, std::move(p));
      it = delivery_points_.emplace(authority_id, std::move(points)).first;
    }
    const auto point = it->second.find(std::string(code));
    if (point == it->second.end()) {
      ctx_.problem(row, kDeliveryPointCode,
                   "the authority has no delivery point with this code: correct the code or import the delivery "
                   "points first",
                   {"import.problem.no_delivery_point", {}});
      return nullptr;
    }
    return &point->second;
  }

  Context& ctx_;
  std::map<std::string, std::vector<core::Id>> authorities_;
  // Pointers into these maps stay valid for one row: the caches are only cleared before a lookup.
  std::unordered_map<std::string, SupplierPoints> suppliers_;
  std::unordered_map<core::Id, std::unordered_map<std::string, core::DeliveryPoint>> delivery_points_;
  KeySet keys_;
};

// ---------------------------------------------------------------------------------------------
class DemandImporter final : public KindImporter {
 public:
  enum Col : std::size_t { kLot, kProduct, kDeliveryPointCode, kQuantity, kSchedule };

  DemandImporter(Context& ctx, const core::Round& round, core::Id authority_id)
      : ctx_(ctx), round_(round), authority_id_(authority_id) {
    for (core::Lot& l : ctx.tx().listLots(round.id)) stored_.emplace(l.number, std::move(l));
  }

  void row(const Row& row) override {
    const auto lot_text = ctx_.required(row, kLot, "the lot number (1, 2, ...) on every row of the lot");
    std::optional<int> number;
    if (lot_text) {
      number = lotNumber(*lot_text);
      if (!number) {
        ctx_.problem(row, kLot, "not a lot number: write a whole number from 1 to 99999, e.g. 3",
                     {"import.problem.lot_number", {}});
      }
    }
    if (!number) {
      // Without its lot the row cannot join a block; its other cells are still checked.
      Group orphan;
      cells(row, orphan);
      return;
    }
    if (!group_ || group_->number != *number) {
      const std::size_t before_finish = ctx_.problemCount();
      finishGroup();
      ctx_.skipRowProblems(ctx_.problemCount() - before_finish);
      if (pending_rows_ >= kDemandBatchRows) flush();
      startGroup(row, *number);
    }
    Group& g = *group_;
    cells(row, g);
    if (!ctx_.rowOk()) g.bad = true;
  }

  void finish() override {
    finishGroup();
    flush();
  }

 private:
  // New lots are written a batch at a time (multi-row INSERTs of their demand rows), once this many
  // demand rows wait; memory stays bounded by the batch however long the file is.
  static constexpr std::size_t kDemandBatchRows = 1024;

  void finishGroup() {
    if (!group_) return;
    Group g = std::move(*group_);
    group_.reset();
    if (g.bad || !g.product) return;

    core::Lot lot;
    lot.round_id = round_.id;
    lot.number = g.number;
    lot.cpv = g.product->cpv;
    lot.description = g.product->name_en.empty() ? g.product->name_sl : g.product->name_sl + " / " + g.product->name_en;
    lot.unit = g.product->unit;
    lot.unit_mass_kg = g.product->unit_mass_kg;
    lot.demands = std::move(g.demands);

    Outcome outcome = Outcome::kAdded;
    if (const auto it = stored_.find(lot.number); it != stored_.end()) {
      if (!same(it->second, lot)) {
        const core::Lot& stored = it->second;
        core::Decimal total;
        for (const core::Demand& d : stored.demands) total += d.quantity;
        ctx_.problem(g.first_line, 0, "lot", std::to_string(lot.number),
                     "lot " + std::to_string(lot.number) + " is already stored in round " + round_.reference +
                         " with a different product or demand (stored: CPV " + stored.cpv + " '" + stored.description +
                         "', " + std::to_string(stored.demands.size()) + " delivery points, " + total.toString() + " " +
                         stored.unit +
                         " in all); a stored lot's demand is fixed: give it unchanged, use a new lot number, or put "
                         "the changed demand into a new draft round",
                     {"import.problem.lot_fixed",
                      {std::to_string(lot.number), round_.reference, stored.cpv, stored.description,
                       std::to_string(stored.demands.size()), total.toString(), stored.unit}});
        return;
      }
      outcome = Outcome::kUnchanged;
    }
    std::string canonical = "lot\t" + std::to_string(lot.number) + "\t" + g.product->code + "\t" + lot.cpv;
    for (const core::Demand& d : lot.demands)
      canonical += "\tdemand:" + std::to_string(d.delivery_point_id) + "|" + d.quantity.toString() + "|" + d.schedule;
    ctx_.record(outcome, canonical);
    if (ctx_.writing() && outcome == Outcome::kAdded) {
      pending_rows_ += lot.demands.size();
      pending_.push_back(std::move(lot));
    }
  }

  // Hands the waiting lots to the lane unless a problem was found since (the transaction is then
  // rolled back).
  void flush() {
    if (ctx_.writing() && !pending_.empty()) {
      // The lots come back to be freed on this thread, where they were allocated.
      ctx_.lane().submit([lots = std::move(pending_)](core::Tx& tx) mutable -> BatchLane::Completion {
        tx.insertLots(lots);
        return [lots = std::move(lots)] {};
      });
    }
    pending_.clear();
    pending_rows_ = 0;
  }

  struct Group {
    int number = 0;
    int first_line = 0;
    bool bad = false;
    std::optional<core::Product> product;
    int product_line = 0;
    std::vector<core::Demand> demands;
    std::unordered_map<core::Id, int> points;  // delivery point -> line it was first given on
  };

  static std::optional<int> lotNumber(std::string_view text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 99999) return std::nullopt;
    return value;
  }

  void startGroup(const Row& row, int number) {
    group_.emplace();
    group_->number = number;
    group_->first_line = row.line();
    if (const auto first = lots_.insert(std::to_string(number), row.line())) {
      ctx_.problem(row, kLot,
                   "duplicate: lot " + std::to_string(number) + "'s rows already began on line " +
                       std::to_string(*first) + "; keep all rows of one lot together, one after the other",
                   {"import.problem.duplicate_lot", {std::to_string(number), std::to_string(*first)}});
      group_->bad = true;
    }
  }

  void cells(const Row& row, Group& g) {
    const auto product_code = ctx_.required(row, kProduct, "the product's code as stored in the catalogue");
    const auto code = ctx_.required(row, kDeliveryPointCode, "the delivery point's code");
    const auto quantity_text = ctx_.required(row, kQuantity, "the quantity demanded, in the product's unit");
    const auto schedule = ctx_.required(row, kSchedule, "the delivery schedule, e.g. 'weekly, Mon'");
    core::Decimal quantity;
    if (quantity_text) {
      if (const std::optional<core::Decimal> parsed = parseNumber(*quantity_text); !parsed) {
        ctx_.problem(row, kQuantity, "not a number: write the quantity with at most six decimals, e.g. 120 or 12,5",
                     {"import.problem.quantity_not_number", {}});
      } else if (parsed->isNegative() || parsed->isZero()) {
        ctx_.problem(row, kQuantity, "must be greater than 0: leave the delivery point out when it needs none",
                     {"import.problem.quantity_positive", {}});
      } else {
        quantity = *parsed;
      }
    }
    if (product_code) {
      const core::Product* p = product(row, *product_code);
      if (p && g.number != 0) {
        if (!g.product) {
          g.product = *p;
          g.product_line = row.line();
        } else if (g.product->code != p->code) {
          ctx_.problem(row, kProduct,
                       "lot " + std::to_string(g.number) + " is product '" + g.product->code + "' (line " +
                           std::to_string(g.product_line) + "): one lot is one product; give another lot number",
                       {"import.problem.lot_one_product",
                        {std::to_string(g.number), g.product->code, std::to_string(g.product_line)}});
        }
      }
    }
    const core::DeliveryPoint* to = nullptr;
    if (code) to = deliveryPoint(row, *code);
    if (to && g.number != 0) {
      // A lot's rows are one block (a repeated block is refused), so duplicates are looked for
      // within the block only, which keeps memory flat however many lots the file has.
      if (const auto [it, inserted] = g.points.emplace(to->id, row.line()); !inserted) {
        ctx_.problem(row, kDeliveryPointCode,
                     "duplicate: this lot's demand for this delivery point is already on line " +
                         std::to_string(it->second) + "; give one row per lot and delivery point (add the quantities)",
                     {"import.problem.duplicate_demand", {std::to_string(it->second)}});
      }
    }
    if (!ctx_.rowOk() || g.number == 0) return;
    g.demands.push_back({to->id, quantity, std::string(*schedule)});
  }

  const core::Product* product(const Row& row, std::string_view code) {
    auto it = products_.find(std::string(code));
    if (it == products_.end()) {
      if (products_.size() >= kCacheLimit) products_.clear();
      it = products_.emplace(std::string(code), ctx_.tx().findProductByCode(std::string(code))).first;
    }
    if (!it->second) {
      ctx_.problem(row, kProduct,
                   "no product with this code is in the catalogue: correct the code or import the products file first",
                   {"import.problem.no_product", {}});
      return nullptr;
    }
    return &*it->second;
  }

  // The round's authority's delivery points, read with one query at the first row (an authority
  // has hundreds of points; one lookup per code would be a round trip each on MariaDB).
  const core::DeliveryPoint* deliveryPoint(const Row& row, std::string_view code) {
    if (!delivery_points_) {
      delivery_points_.emplace();
      for (core::DeliveryPoint& p : ctx_.tx().listDeliveryPoints(authority_id_))
        delivery_points_->emplace(p.code, std::move(p));
    }
    const auto it = delivery_points_->find(std::string(code));
    if (it == delivery_points_->end()) {
      ctx_.problem(row, kDeliveryPointCode,
                   "the round's contracting authority has no delivery point with this code: correct the code or "
                   "import the delivery points first",
                   {"import.problem.no_round_delivery_point", {}});
      return nullptr;
    }
    return &it->second;
  }

  static std::vector<std::tuple<core::Id, core::Decimal, std::string>> demandSet(const core::Lot& l) {
    std::vector<std::tuple<core::Id, core::Decimal, std::string>> out;
    for (const core::Demand& d : l.demands) out.emplace_back(d.delivery_point_id, d.quantity, d.schedule);
    std::sort(out.begin(), out.end());
    return out;
  }

  static bool same(const core::Lot& a, const core::Lot& b) {
    return a.cpv == b.cpv && a.description == b.description && a.unit == b.unit && a.unit_mass_kg == b.unit_mass_kg &&
           demandSet(a) == demandSet(b);
  }

  Context& ctx_;
  const core::Round& round_;
  core::Id authority_id_;
  std::map<int, core::Lot> stored_;
  std::optional<Group> group_;
  KeySet lots_;
  std::unordered_map<std::string, std::optional<core::Product>> products_;
  std::optional<std::unordered_map<std::string, core::DeliveryPoint>> delivery_points_;
  std::vector<core::Lot> pending_;
  std::size_t pending_rows_ = 0;
};

// ---------------------------------------------------------------------------------------------

// Thrown inside the transaction to roll it back when the file has problems.
struct RollBack {};

// What a demand import goes into: the draft round and its authority.
struct Target {
  core::Round round;
  core::Id authority_id = 0;
};

std::unique_ptr<KindImporter> makeImporter(Kind kind, Context& ctx, const CpvList* cpv, const Target* target) {
  switch (kind) {
    case Kind::kDemand: return std::make_unique<DemandImporter>(ctx, target->round, target->authority_id);
    case Kind::kDeliveryPoints: return std::make_unique<DeliveryPointImporter>(ctx);
    case Kind::kSuppliers: return std::make_unique<SupplierImporter>(ctx);
    case Kind::kProducts: return std::make_unique<ProductImporter>(ctx, cpv);
    case Kind::kRoadDistances: return std::make_unique<RoadDistanceImporter>(ctx);
  }
  throw core::Error(ErrorCode::kInternal, "unknown import kind value; report this defect");
}

// Maps the header onto the kind's columns; reports and returns false when it does not fit.
bool readHeader(Context& ctx, const KindInfo& info, const CsvRecord& header, std::vector<std::size_t>& index,
                ImportReport& report) {
  const std::size_t before = ctx.problemCount();
  for (const CsvProblem& p : header.problems)
    ctx.problem(p.line, p.column, "header", "", p.message, p.localized, false);
  constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
  index.assign(info.columns.size(), kAbsent);
  for (std::size_t f = 0; f < header.fields.size(); ++f) {
    const std::string name = canonicalColumnName(header.fields[f]);
    const auto it = std::find(info.columns.begin(), info.columns.end(), name);
    if (it == info.columns.end()) {
      if (!name.empty()) report.ignored_columns.push_back(std::string(trimmed(header.fields[f])));
      continue;
    }
    const auto c = static_cast<std::size_t>(it - info.columns.begin());
    if (index[c] != kAbsent) {
      ctx.problem(header.line, header.positions[f].column, name, header.fields[f],
                  "column given twice (also column " + std::to_string(index[c] + 1) + "): keep one",
                  {"import.problem.column_twice", {std::to_string(index[c] + 1)}}, false);
      continue;
    }
    index[c] = f;
  }
  // A header read as one column hints at the delimiter: the key then has ".one_column" or
  // ".separator" (tabs or '|' seen) appended.
  std::string hint;
  std::string hint_key;
  if (header.fields.size() == 1) {
    const bool separator = header.fields[0].find_first_of("\t|") != std::string::npos;
    hint = std::string(" The header reads as a single column: separate the columns with ',' or ';'") +
           (separator ? " (tabs and '|' are not delimiters)" : "") + ".";
    hint_key = separator ? ".separator" : ".one_column";
  }
  for (std::size_t c = 0; c < info.columns.size(); ++c) {
    if (index[c] != kAbsent) continue;
    ctx.problem(header.line, 0, info.columns[c], "",
                "missing column '" + info.columns[c] + "': the header of a " + info.name + " file names the columns " +
                    joined(info.columns) + " (any order, any case)." + hint,
                {"import.problem.missing_column" + hint_key, {info.columns[c], info.name, joined(info.columns)}},
                false);
  }
  return ctx.problemCount() == before;
}

void runFile(Context& ctx, const KindInfo& info, std::istream& in, const CpvList* cpv, const Target* target,
             ImportReport& report) {
  CsvReader reader(in, ctx.options().delimiter);
  CsvRecord record;
  if (!reader.next(record)) {
    report.delimiter = reader.delimiter();
    ctx.problem(0, 0, "header", "",
                "the file is empty: its first line must be the header naming the columns " + joined(info.columns),
                {"import.problem.empty_file", {joined(info.columns)}}, false);
    return;
  }
  report.delimiter = reader.delimiter();
  std::vector<std::size_t> index;
  if (!readHeader(ctx, info, record, index, report)) return;
  const std::size_t width = record.fields.size();
  std::vector<std::string> header_names;
  for (const std::string& f : record.fields) header_names.push_back(std::string(trimmed(f)));

  std::unique_ptr<KindImporter> importer = makeImporter(info.kind, ctx, cpv, target);
  const auto& options = ctx.options();
  while (reader.next(record)) {
    if (std::all_of(record.fields.begin(), record.fields.end(),
                    [](const std::string& f) { return trimmed(f).empty(); }) &&
        record.problems.empty())
      continue;
    ++report.rows;
    ctx.beginRow();
    if (options.progress && options.progress_every > 0 && report.rows % options.progress_every == 0)
      options.progress(report.rows);
    for (const CsvProblem& p : record.problems) {
      std::size_t f = 0;
      while (f + 1 < record.positions.size() &&
             std::tie(record.positions[f + 1].line, record.positions[f + 1].column) <= std::tie(p.line, p.column))
        ++f;
      ctx.problem(p.line, p.column, f < header_names.size() ? header_names[f] : std::string(),
                  f < record.fields.size() ? trimmed(record.fields[f]) : std::string_view(), p.message, p.localized);
    }
    if (record.fields.size() != width) {
      const bool more = record.fields.size() > width;
      const int column = more ? record.positions[width].column : 0;
      const std::string delimiter(1, reader.delimiter());
      ctx.problem(record.line, column, "", "",
                  "the row has " + std::to_string(record.fields.size()) + " fields but the header has " +
                      std::to_string(width) + ": check for " + (more ? "an extra" : "a missing") + " delimiter '" +
                      delimiter + "'; a value that contains '" + delimiter + "' must be in double quotes",
                  {more ? "import.problem.extra_fields" : "import.problem.missing_fields",
                   {std::to_string(record.fields.size()), std::to_string(width), delimiter}});
      continue;
    }
    const Row row(record, index);
    for (std::size_t c = 0; c < info.columns.size(); ++c) {
      const std::size_t chars = core::charCount(row.text(c));
      if (chars > info.max_chars[c]) {
        ctx.problem(row, c,
                    "too long (" + std::to_string(chars) + " characters; at most " + std::to_string(info.max_chars[c]) +
                        "): shorten it",
                    {"import.problem.too_long", {std::to_string(chars), std::to_string(info.max_chars[c])}});
      }
    }
    importer->row(row);
  }
  importer->finish();
  ctx.lane().drain();
  if (options.progress) options.progress(report.rows);
}

std::string auditSummary(const ImportReport& report, core::Id round_id, const std::string& digest) {
  std::ostringstream out;
  out << "import " << toString(report.kind) << "\n"
      << "file " << report.file << "\n";
  if (report.kind == Kind::kDemand) out << "round " << round_id << "\n";
  out << "rows " << report.rows << "\n"
      << "new " << report.added << "\n"
      << "updated " << report.updated << "\n"
      << "unchanged " << report.unchanged << "\n"
      << "records-sha256 " << digest << "\n";
  return out.str();
}

// The round a demand file goes into: it must exist and be draft (invitations fix what is bought).
// apply() locks it so that no dispatch runs while its lots are written.
Target demandTarget(core::Tx& tx, core::Id round_id, bool apply) {
  const std::optional<core::Round> round = apply ? tx.lockRound(round_id, core::LockMode::kExclusive)
                                                 : tx.getRound(round_id);
  if (!round) {
    throw core::Error(ErrorCode::kNotFound,
                      "there is no round " + std::to_string(round_id) + ": create the draft round first", "round");
  }
  if (round->status != core::RoundStatus::kDraft) {
    throw core::Error(ErrorCode::kConflict,
                      "round " + round->reference + " is " + core::toString(round->status) +
                          ", not draft: its lots were fixed when the invitations were sent (Art. 34(6)); import "
                          "the demand into a new draft round",
                      "round");
  }
  const std::optional<core::Dps> dps = tx.getDps(round->dps_id);
  if (!dps) throw core::Error(ErrorCode::kInternal, "round " + round->reference + " names a DPS that is not stored");
  return Target{*round, dps->authority_id};
}

ImportReport run(core::Store& store, Kind kind, std::istream& in, const ImportOptions& options, bool apply) {
  const KindInfo& info = infoOf(kind);
  std::unique_ptr<CpvList> cpv;
  if (kind == Kind::kProducts && !options.cpv_list_path.empty())
    cpv = std::make_unique<CpvList>(CpvList::load(options.cpv_list_path));
  const core::SystemClock system_clock;
  const core::Clock& clock = options.clock ? *options.clock : static_cast<const core::Clock&>(system_clock);
  if (kind == Kind::kDemand && !options.round_id) {
    throw core::Error(ErrorCode::kInvalidArgument,
                      "a demand file goes into one draft round: name the round (--round ID)", "round");
  }

  const std::istream::pos_type start = in.tellg();
  int attempts = 0;
  ImportReport report;
  try {
    store.transact([&](core::Tx& tx) {
      if (attempts++ > 0) {
        // transact() retries after a lost lock: read the file again from its start.
        in.clear();
        if (start == std::istream::pos_type(-1) || !in.seekg(start)) {
          throw core::Error(ErrorCode::kUnavailable,
                            "the database asked to repeat the import's transaction, but the input cannot be read "
                            "twice: nothing was written; run the import again");
        }
      }
      report = ImportReport{};
      report.kind = kind;
      report.file = options.file_name;
      const core::TimePoint now = clock.now();
      Context ctx(tx, info, options, apply, report, now);
      std::optional<Target> target;
      if (kind == Kind::kDemand) target = demandTarget(tx, *options.round_id, apply);
      runFile(ctx, info, in, cpv.get(), target ? &*target : nullptr, report);
      report.rejected = ctx.rejectedRows();
      if (!apply) return;
      if (!report.ok()) throw RollBack{};
      if (ctx.changes() > 0) {
        const std::string object = target ? "round:" + std::to_string(target->round.id) : options.file_name;
        core::appendAudit(tx, now, options.actor, std::string("import.") + info.name, object,
                          auditSummary(report, target ? target->round.id : 0, ctx.digestHex()));
      }
    });
    report.applied = apply;
  } catch (const RollBack&) {
    report.applied = false;
  }
  return report;
}

}  // namespace

const char* toString(Kind kind) { return infoOf(kind).name; }

Kind parseKind(const std::string& text) {
  std::vector<std::string> names;
  for (const KindInfo& k : kinds()) {
    if (text == k.name) return k.kind;
    names.push_back(k.name);
  }
  throw core::Error(ErrorCode::kInvalidArgument,
                    "unknown import kind '" + text + "'; use one of: " + joined(names), "kind");
}

std::vector<Kind> allKinds() {
  std::vector<Kind> out;
  for (const KindInfo& k : kinds()) out.push_back(k.kind);
  return out;
}

std::vector<std::string> expectedColumns(Kind kind) { return infoOf(kind).columns; }

ImportReport preview(core::Store& store, Kind kind, std::istream& in, const ImportOptions& options) {
  return run(store, kind, in, options, false);
}

ImportReport apply(core::Store& store, Kind kind, std::istream& in, const ImportOptions& options) {
  return run(store, kind, in, options, true);
}

std::string formatReport(const ImportReport& report) {
  std::ostringstream out;
  out << report.file << " (" << toString(report.kind) << "): " << report.rows << " rows read; " << report.added
      << " new, " << report.updated << " updated, " << report.unchanged << " unchanged, " << report.rejected
      << " rejected.\n";
  if (!report.ok()) {
    out << "Nothing was written: " << report.problems.size()
        << (report.problems.size() == 1 ? " problem" : " problems")
        << " below; fix the file and import it again.\n";
  } else if (report.applied) {
    out << (report.added + report.updated == 0 ? "Applied: nothing needed to change.\n"
                                               : "Applied in one transaction.\n");
  } else {
    out << "Preview: nothing was written; apply the file to write it.\n";
  }
  if (!report.ignored_columns.empty()) out << "Ignored columns: " << joined(report.ignored_columns) << "\n";
  for (const Problem& p : report.problems) {
    out << p.file;
    if (p.line > 0) out << ':' << p.line;
    if (p.column > 0) out << ':' << p.column;
    out << ": ";
    if (!p.field.empty()) {
      out << p.field;
      if (!p.value.empty()) {
        std::string value = p.value;
        if (value.size() > 60) {
          std::size_t cut = 57;
          while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
          value = value.substr(0, cut) + "...";
        }
        for (char& c : value)
          if (c == '\n' || c == '\r') c = ' ';
        out << " '" << value << "'";
      }
      out << ": ";
    }
    out << p.message << "\n";
  }
  return out.str();
}

}  // namespace importer
