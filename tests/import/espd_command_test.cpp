// `dps import espd FILE --category ID [--schema-dir DIR] [--dispatch SPEC] [--apply]`: every official
// ESPD response example previewed through the command, one filed end to end as a pending admission
// request with its supplier, and the refusals that leave the store untouched; on SQLite and MariaDB.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/audit.h"
#include "core/engine.h"
#include "core/error.h"
#include "core/sealer.h"
#include "import/espd_admission.h"
#include "import/espd_reader.h"
#include "import/import_command.h"
#include "tests/import/import_world.h"
#include "tests/support/paths.h"

using import_test::ImportWorld;

namespace {

using dps_test::readFile;

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

const std::string kDispatch = "Kmetija;Zg. Bitnje 1, 4209 Zabnica;46,2389;14.3556";

std::optional<std::string> examplesDir() {
  const auto dir = dps_test::standardsDir("espd-edm");
  if (!dir) return std::nullopt;
  return *dir + "/ubl-2.3/examples";
}

std::string writeFile(const std::string& name, const std::string& text) {
  static const std::string dir = dps_test::tempDir("espd-command");
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The example with its operator's identifier replaced by `tax`, so that cases sharing a store
// each have their own supplier.
std::string exampleAs(const std::string& example, const std::string& tax, const std::string& name) {
  const std::string xml = readFile(*examplesDir() + "/" + example);
  const std::string old = importer::readEspdResponse(xml, {}).economic_operator.identifier;
  std::string out = xml;
  for (std::size_t at = out.find(">" + old + "<"); at != std::string::npos; at = out.find(">" + old + "<", at))
    out.replace(at + 1, old.size(), tax);
  return writeFile(name, out);
}

Run command(ImportWorld& w, const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  Run r;
  r.code = importer::runImportCommand(args, w.store, w.clock, nullptr, import_test::cpvListPath(), out, err, false);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<core::AdmissionRequest> admissions(ImportWorld& w, core::Id supplier_id) {
  std::vector<core::AdmissionRequest> out;
  w.store.transact([&](core::Tx& tx) { out = tx.listSupplierAdmissions(supplier_id); });
  return out;
}

std::vector<core::AuditEntry> auditSince(ImportWorld& w, std::int64_t after) {
  std::vector<core::AuditEntry> out;
  w.store.transact([&](core::Tx& tx) { out = tx.listAudit(after + 1, 100); });
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(espd_command)

ON_BOTH_STORES(every_official_response_example_is_previewed) {
  const auto dir = examplesDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  const std::int64_t head = import_test::auditHead(w.store);
  int previewed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("Response") == std::string::npos) continue;
    BOOST_TEST_CONTEXT(name) {
      const std::string tax = w.tag + "-" + std::to_string(previewed);
      const std::string file = exampleAs(name, tax, w.tag + "-" + name);
      const importer::EspdResponse r = importer::readEspdResponseFile(file, {});
      const std::vector<std::string> args{"espd", file, "--category", std::to_string(w.category_id)};

      const Run without = command(w, args);
      BOOST_TEST(without.code == 1);
      BOOST_TEST(has(without.out, "no supplier with tax number " + tax + " is stored"), without.out);
      BOOST_TEST(has(without.out, "--dispatch"));

      std::vector<std::string> with = args;
      with.insert(with.end(), {"--dispatch", kDispatch, "--schema-dir", *dps_test::standardsDir("espd-edm")});
      const Run p = command(w, with);
      BOOST_TEST(p.code == 0, p.out + p.err);
      BOOST_TEST(has(p.out, "ESPD-EDM " + r.version), p.out);
      BOOST_TEST(has(p.out, "  name: " + r.economic_operator.name));
      BOOST_TEST(has(p.out, "  tax/company id: " + tax));
      BOOST_TEST(has(p.out, "  e-mail: " + (r.economic_operator.email.empty() ? "-" : r.economic_operator.email)));
      BOOST_TEST(has(p.out, "  address: "));
      BOOST_TEST(has(p.out, "not stored: would be registered with dispatch point 'Kmetija'"));
      BOOST_TEST(has(p.out, "Category: VEG 'Vegetables' (id " + std::to_string(w.category_id) + ")"));
      BOOST_TEST(has(p.out, "DPS: DPS-" + w.tag));
      BOOST_TEST(has(p.out, "Answers: " + std::to_string(r.answers.size())));
      // Every answer has its own line after the "Answers:" line.
      const std::string answers = p.out.substr(p.out.find("Answers: "));
      BOOST_TEST(static_cast<std::size_t>(std::count(answers.begin(), answers.end(), '\n')) == r.answers.size() + 2);
      BOOST_TEST(has(p.out, "Preview: nothing was written"));
      BOOST_TEST(!w.supplier(tax));
      ++previewed;
    }
  }
  BOOST_TEST(previewed == 3);
  BOOST_TEST(import_test::auditHead(w.store) == head);
}

ON_BOTH_STORES(applied_response_files_a_pending_request_for_a_new_supplier) {
  if (!examplesDir()) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  const std::string tax = w.tag + "-V4";
  const std::string file = exampleAs("ESPD-Response-v4.1.0.xml", tax, w.tag + "-v4.xml");
  const std::int64_t head = import_test::auditHead(w.store);
  const std::vector<std::string> args{"espd", file, "--category", std::to_string(w.category_id), "--dispatch",
                                      kDispatch,  "--apply"};
  const Run r = command(w, args);
  BOOST_TEST_REQUIRE(r.code == 0, r.out + r.err);
  BOOST_TEST(has(r.out, "registered; admission request"), r.out);

  const auto supplier = w.supplier(tax);
  BOOST_TEST_REQUIRE(supplier.has_value());
  const importer::EspdResponse espd = importer::readEspdResponseFile(file, {});
  BOOST_TEST(supplier->name == espd.economic_operator.name);
  BOOST_TEST(supplier->country == "BE");
  BOOST_TEST(supplier->email == espd.economic_operator.email);
  BOOST_TEST_REQUIRE(supplier->dispatch_points.size() == 1u);
  BOOST_TEST(supplier->dispatch_points[0].name == "Kmetija");
  BOOST_TEST(supplier->dispatch_points[0].address == "Zg. Bitnje 1, 4209 Zabnica");
  BOOST_TEST(supplier->dispatch_points[0].location.lat == 46.2389, boost::test_tools::tolerance(1e-9));

  const auto requests = admissions(w, supplier->id);
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].category_id == w.category_id);
  BOOST_TEST(std::string(core::toString(requests[0].status)) == "pending");
  BOOST_TEST(core::formatTime(requests[0].received_at) == core::formatTime(w.clock.now()));
  BOOST_TEST(requests[0].self_declaration == importer::selfDeclarationText(espd));

