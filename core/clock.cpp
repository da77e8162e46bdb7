#include "core/clock.h"

#include <cstdio>

#include "core/error.h"

namespace core {

using namespace std::chrono;

std::string formatTime(TimePoint t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

TimePoint parseTime(const std::string& text, const std::string& field) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  const auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 field + ": '" + text +
                     "' is not a time; write it as YYYY-MM-DDTHH:MM:SSZ (UTC) or with an offset, e.g. "
                     "2026-03-01T10:00:00+01:00",
                 field, {"input.problem.time", {field, text.substr(0, 40)}});
  };
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 || n != 19)
    throw bad();
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) throw bad();
  TimePoint t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  const std::string rest = text.substr(19);
  if (rest == "Z") return t;
  int oh = 0, om = 0, m = 0;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
      std::sscanf(rest.c_str() + 1, "%2d:%2d%n", &oh, &om, &m) == 2 && m == 5 && oh <= 14 && om <= 59) {
    const seconds offset = hours{oh} + minutes{om};
    return rest[0] == '+' ? t - offset : t + offset;
  }
  throw bad();
}

TimePoint SystemClock::now() const { return floor<seconds>(system_clock::now()); }

}  // namespace core
