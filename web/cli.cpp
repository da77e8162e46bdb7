#include "web/cli.h"

#include <iostream>
#include <map>
#include <optional>

#include "core/audit.h"
#include "core/error.h"
#include "import/import_command.h"
#include "reports/report_command.h"
#include "web/server/server.h"
#include "web/config.h"
#include "web/demo.h"
#include "web/services.h"

namespace web {
namespace {

const char* kUsage =
    "Usage: dps <command> [options]\n"
    "\n"
    "Commands:\n"
    "  init [--demo]        create the database schema and the master key; --demo loads the demo data\n"
    "  demo                 run one complete purchasing round on the demo data and print the result\n"
    "  audit verify         check the audit log's hash chain; names any altered, removed or reordered entry\n"
    "  import KIND FILE     preview (or with --apply, load) a CSV file: delivery-points, suppliers,\n"
    "                       products, road-distances, demand (see dps import --help)\n"
    "  export WHAT ID       a procurement document as validated XML (dps, round, bids, evaluation, award,\n"
    "                       audit) or an OCDS release package (see dps export --help)\n"
    "  notice KIND ID       an eForms notice (contract notice 16, award notice 29)\n"
    "  report KIND ID       an HTML or CSV report for officers and auditors\n"
    "  verify-evaluation FILE  recompute every score and rank of an exported evaluation document\n"
    "  serve                start the web service (pages and JSON API) on http.address:http.port\n"
    "  help                 this text\n"
    "\n"
    "Options for every command:\n"
    "  --config PATH        configuration file (default: dps.properties)\n"
    "  --help               help for the command\n";

const std::map<std::string, std::string> kCommandHelp = {
    {"init",
     "Usage: dps init [--config PATH] [--demo]\n"
     "Creates or upgrades the database schema of the configured store (store.uri) and creates the\n"
     "master key file (sealing.key_file) when it is absent and DPS_MASTER_KEY is not set.\n"
     "--demo loads the demo data: the City of Kranj, its schools and kindergartens, Gorenjska farms,\n"
     "the product catalogue, a published DPS with six categories, and the admission of suppliers.\n"},
    {"demo",
     "Usage: dps demo [--config PATH]\n"
     "Runs one complete purchasing round on the demo data with the simulated clock: invitation to all\n"
     "admitted suppliers, bids, the deadline passing, opening, evaluation and award, and prints per lot\n"
     "the ranking with each criterion's points and the award. Loads the demo data first if needed.\n"},
    {"serve",
     "Usage: dps serve [--config PATH]\n"
     "Starts the web service: pages for officers, farmers and auditors and the JSON API under /api/v1,\n"
     "on http.address:http.port (default 127.0.0.1:8080). With the demo data and the simulated clock\n"
     "it creates the demo accounts and prints them. Stops gracefully on Ctrl-C (SIGINT) or SIGTERM.\n"},
    {"audit",
     "Usage: dps audit verify [--config PATH]\n"
     "Reads the whole audit log and checks its SHA-256 hash chain. Exit code 0 when intact, 1 when an\n"
     "entry was altered, removed or reordered (each one is named).\n"},
};

struct Parsed {
  std::string command;
  std::vector<std::string> positional;
  std::string config = "dps.properties";
  bool help = false;
  bool demo = false;
};

// Commands whose own options are parsed by the part of the product that runs them: every argument
// after the command but --config reaches it unchanged.
bool delegates(const std::string& command) {
  return command == "import" || command == "export" || command == "notice" || command == "report" ||
         command == "verify-evaluation";
}

Parsed parse(const std::vector<std::string>& args) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (delegates(p.command) && a != "--config" && a.rfind("--config=", 0) != 0) {
      p.positional.push_back(a);
    } else if (a == "--help" || a == "-h") {
      p.help = true;
    } else if (a == "--config") {
      if (i + 1 == args.size())
        throw core::Error(core::ErrorCode::kInvalidArgument, "--config needs a path, e.g. --config dps.properties");
      p.config = args[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      p.config = a.substr(9);
    } else if (a == "--demo") {
      p.demo = true;
    } else if (a.rfind("--", 0) == 0) {
      throw core::Error(core::ErrorCode::kInvalidArgument, "unknown option " + a + "; see dps --help");
    } else if (p.command.empty()) {
      p.command = a;
    } else {
      p.positional.push_back(a);
    }
  }
  return p;
}

int cmdInit(const Parsed& p) {
  Services services(loadConfig(p.config), /*create_key=*/true);
  std::cout << "store " << services.store().backend() << " ready at schema version " << services.schemaVersion()
            << "\n";
  if (p.demo) loadDemo(services, std::cout);
  return 0;
}

int cmdDemo(const Parsed& p) {
  Services services(loadConfig(p.config), /*create_key=*/true);
  if (!demoLoaded(services)) loadDemo(services, std::cout);
  runDemoRound(services, std::cout);
  return 0;
}

int cmdAudit(const Parsed& p) {
  if (p.positional.size() != 1 || p.positional[0] != "verify") {
    std::cerr << kCommandHelp.at("audit");
    return 2;
  }
  Services services(loadConfig(p.config));
  const core::AuditVerification v = core::verifyAudit(services.store());
  if (v.ok()) {
    std::cout << "audit log intact: " << v.entries << " entries, hash chain verified\n";
    return 0;
  }
  std::cout << "audit log NOT intact: " << v.problems.size() << " problem(s) in " << v.entries << " entries\n";
  for (const core::AuditProblem& problem : v.problems) std::cout << "  entry " << problem.seq << ": " << problem.what << "\n";
  std::cout << "Preserve the database file as evidence and inform the auditor.\n";
  return 1;
}

// The calendar that ends a certificate's last valid day: the country of the stored authorities
// when they share one; none (UTC) otherwise.
const core::Calendar* importCalendar(Services& services) {
  std::string country;
  bool shared = true;
  services.store().transact([&](core::Tx& tx) {
    for (const core::Authority& a : tx.listAuthorities()) {
      if (country.empty()) country = a.country;
      shared = shared && a.country == country;
    }
  });
  if (country.empty() || !shared) return nullptr;
  return &services.calendars().forCountry(country);
}

int cmdImport(const Parsed& p) {
  if (p.positional.empty() || p.positional[0] == "--help" || p.positional[0] == "-h") {
    std::cout << importer::importCommandUsage();
    return p.positional.empty() ? 2 : 0;
  }
  Services services(loadConfig(p.config));
  importer::ImportContext context(services.store(), services.clock());
  context.calendars = &services.calendars();
  context.calendar = importCalendar(services);
  context.engine = &services.engine();
  context.cpv_list_path = services.config().cpv_file;
  context.espd_schema_dir = services.config().espd_schema_dir;
  return importer::runImportCommand(p.positional, context, std::cout, std::cerr);
}

// export, notice, report and verify-evaluation: the reports part's own command line.
int cmdReports(const Parsed& p) {
  std::vector<std::string> args{p.command};
  args.insert(args.end(), p.positional.begin(), p.positional.end());
  if (p.positional.empty() || p.positional[0] == "--help" || p.positional[0] == "-h") {
    std::cout << reports::reportCommandHelp();
    return p.positional.empty() ? 2 : 0;
  }
  Services services(loadConfig(p.config));
  return reports::runReportCommand(args, services.store(), services.clock(), std::cout, std::cerr);
}

int cmdServe(const Parsed& p) {
  Services services(loadConfig(p.config), /*create_key=*/true);
  if (services.simulatedClock() != nullptr && demoLoaded(services)) createDemoAccounts(services, std::cout);
  return runServe(services, std::cout);
}

}  // namespace

int runCli(const std::vector<std::string>& args) {
  try {
    const Parsed p = parse(args);
    if (p.command.empty() || p.command == "help") {
      std::cout << kUsage;
      return p.command.empty() && !p.help ? 2 : 0;
    }
    if (p.help && !delegates(p.command)) {
      const auto it = kCommandHelp.find(p.command);
      std::cout << (it == kCommandHelp.end() ? kUsage : it->second);
      return 0;
    }
    if (p.command == "init") return cmdInit(p);
    if (p.command == "demo") return cmdDemo(p);
    if (p.command == "audit") return cmdAudit(p);
    if (p.command == "import") return cmdImport(p);
    if (p.command == "export" || p.command == "notice" || p.command == "report" || p.command == "verify-evaluation")
      return cmdReports(p);
    if (p.command == "serve") return cmdServe(p);
    std::cerr << "dps: unknown command '" << p.command << "'\n\n" << kUsage;
    return 2;
  } catch (const core::Error& e) {
    std::cerr << "dps: " << e.what() << "\n";
    return e.code() == core::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "dps: unexpected failure: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace web