  const auto entries = auditSince(w, head);
  BOOST_TEST_REQUIRE(entries.size() == 2u);
  BOOST_TEST(entries[0].action == "supplier.register");
  BOOST_TEST(entries[0].object == "supplier:" + std::to_string(supplier->id));
  BOOST_TEST(entries[1].action == "admission.request");
  BOOST_TEST(entries[1].object == "admission:" + std::to_string(requests[0].id));
  BOOST_TEST(entries[1].actor == "dps import");

  // Again: the supplier is now stored (so --dispatch is refused), and without it the pending
  // request stops a second one (rule 3); nothing is written either time.
  const Run again = command(w, args);
  BOOST_TEST(again.code == 1);
  BOOST_TEST(has(again.out, "--dispatch is only for registering a new supplier"), again.out);
  const Run second = command(w, {"espd", file, "--category", std::to_string(w.category_id), "--apply"});
  BOOST_TEST(second.code == 1);
  BOOST_TEST(has(second.out, "stored: supplier " + std::to_string(supplier->id)), second.out);
  BOOST_TEST(has(second.out, "waiting for a decision"), second.out);
  BOOST_TEST(admissions(w, supplier->id).size() == 1u);
  BOOST_TEST(import_test::auditHead(w.store) == head + 2);
}

ON_BOTH_STORES(stored_supplier_gets_its_request_through_the_products_engine) {
  if (!examplesDir()) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  const std::string tax = w.tag + "-V3";
  const std::string csv =
      "tax_number,name,address,email,sme,dispatch_point,dispatch_address,dispatch_lat,dispatch_lon,certificate,"
      "certificate_number,certificate_valid_until\n" +
      tax + ",Kmetija Stored,Cesta 1,stored@example.si,yes,Farm,Cesta 1,46.1,14.2,,,\n";
  BOOST_TEST_REQUIRE(w.apply(importer::Kind::kSuppliers, csv).ok());
  const core::Id id = w.supplier(tax)->id;
  const std::string file = exampleAs("ESPD-Response-v3.3.0.xml", tax, w.tag + "-v3.xml");
  const std::int64_t head = import_test::auditHead(w.store);

  // The overload the product's composition root uses, with its own engine.
  const core::CalendarRegistry calendars =
      core::CalendarRegistry::loadDirectory(dps_test::sourceDir() + "/data/calendars");
  const core::Sealer sealer(core::Sealer::Key{});
  core::Engine engine(w.store, w.clock, calendars, sealer);
  importer::ImportContext context(w.store, w.clock);
  context.calendars = &calendars;
  context.engine = &engine;
  std::ostringstream out;
  std::ostringstream err;
  const int code = importer::runImportCommand(
      {"espd", file, "--category", std::to_string(w.category_id), "--apply"}, context, out, err);
  BOOST_TEST_REQUIRE(code == 0, out.str() + err.str());
  BOOST_TEST(has(out.str(), "stored: supplier " + std::to_string(id) + " 'Kmetija Stored', matched by tax number"));
  BOOST_TEST(has(out.str(), "differs from the stored record"), out.str());
  BOOST_TEST(has(out.str(), "name: stored 'Kmetija Stored', ESPD '"));
  // A stored supplier is not changed by an ESPD.
  BOOST_TEST(w.supplier(tax)->name == "Kmetija Stored");
  const auto requests = admissions(w, id);
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(std::string(core::toString(requests[0].status)) == "pending");
  BOOST_TEST(has(requests[0].self_declaration, "ESPD-EDM 3.3.0"));
  const auto entries = auditSince(w, head);
  BOOST_TEST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].action == "admission.request");
}

