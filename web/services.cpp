#include "web/services.h"

#include <cstdlib>
#include <filesystem>

#include "core/audit.h"
#include "core/error.h"
#include "core/optimiser/award_optimiser.h"

namespace web {
namespace {

constexpr const char* kSimulatedNow = "clock.simulated_now";

// The simulated clock continues from where it was last saved or from the newest audited event,
// whichever is later, so that time never runs backwards across runs of the demo; a fresh store
// starts on a Monday in January 2026.
core::TimePoint simulatedStart(core::Store& store) {
  core::TimePoint start = core::parseTime("2026-01-12T07:00:00Z");
  store.transact([&](core::Tx& tx) {
    if (const auto last = tx.lastAuditEntry()) start = std::max(start, last->at);
    if (const auto saved = tx.getSetting(kSimulatedNow)) start = std::max(start, core::parseTime(*saved));
  });
  return start;
}

}  // namespace

Services::Services(Config config, bool create_key) : config_(std::move(config)) {
  const std::string& uri = config_.store_uri;
  if (uri.rfind("sqlite:", 0) == 0) {
    const auto parent = std::filesystem::path(uri.substr(7)).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
  }
  store_ = core::openStore(uri);
  schema_version_ = store_->migrate();
  calendars_ = core::CalendarRegistry::loadDirectory(config_.calendar_dir);
  if (config_.simulated_clock) {
    auto manual = std::make_unique<core::ManualClock>(simulatedStart(*store_));
    manual_clock_ = manual.get();
    clock_ = std::move(manual);
  } else {
    clock_ = std::make_unique<core::SystemClock>();
  }
  if (const char* hex = std::getenv("DPS_MASTER_KEY"); hex != nullptr && *hex != '\0') {
    sealer_.emplace(core::Sealer::fromHex(hex));
  } else {
    if (create_key && !std::filesystem::exists(config_.key_file)) {
      const auto parent = std::filesystem::path(config_.key_file).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);
      core::Sealer::createKeyFile(config_.key_file);
    }
    sealer_.emplace(core::Sealer::fromKeyFile(config_.key_file));
  }
  optimiser_ = core::makeAwardOptimiser();
  engine_ = std::make_unique<core::Engine>(*store_, *clock_, calendars_, *sealer_, optimiser_.get());
}

Services::~Services() = default;

void Services::saveSimulatedClock() {
  if (manual_clock_ == nullptr) return;
  const std::string now = core::formatTime(manual_clock_->now());
  store_->transact([&](core::Tx& tx) { tx.putSetting(kSimulatedNow, now); });
}

}  // namespace web
