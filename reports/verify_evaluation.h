#pragma once
// verify-evaluation: recomputes every score and every ranking of an exported evaluation document
// from the document alone (its criteria, vehicle factors, lots, delivery points, the bids as they
// entered the evaluation and their road distances) with core::evaluateLot / core::evaluatePerPoint,
// and lists every place where the document says something else. An auditor needs nothing but the
// file and this program. Thread-safety: reentrant.

#include <string>
#include <vector>

namespace reports {

struct EvaluationCheck {
  std::string round_reference;
  int lots = 0;     // lots recomputed
  int results = 0;  // results (bid on a lot or on a delivery point) compared
  int scores = 0;   // criterion scores compared
  std::vector<std::string> differences;  // every disagreement, naming lot, bid and field
  bool agrees() const { return differences.empty(); }
};

// Throws core::Error(kInvalidArgument) listing every problem when `xml` is not a valid evaluation
// document of the project's schema in `schema_dir` (empty: defaultSchemaDir()).
EvaluationCheck verifyEvaluation(const std::string& xml, const std::string& schema_dir = {});

}  // namespace reports
