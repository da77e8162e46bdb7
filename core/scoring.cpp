#include "core/scoring.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/error.h"

// Inputs text of a ScoreRecord: `key=value` pairs joined by ';', in a fixed order per kind and
// formula (measurement first, then `value`, then the formula's parameters, then `weight`). Numbers
// that are decimals in the data (prices, quantities, km, factors) are written as decimals ("2.4");
// values that are exact rationals (a quantity-weighted mean, a mass in tonnes, kg CO2e) as the lowest
// terms fraction of Exact::toString ("200/3"), so that an auditor recomputes them without rounding.

namespace core {
namespace {

__extension__ typedef __int128 Int128;

constexpr double kEarthRadiusKm = 6371.0088;  // IUGG mean radius of the WGS84 ellipsoid
constexpr double kRadiansPerDegree = std::numbers::pi / 180.0;
constexpr std::int64_t kMicro = Decimal::kOne;

bool validCoordinates(GeoPoint p) {
  return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 && p.lon >= -180.0 &&
         p.lon <= 180.0;
}

std::string coordinatesText(GeoPoint p) { return std::to_string(p.lat) + ", " + std::to_string(p.lon); }

// A point prepared once for many distances (the cosine of its latitude is reused for every pair).
struct PreparedPoint {
  double lat = 0;
  double lon = 0;
  double cos_lat = 1;
};

PreparedPoint prepare(GeoPoint p) {
  const double lat = p.lat * kRadiansPerDegree;
  return {lat, p.lon * kRadiansPerDegree, std::cos(lat)};
}

// The one haversine evaluation: haversineKm and the scoring loop both go through it, so a score's
// distance is bit for bit the published function's.
Decimal haversinePrepared(const PreparedPoint& a, const PreparedPoint& b) {
  const double s_lat = std::sin((b.lat - a.lat) / 2.0);
  const double s_lon = std::sin((b.lon - a.lon) / 2.0);
  const double h = std::clamp(s_lat * s_lat + a.cos_lat * b.cos_lat * s_lon * s_lon, 0.0, 1.0);
  const double km = 2.0 * kEarthRadiusKm * std::asin(std::sqrt(h));
  const auto metres = static_cast<std::int64_t>(std::floor(km * 1000.0 + 0.5));
  return Decimal::fromRaw(metres * (kMicro / 1000));
}

Exact exactFrom128(Int128 v) {
  if (v >= std::numeric_limits<std::int64_t>::min() && v <= std::numeric_limits<std::int64_t>::max())
    return Exact(static_cast<std::int64_t>(v));
  constexpr std::int64_t kBase = 1'000'000'000'000'000'000;
  return exactFrom128(v / kBase) * Exact(kBase) + Exact(static_cast<std::int64_t>(v % kBase));
}

Exact fraction128(Int128 numerator, Int128 denominator) {
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  if (numerator <= kMax && numerator >= -kMax && denominator <= kMax && denominator >= -kMax)
    return Exact::fraction(static_cast<std::int64_t>(numerator), static_cast<std::int64_t>(denominator));
  return exactFrom128(numerator) / exactFrom128(denominator);
}

// Longest text of a Decimal: sign, 13 integer digits, point, six decimals.
constexpr std::size_t kMaxDecimalText = 21;

// Room reserved after a bid's distance text for the rest of its distance or CO2 record (mean_km,
// vehicle, factor, mass, value, formula parameters), so that the text is allocated once.
constexpr std::size_t kRecordTail = 320;

// Same text as Decimal::toString(), written at `out` (room for kMaxDecimalText); returns its end.
char* writeDecimal(char* out, Decimal d) {
  const std::int64_t raw = d.raw();
  const unsigned long long magnitude =
      raw < 0 ? 0ULL - static_cast<unsigned long long>(raw) : static_cast<unsigned long long>(raw);
  if (raw < 0) *out++ = '-';
  out = std::to_chars(out, out + 20, magnitude / static_cast<unsigned long long>(kMicro)).ptr;
  unsigned long long frac = magnitude % static_cast<unsigned long long>(kMicro);
  if (frac == 0) return out;
  char digits[Decimal::kPlaces];
  for (int i = Decimal::kPlaces - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int len = Decimal::kPlaces;
  while (digits[len - 1] == '0') --len;
  *out++ = '.';
  std::memcpy(out, digits, static_cast<std::size_t>(len));
  return out + len;
}

void appendDecimal(std::string& out, Decimal d) {
  char buf[kMaxDecimalText + 3];
  out.append(buf, writeDecimal(buf, d));
}

// Haversine distances remembered per pair of coordinates, one table per thread (so that scoring
// stays free of locks): the lots of a round share their dispatch and delivery points, so each pair
// is computed once per round rather than once per lot and bid. A table has a row per dispatch
// location and a column per delivery location, holding the distance and its text. The function is
// pure, so a remembered distance is bit for bit the one computed afresh.
class DistanceMemo {
 public:
  struct Cell {
    std::int64_t km_raw;
    char text[kMaxDecimalText + 2];
    unsigned char text_size;  // 0: not computed yet
  };
  static_assert(sizeof(Cell) == 32);

  // The column of each of the lot's delivery points; called once per lot, before row().
  void beginLot(const std::vector<PointInput>& points, std::vector<std::size_t>& columns) {
    // More pairs (or locations) than a table keeps: start afresh, so that a thread holds at most
    // about 2 MiB beyond its largest lot.
    if (cells_ > kMaxCells || rows_.size() > kMaxCells || columns_.size() > kMaxCells) {
      rows_.clear();
      columns_.clear();
      table_.clear();
      cells_ = 0;
    }
    columns.resize(points.size());
    for (std::size_t p = 0; p < points.size(); ++p) columns[p] = indexOf(columns_, points[p].location);
  }

  // The cells of a dispatch location, one for every column known so far.
  Cell* row(GeoPoint dispatch) {
    const std::size_t r = indexOf(rows_, dispatch);
    if (r == table_.size()) table_.emplace_back();
    std::vector<Cell>& cells = table_[r];
    if (cells.size() < columns_.size()) {
      cells_ += columns_.size() - cells.size();
      cells.resize(columns_.size(), Cell{});
    }
    return cells.data();
  }

  static const Cell& fill(Cell& cell, const PreparedPoint& from, const PreparedPoint& to) {
    if (cell.text_size == 0) {
      const Decimal km = haversinePrepared(from, to);
      cell.km_raw = km.raw();
      cell.text_size = static_cast<unsigned char>(writeDecimal(cell.text, km) - cell.text);
    }
    return cell;
  }

 private:
  using Key = std::pair<std::uint64_t, std::uint64_t>;  // the bits of latitude and longitude
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      std::uint64_t h = (k.first ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
      h = (h ^ k.second) * 0x94D049BB133111EBULL;
      return static_cast<std::size_t>(h ^ (h >> 31));
    }
  };
  using Index = std::unordered_map<Key, std::size_t, KeyHash>;

  static std::size_t indexOf(Index& index, GeoPoint p) {
    Key key;
    std::memcpy(&key.first, &p.lat, sizeof p.lat);
    std::memcpy(&key.second, &p.lon, sizeof p.lon);
    return index.try_emplace(key, index.size()).first->second;
  }

  static constexpr std::size_t kMaxCells = std::size_t{1} << 16;  // 2 MiB
  Index rows_;
  Index columns_;
  std::vector<std::vector<Cell>> table_;
  std::size_t cells_ = 0;
};

DistanceMemo& distanceMemo() {
  thread_local DistanceMemo memo;
  return memo;
}

// Builder of the canonical inputs text.
class Inputs {
 public:
  explicit Inputs(std::string start = {}) : text_(std::move(start)) {}
  Inputs& add(std::string_view key, std::string_view value) {
    key_(key);
    text_ += value;
    return *this;
  }
  Inputs& add(std::string_view key, Decimal value) {
    key_(key);
    appendDecimal(text_, value);
    return *this;
  }
  Inputs& add(std::string_view key, const Exact& value) {
    key_(key);
    value.appendTo(text_);
    return *this;
  }
  Inputs& add(std::string_view key, std::int64_t value) {
    key_(key);
    char buf[24];
    text_.append(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
    return *this;
  }
  // Pairs already in canonical form, shared by every bid of a lot.
  Inputs& pairs(std::string_view text) {
    if (!text_.empty() && !text.empty()) text_ += ';';
    text_ += text;
    return *this;
  }
  std::string take() { return std::move(text_); }

 private:
  void key_(std::string_view key) {
    if (!text_.empty()) text_ += ';';
    text_ += key;
    text_ += '=';
  }
  std::string text_;
};

std::string criterionName(std::size_t index, CriterionKind kind) {
  return "criteria[" + std::to_string(index) + "] (" + toString(kind) + ")";
}

bool formulaAllowed(CriterionKind kind, Formula formula) {
  switch (kind) {
    case CriterionKind::kPrice:
    case CriterionKind::kDistance:
    case CriterionKind::kCo2:
    case CriterionKind::kFreshness:
      return formula != Formula::kYesNo;
    case CriterionKind::kLabel:
      return formula == Formula::kYesNo;
    case CriterionKind::kShortChain:
      return formula != Formula::kRelativeToBest;
  }
  return false;
}

const char* allowedFormulas(CriterionKind kind) {
  switch (kind) {
    case CriterionKind::kPrice:
    case CriterionKind::kDistance:
    case CriterionKind::kCo2:
    case CriterionKind::kFreshness:
      return "relative_to_best, linear_band or bands";
    case CriterionKind::kLabel:
      return "yes_no";
    case CriterionKind::kShortChain:
      return "yes_no, bands or linear_band";
  }
  return "";
}

bool knownLabelFact(const std::string& fact) {
  return fact == "organic" || fact == "quality_scheme" || fact == "organic_or_quality";
}

// Published range of a criterion's weight; both bounds 0 means "not refinable".
std::pair<int, int> weightRange(const Criterion& c) {
  if (c.min_weight == 0 && c.max_weight == 0) return {c.weight, c.weight};
  return {c.min_weight, c.max_weight};
}

// A criterion's kind as an argument of a catalogue message: its name in the reader's language.
std::string kindArg(CriterionKind kind) { return std::string("@kind.") + toString(kind); }

// Each problem also names its message in the interface's catalogue (core::Localized), so that an
// officer setting up a DPS reads it in the page's language.
std::vector<Problem> criteriaProblems(const std::vector<Criterion>& criteria) {
  std::vector<Problem> problems;
  const auto add = [&](std::string message, std::string key, std::vector<std::string> args) {
    problems.push_back({"criteria", std::move(message), {std::move(key), std::move(args)}});
  };
  long long sum = 0;
  for (std::size_t i = 0; i < criteria.size(); ++i) {
    const Criterion& c = criteria[i];
    const std::string name = criterionName(i, c.kind);
    const std::string kind = kindArg(c.kind);
    const std::string weight_text = std::to_string(c.weight);
    sum += c.weight;
    for (std::size_t j = 0; j < i; ++j) {
      if (criteria[j].kind == c.kind) {
        add(name + ": " + toString(c.kind) + " is already criteria[" + std::to_string(j) +
                "]; each kind may appear once, so remove one of them",
            "criteria.problem.twice", {kind});
        break;
      }
    }
    if (c.weight < 0 || c.weight > 100)
      add(name + ": weight " + weight_text + " is outside 0..100", "criteria.problem.weight", {kind, weight_text});
    if (!(c.min_weight == 0 && c.max_weight == 0)) {
      if (c.min_weight < 0 || c.max_weight > 100 || c.min_weight > c.weight || c.weight > c.max_weight)
        add(name + ": published range " + std::to_string(c.min_weight) + ".." + std::to_string(c.max_weight) +
                " must lie within 0..100 and contain the weight " + weight_text + " (Art. 67(5))",
            "criteria.problem.range", {kind, std::to_string(c.min_weight), std::to_string(c.max_weight), weight_text});
    }

    const bool spatial = c.kind == CriterionKind::kDistance || c.kind == CriterionKind::kCo2;
    const std::string cliff =
        name + ": awards points only for being inside a radius (a cliff), which rewards where a supplier "
               "is rather than how far the food travels and is refused (CJEU C-21/88; Art. 67 of Directive "
               "2014/24/EU); points must fall gradually with distance: use linear_band or relative_to_best, "
               "or bands with at least two different positive point levels";
    if (spatial && c.formula == Formula::kYesNo) {
      add(cliff, "criteria.problem.cliff", {kind});
    } else if (!formulaAllowed(c.kind, c.formula)) {
      add(name + ": formula " + toString(c.formula) + " is not available for " + toString(c.kind) + "; use " +
              allowedFormulas(c.kind),
          "criteria.problem.formula", {kind, std::string("@formula.") + toString(c.formula)});
    }

    if (c.formula == Formula::kLinearBand && !(c.a < c.b))
      add(name + ": linear band needs a < b (full points at or below a, none at or above b), got a=" + c.a.toString() +
              " b=" + c.b.toString(),
          "criteria.problem.linear_band", {kind, c.a.toString(), c.b.toString()});

    if (c.formula == Formula::kBands) {
      if (c.bands.empty()) {
        add(name + ": the bands formula needs a table of (threshold, points); none is given",
            "criteria.problem.no_bands", {kind});
      } else {
        const Exact weight(static_cast<std::int64_t>(c.weight));
        const Exact zero;
        bool ascending = true;
        bool in_range = true;
        bool non_increasing = true;
        std::vector<const Exact*> positive_levels;
        for (std::size_t k = 0; k < c.bands.size(); ++k) {
          const Band& band = c.bands[k];
          if (k > 0 && !(c.bands[k - 1].threshold < band.threshold)) ascending = false;
          if (band.points < zero || band.points > weight) in_range = false;
          if (k > 0 && band.points > c.bands[k - 1].points) non_increasing = false;
          if (band.points > zero &&
              std::none_of(positive_levels.begin(), positive_levels.end(),
                           [&](const Exact* level) { return *level == band.points; }))
            positive_levels.push_back(&band.points);
        }
        if (!ascending)
          add(name + ": band thresholds must be strictly ascending", "criteria.problem.bands_ascending", {kind});
        if (!in_range)
          add(name + ": band points must lie within 0.." + weight_text + " (the criterion's weight)",
              "criteria.problem.bands_range", {kind, weight_text});
        if (!non_increasing)
          add(name + ": band points must not increase with the threshold (a lower value is better)",
              "criteria.problem.bands_increasing", {kind});
        if (spatial && positive_levels.size() < 2) add(cliff, "criteria.problem.cliff", {kind});
      }
    }

    if (c.kind == CriterionKind::kLabel && !knownLabelFact(c.fact))
      add(name + ": fact '" + c.fact +
              "' is not known; use organic, quality_scheme or organic_or_quality (labels \"or "
              "equivalent\", Art. 43)",
          "criteria.problem.fact", {kind, c.fact});
  }
  if (sum != 100)
    add("weights sum to " + std::to_string(sum) + ", not 100; adjust the weights so that they sum to 100 (Art. 67(5))",
        "criteria.problem.sum", {std::to_string(sum)});
  return problems;
}

[[noreturn]] void throwProblems(const std::string& heading, const std::vector<Problem>& problems,
                                const std::string& field, Localized localized_heading) {
  std::string message = heading;
  for (const Problem& p : problems) message += "\n" + p.message;
  throw Error(ErrorCode::kInvalidArgument, message, field, std::move(localized_heading), problems);
}

// One bid's measured value on one criterion: a decimal (price, hours, counts, 0/1), which keeps the
// formulas in integer arithmetic, or an exact rational (distance, CO2).
struct Measured {
  std::optional<Decimal> decimal;
  Exact value;          // meaningful only when `decimal` is empty
  bool holds = false;   // yes/no facts

