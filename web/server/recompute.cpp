// Recomputation of recorded scores from their recorded inputs (see recompute.h).
#include "web/server/recompute.h"

#include <map>
#include <tuple>

#include "core/error.h"

namespace web::server {
namespace {

std::map<std::string, std::string> parseInputs(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t semi = text.find(';', start);
    const std::string pair = text.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) out[pair.substr(0, eq)] = pair.substr(eq + 1);  // the last one wins
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return out;
}

// "12.5", "-3", "200/3".
core::Exact number(const std::string& text) {
  if (text.find('/') != std::string::npos) return core::Exact::parse(text);
  const auto d = core::Decimal::tryParse(text);
  if (!d) throw core::Error(core::ErrorCode::kInvalidArgument, "'" + text + "' is not a number");
  return core::Exact(*d);
}

core::Exact required(const std::map<std::string, std::string>& in, const std::string& key) {
  const auto it = in.find(key);
  if (it == in.end()) throw core::Error(core::ErrorCode::kInvalidArgument, "input '" + key + "' is not recorded");
  return number(it->second);
}

}  // namespace

bool Recomputation::ok() const {
  for (const ScoreCheck& s : scores)
    if (!s.matches) return false;
  for (const TotalCheck& t : totals)
    if (!t.matches) return false;
  return true;
}

ScoreCheck recomputeScore(const core::ScoreRecord& record) {
  ScoreCheck check;
  check.record = record;
  try {
    const auto in = parseInputs(record.inputs);
    const core::Exact value = required(in, "value");
    const core::Exact weight = required(in, "weight");
    if (!(value == record.value)) throw core::Error(core::ErrorCode::kInvalidArgument, "recorded value differs from value input");
    if (!(weight == core::Exact(static_cast<std::int64_t>(record.weight))))
      throw core::Error(core::ErrorCode::kInvalidArgument, "recorded weight differs from weight input");
    switch (record.formula) {
      case core::Formula::kRelativeToBest: {
        const core::Exact best = required(in, "best");
        check.recomputed = value.isZero() ? weight : weight * best / value;
        check.explanation = weight.toString() + " x " + best.toString() + " / " + value.toString();
        break;
      }
      case core::Formula::kLinearBand: {
        const core::Exact a = required(in, "a");
        const core::Exact b = required(in, "b");
        if (value <= a)
          check.recomputed = weight;
        else if (value >= b)
          check.recomputed = core::Exact();
        else
          check.recomputed = weight * (b - value) / (b - a);
        check.explanation = "linear band a=" + a.toString() + " b=" + b.toString() + " at " + value.toString();
        break;
      }
      case core::Formula::kBands: {
        const auto it = in.find("bands");
        if (it == in.end()) throw core::Error(core::ErrorCode::kInvalidArgument, "input 'bands' is not recorded");
        check.recomputed = core::Exact();
        std::size_t start = 0;
        const std::string& table = it->second;
        while (start < table.size()) {
          const std::size_t comma = table.find(',', start);
          const std::string band = table.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          const std::size_t colon = band.find(':');
          if (colon == std::string::npos) throw core::Error(core::ErrorCode::kInvalidArgument, "malformed band '" + band + "'");
          if (value <= number(band.substr(0, colon))) {
            check.recomputed = number(band.substr(colon + 1));
            break;
          }
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        check.explanation = "bands " + table + " at " + value.toString();
        break;
      }
      case core::Formula::kYesNo:
        check.recomputed = value.isZero() ? core::Exact() : weight;
        check.explanation = std::string(value.isZero() ? "no" : "yes") + " -> " + check.recomputed.toString();
        break;
    }
    check.matches = check.recomputed == record.points;
    check.explanation += " = " + check.recomputed.toString();
  } catch (const core::Error& e) {
    check.matches = false;
    check.explanation = std::string("cannot recompute: ") + e.what();
  }
  return check;
}

Recomputation recomputeRound(const std::vector<core::ScoreRecord>& scores, const std::vector<core::LotResult>& results) {
  Recomputation out;
  std::map<std::tuple<core::Id, core::Id, core::Id>, core::Exact> sums;
  for (const core::ScoreRecord& s : scores) {
    out.scores.push_back(recomputeScore(s));
    sums[{s.lot_id, s.bid_id, s.delivery_point_id}] += out.scores.back().recomputed;
  }
  for (const core::LotResult& r : results) {
    if (!r.admissible) continue;
    TotalCheck t;
    t.result = r;
    t.recomputed = sums[{r.lot_id, r.bid_id, r.delivery_point_id}];
    t.matches = t.recomputed == r.total;
    out.totals.push_back(std::move(t));
  }
  return out;
}

}  // namespace web::server
