#include "core/calendar.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "core/error.h"

namespace core {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_days;

constexpr int kMinYear = 1583;  // first full year of the Gregorian calendar, which the computus assumes
constexpr int kMaxYear = 9999;  // dates are written with four-digit years

long long dayNumber(Date d) { return sys_days(d).time_since_epoch().count(); }

Date dateOfDayNumber(long long n) { return Date(sys_days(days(n))); }

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses a whole string as an int with an optional leading sign; nullopt when anything else is there.
std::optional<int> parseInt(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Easter Sunday of a Gregorian year (anonymous Gregorian computus, Meeus/Jones/Butcher).
Date easterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return Date(std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
              std::chrono::day(static_cast<unsigned>(day)));
}

std::string trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// Splits off the first whitespace-separated word; the rest is trimmed.
std::pair<std::string, std::string> splitWord(const std::string& s) {
  const auto pos = s.find_first_of(" \t");
  if (pos == std::string::npos) return {s, {}};
  return {s.substr(0, pos), trim(std::string_view(s).substr(pos))};
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// "+01:00" / "-03:30" -> seconds east of UTC.
std::optional<seconds> parseOffset(const std::string& s) {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  const std::string hh = s.substr(1, 2);
  const std::string mm = s.substr(4, 2);
  if (!allDigits(hh) || !allDigits(mm)) return std::nullopt;
  const int h = std::stoi(hh);
  const int m = std::stoi(mm);
  if (h > 14 || m > 59 || (h == 14 && m != 0)) return std::nullopt;
  const seconds magnitude = hours(h) + std::chrono::minutes(m);
  return s[0] == '-' ? -magnitude : magnitude;
}

struct FixedHoliday {
  std::chrono::month_day when;
  std::string name;
};

struct EasterHoliday {
  int offset = 0;
  std::string name;
};

}  // namespace

// EU summer time (Directive 2000/84/EC): from 01:00 UTC on the last Sunday of March to 01:00 UTC
// on the last Sunday of October, whatever the zone's standard offset.
struct Calendar::DstRule {
  static TimePoint start(int year) { return switchInstant(year, std::chrono::March); }
  static TimePoint end(int year) { return switchInstant(year, std::chrono::October); }
  static bool active(TimePoint t) {
    const int year = static_cast<int>(Date(std::chrono::floor<days>(t)).year());
    return t >= start(year) && t < end(year);
  }

