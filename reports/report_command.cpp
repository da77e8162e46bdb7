// `export`, `verify-evaluation` and `report`: argument parsing, files, exit codes.
#include "reports/report_command.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/calendar.h"
#include "core/error.h"
#include "reports/documents.h"
#include "reports/eforms.h"
#include "reports/ocds.h"
#include "reports/reports.h"
#include "reports/verify_evaluation.h"

#ifndef DPS_REPORTS_CALENDAR_DIR
#error "DPS_REPORTS_CALENDAR_DIR must be defined by the build (reports/CMakeLists.txt)"
#endif

namespace reports {

using core::Error;
using core::ErrorCode;

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

struct Options {
  std::vector<std::string> positional;
  std::optional<std::string> output;
  std::string schema_dir;
  bool compact = false;
  std::string format = "html";
  std::string calendars = DPS_REPORTS_CALENDAR_DIR;
  std::string eforms_sdk;
  std::string settings;
  std::string ocid_prefix;
  std::string base_uri;
};

Options parseOptions(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& name) {
      if (i + 1 >= args.size())
        throw Error(ErrorCode::kInvalidArgument, "option " + name + " needs a value; see `help`");
      return args[++i];
    };
    if (a == "-o" || a == "--output") {
      o.output = value(a);
    } else if (a.rfind("--output=", 0) == 0) {
      o.output = a.substr(9);
    } else if (a == "--schema-dir") {
      o.schema_dir = value(a);
    } else if (a.rfind("--schema-dir=", 0) == 0) {
      o.schema_dir = a.substr(13);
    } else if (a == "--compact") {
      o.compact = true;
    } else if (a == "--format") {
      o.format = value(a);
      if (o.format != "html" && o.format != "csv")
        throw Error(ErrorCode::kInvalidArgument, "--format must be html or csv, not '" + o.format + "'");
    } else if (a == "--calendars") {
      o.calendars = value(a);
    } else if (a == "--eforms-sdk") {
      o.eforms_sdk = value(a);
    } else if (a == "--settings") {
      o.settings = value(a);
    } else if (a == "--ocid-prefix") {
      o.ocid_prefix = value(a);
    } else if (a == "--base-uri") {
      o.base_uri = value(a);
    } else if (a.size() > 1 && a[0] == '-') {
      throw Error(ErrorCode::kInvalidArgument, "unknown option " + a + "; see `help`");
    } else {
      o.positional.push_back(a);
    }
  }
  return o;
}

core::Id parseId(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0)
    throw Error(ErrorCode::kInvalidArgument, what + " '" + text + "' is not a positive number");
  return static_cast<core::Id>(v);
}

// Written next to the target and renamed over it, so a reader never sees half a document.
void writeFile(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path temp = target.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(temp, std::ios::binary | std::ios::trunc);
    if (!f) throw Error(ErrorCode::kUnavailable, "cannot write " + temp.string() + "; check the folder exists and is writable");
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      throw Error(ErrorCode::kUnavailable, "writing " + temp.string() + " failed; check the free space");
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw Error(ErrorCode::kUnavailable, "cannot replace " + path + ": " + ec.message());
  }
}

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::kNotFound, "cannot read " + path + "; check the file name");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

int emit(const Options& o, const std::string& bytes, const std::string& what, std::ostream& out, std::ostream& err) {
  if (o.output) {
    writeFile(*o.output, bytes);
    err << "wrote " << *o.output << " (" << bytes.size() << " bytes, " << what << ")\n";
  } else {
    out << bytes;
  }
  return kOk;
}

