#pragma once
// `dps import <kind> FILE [--apply] [--round ID]`: the command-line face of the CSV importers.
//
// Without --apply the file is previewed: the report says what would be new, updated, unchanged and
// rejected, and nothing is written. With --apply everything is written in one transaction, or
// nothing when the file has any problem. The report goes to `out`, usage errors and refusals to
// `err`; while a large file is read, a progress line is kept up to date on `err` when it is a
// terminal.
//
// Exit codes: 0 the file is clean (and, with --apply, written); 1 the file has problems or the
// store refused (nothing written); 2 the command line is wrong or the file cannot be read.
//
// Thread-safety: reentrant; the store is used as Store::transact allows.

#include <ostream>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/store.h"

namespace importer {

// `args` are the words after "import". `calendar` (may be null) ends certificates' last valid day;
// `cpv_list_path` (may be empty) is the CPV list products are checked against.
int runImportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     const core::Calendar* calendar, const std::string& cpv_list_path, std::ostream& out,
                     std::ostream& err);

// As above, with the progress line forced on or off (the function above shows it when standard
// error is a terminal).
int runImportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     const core::Calendar* calendar, const std::string& cpv_list_path, std::ostream& out,
                     std::ostream& err, bool show_progress);

// The command's help text.
std::string importCommandUsage();

}  // namespace importer
