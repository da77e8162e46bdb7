#pragma once
// Rule 13 (Art. 50(3) of Directive 2014/24/EU): after a contract based on a DPS is awarded, a notice
// of the result is due within 30 days of the award decision, or the authority groups the notices
// per calendar quarter and sends the grouped notice within 30 days of the quarter's end. This file
// computes, from stored facts alone, which award notices are due, published or overdue.

#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/model.h"
#include "core/store.h"

namespace core {

enum class NoticeState {
  kDue,               // within 30 days of the award decision
  kDueInQuarterly,    // past the 30 days: only the quarterly notice is still on time
  kOverdue,           // past the quarterly notice's due date and not published
  kPublished,         // published on time, alone or in the quarterly notice
  kPublishedLate,     // published, but after the date that applied
};
const char* toString(NoticeState s);

struct AwardNoticeStatus {
  Id round_id = 0;
  std::string round_reference;
  TimePoint decided_at{};
  TimePoint due_alone{};      // end of the 30 days after the award decision
  std::string quarter;        // the quarter of the award decision, "2026-Q1"
  TimePoint due_quarterly{};  // end of the 30 days after the quarter's end
  std::optional<NoticePublication> publication;  // the notice that covers the round, if recorded
  NoticeState state = NoticeState::kDue;
};

// "2026-Q1" for an instant, by the authority's local date.
std::string quarterOf(const Calendar& calendar, TimePoint t);
// Throws Error(kInvalidArgument) naming `field` unless `text` is a quarter such as "2026-Q3".
void checkQuarter(const std::string& text, const std::string& field = "quarter");
// The last second of the quarter's last day (local time).
TimePoint endOfQuarter(const Calendar& calendar, const std::string& quarter);
// When the notice grouping the quarter is due: 30 days after its end.
TimePoint quarterlyNoticeDue(const Calendar& calendar, const std::string& quarter);

// Every awarded round of the DPS, oldest decision first, with its notice's state at `now`.
std::vector<AwardNoticeStatus> awardNoticeStatus(Tx& tx, const Calendar& calendar, Id dps_id, TimePoint now);

}  // namespace core