// key=value lines (# comments) naming the NoticeParties fields.
NoticeParties readSettings(const std::string& path) {
  NoticeParties p;
  if (path.empty())
    throw Error(ErrorCode::kInvalidArgument,
                "notices need --settings FILE with the buyer's address and the review body; see `help`");
  std::istringstream in(readFile(path));
  std::vector<std::string> problems;
  std::string line;
  int number = 0;
  const std::vector<std::pair<const char*, std::string NoticeParties::*>> keys{
      {"buyer_city", &NoticeParties::buyer_city},
      {"buyer_postal_code", &NoticeParties::buyer_postal_code},
      {"buyer_nuts", &NoticeParties::buyer_nuts},
      {"buyer_company_id", &NoticeParties::buyer_company_id},
      {"buyer_phone", &NoticeParties::buyer_phone},
      {"buyer_email", &NoticeParties::buyer_email},
      {"buyer_legal_type", &NoticeParties::buyer_legal_type},
      {"buyer_activity", &NoticeParties::buyer_activity},
      {"review_body_name", &NoticeParties::review_body_name},
      {"review_body_city", &NoticeParties::review_body_city},
      {"review_body_company_id", &NoticeParties::review_body_company_id},
      {"documents_url", &NoticeParties::documents_url},
      {"submission_url", &NoticeParties::submission_url},
      {"language", &NoticeParties::language}};
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::size_t eq = line.find('=');
    const std::string key = line.substr(0, eq);
    bool known = false;
    for (const auto& [name, member] : keys)
      if (eq != std::string::npos && key == name) {
        p.*member = line.substr(eq + 1);
        known = true;
      }
    if (!known) problems.push_back(path + ":" + std::to_string(number) + ": '" + line + "' is not key=value with a known key");
  }
  if (!problems.empty()) {
    std::string message = "the notice settings are not valid:";
    for (const std::string& problem : problems) message += "\n" + problem;
    message += "\nknown keys:";
    for (const auto& [name, member] : keys) message += std::string(" ") + name;
    throw Error(ErrorCode::kInvalidArgument, message);
  }
  return p;
}

int runNotice(const Options& o, core::Store& store, const core::Clock& clock, std::ostream& out, std::ostream& err) {
  if (o.positional.empty())
    throw Error(ErrorCode::kInvalidArgument, "notice needs a kind: cn DPS, can ROUND or can-quarter DPS YEAR QUARTER");
  if (o.eforms_sdk.empty())
    throw Error(ErrorCode::kInvalidArgument, "notices are checked against the eForms SDK: give --eforms-sdk DIR");
  NoticeOptions options;
  options.eforms_sdk_dir = o.eforms_sdk;
  options.issued_at = clock.now();
  options.pretty = !o.compact;
  const std::string& kind = o.positional[0];
  if (kind == "cn" && o.positional.size() == 2)
    return emit(o, contractNotice(store, parseId(o.positional[1], "DPS id"), readSettings(o.settings), options),
                "eForms contract notice, subtype 16", out, err);
  if (kind == "can" && o.positional.size() == 2)
    return emit(o, roundAwardNotice(store, parseId(o.positional[1], "round id"), readSettings(o.settings), options),
                "eForms contract award notice, subtype 29", out, err);
  if (kind == "can-quarter" && o.positional.size() == 4)
    return emit(o,
                quarterAwardNotice(store, parseId(o.positional[1], "DPS id"),
                                   static_cast<int>(parseId(o.positional[2], "year")),
                                   static_cast<int>(parseId(o.positional[3], "quarter")), readSettings(o.settings),
                                   options),
                "eForms contract award notice, subtype 29, grouped per quarter", out, err);
  throw Error(ErrorCode::kInvalidArgument, "notice takes cn DPS, can ROUND or can-quarter DPS YEAR QUARTER");
}

int runReport(const Options& o, core::Store& store, const core::Clock& clock, std::ostream& out, std::ostream& err) {
  if (o.positional.size() < 2)
    throw Error(ErrorCode::kInvalidArgument,
                "report needs a kind and an id: round, letter, art84, dashboard or compliance; see `help`");
  const std::string& kind = o.positional[0];
  ReportOptions options;
  options.generated_at = clock.now();
  const bool csv = o.format == "csv";
  auto only = [&](std::size_t n) {
    if (o.positional.size() != n)
      throw Error(ErrorCode::kInvalidArgument, "report " + kind + " takes " + std::to_string(n - 1) +
                                                   (n == 2 ? " id" : " ids") + "; see `help`");
  };
  auto htmlOnly = [&] {
    if (csv) throw Error(ErrorCode::kInvalidArgument, "report " + kind + " is a letter: HTML only");
  };
  if (kind == "round") {
    only(2);
    const core::Id id = parseId(o.positional[1], "round id");
    return emit(o, csv ? roundEvaluationCsv(store, id) : roundEvaluationHtml(store, id, options), o.format, out, err);
  }
  if (kind == "letter") {
    only(3);
    htmlOnly();
    return emit(o,
                awardLetterHtml(store, parseId(o.positional[1], "round id"), parseId(o.positional[2], "supplier id"),
                                options),
                "html", out, err);
  }
  if (kind == "art84") {
    only(2);
    htmlOnly();
    return emit(o, article84Html(store, parseId(o.positional[1], "round id"), options), "html", out, err);
  }
  if (kind == "dashboard") {
    only(2);
    const core::Id id = parseId(o.positional[1], "DPS id");
    return emit(o, csv ? dashboardCsv(store, id) : dashboardHtml(store, id, options), o.format, out, err);
  }
  if (kind == "compliance") {
    only(2);
    const core::Id id = parseId(o.positional[1], "DPS id");
    std::string country = "SI";
    store.read([&](core::Tx& tx) {
      const auto d = tx.getDps(id);
      if (!d) throw Error(ErrorCode::kNotFound, "DPS " + std::to_string(id) + " does not exist; check the DPS id");
      if (const auto a = tx.getAuthority(d->authority_id)) country = a->country;
    });
    const core::CalendarRegistry calendars = core::CalendarRegistry::loadDirectory(o.calendars);
    const core::Calendar& calendar = calendars.forCountry(country);
    return emit(o, csv ? complianceCsv(store, id, calendar, options) : complianceHtml(store, id, calendar, options),
                o.format, out, err);
  }
  throw Error(ErrorCode::kInvalidArgument,
              "unknown report '" + kind + "'; use round, letter, art84, dashboard or compliance");
}

