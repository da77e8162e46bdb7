#include "import/import_command.h"

#include <sodium.h>
#include <unistd.h>

#include <charconv>
#include <fstream>

#include "core/error.h"
#include "core/sealer.h"
#include "import/espd_admission.h"
#include "import/espd_reader.h"
#include "import/importers.h"

namespace importer {
namespace {

constexpr int kClean = 0;
constexpr int kProblems = 1;
constexpr int kUsage = 2;

constexpr const char* kEspdKind = "espd";

struct Arguments {
  Kind kind = Kind::kDeliveryPoints;
  bool espd = false;  // the ESPD kind (kind is then unused)
  std::string file;
  bool apply = false;
  std::optional<core::Id> round_id;
  std::optional<core::Id> category_id;
  std::optional<std::string> schema_dir;
  std::optional<core::DispatchPoint> dispatch;
};

std::optional<core::Id> parseId(const std::string& text) {
  core::Id value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// Parses the words after "import"; writes what is wrong to `err` and returns nullopt.
std::optional<Arguments> parseArguments(const std::vector<std::string>& args, std::ostream& err) {
  Arguments a;
  std::vector<std::string> positional;
  bool dispatch_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    const auto value = [&](const char* example) -> const std::string* {
      if (i + 1 == args.size()) {
        err << "dps import: " << word << " needs a value, e.g. " << word << " " << example << "\n";
        return nullptr;
      }
      return &args[++i];
    };
    if (word == "--apply") {
      a.apply = true;
    } else if (word == "--round" || word == "--category") {
      const bool round = word == "--round";
      const std::string* v = value("12");
      if (!v) return std::nullopt;
      const std::optional<core::Id> id = parseId(*v);
      if (!id) {
        err << "dps import: " << word << " '" << *v << "' is not a " << (round ? "round" : "category")
            << " id (a positive whole number)\n";
        return std::nullopt;
      }
      (round ? a.round_id : a.category_id) = id;
    } else if (word == "--schema-dir") {
      const std::string* v = value("../shared/standards/espd-edm");
      if (!v) return std::nullopt;
      a.schema_dir = *v;
    } else if (word == "--dispatch") {
      const std::string* v = value("\"Kmetija Novak;Zg. Bitnje 1, 4209 Zabnica;46.2389;14.3556\"");
      if (!v) return std::nullopt;
      dispatch_given = true;
      try {
        a.dispatch = parseDispatchSpec(*v);
      } catch (const core::Error& e) {
        err << "dps import: --dispatch: " << e.what() << "\n";
        return std::nullopt;
      }
    } else if (word.size() > 1 && word[0] == '-') {
      err << "dps import: unknown option '" << word << "'\n" << importCommandUsage();
      return std::nullopt;
    } else {
      positional.push_back(word);
    }
  }
  if (positional.size() != 2) {
    err << "dps import: give the kind and the file\n" << importCommandUsage();
    return std::nullopt;
  }
  a.file = positional[1];
  if (positional[0] == kEspdKind) {
    a.espd = true;
    if (!a.category_id) {
      err << "dps import: an ESPD response becomes a request to join one category: add --category ID\n";
      return std::nullopt;
    }
    if (a.round_id) {
      err << "dps import: --round is for demand files only\n";
      return std::nullopt;
    }
    return a;
  }
  try {
    a.kind = parseKind(positional[0]);
  } catch (const core::Error& e) {
    err << "dps import: " << e.what() << " or " << kEspdKind << "\n";
    return std::nullopt;
  }
  if (a.category_id || a.schema_dir || dispatch_given) {
    err << "dps import: --category, --schema-dir and --dispatch are for ESPD responses only (dps import espd FILE "
           "--category ID)\n";
    return std::nullopt;
  }
  if (a.kind == Kind::kDemand && !a.round_id) {
    err << "dps import: a demand file goes into one draft round: add --round ID\n";
    return std::nullopt;
  }
  if (a.kind != Kind::kDemand && a.round_id) {
    err << "dps import: --round is for demand files only\n";
    return std::nullopt;
  }
  return a;
}

// `dps import espd`: reads the response, then previews or files the admission request.
int runEspd(const Arguments& a, ImportContext& context, std::ostream& out, std::ostream& err) {
  if (!std::ifstream(a.file, std::ios::binary)) {
    err << "dps import: cannot read '" << a.file << "': check the path and that the file is readable\n";
    return kUsage;
  }
  EspdOptions read_options;
  read_options.source_name = a.file;
  read_options.schema_dir = a.schema_dir ? *a.schema_dir : context.espd_schema_dir;
  EspdResponse espd;
  try {
    espd = readEspdResponseFile(a.file, read_options);
  } catch (const core::Error& e) {
    // A missing schema folder is the command line's fault; anything else is the document's.
    if (e.code() == core::ErrorCode::kNotFound) {
      err << "dps import: " << e.what() << "\n";
      return kUsage;
    }
    out << a.file << " (espd): not read.\nNothing was written: 1 problem below.\n" << a.file << ": " << e.what()
        << "\n";
    return kProblems;
  }

  // Without the product's engine, one over the same store and clock. requestAdmission and
  // registerSupplier seal nothing, so its sealer's key is random and thrown away with it.
  std::optional<core::CalendarRegistry> own_calendars;
  std::optional<core::Sealer> own_sealer;
  std::optional<core::Engine> own_engine;
  core::Engine* engine = context.engine;
  if (engine == nullptr) {
    if (context.calendars == nullptr) {
      own_calendars.emplace();
      if (context.calendar != nullptr) own_calendars->add(*context.calendar);
    }
    if (sodium_init() < 0) throw core::Error(core::ErrorCode::kInternal, "libsodium could not be initialised");
    core::Sealer::Key key{};
    randombytes_buf(key.data(), key.size());
    own_sealer.emplace(key);
    sodium_memzero(key.data(), key.size());
    own_engine.emplace(context.store, context.clock, context.calendars ? *context.calendars : *own_calendars,
                       *own_sealer);
    engine = &*own_engine;
  }

  EspdAdmissionOptions options;
  options.file_name = a.file;
  options.category_id = *a.category_id;
  options.dispatch = a.dispatch;
  options.actor = core::Actor{"dps import", core::Role::kAdministrator, 0, 0};
  try {
    const EspdAdmission result =
        a.apply ? applyEspdAdmission(*engine, espd, options) : planEspdAdmission(*engine, espd, options);
    out << formatEspdAdmission(result);
    return result.ok() ? kClean : kProblems;
  } catch (const core::Error& e) {
    err << "dps import: " << e.what() << "\n";
    return kProblems;
  }
}

}  // namespace

std::string importCommandUsage() {
  std::string kinds;
  for (const Kind k : allKinds()) {
    kinds += "  ";
    kinds += toString(k);
    kinds += ": ";
    bool first = true;
    for (const std::string& c : expectedColumns(k)) {
      if (!first) kinds += ", ";
      kinds += c;
      first = false;
    }
    kinds += "\n";
  }
  return "usage: dps import <kind> FILE [--apply] [--round ID]\n"
         "       dps import espd FILE --category ID [--schema-dir DIR] [--dispatch \"name;address;lat;lon\"] "
         "[--apply]\n"
         "Shows what the CSV file would change (new, updated, unchanged, rejected) and writes nothing;\n"
         "--apply writes it in one transaction, or nothing when any row has a problem. --round names the\n"
         "draft round a demand file goes into. Exit code 0: clean; 1: problems, nothing written; 2: usage.\n"
         "Kinds and their columns (',' or ';' separated, UTF-8, decimal comma accepted):\n" +
         kinds +
         "  espd: a supplier's ESPD response (ESPD-EDM 2.1.1 to 4.1.0 XML) as a request to join category ID.\n"
         "    Shows the supplier found in it (matched to a stored supplier by tax number), the category, its\n"
         "    DPS and every answer; --apply files the admission request. A supplier not yet stored is\n"
         "    registered with the dispatch point given by --dispatch (the ESPD names none); a stored one is\n"
         "    never changed by an ESPD. --schema-dir validates against the ESPD-EDM schemas in DIR (default: the\n"
         "    configuration key espd.schema_dir).\n";
}

int runImportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     const core::Calendar* calendar, const std::string& cpv_list_path, std::ostream& out,
                     std::ostream& err) {
  ImportContext context{store, clock};
  context.calendar = calendar;
  context.cpv_list_path = cpv_list_path;
  return runImportCommand(args, context, out, err);
}

int runImportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     const core::Calendar* calendar, const std::string& cpv_list_path, std::ostream& out,
                     std::ostream& err, bool show_progress) {
  ImportContext context{store, clock};
  context.calendar = calendar;
  context.cpv_list_path = cpv_list_path;
  context.show_progress = show_progress;
  return runImportCommand(args, context, out, err);
}

int runImportCommand(const std::vector<std::string>& args, ImportContext& context, std::ostream& out,
                     std::ostream& err) {
  for (const std::string& word : args) {
    if (word == "--help" || word == "-h") {
      out << importCommandUsage();
      return kClean;
    }
  }
  const std::optional<Arguments> a = parseArguments(args, err);
  if (!a) return kUsage;
  if (a->espd) return runEspd(*a, context, out, err);
  const bool show_progress = context.show_progress ? *context.show_progress : ::isatty(2) == 1;

  std::ifstream in(a->file, std::ios::binary);
  if (!in) {
    err << "dps import: cannot read '" << a->file << "': check the path and that the file is readable\n";
    return kUsage;
  }
  ImportOptions options;
  options.file_name = a->file;
  options.cpv_list_path = context.cpv_list_path;
  options.calendar = context.calendar;
  options.clock = &context.clock;
  options.actor = "dps import";
  options.round_id = a->round_id;
  bool progress_shown = false;
  if (show_progress) {
    options.progress = [&](std::uint64_t rows) {
      err << "\r" << (a->apply ? "importing " : "reading ") << a->file << ": " << rows << " rows" << std::flush;
      progress_shown = true;
    };
  }
  try {
    const ImportReport report =
        a->apply ? apply(context.store, a->kind, in, options) : preview(context.store, a->kind, in, options);
    if (progress_shown) err << "\n";
    out << formatReport(report);
    return report.ok() ? kClean : kProblems;
  } catch (const core::Error& e) {
    if (progress_shown) err << "\n";
    err << "dps import: " << e.what() << "\n";
    return e.code() == core::ErrorCode::kInvalidArgument && e.field() == "round" ? kUsage : kProblems;
  }
}

}  // namespace importer
