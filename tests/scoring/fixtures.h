#pragma once
// Builders shared by the scoring and award tests: criteria, lots and bids written with decimal text
// so that every expected value in a test can be checked by hand. Not thread-safe (plain helpers).

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/model.h"
#include "core/scoring.h"

namespace scoring_fixture {

inline core::Decimal dec(const char* text) { return core::Decimal::parse(text); }
inline core::Exact ex(const char* text) { return core::Exact::parse(text); }
inline core::TimePoint at(const char* text) { return core::parseTime(text); }

inline core::Criterion criterion(core::CriterionKind kind, core::Formula formula, int weight) {
  core::Criterion c;
  c.kind = kind;
  c.formula = formula;
  c.weight = weight;
  return c;
}

inline core::Criterion linearBand(core::CriterionKind kind, int weight, const char* a, const char* b) {
  core::Criterion c = criterion(kind, core::Formula::kLinearBand, weight);
  c.a = dec(a);
  c.b = dec(b);
  return c;
}

inline core::Criterion bandTable(core::CriterionKind kind, int weight,
                                 const std::vector<std::pair<const char*, const char*>>& rows) {
  core::Criterion c = criterion(kind, core::Formula::kBands, weight);
  for (const auto& [threshold, points] : rows) c.bands.push_back({dec(threshold), ex(points)});
  return c;
}

inline core::Criterion label(int weight, const char* fact) {
  core::Criterion c = criterion(core::CriterionKind::kLabel, core::Formula::kYesNo, weight);
  c.fact = fact;
  return c;
}

inline core::PointInput point(core::Id id, const char* quantity, core::GeoPoint where = {46.0569, 14.5058}) {
  return {id, where, dec(quantity)};
}

inline core::LotInput lot(std::vector<core::PointInput> points, bool allow_partial = true) {
  core::LotInput l;
  l.round_id = 7;
  l.lot_id = 70;
  l.allow_partial = allow_partial;
  l.points = std::move(points);
  return l;
}

inline core::BidOnLot bid(core::Id id, const char* price, const char* quantity = "1000") {
  core::BidOnLot b;
  b.bid_id = id;
  b.supplier_id = 100 + id;
  b.submitted_at = at("2026-03-01T09:00:00Z");
  b.line.lot_id = 70;
  b.line.unit_price = dec(price);
  b.line.quantity = dec(quantity);
  b.line.dispatch_point_id = 1000 + id;
  b.line.vehicle = "van";
  return b;
}

// Criteria where only price differentiates: nobody in these tests declares the organic label
// unless the test says so.
inline std::vector<core::Criterion> priceAndOrganic(core::Criterion price, int label_weight) {
  return {std::move(price), label(label_weight, "organic")};
}

inline const core::LotResult& resultOf(const core::LotEvaluation& e, core::Id bid_id) {
  for (const core::LotResult& r : e.results)
    if (r.bid_id == bid_id) return r;
  BOOST_FAIL("no result for bid " << bid_id);
  return e.results.front();
}

inline const core::ScoreRecord& scoreOf(const core::LotEvaluation& e, core::Id bid_id, core::CriterionKind kind) {
  for (const core::ScoreRecord& s : e.scores)
    if (s.bid_id == bid_id && s.kind == kind) return s;
  BOOST_FAIL("no " << core::toString(kind) << " score for bid " << bid_id);
  return e.scores.front();
}

inline std::vector<core::Id> rankedIds(const core::LotEvaluation& e) {
  std::vector<core::Id> ids;
  for (const core::LotResult& r : e.results) ids.push_back(r.bid_id);
  return ids;
}

// Runs `f`, which must throw core::Error with `code`; returns the message for further checks.
template <typename F>
std::string errorOf(F&& f, core::ErrorCode code) {
  try {
    f();
  } catch (const core::Error& e) {
    BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(code), "error code of: " << e.what());
    return e.what();
  }
  BOOST_FAIL("expected a core::Error");
  return {};
}

}  // namespace scoring_fixture