int runExport(const Options& o, core::Store& store, const core::Clock& clock, std::ostream& out, std::ostream& err) {
  if (o.positional.empty())
    throw Error(ErrorCode::kInvalidArgument,
                "export needs a document: dps, round, bids, evaluation, award, audit or ocds; see `help`");
  if (o.positional[0] == "ocds") {
    if (o.positional.size() != 2) throw Error(ErrorCode::kInvalidArgument, "export ocds needs exactly one round id");
    OcdsOptions options;
    options.published_at = clock.now();
    if (!o.ocid_prefix.empty()) options.ocid_prefix = o.ocid_prefix;
    if (!o.base_uri.empty()) options.base_uri = o.base_uri;
    return emit(o, ocdsReleasePackage(store, parseId(o.positional[1], "round id"), options),
                "OCDS 1.1.5 release package", out, err);
  }
  const DocumentKind kind = parseDocumentKind(o.positional[0]);
  core::Id id = 0;
  if (kind == DocumentKind::kAuditLog) {
    if (o.positional.size() > 1)
      throw Error(ErrorCode::kInvalidArgument, "export audit takes no id: it exports the whole log");
  } else {
    if (o.positional.size() != 2)
      throw Error(ErrorCode::kInvalidArgument, std::string("export ") + toString(kind) + " needs exactly one " +
                                                   (kind == DocumentKind::kDps ? "DPS" : "round") + " id");
    id = parseId(o.positional[1], kind == DocumentKind::kDps ? "DPS id" : "round id");
  }
  ExportOptions options;
  options.schema_dir = o.schema_dir;
  options.generated_at = clock.now();
  options.pretty = !o.compact;
  return emit(o, exportDocument(store, kind, id, options), std::string("valid against ") + kSchemaFile, out, err);
}

int runVerify(const Options& o, std::ostream& out) {
  if (o.positional.size() != 1)
    throw Error(ErrorCode::kInvalidArgument, "verify-evaluation needs exactly one FILE (an exported evaluation)");
  const EvaluationCheck check = verifyEvaluation(readFile(o.positional[0]), o.schema_dir);
  out << "round " << check.round_reference << ": recomputed " << check.lots << " lots, " << check.results
      << " results, " << check.scores << " criterion scores\n";
  for (const std::string& d : check.differences) out << "DIFFERENCE " << d << "\n";
  if (check.agrees()) {
    out << "the evaluation agrees: every score and every rank recomputes exactly\n";
    return kOk;
  }
  out << check.differences.size() << (check.differences.size() == 1 ? " difference" : " differences")
      << ": the document does not match its own recomputation\n";
  return kFailed;
}

}  // namespace

NoticeParties readNoticeSettings(const std::string& path) { return readSettings(path); }