ON_BOTH_STORES(refusals_write_nothing) {
  if (!examplesDir()) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  const std::string tax = w.tag + "-R";
  const std::string file = exampleAs("BASIC-ESPDResponse-v2.1.1.xml", tax, w.tag + "-v2.xml");
  const std::int64_t head = import_test::auditHead(w.store);
  const std::string category = std::to_string(w.category_id);

  const Run unknown = command(w, {"espd", file, "--category", "999999", "--dispatch", kDispatch, "--apply"});
  BOOST_TEST(unknown.code == 1);
  BOOST_TEST(has(unknown.out, "there is no category with id 999999"), unknown.out);

  const Run no_dispatch = command(w, {"espd", file, "--category", category, "--apply"});
  BOOST_TEST(no_dispatch.code == 1);
  BOOST_TEST(has(no_dispatch.out, "Nothing was written"));

  core::Id draft_category = 0;
  w.store.transact([&](core::Tx& tx) {
    core::Dps d;
    d.authority_id = w.authority_id;
    d.reference = "DRAFT-" + w.tag;
    d.title = "Draft";
    d.cpv = "15000000";
    d.request_deadline = core::parseTime("2026-05-01T00:00:00Z");
    d.valid_until = core::parseTime("2029-12-31T00:00:00Z");
    core::Category c;
    c.dps_id = tx.insertDps(d);
    c.code = "FRUIT";
    c.name = "Fruit";
    draft_category = tx.insertCategory(c);
  });
  const Run draft =
      command(w, {"espd", file, "--category", std::to_string(draft_category), "--dispatch", kDispatch, "--apply"});
  BOOST_TEST(draft.code == 1);
  BOOST_TEST(has(draft.out, "is still a draft"), draft.out);

  const Run csv = command(w, {"espd", writeFile(w.tag + "-not.xml", "tax_number,name\n1,x\n"), "--category", category,
                              "--dispatch", kDispatch, "--apply"});
  BOOST_TEST(csv.code == 1);
  BOOST_TEST(has(csv.out, "Nothing was written"), csv.out);

  BOOST_TEST(!w.supplier(tax));
  BOOST_TEST(import_test::auditHead(w.store) == head);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  ImportWorld w(import_test::storeFor("sqlite"));
  const std::string file = writeFile(w.tag + "-x.xml", "<x/>");
  BOOST_TEST(command(w, {"espd", file}).code == 2);
  BOOST_TEST(command(w, {"espd", file, "--category", "zero"}).code == 2);
  BOOST_TEST(command(w, {"espd", file, "--category", "1", "--round", "1"}).code == 2);
  const Run bad_dispatch = command(w, {"espd", file, "--category", "1", "--dispatch", "Farm;Street;146;14"});
  BOOST_TEST(bad_dispatch.code == 2);
  BOOST_TEST(has(bad_dispatch.err, "latitude '146'"), bad_dispatch.err);
  BOOST_TEST(command(w, {"espd", file, "--category", "1", "--dispatch", "Farm;14"}).code == 2);
  BOOST_TEST(command(w, {"espd", "/nonexistent.xml", "--category", "1"}).code == 2);
  BOOST_TEST(command(w, {"espd", file, "--category", "1", "--schema-dir", "/nonexistent/espd"}).code == 2);
  BOOST_TEST(command(w, {"products", file, "--category", "1"}).code == 2);
  const Run help = command(w, {"--help"});
  BOOST_TEST(has(help.out, "dps import espd FILE --category ID"));
}

BOOST_AUTO_TEST_CASE(dispatch_spec_is_parsed_with_decimal_comma) {
  const core::DispatchPoint p = importer::parseDispatchSpec(" Hub ; Cesta 2, Kranj ; 46,25 ; -14.5 ");
  BOOST_TEST(p.name == "Hub");
  BOOST_TEST(p.address == "Cesta 2, Kranj");
  BOOST_TEST(p.location.lat == 46.25);
  BOOST_TEST(p.location.lon == -14.5);
  BOOST_CHECK_THROW(importer::parseDispatchSpec("Hub;;46;14"), core::Error);
  BOOST_CHECK_THROW(importer::parseDispatchSpec("Hub;Street;46;190"), core::Error);
}

BOOST_AUTO_TEST_SUITE_END()
