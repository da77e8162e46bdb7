#include "core/scoring.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
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

// Same text as Decimal::toString(), written into `out` without a temporary string.
void appendDecimal(std::string& out, Decimal d) {
  const std::int64_t raw = d.raw();
  const unsigned long long magnitude =
      raw < 0 ? 0ULL - static_cast<unsigned long long>(raw) : static_cast<unsigned long long>(raw);
  if (raw < 0) out += '-';
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, magnitude / static_cast<unsigned long long>(kMicro)).ptr;
  out.append(buf, end);
  unsigned long long frac = magnitude % static_cast<unsigned long long>(kMicro);
  if (frac == 0) return;
  char digits[Decimal::kPlaces];
  for (int i = Decimal::kPlaces - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int len = Decimal::kPlaces;
  while (digits[len - 1] == '0') --len;
  out += '.';
  out.append(digits, static_cast<std::size_t>(len));
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
    text_ += value.toString();
    return *this;
  }
  Inputs& add(std::string_view key, std::int64_t value) {
    key_(key);
    text_ += std::to_string(value);
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

std::vector<std::string> criteriaProblems(const std::vector<Criterion>& criteria) {
  std::vector<std::string> problems;
  long long sum = 0;
  for (std::size_t i = 0; i < criteria.size(); ++i) {
    const Criterion& c = criteria[i];
    const std::string name = criterionName(i, c.kind);
    sum += c.weight;
    for (std::size_t j = 0; j < i; ++j) {
      if (criteria[j].kind == c.kind) {
        problems.push_back(name + ": " + toString(c.kind) + " is already criteria[" + std::to_string(j) +
                           "]; each kind may appear once, so remove one of them");
        break;
      }
    }
    if (c.weight < 0 || c.weight > 100)
      problems.push_back(name + ": weight " + std::to_string(c.weight) + " is outside 0..100");
    if (!(c.min_weight == 0 && c.max_weight == 0)) {
      if (c.min_weight < 0 || c.max_weight > 100 || c.min_weight > c.weight || c.weight > c.max_weight)
        problems.push_back(name + ": published range " + std::to_string(c.min_weight) + ".." +
                           std::to_string(c.max_weight) + " must lie within 0..100 and contain the weight " +
                           std::to_string(c.weight) + " (Art. 67(5))");
    }

    const bool spatial = c.kind == CriterionKind::kDistance || c.kind == CriterionKind::kCo2;
    const std::string cliff =
        name + ": awards points only for being inside a radius (a cliff), which rewards where a supplier "
               "is rather than how far the food travels and is refused (CJEU C-21/88; Art. 67 of Directive "
               "2014/24/EU); points must fall gradually with distance: use linear_band or relative_to_best, "
               "or bands with at least two different positive point levels";
    if (spatial && c.formula == Formula::kYesNo) {
      problems.push_back(cliff);
    } else if (!formulaAllowed(c.kind, c.formula)) {
      problems.push_back(name + ": formula " + toString(c.formula) + " is not available for " + toString(c.kind) +
                         "; use " + allowedFormulas(c.kind));
    }

    if (c.formula == Formula::kLinearBand && !(c.a < c.b))
      problems.push_back(name + ": linear band needs a < b (full points at or below a, none at or above b), got a=" +
                         c.a.toString() + " b=" + c.b.toString());

    if (c.formula == Formula::kBands) {
      if (c.bands.empty()) {
        problems.push_back(name + ": the bands formula needs a table of (threshold, points); none is given");
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
        if (!ascending) problems.push_back(name + ": band thresholds must be strictly ascending");
        if (!in_range)
          problems.push_back(name + ": band points must lie within 0.." + std::to_string(c.weight) +
                             " (the criterion's weight)");
        if (!non_increasing)
          problems.push_back(name + ": band points must not increase with the threshold (a lower value is better)");
        if (spatial && positive_levels.size() < 2) problems.push_back(cliff);
      }
    }

    if (c.kind == CriterionKind::kLabel && !knownLabelFact(c.fact))
      problems.push_back(name + ": fact '" + c.fact +
                         "' is not known; use organic, quality_scheme or organic_or_quality (labels \"or "
                         "equivalent\", Art. 43)");
  }
  if (sum != 100)
    problems.push_back("weights sum to " + std::to_string(sum) +
                       ", not 100; adjust the weights so that they sum to 100 (Art. 67(5))");
  return problems;
}

[[noreturn]] void throwProblems(const std::string& heading, const std::vector<std::string>& problems,
                                const std::string& field) {
  std::string message = heading;
  for (const std::string& p : problems) message += "\n" + p;
  throw Error(ErrorCode::kInvalidArgument, message, field);
}

// One bid's measured value on one criterion: a decimal (price, hours, counts, 0/1), which keeps the
// formulas in integer arithmetic, or an exact rational (distance, CO2).
struct Measured {
  std::optional<Decimal> decimal;
  Exact value;          // meaningful only when `decimal` is empty
  bool holds = false;   // yes/no facts
  std::string inputs;   // measurement inputs, ending with value=...

  bool isZero() const { return decimal ? decimal->isZero() : value.isZero(); }
  Exact exact() const { return decimal ? Exact(*decimal) : value; }
  bool operator<(const Measured& other) const {
    if (decimal && other.decimal) return *decimal < *other.decimal;
    return exact() < other.exact();
  }
};

Exact pointsRelativeToBest(int weight, const Measured& m, const Measured& best) {
  if (m.isZero()) return Exact(static_cast<std::int64_t>(weight));
  if (m.decimal && best.decimal)
    return fraction128(static_cast<Int128>(weight) * best.decimal->raw(), m.decimal->raw());
  return Exact(static_cast<std::int64_t>(weight)) * best.exact() / m.exact();
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
    std::vector<PreparedPoint> prepared(lot.points.size());
    std::vector<std::string> key_km(lot.points.size());
    std::vector<std::string> tail_road(lot.points.size());
    std::vector<std::string> tail_haversine(lot.points.size());
    // Room for every point's text and the pairs that follow it, so that the string never grows.
    std::size_t capacity = 512;
    for (std::size_t p = 0; p < lot.points.size(); ++p) {
      const PointInput& point = lot.points[p];
      prepared[p] = prepare(point.location);
      const std::string id = std::to_string(point.delivery_point_id);
      key_km[p] = "km." + id + "=";
      std::string qty;
      appendDecimal(qty, point.quantity);
      tail_road[p] = ";source." + id + "=road;qty." + id + "=" + qty + ";";
      tail_haversine[p] = ";source." + id + "=haversine;qty." + id + "=" + qty + ";";
      capacity += key_km[p].size() + tail_haversine[p].size() + 24;
    }
    for (std::size_t i = 0; i < bids.size(); ++i) {
      BidWork& w = work[i];
      if (!w.admissible) continue;
      const BidOnLot& bid = bids[i];
      const PreparedPoint from = prepare(bid.dispatch);
      std::string text;
      text.reserve(capacity);
      Int128 weighted = 0;
      bool overflow = false;
      Exact weighted_exact;  // used only if the integer sum would overflow
      Decimal single_km;
      for (std::size_t p = 0; p < lot.points.size(); ++p) {
        const PointInput& point = lot.points[p];
        std::optional<Decimal> road;
        if (ctx.road_distance) road = ctx.road_distance(bid.line.dispatch_point_id, point.delivery_point_id);
        if (road && road->isNegative())
          throw Error(ErrorCode::kInvalidArgument,
                      "road distance from dispatch point " + std::to_string(bid.line.dispatch_point_id) +
                          " to delivery point " + std::to_string(point.delivery_point_id) +
                          " is negative; correct the imported distance matrix",
                      "road_distance");
        const Decimal km = road ? *road : haversinePrepared(from, prepared[p]);
        single_km = km;
        text += key_km[p];
        appendDecimal(text, km);
        text += road ? tail_road[p] : tail_haversine[p];
        const Int128 term = static_cast<Int128>(km.raw()) * point.quantity.raw();
        if (!overflow && __builtin_add_overflow(weighted, term, &weighted)) {
          overflow = true;
          weighted_exact = exactFrom128(weighted);
        }
        if (overflow) weighted_exact += exactFrom128(term);
      }
      if (lot.points.size() == 1) {
        w.mean_km = Exact(single_km);
      } else {
        const Exact numerator = overflow ? weighted_exact : exactFrom128(weighted);
        w.mean_km = numerator / exactFrom128(total_demand_raw * kMicro);
      }
      w.distance_inputs = std::move(text);
      w.distance_inputs += "mean_km=";
      w.distance_inputs += w.mean_km->toString();
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
      BidWork& w = work[admissible[a]];
      Measured& m = measured[a];
      m.decimal.reset();
      m.holds = false;
      switch (c.kind) {
        case CriterionKind::kPrice:
          m.decimal = line.unit_price;
          m.inputs = Inputs().add("value", line.unit_price).take();
          break;
        case CriterionKind::kDistance:
          m.value = *w.mean_km;
          m.inputs = Inputs(k == last_distance_criterion ? std::move(w.distance_inputs) : w.distance_inputs)
                         .add("value", m.value)
                         .take();
          break;
        case CriterionKind::kCo2:
          m.value = *w.mean_km * kg_per_km[w.factor_index];
          m.inputs = Inputs(k == last_distance_criterion ? std::move(w.distance_inputs) : w.distance_inputs)
                         .add("vehicle", line.vehicle)
                         .add("kg_co2e_per_tkm", w.factor->kg_co2e_per_tkm)
                         .pairs(mass_inputs)
                         .add("value", m.value)
                         .take();
          break;
        case CriterionKind::kFreshness:
          m.decimal = Decimal::fromInt(line.hours_from_harvest);
          m.inputs = Inputs()
                         .add("hours_from_harvest", static_cast<std::int64_t>(line.hours_from_harvest))
                         .add("value", static_cast<std::int64_t>(line.hours_from_harvest))
                         .take();
          break;
        case CriterionKind::kLabel: {
          m.holds = c.fact == "organic"          ? line.organic
                    : c.fact == "quality_scheme" ? line.quality_scheme
                                                 : (line.organic || line.quality_scheme);
          m.decimal = Decimal::fromInt(m.holds ? 1 : 0);
          m.inputs = Inputs()
                         .add("fact", c.fact)
                         .add("organic", yesNo(line.organic))
                         .add("quality_scheme", yesNo(line.quality_scheme))
                         .add("value", static_cast<std::int64_t>(m.holds ? 1 : 0))
                         .take();
          break;
        }
        case CriterionKind::kShortChain:
          if (c.formula == Formula::kYesNo) {
            m.holds = line.intermediaries <= 1;
            m.decimal = Decimal::fromInt(m.holds ? 1 : 0);
            m.inputs = Inputs()
                           .add("intermediaries", static_cast<std::int64_t>(line.intermediaries))
                           .add("max_intermediaries", std::int64_t{1})
                           .add("value", static_cast<std::int64_t>(m.holds ? 1 : 0))
                           .take();
          } else {
            m.decimal = Decimal::fromInt(line.intermediaries);
            m.inputs = Inputs()
                           .add("intermediaries", static_cast<std::int64_t>(line.intermediaries))
                           .add("value", static_cast<std::int64_t>(line.intermediaries))
                           .take();
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
    for (std::size_t a = 0; a < admissible.size(); ++a) {
      const Measured& m = measured[a];
      Exact& points = records[a * n_criteria + k].points;
      switch (c.formula) {
        case Formula::kRelativeToBest:
          points = pointsRelativeToBest(c.weight, m, *best);
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
      r.inputs = Inputs(std::move(m.inputs)).pairs(formula_inputs).take();
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
  const std::vector<std::string> problems = criteriaProblems(criteria);
  if (!problems.empty())
    throwProblems("the award criteria are not valid (" + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem):" : " problems):"),
                  problems, "criteria");
}

// A refined weight scales a bands table by new/published weight: the published table keeps its
// shape and its top still equals the weight, so the refinement stays within what was published.
std::vector<Criterion> applyRefinements(const std::vector<Criterion>& published,
                                        const std::vector<WeightRefinement>& refinements) {
  std::vector<Criterion> result = published;
  std::vector<std::string> problems;
  for (std::size_t r = 0; r < refinements.size(); ++r) {
    const WeightRefinement& ref = refinements[r];
    const std::string name = "refinements[" + std::to_string(r) + "] (" + toString(ref.kind) + ")";
    bool duplicate = false;
    for (std::size_t s = 0; s < r; ++s) duplicate |= refinements[s].kind == ref.kind;
    if (duplicate) {
      problems.push_back(name + ": " + toString(ref.kind) + " is refined more than once; give one weight per kind");
      continue;
    }
    const auto it = std::find_if(result.begin(), result.end(), [&](const Criterion& c) { return c.kind == ref.kind; });
    if (it == result.end()) {
      problems.push_back(name + ": " + toString(ref.kind) +
                         " is not a published criterion of this DPS; a round may refine published weights "
                         "within their ranges but not add criteria (rule 7, Art. 34(6), Art. 67(5))");
      continue;
    }
    const auto [lo, hi] = weightRange(*it);
    if (ref.weight < lo || ref.weight > hi) {
      problems.push_back(name + ": weight " + std::to_string(ref.weight) + " is outside the published range " +
                         std::to_string(lo) + ".." + std::to_string(hi) +
                         "; choose a weight within it (rule 7, Art. 34(6), Art. 67(5))");
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
    problems.push_back("refined weights sum to " + std::to_string(sum) +
                       ", not 100; refine the weights so that they still sum to 100 (Art. 67(5))");
  if (!problems.empty())
    throwProblems("the round's refinements of the award criteria are not valid (" + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem):" : " problems):"),
                  problems, "refinements");
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