std::string reportCommandHelp() {
  return R"(Documents and reports

  export KIND ID [-o FILE] [--schema-dir DIR] [--compact]
      Writes one of the project's own XML documents, validated against reports/schema/dps-1.0.xsd
      before anything is written (an invalid document is an error, never a file). KIND is
        dps ID          the DPS as published: categories, criteria with formulas and weights
        round ID        a round's invitation: lots, delivery points, demand, deadline, invitees
        bids ID         the bid register of a round (only after opening)
        evaluation ID   every bid, lot and criterion: inputs, formula, points, total, rank, flags
        award ID        the award decision per lot: winners, quantities, reasons, standstill end
        audit           the whole audit log with its hash chain and the chain's status (no ID)
      -o, --output FILE   write to FILE (replaced whole) instead of standard output
      --schema-dir DIR    folder holding dps-1.0.xsd (default: the sources' reports/schema, or
                          the environment variable DPS_SCHEMA_DIR)
      --compact           no indentation

  export ocds ROUND [--ocid-prefix PREFIX] [--base-uri URI] [-o FILE]
      The round's OCDS 1.1.5 release package (tender, awards; the DPS marked with the techniques
      extension). PREFIX is the publisher's registered ocid prefix (default ocds-dpslf0), URI
      where packages are published (default https://dps.example.invalid/ocds).

  notice cn DPS | can ROUND | can-quarter DPS YEAR QUARTER --eforms-sdk DIR --settings FILE [-o FILE]
      eForms notices validated against the SDK's schemas in DIR: the contract notice (subtype 16)
      that set up the DPS, the contract award notice (subtype 29) of one round, or one grouping
      every round awarded in a calendar quarter (Art. 50(3)). FILE holds key=value lines:
      buyer_city, buyer_postal_code, buyer_nuts, buyer_company_id, buyer_phone, buyer_email,
      buyer_legal_type (default la), buyer_activity (default gen-pub), review_body_name,
      review_body_city, review_body_company_id, documents_url, submission_url (default
      documents_url), language (default from country).

  report round ROUND [--format html|csv] [-o FILE]
      The round's evaluation: rank, points per criterion, total and flags per bid and lot.
  report letter ROUND SUPPLIER [-o FILE]
      The award decision letter to one tenderer with the reasons and the selected tender's
      relative advantages (Art. 55). HTML.
  report art84 ROUND [-o FILE]
      The individual procurement report of the round (Art. 84). HTML.
  report dashboard DPS [--format html|csv] [-o FILE]
      Value awarded, value by transport distance, km and CO2e per kg of food, organic and
      quality-scheme shares against the 15 % and 20 % targets, suppliers, small enterprises.
  report compliance DPS [--format html|csv] [--calendars DIR] [-o FILE]
      Admission decisions within 10/15 working days, tender periods, award notices due,
      single-bid lots, abnormally low bids, audit chain. DIR holds the holiday calendars
      (default: the sources' data/calendars).
      CSV cells beginning with = + - @ are prefixed with ' so spreadsheets never run them.

  verify-evaluation FILE [--schema-dir DIR]
      Recomputes every score and every ranking of an exported evaluation from the file alone and
      prints every difference. Exit code 0 when everything agrees, 1 when anything differs.

  help
      This text.

Exit codes: 0 done, 1 failed or differences found, 2 wrong usage.
)";
}

int runReportCommand(const std::vector<std::string>& args, core::Store& store, std::ostream& out, std::ostream& err) {
  const core::SystemClock clock;
  return runReportCommand(args, store, clock, out, err);
}

int runReportCommand(const std::vector<std::string>& args, core::Store& store, const core::Clock& clock,
                     std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << reportCommandHelp();
    return kUsage;
  }
  const std::string& command = args[0];
  try {
    if (command == "help" || command == "--help" || command == "-h") {
      out << reportCommandHelp();
      return kOk;
    }
    for (const std::string& a : args)
      if (a == "--help" || a == "-h") {
        out << reportCommandHelp();
        return kOk;
      }
    const Options o = parseOptions(args);
    if (command == "export") return runExport(o, store, clock, out, err);
    if (command == "verify-evaluation") return runVerify(o, out);
    if (command == "report") return runReport(o, store, clock, out, err);
    if (command == "notice") return runNotice(o, store, clock, out, err);
    err << "unknown command '" << command << "'\n\n" << reportCommandHelp();
    return kUsage;
  } catch (const Error& e) {
    err << "error (" << core::errorCodeName(e.code()) << "): " << e.what() << "\n";
    return e.code() == ErrorCode::kInvalidArgument && command != "verify-evaluation" ? kUsage : kFailed;
  }
}

}  // namespace reports
