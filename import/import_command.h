#pragma once
// `dps import <kind> FILE [--apply] [--round ID]`: the command-line face of the CSV importers, and
// `dps import espd FILE --category ID [--schema-dir DIR] [--dispatch "name;address;lat;lon"]
// [--apply]`: a supplier's ESPD response filed as an admission request (import/espd_admission.h).
//
// Without --apply the file is previewed: the report says what would be new, updated, unchanged and
// rejected, and nothing is written. With --apply everything is written in one transaction, or
// nothing when the file has any problem. The report goes to `out`, usage errors and refusals to
// `err`; while a large file is read, a progress line is kept up to date on `err` when it is a
// terminal.
//
// An ESPD response is previewed the same way: the supplier found in it (and whether it is stored,
// matched by tax number), the category and its DPS, every answer. With --apply a new supplier is
// registered (it needs --dispatch: the ESPD names no dispatch point) and the admission request is
// filed through core::Engine, so the legal rules and the audit entries apply.
//
// Exit codes: 0 the file is clean (and, with --apply, written); 1 the file has problems or the
// store refused (nothing written); 2 the command line is wrong or the file cannot be read.
//
// Thread-safety: reentrant; the store is used as Store::transact allows.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/store.h"

namespace importer {

// What the command works with, borrowed from the composition root.
struct ImportContext {
  ImportContext(core::Store& s, const core::Clock& c) : store(s), clock(c) {}

  core::Store& store;
  const core::Clock& clock;
  // The country calendars (may be null) and the calendar that ends certificates' last valid day
  // (may be null: 23:59:59 UTC).
  const core::CalendarRegistry* calendars = nullptr;
  const core::Calendar* calendar = nullptr;
  // The product's engine over the same store and clock (may be null: the ESPD kind then builds one
  // of its own over store, clock and calendars; it only registers suppliers and files requests,
  // which seal nothing, so that engine's sealer holds a throwaway key and never the master key).
  core::Engine* engine = nullptr;
  // The CPV list products are checked against (may be empty).
  std::string cpv_list_path;
  // The ESPD-EDM folder ESPD responses are validated against when --schema-dir is not given (may be empty).
  std::string espd_schema_dir;
  // Shows the progress line on `err`; nullopt: when standard error is a terminal.
  std::optional<bool> show_progress;
};

// `args` are the words after "import".
int runImportCommand(const std::vector<std::string>& args, ImportContext& context, std::ostream& out,
                     std::ostream& err);

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