  bool isZero() const { return decimal ? decimal->isZero() : value.isZero(); }
  Exact exact() const { return decimal ? Exact(*decimal) : value; }
  bool operator<(const Measured& other) const {
    if (decimal && other.decimal) return *decimal < *other.decimal;
    return exact() < other.exact();
  }
};

// `weighted_best` is weight x best, the same for every bid of the field.
Exact pointsRelativeToBest(int weight, const Measured& m, const Measured& best, const Exact& weighted_best) {
  if (m.isZero()) return Exact(static_cast<std::int64_t>(weight));
  if (m.decimal && best.decimal)
    return fraction128(static_cast<Int128>(weight) * best.decimal->raw(), m.decimal->raw());
  return weighted_best / m.exact();
}

Exact pointsLinearBand(const Criterion& c, const Measured& m) {
  const auto weight = static_cast<std::int64_t>(c.weight);
  if (m.decimal) {
    if (*m.decimal <= c.a) return Exact(weight);
    if (*m.decimal >= c.b) return Exact();
    return fraction128(static_cast<Int128>(c.weight) * (static_cast<Int128>(c.b.raw()) - m.decimal->raw()),
                       static_cast<Int128>(c.b.raw()) - c.a.raw());
  }
  const Exact a(c.a);
  const Exact b(c.b);
  if (m.value <= a) return Exact(weight);
  if (m.value >= b) return Exact();
  return Exact(weight) * (b - m.value) / (b - a);
}

Exact pointsBands(const Criterion& c, const Measured& m) {
  for (const Band& band : c.bands) {
    const bool within = m.decimal ? *m.decimal <= band.threshold : m.value <= Exact(band.threshold);
    if (within) return band.points;
  }
  return Exact();
}

// The formula's parameters and the weight: the same for every bid of the lot.
std::string formulaInputs(const Criterion& c, const Measured* best) {
  Inputs in;
  switch (c.formula) {
    case Formula::kRelativeToBest:
      if (best->decimal)
        in.add("best", *best->decimal);
      else
        in.add("best", best->value);
      break;
    case Formula::kLinearBand:
      in.add("a", c.a).add("b", c.b);
      break;
    case Formula::kBands: {
      std::string table;
      for (const Band& band : c.bands) {
        if (!table.empty()) table += ',';
        appendDecimal(table, band.threshold);
        table += ':';
        table += band.points.toString();
      }
      in.add("bands", table);
      break;
    }
    case Formula::kYesNo:
      break;
  }
  in.add("weight", static_cast<std::int64_t>(c.weight));
  return in.take();
}

const char* yesNo(bool b) { return b ? "yes" : "no"; }

// Per bid: admissibility and, when a distance or CO2 criterion needs it, the distance to the lot.
struct BidWork {
  bool admissible = true;
  std::string note;
  const VehicleFactor* factor = nullptr;
  std::size_t factor_index = 0;
  std::optional<Exact> mean_km;
  std::string distance_inputs;  // km/source/qty per point, then mean_km
  Exact total;
  const Exact* price_points = nullptr;  // into the lot's score records
  bool abnormally_low = false;
  std::string abnormal_note;
};

// The measurement part of a record's inputs, ending with value=..., in a text with room for
// `tail` more characters. Distance and CO2 start from the bid's distance text (taken by the last
// criterion that uses it, copied before that).
Inputs measurementInputs(const Criterion& c, const BidLine& line, BidWork& w, const Measured& m,
                         bool take_distance_text, const std::string& mass_inputs, std::size_t tail) {
  if (c.kind == CriterionKind::kDistance || c.kind == CriterionKind::kCo2) {
    Inputs in(take_distance_text ? std::move(w.distance_inputs) : w.distance_inputs);
    if (c.kind == CriterionKind::kCo2)
      in.add("vehicle", line.vehicle).add("kg_co2e_per_tkm", w.factor->kg_co2e_per_tkm).pairs(mass_inputs);
    in.add("value", m.value);
    return in;
  }
  std::string text;
  text.reserve(96 + c.fact.size() + tail);
  Inputs in(std::move(text));
  switch (c.kind) {
    case CriterionKind::kPrice:
      in.add("value", line.unit_price);
      break;
    case CriterionKind::kFreshness:
      in.add("hours_from_harvest", static_cast<std::int64_t>(line.hours_from_harvest))
          .add("value", static_cast<std::int64_t>(line.hours_from_harvest));
      break;
    case CriterionKind::kLabel:
      in.add("fact", c.fact)
          .add("organic", yesNo(line.organic))
          .add("quality_scheme", yesNo(line.quality_scheme))
          .add("value", static_cast<std::int64_t>(m.holds ? 1 : 0));
      break;
    case CriterionKind::kShortChain:
      in.add("intermediaries", static_cast<std::int64_t>(line.intermediaries));
      if (c.formula == Formula::kYesNo)
        in.add("max_intermediaries", std::int64_t{1}).add("value", static_cast<std::int64_t>(m.holds ? 1 : 0));
      else
        in.add("value", static_cast<std::int64_t>(line.intermediaries));
      break;
    case CriterionKind::kDistance:
    case CriterionKind::kCo2:
      break;
  }
  return in;
}

std::string publishedVehicles(const std::vector<VehicleFactor>& factors) {
  if (factors.empty()) return "none is published";
  std::string list;
  for (const VehicleFactor& f : factors) list += (list.empty() ? "" : ", ") + f.vehicle;
  return list;
}

std::string priceText(Decimal d) { return d.toString(2); }

void flagAbnormallyLow(std::vector<BidWork>& work, const std::vector<BidOnLot>& bids) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < bids.size(); ++i)
    if (work[i].admissible) order.push_back(i);
  if (order.size() < 2) return;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return bids[x].line.unit_price < bids[y].line.unit_price;
  });
  Int128 sum = 0;
  for (std::size_t i : order) sum += bids[i].line.unit_price.raw();
  const auto others = static_cast<Int128>(order.size() - 1);
  const std::string art69 =
      "; ask the supplier to explain the price before deciding on any rejection (Art. 69 of Directive 2014/24/EU)";
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    const std::size_t i = order[pos];
    const Decimal price = bids[i].line.unit_price;
    std::string note;
    // Test 1: price <= 0.6 * mean of the others  <=>  10 * price * (n - 1) <= 6 * (sum - price).
    const Int128 rest = sum - price.raw();
    if (10 * static_cast<Int128>(price.raw()) * others <= 6 * rest) {
      const Exact mean = exactFrom128(rest) / exactFrom128(others * kMicro);
      note = "unit price " + priceText(price) + " is at least 40 % below the mean of the other admissible bids' " +
             "unit prices (" + mean.toDecimal().toString(2) + "; limit 0.6 x mean = " +
             (Exact::fraction(6, 10) * mean).toDecimal().toString(2) + ")";
    }
    // Test 2: price <= 0.7 * the next bid in ascending price order.
    if (pos + 1 < order.size()) {
      const Decimal next = bids[order[pos + 1]].line.unit_price;
      if (10 * static_cast<Int128>(price.raw()) <= 7 * static_cast<Int128>(next.raw())) {
        if (!note.empty()) note += ", and ";
        note += "unit price " + priceText(price) + " is at least 30 % below the next bid's unit price (" +
                priceText(next) + "; limit 0.7 x next = " +
                (Exact::fraction(7, 10) * Exact(next)).toDecimal().toString(2) + ")";
      }
    }
    if (!note.empty()) {
      work[i].abnormally_low = true;
      work[i].abnormal_note = "abnormally low: " + note + art69;
    }
  }
}

