#pragma once
// The reports commands of the `dps` executable: `export` (own XML documents, OCDS), `notice`
// (eForms), `report` (HTML / CSV) and `verify-evaluation`; reportCommandHelp() documents them all.
// args[0] is the command itself ("export", "notice", "report", "verify-evaluation", "help"); the rest are its
// arguments, as the user typed them. Output goes to `out`, diagnostics to `err`.
// Exit codes: 0 done (or the evaluation agrees), 1 failed (or the evaluation differs), 2 usage error.
// Thread-safety: reentrant.

#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/store.h"
#include "reports/eforms.h"

namespace reports {

// The help text of every command and option.
std::string reportCommandHelp();

// The notice settings file (key=value lines, # comments) `dps notice --settings FILE` reads; throws
// core::Error(kInvalidArgument) naming every line that is wrong and the known keys.
NoticeParties readNoticeSettings(const std::string& path);

// Documents are stamped with the system clock's time.
int runReportCommand(const std::vector<std::string>& args, core::Store& store, std::ostream& out, std::ostream& err);
// Documents are stamped with `clock` (the simulated clock of a demo or a test).
int runReportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     std::ostream& out, std::ostream& err);

}  // namespace reports
