#pragma once
// core::Calendar: working days, legal time and time limits of one country (DESIGN.md rule 1).
//
// Time limits follow Regulation (EEC, Euratom) No 1182/71: the day of the event does not count
// (Art. 3(1)); a period in days ends with the last hour of its last day (Art. 3(2)(b)); a period
// whose last day is a Saturday, Sunday or public holiday ends with the last hour of the next working
// day (Art. 3(4)). Days are days of the authority's legal time zone; instants are UTC.
//
// A calendar is loaded from a data file (data/calendars/<CC>.calendar) that lists the country's
// fixed and movable (Easter-based) public holidays, its years of validity, the legal time zone rule
// and country settings (standstill). Immutable after loading; thread-safe.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace core {

using Date = std::chrono::year_month_day;

// "2026-03-01"; parseDate throws Error(kInvalidArgument) naming `field`.
std::string formatDate(Date d);
Date parseDate(const std::string& text, const std::string& field = "date");

class Calendar {
 public:
  // Parses a calendar file's text; throws Error(kInvalidArgument) naming the line that is wrong.
  static Calendar parse(const std::string& text, const std::string& source_name);
  static Calendar load(const std::string& path);

  const std::string& country() const { return country_; }
  const std::string& timeZone() const { return time_zone_; }
  int firstYear() const { return first_year_; }
  int lastYear() const { return last_year_; }

  // Throws Error(kInvalidArgument) for a date outside [firstYear, lastYear]: the calendar cannot
  // answer for years it has no holiday data for.
  bool isHoliday(Date d) const;
  bool isWorkingDay(Date d) const;
  // The holiday's name ("Easter Monday"), or empty.
  std::string holidayName(Date d) const;

  // The legal (local) date of an instant, and the UTC instants where a local day begins and ends
  // (end = last second of the day, 23:59:59 local).
  Date localDate(TimePoint t) const;
  TimePoint startOfDay(Date d) const;
  TimePoint endOfDay(Date d) const;
  // Offset of local time from UTC at instant t (e.g. +3600 s in CET, +7200 s in CEST).
  std::chrono::seconds utcOffset(TimePoint t) const;

  // How people read and write instants: in the legal time, to the minute.
  // "2026-03-02 11:00 (UTC+01:00)": the legal time with its offset, so that it is unambiguous.
  std::string formatLocal(TimePoint t) const;
  // "2026-03-02T11:00": the legal time as an <input type="datetime-local"> holds it.
  std::string formatLocalInput(TimePoint t) const;
  // The instant of a legal time written "2026-03-02 11:00" or "2026-03-02T11:00" (":SS" optional);
  // text with Z or an offset ("2026-03-02T10:00:00Z") is that instant. Throws
  // Error(kInvalidArgument) naming `field` for text that is no date and time, for a legal time in the
  // hour skipped when summer time begins, and for one in the hour that occurs twice when it ends
  // (the message says to write it with its offset).
  TimePoint parseLocal(const std::string& text, const std::string& field) const;

  // End of a period of `days` calendar days that starts with the event at `event` (Art. 3(1),
  // 3(2)(b), 3(4)).
  TimePoint periodEndCalendarDays(TimePoint event, int days) const;
  // End of a period of `days` working days that starts with the event at `event`.
  TimePoint periodEndWorkingDays(TimePoint event, int days) const;
  // Working days from the local day after `from` up to and including the local day of `to`
  // (0 when to is on the same day or earlier). Used for "working days left".
  int workingDaysBetween(TimePoint from, TimePoint to) const;

  // Standstill after an award decision in calendar days (Remedies Directive 2007/66/EC);
  // nullopt when the country has it off for DPS call-offs.
  std::optional<int> standstillDays() const { return standstill_days_; }

 private:
  struct DstRule;
  std::string country_;
  std::string time_zone_;
  int first_year_ = 0;
  int last_year_ = 0;
  std::chrono::seconds standard_offset_{0};
  bool eu_dst_ = false;  // EU summer time: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC
  std::optional<int> standstill_days_ = 10;
  std::map<int, std::string> holidays_;  // days since epoch -> name, for every year in range
};

// Calendars by country code, loaded from a directory of *.calendar files. Thread-safe after construction.
class CalendarRegistry {
 public:
  // Loads every <CC>.calendar file in `dir`; throws Error(kInvalidArgument) for a bad file and
  // Error(kNotFound) when the directory has none.
  static CalendarRegistry loadDirectory(const std::string& dir);
  void add(Calendar calendar);
  // Throws Error(kNotFound) naming the country and the directory to add a file to.
  const Calendar& forCountry(const std::string& country) const;

 private:
  std::map<std::string, std::shared_ptr<const Calendar>> calendars_;
};

}  // namespace core
