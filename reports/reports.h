#pragma once
// Reports for officers, suppliers and auditors, as self-contained HTML pages (inline CSS and SVG
// charts, no scripts) and CSV (formula injection neutralised, see reports/csv.h):
//   - the round evaluation report: every bid's rank, points per criterion, total and flags;
//   - the award decision letter to one supplier with the reasons and the winner's relative
//     advantages (Art. 55(2) of Directive 2014/24/EU);
//   - the individual report of a round (Art. 84);
//   - the DPS dashboard: value awarded, value by transport distance band, km and kg CO2e per kg of
//     food, organic and quality-scheme shares against the 15 % and 20 % targets, suppliers
//     admitted / invited / bidding / winning, share of small enterprises;
//   - compliance for auditors: admission decisions within 10 / 15 working days, tender periods of
//     at least 10 days, award notices due, single-bid lots, abnormally low bids, audit chain.
// Every report reads the store in one transaction. Thread-safety: reentrant.

#include <string>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/model.h"
#include "core/store.h"

namespace reports {

struct ReportOptions {
  core::TimePoint generated_at{};  // "now" of the report: stamped on it, and what "overdue" is measured against
};

std::string roundEvaluationHtml(core::Store& store, core::Id round_id, const ReportOptions& options);
std::string roundEvaluationCsv(core::Store& store, core::Id round_id);
// Throws kNotFound when the supplier did not bid in the round, kConflict before the award.
std::string awardLetterHtml(core::Store& store, core::Id round_id, core::Id supplier_id, const ReportOptions& options);
std::string article84Html(core::Store& store, core::Id round_id, const ReportOptions& options);

// Targets of the dashboard: shares of the awarded value (Slovenian green public procurement rules
// for food: at least 15 % organic, at least 20 % from quality schemes).
inline constexpr double kOrganicTarget = 0.15;
inline constexpr double kQualitySchemeTarget = 0.20;

std::string dashboardHtml(core::Store& store, core::Id dps_id, const ReportOptions& options);
std::string dashboardCsv(core::Store& store, core::Id dps_id);

// `calendar` is the authority's (working days and time limits).
std::string complianceHtml(core::Store& store, core::Id dps_id, const core::Calendar& calendar,
                           const ReportOptions& options);
std::string complianceCsv(core::Store& store, core::Id dps_id, const core::Calendar& calendar,
                          const ReportOptions& options);

}  // namespace reports