 private:
  static TimePoint switchInstant(int year, std::chrono::month m) {
    const sys_days last_sunday(std::chrono::year(year) / m / std::chrono::Sunday[std::chrono::last]);
    return TimePoint(last_sunday) + hours(1);
  }
};

std::string formatDate(Date d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

Date parseDate(const std::string& text, const std::string& field) {
  const auto fail = [&]() -> Error {
    return Error(ErrorCode::kInvalidArgument,
                 field + ": '" + text + "' is not a calendar date; write YYYY-MM-DD, for example 2026-03-01", field);
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') throw fail();
  const std::string y = text.substr(0, 4);
  const std::string m = text.substr(5, 2);
  const std::string d = text.substr(8, 2);
  if (!allDigits(y) || !allDigits(m) || !allDigits(d)) throw fail();
  const Date date(std::chrono::year(std::stoi(y)), std::chrono::month(static_cast<unsigned>(std::stoi(m))),
                  std::chrono::day(static_cast<unsigned>(std::stoi(d))));
  if (!date.ok()) throw fail();
  return date;
}

Calendar Calendar::parse(const std::string& text, const std::string& source_name) {
  Calendar cal;
  std::vector<FixedHoliday> fixed;
  std::vector<EasterHoliday> movable;
  std::map<std::string, int> seen_at;  // single-valued keyword -> line it was given on
  std::map<unsigned, int> fixed_at;    // month*100+day -> line
  std::map<int, int> easter_at;        // offset -> line
  bool have_zone = false;
  bool have_standstill = false;

  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (line_no == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 byte order mark
    const auto hash = raw.find('#');
    const std::string line = trim(std::string_view(raw).substr(0, hash == std::string::npos ? raw.size() : hash));
    if (line.empty()) continue;

    const auto fail = [&](const std::string& what, const std::string& instead) -> Error {
      return Error(ErrorCode::kInvalidArgument,
                   source_name + " line " + std::to_string(line_no) + ": " + what + "; write " + instead,
                   source_name);
    };
    const auto once = [&](const std::string& key, const std::string& form) {
      const auto [it, inserted] = seen_at.emplace(key, line_no);
      if (!inserted) {
        throw fail("'" + key + "' was already given on line " + std::to_string(it->second),
                   "a single `" + form + "` line");
      }
    };

    const auto [keyword, rest] = splitWord(line);
    const std::vector<std::string> args = words(rest);

    if (keyword == "country") {
      const std::string form = "country CC (ISO 3166-1 alpha-2 code in capitals, e.g. country SI)";
      once("country", "country CC");
      if (args.size() != 1 || args[0].size() != 2 || !std::isupper(static_cast<unsigned char>(args[0][0])) ||
          !std::isupper(static_cast<unsigned char>(args[0][1]))) {
        throw fail("'" + line + "' does not name a country", "`" + form + "`");
      }
      cal.country_ = args[0];
    } else if (keyword == "years") {
      const std::string form = "`years FIRST LAST`, e.g. years 2024 2040";
      once("years", "years FIRST LAST");
      if (args.size() != 2 || !allDigits(args[0]) || !allDigits(args[1]) || args[0].size() != 4 ||
          args[1].size() != 4) {
        throw fail("'" + line + "' is not a range of years", form);
      }
      const int first = std::stoi(args[0]);
      const int last = std::stoi(args[1]);
      if (first < kMinYear || last > kMaxYear || first > last) {
        throw fail("years " + args[0] + " " + args[1] + " is not an ascending range of Gregorian years (" +
                       std::to_string(kMinYear) + " to " + std::to_string(kMaxYear) + ")",
                   form);
      }
      cal.first_year_ = first;
      cal.last_year_ = last;
    } else if (keyword == "zone") {
      const std::string form =
          "`zone NAME OFFSET RULE` with OFFSET the standard offset from UTC as +HH:MM and RULE eu-dst or none, "
          "e.g. zone Europe/Ljubljana +01:00 eu-dst";
      once("zone", "zone NAME OFFSET RULE");
      if (args.size() != 3) throw fail("'" + line + "' is not a time zone rule", form);
      const auto offset = parseOffset(args[1]);
      if (!offset) throw fail("'" + args[1] + "' is not a UTC offset", form);
      if (args[2] != "eu-dst" && args[2] != "none") {
        throw fail("'" + args[2] + "' is not a known summer-time rule", form);
      }
      cal.time_zone_ = args[0];
      cal.standard_offset_ = *offset;
      cal.eu_dst_ = args[2] == "eu-dst";
      have_zone = true;
    } else if (keyword == "fixed") {
      const std::string form = "`fixed MM-DD Name`, e.g. fixed 12-25 Christmas Day";
      const auto [when, name] = splitWord(rest);
      if (when.size() != 5 || when[2] != '-' || !allDigits(when.substr(0, 2)) || !allDigits(when.substr(3, 2))) {
        throw fail("'" + when + "' is not a month and day", form);
      }
      const unsigned m = static_cast<unsigned>(std::stoi(when.substr(0, 2)));
      const unsigned d = static_cast<unsigned>(std::stoi(when.substr(3, 2)));
      const std::chrono::month_day md{std::chrono::month{m}, std::chrono::day{d}};
      if (!md.ok()) throw fail("'" + when + "' is not a day of the year", form);
      if (m == 2 && d == 29) {
        throw fail("02-29 exists only in leap years", "a holiday on a day that every year has");
      }
      if (name.empty()) throw fail("the holiday on " + when + " has no name", form);
      const auto [it, inserted] = fixed_at.emplace(m * 100 + d, line_no);
      if (!inserted) {
        throw fail(when + " is already a holiday from line " + std::to_string(it->second),
                   "each fixed date once (put both names on one line if two holidays share it)");
      }
      fixed.push_back({md, name});
    } else if (keyword == "easter") {
      const std::string form =
          "`easter OFFSET Name` with OFFSET the days after Easter Sunday, e.g. easter +1 Easter Monday";
      const auto [offset_text, name] = splitWord(rest);
      const auto offset = parseInt(offset_text);
      if (!offset || *offset < -70 || *offset > 70) {
        throw fail("'" + offset_text + "' is not a day offset from Easter Sunday between -70 and +70", form);
      }
      if (name.empty()) throw fail("the holiday at Easter " + offset_text + " has no name", form);
      const auto [it, inserted] = easter_at.emplace(*offset, line_no);
      if (!inserted) {
        throw fail("Easter " + offset_text + " is already a holiday from line " + std::to_string(it->second),
                   "each Easter offset once");
      }
      movable.push_back({*offset, name});
    } else if (keyword == "standstill_days") {
      const std::string form = "`standstill_days N` (1 to 365), or `standstill off` for no standstill in DPS call-offs";
      once("standstill", "standstill_days N` or `standstill off");
      const auto n = args.size() == 1 && allDigits(args[0]) ? parseInt(args[0]) : std::nullopt;
      if (!n || *n < 1 || *n > 365) throw fail("'" + line + "' is not a standstill period", form);
      cal.standstill_days_ = *n;
      have_standstill = true;
    } else if (keyword == "standstill") {
      once("standstill", "standstill_days N` or `standstill off");
      if (args.size() != 1 || args[0] != "off") {
        throw fail("'" + line + "' is not a standstill setting",
                   "`standstill off`, or `standstill_days N` for a standstill of N calendar days");
      }
      cal.standstill_days_ = std::nullopt;
      have_standstill = true;
    } else {
      throw fail("unknown keyword '" + keyword + "'",
                 "one of country, years, zone, fixed, easter, standstill_days, standstill (or # for a comment)");
    }
  }

  const auto missing = [&](const std::string& what) -> Error {
    return Error(ErrorCode::kInvalidArgument, source_name + ": no `" + what + "` line; add one", source_name);
  };
  if (cal.country_.empty()) throw missing("country CC");
  if (cal.first_year_ == 0) throw missing("years FIRST LAST");
  if (!have_zone) throw missing("zone NAME +HH:MM eu-dst|none");
  if (!have_standstill) throw missing("standstill_days N` or `standstill off");
  if (fixed.empty() && movable.empty()) throw missing("fixed MM-DD Name` or `easter OFFSET Name");

  for (int y = cal.first_year_; y <= cal.last_year_; ++y) {
    const auto add = [&](Date d, const std::string& name) {
      // Two holidays can share a date (e.g. Ascension on 1 May); the day is a holiday once, named for both.
      auto [it, inserted] = cal.holidays_.emplace(static_cast<int>(dayNumber(d)), name);
      if (!inserted) it->second += " / " + name;
    };
    for (const auto& h : fixed) add(std::chrono::year(y) / h.when, h.name);
    const long long easter = dayNumber(easterSunday(y));
    for (const auto& h : movable) add(dateOfDayNumber(easter + h.offset), h.name);
  }
  return cal;
}

Calendar Calendar::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::kNotFound,
                "calendar file " + path + " cannot be read; check the path (calendars live in data/calendars)", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

bool Calendar::isHoliday(Date d) const {
  if (!d.ok()) throw Error(ErrorCode::kInvalidArgument, "invalid date passed to the " + country_ + " calendar");
  const int y = static_cast<int>(d.year());
  if (y < first_year_ || y > last_year_) {
    throw Error(ErrorCode::kInvalidArgument,
                formatDate(d) + " is outside the years of the " + country_ + " holiday calendar (" +
                    std::to_string(first_year_) + " to " + std::to_string(last_year_) +
                    "): extend the `years` line of data/calendars/" + country_ +
                    ".calendar and check its holidays for the added years");
  }
  return holidays_.count(static_cast<int>(dayNumber(d))) != 0;
}

bool Calendar::isWorkingDay(Date d) const {
  const bool holiday = isHoliday(d);
  const std::chrono::weekday wd(sys_days{d});
  return !holiday && wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

std::string Calendar::holidayName(Date d) const {
  if (!isHoliday(d)) return {};
  return holidays_.at(static_cast<int>(dayNumber(d)));
}

seconds Calendar::utcOffset(TimePoint t) const {
  return eu_dst_ && DstRule::active(t) ? standard_offset_ + hours(1) : standard_offset_;
}

namespace {

// "+01:00" for +3600 s.
std::string offsetText(seconds offset) {
  // Offsets are those of a calendar file: whole minutes within a day.
  const int minutes_total = static_cast<int>(offset.count() / 60 % (24 * 60));
  const int m = minutes_total < 0 ? -minutes_total : minutes_total;
  char text[16];
  std::snprintf(text, sizeof text, "%c%02d:%02d", minutes_total < 0 ? '-' : '+', m / 60, m % 60);
  return text;
}

}  // namespace

std::string Calendar::formatLocal(TimePoint t) const {
  const std::string local = formatLocalInput(t);
  return local.substr(0, 10) + " " + local.substr(11) + " (UTC" + offsetText(utcOffset(t)) + ")";
}

std::string Calendar::formatLocalInput(TimePoint t) const {
  // The legal time's wall clock, written as if it were UTC, then cut to the minute.
  return formatTime(t + utcOffset(t)).substr(0, 16);
}

TimePoint Calendar::parseLocal(const std::string& text, const std::string& field) const {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
  char separator = 0;
  const auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 field + ": '" + text + "' is not a date and time; write it as YYYY-MM-DD HH:MM in the legal time of " +
                     time_zone_ + ", e.g. 2026-03-02 11:00",
                 field, {"input.problem.local_time", {field, text.substr(0, 40), time_zone_}});
  };
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &separator, &h, &mi, &n) != 6 || n != 16 ||
      (separator != 'T' && separator != ' '))
    throw bad();
  int s = 0;
  std::string rest = text.substr(16);
  if (!rest.empty() && rest[0] == ':') {
    int m = 0;
    if (std::sscanf(rest.c_str(), ":%2d%n", &s, &m) != 1 || m != 3) throw bad();
    rest = rest.substr(3);
  }
  if (!rest.empty()) {
    // An instant with its own zone: exactly as parseTime reads it.
    if (separator != 'T' || text.size() < 20 || text[16] != ':') throw bad();
    return parseTime(text, field);
  }
  const Date ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                 std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) throw bad();
  const TimePoint wall = sys_days{ymd} + hours{h} + std::chrono::minutes{mi} + seconds{s};
  std::vector<TimePoint> instants;
  for (const seconds off : {standard_offset_, standard_offset_ + hours(1)}) {
    if (off != standard_offset_ && !eu_dst_) continue;
    if (utcOffset(wall - off) == off) instants.push_back(wall - off);
  }
  const std::string shown = text.substr(0, 10) + " " + text.substr(11);
  if (instants.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                field + ": " + shown + " does not exist in " + time_zone_ +
                    ": the clocks skip that hour when summer time begins; choose another time",
                field, {"input.problem.time_skipped", {field, shown, time_zone_}});
  }
  if (instants.size() > 1) {
    throw Error(ErrorCode::kInvalidArgument,
                field + ": " + shown + " occurs twice in " + time_zone_ +
                    " (the clocks go back when summer time ends): write it with its offset, e.g. " +
                    text.substr(0, 10) + "T" + text.substr(11, 5) + ":00" + offsetText(standard_offset_ + hours(1)) +
                    " for the first or " + offsetText(standard_offset_) + " for the second",
                field,
                {"input.problem.time_twice",
                 {field, shown, time_zone_,
                  text.substr(0, 10) + "T" + text.substr(11, 5) + ":00" + offsetText(standard_offset_ + hours(1)),
                  offsetText(standard_offset_)}});
  }
  return instants.front();
}

