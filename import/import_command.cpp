#include "import/import_command.h"

#include <unistd.h>

#include <charconv>
#include <fstream>

#include "core/error.h"
#include "import/importers.h"

namespace importer {
namespace {

constexpr int kClean = 0;
constexpr int kProblems = 1;
constexpr int kUsage = 2;

struct Arguments {
  Kind kind = Kind::kDeliveryPoints;
  std::string file;
  bool apply = false;
  std::optional<core::Id> round_id;
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
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--apply") {
      a.apply = true;
    } else if (word == "--round") {
      if (i + 1 == args.size()) {
        err << "dps import: --round needs the round's id, e.g. --round 12\n";
        return std::nullopt;
      }
      a.round_id = parseId(args[++i]);
      if (!a.round_id) {
        err << "dps import: --round '" << args[i] << "' is not a round id (a positive whole number)\n";
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
  try {
    a.kind = parseKind(positional[0]);
  } catch (const core::Error& e) {
    err << "dps import: " << e.what() << "\n";
    return std::nullopt;
  }
  a.file = positional[1];
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
         "Shows what the CSV file would change (new, updated, unchanged, rejected) and writes nothing;\n"
         "--apply writes it in one transaction, or nothing when any row has a problem. --round names the\n"
         "draft round a demand file goes into. Exit code 0: clean; 1: problems, nothing written; 2: usage.\n"
         "Kinds and their columns (',' or ';' separated, UTF-8, decimal comma accepted):\n" +
         kinds;
}

int runImportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     const core::Calendar* calendar, const std::string& cpv_list_path, std::ostream& out,
                     std::ostream& err) {
  return runImportCommand(args, store, clock, calendar, cpv_list_path, out, err, ::isatty(2) == 1);
}

int runImportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     const core::Calendar* calendar, const std::string& cpv_list_path, std::ostream& out,
                     std::ostream& err, bool show_progress) {
  for (const std::string& word : args) {
    if (word == "--help" || word == "-h") {
      out << importCommandUsage();
      return kClean;
    }
  }
  const std::optional<Arguments> a = parseArguments(args, err);
  if (!a) return kUsage;

  std::ifstream in(a->file, std::ios::binary);
  if (!in) {
    err << "dps import: cannot read '" << a->file << "': check the path and that the file is readable\n";
    return kUsage;
  }
  ImportOptions options;
  options.file_name = a->file;
  options.cpv_list_path = cpv_list_path;
  options.calendar = calendar;
  options.clock = &clock;
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
    const ImportReport report = a->apply ? apply(store, a->kind, in, options) : preview(store, a->kind, in, options);
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
