#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <string>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"
#include "tests/support/paths.h"

namespace {

using core::Calendar;
using core::CalendarRegistry;
using core::ErrorCode;
using core::formatDate;
using core::formatTime;
using core::parseDate;
using core::parseTime;

std::string calendarsDir() { return dps_test::sourceDir() + "/data/calendars"; }

const Calendar& slovenia() {
  static const Calendar cal = Calendar::load(calendarsDir() + "/SI.calendar");
  return cal;
}

core::Date date(const std::string& text) { return parseDate(text); }
core::TimePoint at(const std::string& text) { return parseTime(text); }

// Runs `f`, which must throw core::Error with `code`; returns the message for further checks.
template <typename F>
std::string errorOf(F&& f, ErrorCode code) {
  try {
    f();
  } catch (const core::Error& e) {
    BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(code), "error code of: " << e.what());
    return e.what();
  }
  BOOST_FAIL("expected core::Error, nothing was thrown");
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kMinimal =
    "country XX\n"
    "years 2026 2026\n"
    "zone Test/Zone +01:00 eu-dst\n"
    "fixed 01-01 New Year\n"
    "standstill_days 10\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(calendar)

BOOST_AUTO_TEST_CASE(easter_monday_is_a_holiday_on_the_computed_date_each_year) {
  const auto& si = slovenia();
  for (const char* monday : {"2024-04-01", "2025-04-21", "2026-04-06", "2030-04-22", "2038-04-26"}) {
    BOOST_TEST_CONTEXT("Easter Monday " << monday) {
      const auto d = date(monday);
      BOOST_TEST(si.isHoliday(d));
      BOOST_TEST(!si.isWorkingDay(d));
      BOOST_TEST(si.holidayName(d) == "Easter Monday");
      const auto sunday = core::Date(std::chrono::sys_days(d) - std::chrono::days(1));
      BOOST_TEST(si.holidayName(sunday) == "Easter Sunday");
      const auto next_monday = core::Date(std::chrono::sys_days(d) + std::chrono::days(7));
      BOOST_TEST(si.isWorkingDay(next_monday));
    }
  }
  // The Monday a week earlier is an ordinary working day.
  BOOST_TEST(si.isWorkingDay(date("2026-03-30")));
  BOOST_TEST(si.holidayName(date("2026-03-30")).empty());
  // In 2038 Easter Monday is followed by the Day of Uprising Against Occupation (Tuesday 27 April).
  BOOST_TEST(si.holidayName(date("2038-04-27")) == "Day of Uprising Against Occupation");
  BOOST_TEST(si.isWorkingDay(date("2038-04-28")));
}

BOOST_AUTO_TEST_CASE(slovenian_fixed_holidays_are_not_working_days) {
  const auto& si = slovenia();
  // 2026-01-01 is a Thursday: 1 and 2 January are Thursday and Friday.
  for (const char* d : {"2026-01-01", "2026-01-02", "2026-04-27", "2026-05-01", "2026-06-25", "2025-08-15",
                        "2026-10-31", "2027-02-08", "2027-11-01", "2026-12-25", "2028-12-26", "2025-05-02"}) {
    BOOST_TEST_CONTEXT("holiday " << d) {
      BOOST_TEST(si.isHoliday(date(d)));
      BOOST_TEST(!si.isWorkingDay(date(d)));
    }
  }
  BOOST_TEST(si.holidayName(date("2027-02-08")) == "Prešeren Day");
  // Whit Sunday 2026 (Easter + 49) is listed although it is a Sunday anyway.
  BOOST_TEST(si.holidayName(date("2026-05-24")) == "Whit Sunday");
  // Days that are holidays elsewhere (Austria: Epiphany, 8 December, Whit Monday) are working days here.
  BOOST_TEST(si.isWorkingDay(date("2026-01-06")));
  BOOST_TEST(si.isWorkingDay(date("2026-12-08")));
  BOOST_TEST(si.isWorkingDay(date("2026-05-25")));
  // A weekend without a holiday is still not a working day.
  BOOST_TEST(!si.isHoliday(date("2026-01-10")));
  BOOST_TEST(!si.isWorkingDay(date("2026-01-10")));
  BOOST_TEST(!si.isWorkingDay(date("2026-01-11")));
}

BOOST_AUTO_TEST_CASE(slovenian_calendar_carries_zone_years_and_standstill) {
  const auto& si = slovenia();
  BOOST_TEST(si.country() == "SI");
  BOOST_TEST(si.timeZone() == "Europe/Ljubljana");
  BOOST_TEST(si.firstYear() == 2024);
  BOOST_TEST(si.lastYear() == 2040);
  BOOST_TEST(si.standstillDays().has_value());
  BOOST_TEST(*si.standstillDays() == 10);
}

BOOST_AUTO_TEST_CASE(period_ending_on_saturday_ends_at_end_of_monday) {
  // Wednesday 4 March 2026 + 10 days = Saturday 14 March; the period ends with Monday 16 March (CET).
  BOOST_TEST(formatTime(slovenia().periodEndCalendarDays(at("2026-03-04T10:00:00Z"), 10)) ==
             "2026-03-16T22:59:59Z");
  // Thursday 5 March + 10 = Sunday 15 March: also Monday.
  BOOST_TEST(formatTime(slovenia().periodEndCalendarDays(at("2026-03-05T10:00:00Z"), 10)) ==
             "2026-03-16T22:59:59Z");
  // Friday 6 March + 10 = Monday 16 March: already a working day.
  BOOST_TEST(formatTime(slovenia().periodEndCalendarDays(at("2026-03-06T10:00:00Z"), 10)) ==
             "2026-03-16T22:59:59Z");
  // Tuesday 3 March + 10 = Friday 13 March: no extension.
  BOOST_TEST(formatTime(slovenia().periodEndCalendarDays(at("2026-03-03T10:00:00Z"), 10)) ==
             "2026-03-13T22:59:59Z");
}

BOOST_AUTO_TEST_CASE(period_ending_on_christmas_extends_past_the_holidays_and_weekend) {
  // Tuesday 15 December 2026 + 10 = Friday 25 December (Christmas); 26 December is a Saturday and a
  // holiday, 27 a Sunday: the period ends with Monday 28 December.
  BOOST_TEST(formatTime(slovenia().periodEndCalendarDays(at("2026-12-15T10:00:00Z"), 10)) ==
             "2026-12-28T22:59:59Z");
}

BOOST_AUTO_TEST_CASE(working_day_period_skips_easter_monday) {
  // From Thursday 2 April 2026: Fri 3, (Easter Monday 6 skipped), 7..10, 13..17 April = 10 working days.
  // 17 April is in summer time: 23:59:59 CEST = 21:59:59Z.
  BOOST_TEST(formatTime(slovenia().periodEndWorkingDays(at("2026-04-02T10:00:00Z"), 10)) ==
             "2026-04-17T21:59:59Z");
}

BOOST_AUTO_TEST_CASE(working_day_period_skips_uprising_day_and_labour_days) {
  // From Thursday 23 April 2026: 24, (27 Apr holiday), 28, 29, 30, (1 May holiday, 2 May Saturday),
  // 4..8, 11 May.
  BOOST_TEST(formatTime(slovenia().periodEndWorkingDays(at("2026-04-23T10:00:00Z"), 10)) ==
             "2026-05-11T21:59:59Z");
  // 2025: 1 and 2 May are Thursday and Friday. From Tuesday 29 April: 30 Apr, 5, 6, 7, 8 May.
  BOOST_TEST(formatTime(slovenia().periodEndWorkingDays(at("2025-04-29T10:00:00Z"), 5)) ==
             "2025-05-08T21:59:59Z");
}

BOOST_AUTO_TEST_CASE(end_of_day_is_local_midnight_minus_one_second_in_winter_and_summer) {
  const auto& si = slovenia();
  BOOST_TEST(formatTime(si.endOfDay(date("2026-01-15"))) == "2026-01-15T22:59:59Z");
  BOOST_TEST(formatTime(si.endOfDay(date("2026-07-15"))) == "2026-07-15T21:59:59Z");
  BOOST_TEST(formatTime(si.startOfDay(date("2026-01-15"))) == "2026-01-14T23:00:00Z");
  BOOST_TEST(formatTime(si.startOfDay(date("2026-07-15"))) == "2026-07-14T22:00:00Z");
}

BOOST_AUTO_TEST_CASE(local_day_is_23_hours_when_summer_time_begins_and_25_when_it_ends) {
  const auto& si = slovenia();
  // Summer time 2026 begins on Sunday 29 March at 01:00 UTC and ends on Sunday 25 October at 01:00 UTC.
  BOOST_TEST(formatTime(si.startOfDay(date("2026-03-29"))) == "2026-03-28T23:00:00Z");
  BOOST_TEST(formatTime(si.endOfDay(date("2026-03-29"))) == "2026-03-29T21:59:59Z");
  BOOST_TEST((si.endOfDay(date("2026-03-29")) - si.startOfDay(date("2026-03-29"))).count() == 23 * 3600 - 1);
  BOOST_TEST(formatTime(si.startOfDay(date("2026-10-25"))) == "2026-10-24T22:00:00Z");
  BOOST_TEST(formatTime(si.endOfDay(date("2026-10-25"))) == "2026-10-25T22:59:59Z");
  BOOST_TEST((si.endOfDay(date("2026-10-25")) - si.startOfDay(date("2026-10-25"))).count() == 25 * 3600 - 1);

  BOOST_TEST(si.utcOffset(at("2026-03-29T00:59:59Z")).count() == 3600);
  BOOST_TEST(si.utcOffset(at("2026-03-29T01:00:00Z")).count() == 7200);
  BOOST_TEST(si.utcOffset(at("2026-10-25T00:59:59Z")).count() == 7200);
  BOOST_TEST(si.utcOffset(at("2026-10-25T01:00:00Z")).count() == 3600);
  // Other years switch on their own last Sundays (2027: 28 March and 31 October).
  BOOST_TEST(si.utcOffset(at("2027-03-28T00:59:59Z")).count() == 3600);
  BOOST_TEST(si.utcOffset(at("2027-03-28T01:00:00Z")).count() == 7200);
  BOOST_TEST(si.utcOffset(at("2027-10-31T00:59:59Z")).count() == 7200);
  BOOST_TEST(si.utcOffset(at("2027-10-31T01:00:00Z")).count() == 3600);
}

BOOST_AUTO_TEST_CASE(local_date_follows_the_legal_time_not_utc) {
  const auto& si = slovenia();
  // 23:30 UTC is already the next day in Ljubljana (00:30 CET, 01:30 CEST).
  BOOST_TEST(formatDate(si.localDate(at("2026-03-02T23:30:00Z"))) == "2026-03-03");
  BOOST_TEST(formatDate(si.localDate(at("2026-07-14T22:30:00Z"))) == "2026-07-15");
  BOOST_TEST(formatDate(si.localDate(at("2026-07-14T21:59:59Z"))) == "2026-07-14");
  // 23:30 local on 2 March is 22:30 UTC the same day.
  BOOST_TEST(formatDate(si.localDate(at("2026-03-02T23:30:00+01:00"))) == "2026-03-02");
  // Across the spring switch: 00:59:59Z is 01:59:59 CET, 01:00:00Z is 03:00:00 CEST, both on 29 March.
  BOOST_TEST(formatDate(si.localDate(at("2026-03-28T22:59:59Z"))) == "2026-03-28");
  BOOST_TEST(formatDate(si.localDate(at("2026-03-28T23:00:00Z"))) == "2026-03-29");
  BOOST_TEST(formatDate(si.localDate(at("2026-03-29T21:59:59Z"))) == "2026-03-29");
  BOOST_TEST(formatDate(si.localDate(at("2026-03-29T22:00:00Z"))) == "2026-03-30");
  // Across the autumn switch the last hour of 25 October is 22:00..22:59:59Z.
  BOOST_TEST(formatDate(si.localDate(at("2026-10-25T22:59:59Z"))) == "2026-10-25");
  BOOST_TEST(formatDate(si.localDate(at("2026-10-25T23:00:00Z"))) == "2026-10-26");
}

// People read and write deadlines in the legal time: shown with the offset, typed without it.
BOOST_AUTO_TEST_CASE(legal_time_is_shown_with_its_offset_and_read_back_without_it) {
  const auto& si = slovenia();
  BOOST_TEST(si.formatLocal(at("2026-02-23T23:59:59Z")) == "2026-02-24 00:59 (UTC+01:00)");
  BOOST_TEST(si.formatLocal(at("2026-07-15T08:00:00Z")) == "2026-07-15 10:00 (UTC+02:00)");
  BOOST_TEST(si.formatLocalInput(at("2026-07-15T08:00:00Z")) == "2026-07-15T10:00");
  BOOST_TEST(formatTime(si.parseLocal("2026-03-02 11:00", "deadline")) == "2026-03-02T10:00:00Z");
  BOOST_TEST(formatTime(si.parseLocal("2026-07-15T10:00", "deadline")) == "2026-07-15T08:00:00Z");
  BOOST_TEST(formatTime(si.parseLocal("2026-07-15T10:00:30", "deadline")) == "2026-07-15T08:00:30Z");
  // What formatLocalInput writes reads back as the same minute, in winter and in summer.
  for (const char* t : {"2026-01-10T09:30:00Z", "2026-06-30T21:59:00Z", "2026-10-25T03:30:00Z"})
    BOOST_TEST(formatTime(si.parseLocal(si.formatLocalInput(at(t)), "deadline")) == t);
  // An instant with its own zone is taken as it is.
  BOOST_TEST(formatTime(si.parseLocal("2026-03-02T10:00:00Z", "deadline")) == "2026-03-02T10:00:00Z");
  BOOST_TEST(formatTime(si.parseLocal("2026-03-02T10:00:00+02:00", "deadline")) == "2026-03-02T08:00:00Z");

  // 02:30 on 29 March 2026 does not exist; 02:30 on 25 October 2026 happens twice.
  BOOST_TEST(contains(errorOf([&] { si.parseLocal("2026-03-29 02:30", "deadline"); }, ErrorCode::kInvalidArgument),
                      "does not exist"));
  const std::string twice =
      errorOf([&] { si.parseLocal("2026-10-25 02:30", "deadline"); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(contains(twice, "occurs twice"));
  BOOST_TEST(contains(twice, "2026-10-25T02:30:00+02:00"), twice);
  BOOST_TEST(formatTime(si.parseLocal("2026-10-25T02:30:00+02:00", "deadline")) == "2026-10-25T00:30:00Z");
  for (const char* bad : {"", "2026-03-02", "2026-03-02 25:00", "2026-02-30 10:00", "2026-03-02 10:00 CET",
                          "2026-03-02x10:00", "2026-03-02 10:00Z"}) {
    const std::string message = errorOf([&] { si.parseLocal(bad, "deadline"); }, ErrorCode::kInvalidArgument);
    BOOST_TEST(contains(message, "deadline"), message);
  }
}

BOOST_AUTO_TEST_CASE(event_late_in_the_local_day_counts_from_its_local_date) {
  const auto& si = slovenia();
  // 23:30Z on Monday 2 March is Tuesday 3 March 00:30 in Ljubljana: 10 days run to Friday 13 March.
  // Counting from the UTC date would end on Thursday 12 March.
  BOOST_TEST(formatTime(si.periodEndCalendarDays(at("2026-03-02T23:30:00Z"), 10)) == "2026-03-13T22:59:59Z");
  BOOST_TEST(formatTime(si.periodEndWorkingDays(at("2026-03-02T23:30:00Z"), 1)) == "2026-03-04T22:59:59Z");
  // 23:30 local on Tuesday 3 March (22:30Z) is still 3 March.
  BOOST_TEST(formatTime(si.periodEndCalendarDays(at("2026-03-03T23:30:00+01:00"), 10)) == "2026-03-13T22:59:59Z");
  BOOST_TEST(formatTime(si.periodEndWorkingDays(at("2026-03-03T23:30:00+01:00"), 1)) == "2026-03-04T22:59:59Z");
}

BOOST_AUTO_TEST_CASE(thirty_day_participation_period_from_the_call) {
  const auto& si = slovenia();
  // Art. 34(2)(a): call sent Thursday 15 January 2026; +30 = Saturday 14 February -> Monday 16 February.
  BOOST_TEST(formatTime(si.periodEndCalendarDays(at("2026-01-15T10:00:00Z"), 30)) == "2026-02-16T22:59:59Z");
  // Call sent Saturday 9 January 2027; +30 = Monday 8 February, Prešeren Day -> Tuesday 9 February.
  BOOST_TEST(formatTime(si.periodEndCalendarDays(at("2027-01-09T10:00:00Z"), 30)) == "2027-02-09T22:59:59Z");
}

BOOST_AUTO_TEST_CASE(ten_day_tender_period_from_dispatch) {
  // Art. 34(2)(b): invitation sent Tuesday 21 April 2026; +10 = Friday 1 May (Labour Day), then
  // 2 May (holiday, Saturday) and Sunday 3 May -> Monday 4 May, in summer time.
  BOOST_TEST(formatTime(slovenia().periodEndCalendarDays(at("2026-04-21T08:00:00Z"), 10)) ==
             "2026-05-04T21:59:59Z");
}

BOOST_AUTO_TEST_CASE(ten_working_day_admission_decision_across_new_year) {
  // Art. 34(5): request received Thursday 17 December 2026. Working days 18, 21, 22, 23, 24, 28,
  // 29, 30, 31 December, (1 January holiday, 2 and 3 January weekend), 4 January 2027.
  BOOST_TEST(formatTime(slovenia().periodEndWorkingDays(at("2026-12-17T09:00:00Z"), 10)) ==
             "2027-01-04T22:59:59Z");
}

BOOST_AUTO_TEST_CASE(working_days_between_counts_local_days_after_the_first) {
  const auto& si = slovenia();
  BOOST_TEST(si.workingDaysBetween(at("2026-04-02T10:00:00Z"), at("2026-04-17T10:00:00Z")) == 10);
  // Same local day, or earlier: nothing left.
  BOOST_TEST(si.workingDaysBetween(at("2026-04-02T06:00:00Z"), at("2026-04-02T20:00:00Z")) == 0);
  BOOST_TEST(si.workingDaysBetween(at("2026-04-17T10:00:00Z"), at("2026-04-02T10:00:00Z")) == 0);
  // Friday to Monday: only Monday.
  BOOST_TEST(si.workingDaysBetween(at("2026-03-06T10:00:00Z"), at("2026-03-09T10:00:00Z")) == 1);
  // Friday 3 April to Tuesday 7 April: the weekend and Easter Monday do not count.
  BOOST_TEST(si.workingDaysBetween(at("2026-04-03T10:00:00Z"), at("2026-04-07T10:00:00Z")) == 1);
  // The local day decides: 23:30Z on Thursday 5 March is already Friday 6 March in Ljubljana.
  BOOST_TEST(si.workingDaysBetween(at("2026-03-05T10:00:00Z"), at("2026-03-05T23:30:00Z")) == 1);
  // It agrees with periodEndWorkingDays.
  const auto event = at("2026-12-17T09:00:00Z");
  for (int n : {1, 5, 10, 15}) {
    BOOST_TEST(si.workingDaysBetween(event, si.periodEndWorkingDays(event, n)) == n, "n = " << n);
  }
}

BOOST_AUTO_TEST_CASE(period_of_zero_or_negative_days_is_refused) {
  const auto event = at("2026-03-04T10:00:00Z");
  errorOf([&] { slovenia().periodEndCalendarDays(event, 0); }, ErrorCode::kInvalidArgument);
  errorOf([&] { slovenia().periodEndWorkingDays(event, -1); }, ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(date_outside_the_calendar_years_is_refused_with_advice) {
  const auto& si = slovenia();
  BOOST_TEST(si.isWorkingDay(date("2040-12-31")) == true);  // Monday, last day covered
  const auto msg = errorOf([&] { si.isWorkingDay(date("2041-01-02")); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(contains(msg, "2041-01-02"));
  BOOST_TEST(contains(msg, "2024 to 2040"));
  BOOST_TEST(contains(msg, "extend"));
  BOOST_TEST(contains(msg, "SI.calendar"));
  errorOf([&] { si.isHoliday(date("2023-12-31")); }, ErrorCode::kInvalidArgument);
  errorOf([&] { si.holidayName(date("2023-12-25")); }, ErrorCode::kInvalidArgument);
  // A period that runs past the last year cannot be answered either.
  errorOf([&] { si.periodEndCalendarDays(at("2040-12-28T10:00:00Z"), 10); }, ErrorCode::kInvalidArgument);
  errorOf([&] { si.periodEndWorkingDays(at("2040-12-28T10:00:00Z"), 5); }, ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(bad_calendar_lines_are_rejected_with_file_line_and_advice) {
  struct Case {
    std::string text;
    std::string line;    // "line N"
    std::string advice;  // part of what to write instead
  };
  const Case cases[] = {
      {kMinimal + "fixed 13-01 Nothing\n", "line 6", "fixed MM-DD Name"},
      {kMinimal + "fixed 02-30 Nothing\n", "line 6", "fixed MM-DD Name"},
      {kMinimal + "fixed 02-29 Leap\n", "line 6", "every year"},
      {kMinimal + "fixed 05-01\n", "line 6", "fixed MM-DD Name"},
      {kMinimal + "fixed 01-01 Again\n", "line 6", "line 4"},
      {kMinimal + "easter one Easter Monday\n", "line 6", "easter OFFSET Name"},
      {kMinimal + "easter +1\n", "line 6", "easter OFFSET Name"},
      {kMinimal + "holiday 05-01 Labour Day\n", "line 6", "fixed"},
      {kMinimal + "country YY\n", "line 6", "single"},
      {kMinimal + "standstill off\n", "line 6", "single"},
      {"# comment\n\ncountry Slovenia\n", "line 3", "country CC"},
      {"country XX\nyears 2040 2024\n", "line 2", "years FIRST LAST"},
      {"country XX\nyears 24 40\n", "line 2", "years FIRST LAST"},
      {"country XX\nyears 2026 2026\nzone Test/Zone 1 eu-dst\n", "line 3", "+HH:MM"},
      {"country XX\nyears 2026 2026\nzone Test/Zone +01:00 us-dst\n", "line 3", "eu-dst or none"},
      {"country XX\nyears 2026 2026\nzone Test/Zone +01:00\n", "line 3", "zone NAME OFFSET RULE"},
      {"country XX\nstandstill_days ten\n", "line 2", "standstill off"},
      {"country XX\nstandstill on\n", "line 2", "standstill off"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      const auto msg = errorOf([&] { Calendar::parse(c.text, "XX.calendar"); }, ErrorCode::kInvalidArgument);
      BOOST_TEST(contains(msg, "XX.calendar " + c.line + ":"), msg);
      BOOST_TEST(contains(msg, c.advice), msg);
    }
  }
}

BOOST_AUTO_TEST_CASE(calendar_missing_a_required_line_is_rejected) {
  const auto without = [](const std::string& line) {
    std::string text = kMinimal;
    text.erase(text.find(line), line.size() + 1);
    return text;
  };
  const std::pair<std::string, std::string> cases[] = {
      {"country XX", "country CC"},
      {"years 2026 2026", "years FIRST LAST"},
      {"zone Test/Zone +01:00 eu-dst", "zone"},
      {"fixed 01-01 New Year", "fixed MM-DD Name"},
      {"standstill_days 10", "standstill off"},
  };
  for (const auto& [line, advice] : cases) {
    BOOST_TEST_CONTEXT("without " << line) {
      const auto msg = errorOf([&] { Calendar::parse(without(line), "XX.calendar"); }, ErrorCode::kInvalidArgument);
      BOOST_TEST(contains(msg, "XX.calendar"), msg);
      BOOST_TEST(contains(msg, advice), msg);
    }
  }
}

BOOST_AUTO_TEST_CASE(calendar_file_with_comments_crlf_and_standstill_off_parses) {
  const std::string text =
      "\xEF\xBB\xBF# a test country\r\n"
      "country XX   # trailing comment\r\n"
      "\r\n"
      "years 2008 2008\r\n"
      "zone Test/Zone +00:00 none\r\n"
      "fixed 05-01 Labour Day\r\n"
      "easter +39 Ascension Day\r\n"
      "easter -2 Good Friday\r\n"
      "standstill off\r\n";
  const auto cal = Calendar::parse(text, "XX.calendar");
  BOOST_TEST(cal.country() == "XX");
  BOOST_TEST(cal.timeZone() == "Test/Zone");
  BOOST_TEST(!cal.standstillDays().has_value());
  // Easter 2008 was on 23 March: Ascension fell on 1 May, one holiday with both names.
  BOOST_TEST(cal.holidayName(date("2008-05-01")) == "Labour Day / Ascension Day");
  BOOST_TEST(cal.holidayName(date("2008-03-21")) == "Good Friday");
  // Without summer time the offset stays the standard one all year.
  BOOST_TEST(cal.utcOffset(at("2008-07-01T12:00:00Z")).count() == 0);
  BOOST_TEST(formatTime(cal.endOfDay(date("2008-07-01"))) == "2008-07-01T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(austria_is_data_only_with_its_own_holidays) {
  const auto at_cal = Calendar::load(calendarsDir() + "/AT.calendar");
  BOOST_TEST(at_cal.country() == "AT");
  BOOST_TEST(at_cal.timeZone() == "Europe/Vienna");
  // 2026: Easter 5 April; Ascension Thursday 14 May, Whit Monday 25 May, Corpus Christi Thursday 4 June.
  BOOST_TEST(at_cal.holidayName(date("2026-04-06")) == "Easter Monday");
  BOOST_TEST(at_cal.holidayName(date("2026-05-14")) == "Ascension Day");
  BOOST_TEST(at_cal.holidayName(date("2026-05-25")) == "Whit Monday");
  BOOST_TEST(at_cal.holidayName(date("2026-06-04")) == "Corpus Christi");
  BOOST_TEST(!at_cal.isWorkingDay(date("2026-01-06")));
  BOOST_TEST(!at_cal.isWorkingDay(date("2026-10-26")));
  BOOST_TEST(!at_cal.isWorkingDay(date("2026-12-08")));
  // Slovenian holidays are ordinary days in Austria.
  BOOST_TEST(at_cal.isWorkingDay(date("2026-04-27")));
  BOOST_TEST(at_cal.isWorkingDay(date("2026-06-25")));
  BOOST_TEST(at_cal.isWorkingDay(date("2027-02-08")));
  // The same period ends differently: Tuesday 15 December 2026 + 10 working days in Austria skips
  // 25 December only once (26 December is a Saturday): 16..18, 21..24, 28..30 December.
  BOOST_TEST(formatTime(at_cal.periodEndWorkingDays(at("2026-12-15T10:00:00Z"), 10)) == "2026-12-30T22:59:59Z");
  // 1 December 2026 (Tuesday) + 10 working days: Slovenia counts 8 December, Austria does not.
  BOOST_TEST(formatTime(at_cal.periodEndWorkingDays(at("2026-12-01T10:00:00Z"), 10)) == "2026-12-16T22:59:59Z");
  BOOST_TEST(formatTime(slovenia().periodEndWorkingDays(at("2026-12-01T10:00:00Z"), 10)) ==
             "2026-12-15T22:59:59Z");
}

BOOST_AUTO_TEST_CASE(registry_loads_every_calendar_in_the_data_directory) {
  const auto registry = CalendarRegistry::loadDirectory(calendarsDir());
  BOOST_TEST(registry.forCountry("SI").holidayName(date("2026-02-09")).empty());
  BOOST_TEST(registry.forCountry("SI").isHoliday(date("2026-06-25")));
  BOOST_TEST(registry.forCountry("AT").isHoliday(date("2026-12-08")));
}

BOOST_AUTO_TEST_CASE(registry_refuses_an_unknown_country_naming_the_file_to_add) {
  const auto registry = CalendarRegistry::loadDirectory(calendarsDir());
  const auto msg = errorOf([&] { registry.forCountry("DE"); }, ErrorCode::kNotFound);
  BOOST_TEST(contains(msg, "'DE'"), msg);
  BOOST_TEST(contains(msg, "DE.calendar"), msg);
  BOOST_TEST(contains(msg, "data/calendars"), msg);
}

BOOST_AUTO_TEST_CASE(registry_refuses_a_file_whose_name_differs_from_its_country) {
  const auto dir = dps_test::tempDir("calendar-mismatch");
  {
    std::ofstream out(dir + "/HR.calendar");
    out << "country XX\nyears 2026 2026\nzone Europe/Zagreb +01:00 eu-dst\nfixed 01-01 New Year\n"
           "standstill_days 10\n";
  }
  const auto msg = errorOf([&] { CalendarRegistry::loadDirectory(dir); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(contains(msg, "HR.calendar"), msg);
  BOOST_TEST(contains(msg, "country HR"), msg);
}

BOOST_AUTO_TEST_CASE(registry_reports_a_bad_file_by_name_and_line) {
  const auto dir = dps_test::tempDir("calendar-bad-line");
  {
    std::ofstream out(dir + "/XX.calendar");
    out << kMinimal << "fixed 5-1 Labour Day\n";
  }
  const auto msg = errorOf([&] { CalendarRegistry::loadDirectory(dir); }, ErrorCode::kInvalidArgument);
  BOOST_TEST(contains(msg, "XX.calendar line 6"), msg);
}

BOOST_AUTO_TEST_CASE(registry_refuses_a_directory_without_calendars) {
  const auto dir = dps_test::tempDir("calendar-empty");
  {
    std::ofstream out(dir + "/README.txt");
    out << "not a calendar\n";
  }
  errorOf([&] { CalendarRegistry::loadDirectory(dir); }, ErrorCode::kNotFound);
  errorOf([&] { CalendarRegistry::loadDirectory(dir + "/missing"); }, ErrorCode::kNotFound);
}

BOOST_AUTO_TEST_CASE(registry_refuses_a_second_calendar_for_the_same_country) {
  auto registry = CalendarRegistry::loadDirectory(calendarsDir());
  errorOf([&] { registry.add(Calendar::load(calendarsDir() + "/SI.calendar")); }, ErrorCode::kConflict);
}

BOOST_AUTO_TEST_CASE(dates_format_and_parse_as_iso_days) {
  BOOST_TEST(formatDate(date("2026-03-01")) == "2026-03-01");
  BOOST_TEST(formatDate(core::Date(std::chrono::year(2028), std::chrono::February, std::chrono::day(29))) ==
             "2028-02-29");
  for (const char* bad : {"2026-02-30", "2026-2-3", "2026-13-01", "26-03-01", "2026-03-01T00:00:00Z", "", "x"}) {
    BOOST_TEST_CONTEXT("'" << bad << "'") {
      try {
        parseDate(bad, "deadline_date");
        BOOST_FAIL("accepted");
      } catch (const core::Error& e) {
        BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(ErrorCode::kInvalidArgument));
        BOOST_TEST(e.field() == "deadline_date");
        BOOST_TEST(contains(e.what(), "YYYY-MM-DD"));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
