#pragma once
// OCDS 1.1.5 release package of one round (Open Contracting Data Standard): the round is a
// contracting process of its own (ocid = prefix + round reference) that follows the DPS's setup
// (relatedProcesses, relationship "framework"), with the tender (lots, items, tender period,
// tenderers after opening, techniques.hasDynamicPurchasingSystem from the techniques extension) and,
// once awarded, one award per awarded lot and supplier. Money and quantities are written as exact
// decimal JSON numbers. Thread-safety: reentrant.

#include <string>

#include "core/clock.h"
#include "core/model.h"
#include "core/store.h"

namespace reports {

struct OcdsOptions {
  std::string ocid_prefix = "ocds-dpslf0";  // the publisher's registered prefix
  std::string base_uri = "https://dps.example.invalid/ocds";  // where packages are published
  core::TimePoint published_at{};
};

// Throws core::Error kNotFound for a missing round, kConflict for a round not yet dispatched.
std::string ocdsReleasePackage(core::Store& store, core::Id round_id, const OcdsOptions& options);

// The URL of the OCDS techniques extension named in the package's "extensions".
inline constexpr const char* kOcdsTechniquesExtension =
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json";

}  // namespace reports