Date Calendar::localDate(TimePoint t) const { return Date(std::chrono::floor<days>(t + utcOffset(t))); }

TimePoint Calendar::startOfDay(Date d) const {
  const TimePoint local_midnight(sys_days{d});
  std::optional<TimePoint> first;
  const std::array<seconds, 2> candidates{standard_offset_, standard_offset_ + hours(1)};
  for (const seconds off : candidates) {
    if (off != standard_offset_ && !eu_dst_) continue;
    const TimePoint u = local_midnight - off;
    if (utcOffset(u) == off && (!first || u < *first)) first = u;
  }
  if (first) return *first;
  // Local midnight falls in the hour skipped when summer time begins (zones at UTC-01:00): the day
  // begins at the switch.
  return DstRule::start(static_cast<int>(d.year()));
}

TimePoint Calendar::endOfDay(Date d) const { return startOfDay(Date(sys_days{d} + days(1))) - seconds(1); }

TimePoint Calendar::periodEndCalendarDays(TimePoint event, int days_count) const {
  if (days_count < 1) {
    throw Error(ErrorCode::kInvalidArgument, "a period of " + std::to_string(days_count) +
                                                 " calendar days is not a time limit; give at least 1 day "
                                                 "(Regulation 1182/71 Art. 3)");
  }
  // Art. 3(1): the day of the event does not count; Art. 3(4): a last day that is not a working day
  // gives way to the next working day.
  sys_days last = sys_days{localDate(event)} + days(days_count);
  while (!isWorkingDay(Date(last))) last += days(1);
  return endOfDay(Date(last));
}