const PointOffer* offerFor(const BidLine& line, Id point_id) {
  for (const PointOffer& o : line.point_offers)
    if (o.delivery_point_id == point_id) return &o;
  return nullptr;
}

// Evaluation of one lot; `per_point` is the delivery point id when the lot is one point of a
// per-point evaluation (then partial quantities are the optimiser's business and point offers apply).
LotEvaluation evaluateImpl(const LotInput& lot, const std::vector<BidOnLot>& bids, const ScoringContext& ctx,
                           Id per_point) {
  validateCriteria(ctx.criteria);
  const std::vector<Criterion>& criteria = ctx.criteria;
  const std::string lot_name = "lot " + std::to_string(lot.lot_id);
  if (lot.points.empty())
    throw Error(ErrorCode::kInvalidArgument,
                lot_name + " has no delivery points; enter the demand per delivery point before evaluating",
                "points");
  if (lot.unit_mass_kg.isNegative())
    throw Error(ErrorCode::kInvalidArgument, lot_name + ": unit mass " + lot.unit_mass_kg.toString() +
                                                 " kg is negative; correct the product's unit mass",
                "unit_mass_kg");
  Decimal total_demand;
  Int128 total_demand_raw = 0;
  for (const PointInput& p : lot.points) {
    if (p.quantity.isNegative())
      throw Error(ErrorCode::kInvalidArgument,
                  lot_name + ": demand " + p.quantity.toString() + " at delivery point " +
                      std::to_string(p.delivery_point_id) + " is negative; correct the demand",
                  "points");
    if (!validCoordinates(p.location))
      throw Error(ErrorCode::kInvalidArgument,
                  "delivery point " + std::to_string(p.delivery_point_id) + " has coordinates (" +
                      coordinatesText(p.location) +
                      ") that are not WGS84 decimal degrees; correct the delivery point's location",
                  "points");
    total_demand += p.quantity;
    total_demand_raw += p.quantity.raw();
  }
  for (std::size_t i = 0; i < bids.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (bids[i].bid_id == bids[j].bid_id)
        throw Error(ErrorCode::kInvalidArgument,
                    lot_name + ": bid " + std::to_string(bids[i].bid_id) + " is given twice; pass each bid once",
                    "bids");

  bool needs_distance = false;
  bool needs_co2 = false;
  std::optional<std::size_t> price_criterion;
  std::size_t last_distance_criterion = 0;  // the last user of a bid's distance text may take it
  for (std::size_t k = 0; k < criteria.size(); ++k) {
    if (criteria[k].kind == CriterionKind::kDistance || criteria[k].kind == CriterionKind::kCo2) {
      needs_distance = true;
      last_distance_criterion = k;
    }
    needs_co2 |= criteria[k].kind == CriterionKind::kCo2;
    if (criteria[k].kind == CriterionKind::kPrice) price_criterion = k;
  }
  if (needs_co2)
    for (const VehicleFactor& f : ctx.vehicle_factors)
      if (f.kg_co2e_per_tkm.isNegative())
        throw Error(ErrorCode::kInvalidArgument,
                    "the published CO2 factor of vehicle '" + f.vehicle +
                        "' is negative; correct the DPS's vehicle factors",
                    "vehicle_factors");
  if (needs_distance && lot.points.size() > 1 && total_demand_raw == 0)
    throw Error(ErrorCode::kInvalidArgument,
                lot_name + " has no demanded quantity at any delivery point, so its quantity-weighted distance is "
                           "undefined; enter the demand per delivery point",
                "points");

  // Admissibility, in the order a supplier would want to hear about it.
  std::vector<BidWork> work(bids.size());
  for (std::size_t i = 0; i < bids.size(); ++i) {
    const BidOnLot& bid = bids[i];
    const BidLine& line = bid.line;
    BidWork& w = work[i];
    auto refuse = [&](std::string note) {
      w.admissible = false;
      w.note = std::move(note);
    };
    if (!bid.admissible) {
      refuse(bid.note.empty() ? "not admissible" : bid.note);
      continue;
    }
    if (line.unit_price.isNegative()) {
      refuse("unit price " + line.unit_price.toString() + " is negative");
      continue;
    }
    if (per_point != 0 && !line.point_offers.empty()) {
      const PointOffer* offer = offerFor(line, per_point);
      if (offer == nullptr || offer->quantity.raw() <= 0) {
        refuse("no offer for this point");
        continue;
      }
    } else if (line.quantity.raw() <= 0) {
      refuse("offers no quantity (" + line.quantity.toString() + ")");
      continue;
    }
    if (per_point == 0 && !lot.allow_partial && line.quantity < total_demand) {
      refuse("offers " + line.quantity.toString() + " of " + total_demand.toString() +
             "; this round does not accept partial quantities");
      continue;
    }
    if (line.hours_from_harvest < 0) {
      refuse("declared hours from harvest (" + std::to_string(line.hours_from_harvest) + ") cannot be negative");
      continue;
    }
    if (line.intermediaries < 0) {
      refuse("declared number of intermediaries (" + std::to_string(line.intermediaries) + ") cannot be negative");
      continue;
    }
    if (needs_distance && !validCoordinates(bid.dispatch)) {
      refuse("dispatch point " + std::to_string(line.dispatch_point_id) + " has coordinates (" +
             coordinatesText(bid.dispatch) + ") that are not WGS84 decimal degrees; the supplier must correct it");
      continue;
    }
    if (needs_co2) {
      for (std::size_t f = 0; f < ctx.vehicle_factors.size(); ++f) {
        if (ctx.vehicle_factors[f].vehicle == line.vehicle) {
          w.factor = &ctx.vehicle_factors[f];
          w.factor_index = f;
        }
      }
      if (w.factor == nullptr) {
        refuse("vehicle '" + line.vehicle + "' has no published CO2 factor; the published vehicle types are: " +
               publishedVehicles(ctx.vehicle_factors));
        continue;
      }
    }
  }

  // Distances, once per bid and point.
  if (needs_distance) {
    // Each point's text is "km.ID=" KM ";source.ID=haversine;qty.ID=Q;". The pieces around KM are
    // joined once per lot: the tail of one point with the key of the next.
    const std::size_t n_points = lot.points.size();
    std::vector<PreparedPoint> prepared(n_points);
    std::vector<std::string> key_km(n_points);
    std::vector<std::string> after_road(n_points);
    std::vector<std::string> after_haversine(n_points);
    std::size_t capacity = 32;  // slack for the fixed-size copy of a remembered distance's text
    for (std::size_t p = 0; p < n_points; ++p) {
      const PointInput& point = lot.points[p];
      prepared[p] = prepare(point.location);
      const std::string id = std::to_string(point.delivery_point_id);
      key_km[p] = "km." + id + "=";
      for (std::string* after : {&after_road[p], &after_haversine[p]}) {
        after->reserve(2 * id.size() + kMaxDecimalText + 48);
        *after += ";source.";
        *after += id;
        *after += after == &after_road[p] ? "=road;qty." : "=haversine;qty.";
        *after += id;
        *after += '=';
        appendDecimal(*after, point.quantity);
        *after += ';';
      }
    }
    for (std::size_t p = 0; p + 1 < n_points; ++p) {
      after_road[p] += key_km[p + 1];
      after_haversine[p] += key_km[p + 1];
    }
    for (std::size_t p = 0; p < n_points; ++p) capacity += kMaxDecimalText + after_haversine[p].size();
    capacity += key_km[0].size();
    DistanceMemo& memo = distanceMemo();
    std::vector<std::size_t> columns;
    memo.beginLot(lot.points, columns);
    // Written in place into a buffer sized once for the longest text; each bid's text is then
    // allocated at its size, with room for what its CO2 record appends.
    std::string scratch(capacity, '\0');
    for (std::size_t i = 0; i < bids.size(); ++i) {
      BidWork& w = work[i];
      if (!w.admissible) continue;
      const BidOnLot& bid = bids[i];
      const PreparedPoint from = prepare(bid.dispatch);
      DistanceMemo::Cell* row = memo.row(bid.dispatch);
      char* const begin = scratch.data();
      char* out = begin;
      Int128 weighted = 0;
      bool overflow = false;
      Exact weighted_exact;  // used only if the integer sum would overflow
      Decimal single_km;
      std::memcpy(out, key_km[0].data(), key_km[0].size());
      out += key_km[0].size();
      for (std::size_t p = 0; p < n_points; ++p) {
        const PointInput& point = lot.points[p];
        std::optional<Decimal> road;
        if (ctx.road_distance) road = ctx.road_distance(bid.line.dispatch_point_id, point.delivery_point_id);
        if (road && road->isNegative())
          throw Error(ErrorCode::kInvalidArgument,
                      "road distance from dispatch point " + std::to_string(bid.line.dispatch_point_id) +
                          " to delivery point " + std::to_string(point.delivery_point_id) +
                          " is negative; correct the imported distance matrix",
                      "road_distance");
        Decimal km;
        if (road) {
          km = *road;
          out = writeDecimal(out, km);
        } else {
          const DistanceMemo::Cell& cell = DistanceMemo::fill(row[columns[p]], from, prepared[p]);
          km = Decimal::fromRaw(cell.km_raw);
          std::memcpy(out, cell.text, sizeof cell.text);  // fixed size: a few moves; the excess is overwritten
          out += cell.text_size;
        }
        const std::string& after = road ? after_road[p] : after_haversine[p];
        std::memcpy(out, after.data(), after.size());
        out += after.size();
        single_km = km;
        const Int128 term = static_cast<Int128>(km.raw()) * point.quantity.raw();
        if (!overflow) {
          Int128 sum = 0;
          if (!__builtin_add_overflow(weighted, term, &sum)) {
            weighted = sum;
            continue;
          }
          overflow = true;
          weighted_exact = exactFrom128(weighted);
        }
        weighted_exact += exactFrom128(term);
      }
      const auto size = static_cast<std::size_t>(out - begin);
      std::string text;
      text.reserve(size + kRecordTail);
      text.assign(begin, size);
      if (lot.points.size() == 1) {
        w.mean_km = Exact(single_km);
      } else {
        const Exact numerator = overflow ? weighted_exact : exactFrom128(weighted);
        w.mean_km = numerator / exactFrom128(total_demand_raw * kMicro);
      }
      w.distance_inputs = std::move(text);
      w.distance_inputs += "mean_km=";
      w.mean_km->appendTo(w.distance_inputs);
    }
  }

  // The same mass for every bid (the lot's whole demand), so that partial offers compete on equal terms.
  std::string mass_inputs;
  std::vector<Exact> kg_per_km;  // per published vehicle: factor x mass, shared by the lot's bids
  if (needs_co2) {
    const Exact mass_t = Exact(total_demand) * Exact(lot.unit_mass_kg) / Exact(1000);
    mass_inputs =
        Inputs().add("unit_mass_kg", lot.unit_mass_kg).add("total_qty", total_demand).add("mass_t", mass_t).take();
    kg_per_km.reserve(ctx.vehicle_factors.size());
    for (const VehicleFactor& f : ctx.vehicle_factors) kg_per_km.push_back(Exact(f.kg_co2e_per_tkm) * mass_t);
  }

  std::vector<std::size_t> admissible;
  for (std::size_t i = 0; i < bids.size(); ++i)
    if (work[i].admissible) admissible.push_back(i);

  const std::size_t n_criteria = criteria.size();
  std::vector<ScoreRecord> records(admissible.size() * n_criteria);
  std::vector<Measured> measured(admissible.size());
  for (std::size_t k = 0; k < n_criteria; ++k) {
    const Criterion& c = criteria[k];
    for (std::size_t a = 0; a < admissible.size(); ++a) {
      const BidLine& line = bids[admissible[a]].line;
      const BidWork& w = work[admissible[a]];
      Measured& m = measured[a];
      m.decimal.reset();
      m.holds = false;
      switch (c.kind) {
        case CriterionKind::kPrice:
          m.decimal = line.unit_price;
          break;
        case CriterionKind::kDistance:
          m.value = *w.mean_km;
          break;
        case CriterionKind::kCo2:
          m.value = *w.mean_km * kg_per_km[w.factor_index];
          break;
        case CriterionKind::kFreshness:
          m.decimal = Decimal::fromInt(line.hours_from_harvest);
          break;
        case CriterionKind::kLabel:
          m.holds = c.fact == "organic"          ? line.organic
                    : c.fact == "quality_scheme" ? line.quality_scheme
                                                 : (line.organic || line.quality_scheme);
          m.decimal = Decimal::fromInt(m.holds ? 1 : 0);
          break;
        case CriterionKind::kShortChain:
          if (c.formula == Formula::kYesNo) {
            m.holds = line.intermediaries <= 1;
            m.decimal = Decimal::fromInt(m.holds ? 1 : 0);
          } else {
            m.decimal = Decimal::fromInt(line.intermediaries);
          }
          break;
      }
    }

    const Measured* best = nullptr;
    if (c.formula == Formula::kRelativeToBest)
      for (const Measured& m : measured)
        if (best == nullptr || m < *best) best = &m;
    // An empty field: no admissible bid, nothing to score.
    if (c.formula == Formula::kRelativeToBest && best == nullptr) continue;
    const std::string formula_inputs = formulaInputs(c, best);

    // Points first: the best value must stay in place until every bid is scored against it.
    const Exact weighted_best =
        c.formula == Formula::kRelativeToBest ? Exact(static_cast<std::int64_t>(c.weight)) * best->exact() : Exact();
    for (std::size_t a = 0; a < admissible.size(); ++a) {
      const Measured& m = measured[a];
      Exact& points = records[a * n_criteria + k].points;
      switch (c.formula) {
        case Formula::kRelativeToBest:
          points = pointsRelativeToBest(c.weight, m, *best, weighted_best);
          break;
        case Formula::kLinearBand:
          points = pointsLinearBand(c, m);
          break;
        case Formula::kBands:
          points = pointsBands(c, m);
          break;
        case Formula::kYesNo:
          points = m.holds ? Exact(static_cast<std::int64_t>(c.weight)) : Exact();
          break;
      }
    }
    for (std::size_t a = 0; a < admissible.size(); ++a) {
      const std::size_t i = admissible[a];
      Measured& m = measured[a];
      ScoreRecord& r = records[a * n_criteria + k];
      r.round_id = lot.round_id;
      r.lot_id = lot.lot_id;
      r.bid_id = bids[i].bid_id;
      r.delivery_point_id = per_point;
      r.kind = c.kind;
      r.formula = c.formula;
      r.weight = c.weight;
      r.inputs = measurementInputs(c, bids[i].line, work[i], m, k == last_distance_criterion, mass_inputs,
                                   formula_inputs.size())
                     .pairs(formula_inputs)
                     .take();
      r.value = m.decimal ? Exact(*m.decimal) : std::move(m.value);
      work[i].total += r.points;
      if (price_criterion == k) work[i].price_points = &r.points;
    }
  }

  flagAbnormallyLow(work, bids);

  std::sort(admissible.begin(), admissible.end(), [&](std::size_t x, std::size_t y) {
    if (const auto c = work[x].total <=> work[y].total; c != 0) return c > 0;
    if (work[x].price_points != nullptr) {
      if (const auto c = *work[x].price_points <=> *work[y].price_points; c != 0) return c > 0;
    }
    if (bids[x].submitted_at != bids[y].submitted_at) return bids[x].submitted_at < bids[y].submitted_at;
    return bids[x].bid_id < bids[y].bid_id;
  });
  std::vector<std::size_t> refused;
  for (std::size_t i = 0; i < bids.size(); ++i)
    if (!work[i].admissible) refused.push_back(i);
  std::sort(refused.begin(), refused.end(),
            [&](std::size_t x, std::size_t y) { return bids[x].bid_id < bids[y].bid_id; });

  LotEvaluation out;
  out.scores = std::move(records);
  out.results.reserve(bids.size());
  int rank = 0;
  for (std::size_t i : admissible) {
    LotResult r;
    r.round_id = lot.round_id;
    r.lot_id = lot.lot_id;
    r.bid_id = bids[i].bid_id;
    r.delivery_point_id = per_point;
    r.supplier_id = bids[i].supplier_id;
    r.total = std::move(work[i].total);
    r.rank = ++rank;
    r.admissible = true;
    r.abnormally_low = work[i].abnormally_low;
    r.note = std::move(work[i].abnormal_note);
    out.results.push_back(std::move(r));
  }
  for (std::size_t i : refused) {
    LotResult r;
    r.round_id = lot.round_id;
    r.lot_id = lot.lot_id;
    r.bid_id = bids[i].bid_id;
    r.delivery_point_id = per_point;
    r.supplier_id = bids[i].supplier_id;
    r.rank = 0;
    r.admissible = false;
    r.note = std::move(work[i].note);
    out.results.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Decimal haversineKm(GeoPoint a, GeoPoint b) {
  for (const GeoPoint p : {a, b})
    if (!validCoordinates(p))
      throw Error(ErrorCode::kInvalidArgument,
                  "coordinates (" + coordinatesText(p) +
                      ") are not WGS84 decimal degrees; latitude must lie within -90..90 and longitude within "
                      "-180..180");
  return haversinePrepared(prepare(a), prepare(b));
}

void validateCriteria(const std::vector<Criterion>& criteria) {
  const std::vector<Problem> problems = criteriaProblems(criteria);
  if (!problems.empty())
    throwProblems("the award criteria are not valid (" + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem):" : " problems):"),
                  problems, "criteria", {"criteria.rejected", {}});
}

// A refined weight scales a bands table by new/published weight: the published table keeps its
// shape and its top still equals the weight, so the refinement stays within what was published.
std::vector<Criterion> applyRefinements(const std::vector<Criterion>& published,
                                        const std::vector<WeightRefinement>& refinements) {
  std::vector<Criterion> result = published;
  std::vector<Problem> problems;
  const auto add = [&](std::string message, std::string key, std::vector<std::string> args) {
    problems.push_back({"refinements", std::move(message), {std::move(key), std::move(args)}});
  };
  for (std::size_t r = 0; r < refinements.size(); ++r) {
    const WeightRefinement& ref = refinements[r];
    const std::string name = "refinements[" + std::to_string(r) + "] (" + toString(ref.kind) + ")";
    const std::string kind = kindArg(ref.kind);
    bool duplicate = false;
    for (std::size_t s = 0; s < r; ++s) duplicate |= refinements[s].kind == ref.kind;
    if (duplicate) {
      add(name + ": " + toString(ref.kind) + " is refined more than once; give one weight per kind",
          "round.problem.refined_twice", {kind});
      continue;
    }
    const auto it = std::find_if(result.begin(), result.end(), [&](const Criterion& c) { return c.kind == ref.kind; });
    if (it == result.end()) {
      add(name + ": " + toString(ref.kind) +
              " is not a published criterion of this DPS; a round may refine published weights "
              "within their ranges but not add criteria (rule 7, Art. 34(6), Art. 67(5))",
          "round.problem.refined_unpublished", {kind});
      continue;
    }
    const auto [lo, hi] = weightRange(*it);
    if (ref.weight < lo || ref.weight > hi) {
      add(name + ": weight " + std::to_string(ref.weight) + " is outside the published range " + std::to_string(lo) +
              ".." + std::to_string(hi) + "; choose a weight within it (rule 7, Art. 34(6), Art. 67(5))",
          "round.problem.refined_range", {kind, std::to_string(ref.weight), std::to_string(lo), std::to_string(hi)});
      continue;
    }
    if (ref.weight != it->weight && it->weight > 0) {
      const Exact scale = Exact::fraction(ref.weight, it->weight);
      for (Band& band : it->bands) band.points = band.points * scale;
    }
    it->weight = ref.weight;
  }
  long long sum = 0;
  for (const Criterion& c : result) sum += c.weight;
  if (sum != 100)
    add("refined weights sum to " + std::to_string(sum) +
            ", not 100; refine the weights so that they still sum to 100 (Art. 67(5))",
        "round.problem.refined_sum", {std::to_string(sum)});
  if (!problems.empty())
    throwProblems("the round's refinements of the award criteria are not valid (" + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem):" : " problems):"),
                  problems, "refinements", {"round.problem.refinements", {}});
  validateCriteria(result);
  return result;
}

LotEvaluation evaluateLot(const LotInput& lot, const std::vector<BidOnLot>& bids, const ScoringContext& ctx) {
  return evaluateImpl(lot, bids, ctx, 0);
}

std::vector<LotEvaluation> evaluatePerPoint(const LotInput& lot, const std::vector<BidOnLot>& bids,
                                            const ScoringContext& ctx) {
  std::vector<LotEvaluation> out;
  out.reserve(lot.points.size());
  for (const PointInput& point : lot.points) {
    if (point.delivery_point_id == 0)
      throw Error(ErrorCode::kInvalidArgument,
                  "lot " + std::to_string(lot.lot_id) +
                      " has a delivery point without an id; per-point evaluation names every point",
                  "points");
    LotInput single = lot;
    single.points = {point};
    out.push_back(evaluateImpl(single, bids, ctx, point.delivery_point_id));
  }
  return out;
}

}  // namespace core
