#pragma once
// core::Clock: the only source of "now". Nothing in the product reads the system time directly, so
// that tests and the demo can move time (DESIGN.md rule 1). All instants are UTC.

#include <atomic>
#include <chrono>
#include <string>

namespace core {

using TimePoint = std::chrono::sys_seconds;

// "2026-03-01T09:00:00Z" (seconds, always UTC).
std::string formatTime(TimePoint t);
// Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS+HH:MM"; throws Error(kInvalidArgument).
TimePoint parseTime(const std::string& text, const std::string& field = "time");

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The system's UTC clock, truncated to seconds. Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A clock that only moves when told to: tests and the demo. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(std::chrono::seconds(now_.load())); }
  void set(TimePoint t) { now_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::seconds by) { now_.fetch_add(by.count()); }

 private:
  std::atomic<long long> now_;
};

}  // namespace core
