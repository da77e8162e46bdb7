#pragma once
// The product's services wired from one Config: store, calendars, clock, sealer, engine. Built once
// per process by the composition root (main) and borrowed by commands and handlers.
// Thread-safety: as core::Engine.

#include <memory>
#include <optional>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/sealer.h"
#include "core/store.h"
#include "web/config.h"

namespace web {

class Services {
 public:
  // Opens the store (applying migrations), loads calendars and the master key. With
  // `create_key`, a missing key file is created (dps init).
  explicit Services(Config config, bool create_key = false);
  ~Services();

  const Config& config() const { return config_; }
  core::Store& store() { return *store_; }
  core::Engine& engine() { return *engine_; }
  const core::CalendarRegistry& calendars() const { return calendars_; }
  const core::Clock& clock() const { return *clock_; }
  // The simulated clock, when config().simulated_clock; null otherwise.
  core::ManualClock* simulatedClock() { return manual_clock_; }
  int schemaVersion() const { return schema_version_; }
  // Stores the simulated clock's time (setting "clock.simulated_now") so that the next process
  // continues from it; no-op with the system clock. Call after moving the simulated clock.
  void saveSimulatedClock();

 private:
  Config config_;
  std::unique_ptr<core::Store> store_;
  int schema_version_ = 0;
  core::CalendarRegistry calendars_;
  std::unique_ptr<core::Clock> clock_;
  core::ManualClock* manual_clock_ = nullptr;
  std::optional<core::Sealer> sealer_;
  std::unique_ptr<core::AwardOptimiser> optimiser_;
  std::unique_ptr<core::Engine> engine_;
};

}  // namespace web
