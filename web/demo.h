#pragma once
// The demo: the City of Kranj buying local food for its schools and kindergartens through a DPS,
// on the simulated clock. loadDemo sets the scene once (master data from data/demo/*.csv through
// the importers, a published DPS, admitted suppliers); runDemoRound runs one complete purchasing
// round end to end and prints the evaluation and award per lot. Not thread-safe: one per process.

#include <ostream>

#include "web/services.h"

namespace web {

// True when the store already holds the demo DPS.
bool demoLoaded(Services& services);
// Loads the demo scene into an empty store; throws core::Error(kConflict) when a DPS exists already
// and kInvalidArgument when the clock is not simulated.
void loadDemo(Services& services, std::ostream& out);
// Runs one round (invitation, bids, deadline, opening, evaluation, award) and prints it.
void runDemoRound(Services& services, std::ostream& out);

}  // namespace web
