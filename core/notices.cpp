#include "core/notices.h"

#include <algorithm>

#include "core/error.h"

namespace core {

const char* toString(NoticeState s) {
  switch (s) {
    case NoticeState::kDue: return "due";
    case NoticeState::kDueInQuarterly: return "due_in_quarterly_notice";
    case NoticeState::kOverdue: return "overdue";
    case NoticeState::kPublished: return "published";
    case NoticeState::kPublishedLate: return "published_late";
  }
  return "due";
}

std::string quarterOf(const Calendar& calendar, TimePoint t) {
  const Date day = calendar.localDate(t);
  const unsigned q = (static_cast<unsigned>(day.month()) - 1) / 3 + 1;
  return std::to_string(static_cast<int>(day.year())) + "-Q" + std::to_string(q);
}

void checkQuarter(const std::string& text, const std::string& field) {
  const bool ok = text.size() == 7 && std::all_of(text.begin(), text.begin() + 4, [](char c) {
                    return c >= '0' && c <= '9';
                  }) && text[4] == '-' && text[5] == 'Q' && text[6] >= '1' && text[6] <= '4';
  if (!ok)
    throw Error(ErrorCode::kInvalidArgument,
                field + ": '" + text + "' is not a calendar quarter; write YYYY-Qn, for example 2026-Q1", field,
                {"input.problem.quarter", {field, text.substr(0, 40)}});
}

TimePoint endOfQuarter(const Calendar& calendar, const std::string& quarter) {
  checkQuarter(quarter);
  const std::chrono::year y(std::stoi(quarter.substr(0, 4)));
  const unsigned last_month = static_cast<unsigned>(quarter[6] - '0') * 3;
  const Date last{std::chrono::year_month_day_last(y, std::chrono::month_day_last(std::chrono::month(last_month)))};
  return calendar.endOfDay(last);
}

TimePoint quarterlyNoticeDue(const Calendar& calendar, const std::string& quarter) {
  return calendar.periodEndCalendarDays(endOfQuarter(calendar, quarter), 30);
}

std::vector<AwardNoticeStatus> awardNoticeStatus(Tx& tx, const Calendar& calendar, Id dps_id, TimePoint now) {
  const std::vector<NoticePublication> publications = tx.listNoticePublications(dps_id);
  std::vector<AwardNoticeStatus> out;
  for (const Round& r : tx.listRounds(dps_id)) {
    if (r.status != RoundStatus::kAwarded) continue;
    const std::optional<AwardDecision> decision = tx.getAwardDecision(r.id);
    if (!decision) continue;
    AwardNoticeStatus s;
    s.round_id = r.id;
    s.round_reference = r.reference;
    s.decided_at = decision->decided_at;
    s.due_alone = calendar.periodEndCalendarDays(decision->decided_at, 30);
    s.quarter = quarterOf(calendar, decision->decided_at);
    s.due_quarterly = quarterlyNoticeDue(calendar, s.quarter);
    for (const NoticePublication& p : publications) {
      if (p.round_id == r.id || (p.round_id == 0 && p.quarter == s.quarter)) {
        // The earliest notice that covers the round decides.
        if (!s.publication || p.published_at < s.publication->published_at) s.publication = p;
      }
    }
    if (s.publication) {
      const TimePoint limit = s.publication->round_id == 0 ? s.due_quarterly : s.due_alone;
      s.state = s.publication->published_at <= limit ? NoticeState::kPublished : NoticeState::kPublishedLate;
    } else if (now > s.due_quarterly) {
      s.state = NoticeState::kOverdue;
    } else if (now > s.due_alone) {
      s.state = NoticeState::kDueInQuarterly;
    } else {
      s.state = NoticeState::kDue;
    }
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const AwardNoticeStatus& a, const AwardNoticeStatus& b) { return a.decided_at < b.decided_at; });
  return out;
}

}  // namespace core