TimePoint Calendar::periodEndWorkingDays(TimePoint event, int days_count) const {
  if (days_count < 1) {
    throw Error(ErrorCode::kInvalidArgument, "a period of " + std::to_string(days_count) +
                                                 " working days is not a time limit; give at least 1 day "
                                                 "(Regulation 1182/71 Art. 3)");
  }
  sys_days day = sys_days{localDate(event)};
  int counted = 0;
  while (counted < days_count) {
    day += days(1);
    if (isWorkingDay(Date(day))) ++counted;
  }
  return endOfDay(Date(day));
}

int Calendar::workingDaysBetween(TimePoint from, TimePoint to) const {
  const sys_days last = sys_days{localDate(to)};
  int count = 0;
  for (sys_days day = sys_days{localDate(from)} + days(1); day <= last; day += days(1)) {
    if (isWorkingDay(Date(day))) ++count;
  }
  return count;
}

CalendarRegistry CalendarRegistry::loadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorCode::kNotFound,
                "calendar directory " + dir + " does not exist; point the service at data/calendars", dir);
  }
  std::set<fs::path> files;  // sorted, so that the first bad file reported is always the same one
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".calendar") files.insert(entry.path());
  }
  if (files.empty()) {
    throw Error(ErrorCode::kNotFound,
                "calendar directory " + dir + " has no *.calendar files; copy data/calendars/SI.calendar there", dir);
  }
  CalendarRegistry registry;
  for (const auto& path : files) {
    Calendar cal = Calendar::load(path.string());
    const std::string stem = path.stem().string();
    if (stem != cal.country()) {
      throw Error(ErrorCode::kInvalidArgument,
                  path.string() + " says `country " + cal.country() + "`; rename the file to " + cal.country() +
                      ".calendar or correct its country line to `country " + stem + "`",
                  path.string());
    }
    registry.add(std::move(cal));
  }
  return registry;
}

void CalendarRegistry::add(Calendar calendar) {
  const std::string country = calendar.country();
  if (calendars_.count(country) != 0) {
    throw Error(ErrorCode::kConflict,
                "a calendar for " + country + " is already loaded; keep one " + country + ".calendar file");
  }
  calendars_.emplace(country, std::make_shared<const Calendar>(std::move(calendar)));
}

const Calendar& CalendarRegistry::forCountry(const std::string& country) const {
  const auto it = calendars_.find(country);
  if (it == calendars_.end()) {
    std::string known;
    for (const auto& [code, cal] : calendars_) known += (known.empty() ? "" : ", ") + code;
    throw Error(ErrorCode::kNotFound,
                "no holiday calendar for country '" + country + "' (loaded: " + (known.empty() ? "none" : known) +
                    "); add a " + country + ".calendar file to data/calendars with its public holidays",
                "country");
  }
  return *it->second;
}

}  // namespace core
