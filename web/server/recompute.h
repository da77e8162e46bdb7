#pragma once
// The auditor's recomputation: every recorded score is computed again from its recorded inputs
// (value, best, a, b, bands, weight) by the published formula, independently of the scoring code,
// and every lot result's total again from its scores. A mismatch means the recorded evaluation
// cannot be explained by its own inputs. Pure functions; thread-safe.

#include <string>
#include <vector>

#include "core/model.h"

namespace web::server {

struct ScoreCheck {
  core::ScoreRecord record;
  core::Exact recomputed;
  bool matches = false;
  std::string explanation;  // "60 x 2.1 / 2.4 = 52.5", or why it cannot be recomputed
};

struct TotalCheck {
  core::LotResult result;
  core::Exact recomputed;
  bool matches = false;
};

struct Recomputation {
  std::vector<ScoreCheck> scores;
  std::vector<TotalCheck> totals;
  bool ok() const;
};

ScoreCheck recomputeScore(const core::ScoreRecord& record);
Recomputation recomputeRound(const std::vector<core::ScoreRecord>& scores, const std::vector<core::LotResult>& results);

}  // namespace web::server
