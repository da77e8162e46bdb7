// `dps import <kind> FILE [--apply] [--round ID]`: preview by default, --apply commits, exit codes,
// the report on standard output, usage errors and progress on standard error.

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "import/import_command.h"
#include "tests/import/import_world.h"
#include "tests/support/paths.h"

using import_test::ImportWorld;

namespace {

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

std::string writeFile(const std::string& name, const std::string& text) {
  static const std::string dir = dps_test::tempDir("import-command");
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

Run command(ImportWorld& w, const std::vector<std::string>& args, bool progress = false) {
  std::ostringstream out;
  std::ostringstream err;
  Run r;
  r.code = importer::runImportCommand(args, w.store, w.clock, nullptr, import_test::cpvListPath(), out, err, progress);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string points(const ImportWorld& w) {
  return "authority,code,name,address,lat,lon\n" + w.authority + ",OS-A,OŠ A,Cesta 1,46.2389,14.3556\n" + w.authority +
         ",OS-B,OŠ B,Cesta 2,46.2461,14.3630\n";
}


}  // namespace

BOOST_AUTO_TEST_SUITE(import_command)

ON_BOTH_STORES(preview_is_the_default_and_apply_commits) {
  const std::string file = writeFile(w.tag + "-points.csv", points(w));
  const Run preview = command(w, {"delivery-points", file});
  BOOST_TEST(preview.code == 0);
  BOOST_TEST(preview.out.find("2 new") != std::string::npos, preview.out);
  BOOST_TEST(preview.out.find("Preview: nothing was written") != std::string::npos);
  BOOST_TEST(!w.deliveryPoint("OS-A"));
  const Run apply = command(w, {"delivery-points", file, "--apply"});
  BOOST_TEST(apply.code == 0);
  BOOST_TEST(apply.out.find("Applied in one transaction") != std::string::npos, apply.out);
  BOOST_TEST(w.deliveryPoint("OS-A").has_value());
  const Run again = command(w, {"delivery-points", "--apply", file});
  BOOST_TEST(again.code == 0);
  BOOST_TEST(again.out.find("2 unchanged") != std::string::npos, again.out);
}

ON_BOTH_STORES(file_with_problems_exits_1_and_lists_them) {
  const std::string file = writeFile(w.tag + "-bad.csv", points(w) + w.authority + ",OS-C,OŠ C,Cesta 3,146,14.3\n");
  const Run r = command(w, {"delivery-points", file, "--apply"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find(file + ":4:") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("Nothing was written") != std::string::npos);
  BOOST_TEST(!w.deliveryPoint("OS-A"));
}

ON_BOTH_STORES(demand_needs_a_draft_round) {
  BOOST_TEST_REQUIRE(command(w, {"delivery-points", writeFile(w.tag + "-p.csv", points(w)), "--apply"}).code == 0);
  const std::string products = writeFile(w.tag + "-products.csv", "code,cpv,name_sl,name_en,unit,unit_mass_kg\n" +
                                                                     w.tag + "-APPLE,03222321,Jabolka,Apples,kg,1\n");
  const Run p = command(w, {"products", products, "--apply"});
  BOOST_TEST_REQUIRE(p.code == 0, p.out + p.err);
  const std::string demand = writeFile(w.tag + "-demand.csv", "lot,product,delivery_point_code,quantity,schedule\n1," +
                                                                  w.tag + "-APPLE,OS-A,50,weekly\n1," + w.tag +
                                                                  "-APPLE,OS-B,20,weekly\n");
  BOOST_TEST(command(w, {"demand", demand}).code == 2);
  const Run r = command(w, {"demand", demand, "--round", std::to_string(w.round_id), "--apply"});
  BOOST_TEST(r.code == 0, r.out + r.err);
  BOOST_TEST(w.lots(w.round_id).size() == 1u);
  const core::Id open = w.newRound(core::RoundStatus::kOpen);
  const Run refused = command(w, {"demand", demand, "--round", std::to_string(open), "--apply"});
  BOOST_TEST(refused.code == 1);
  BOOST_TEST(refused.err.find("not draft") != std::string::npos, refused.err);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  ImportWorld w(import_test::storeFor("sqlite"));
  BOOST_TEST(command(w, {}).code == 2);
  const Run unknown = command(w, {"farms", "x.csv"});
  BOOST_TEST(unknown.code == 2);
  BOOST_TEST(unknown.err.find("delivery-points") != std::string::npos);
  BOOST_TEST(command(w, {"products", "/nonexistent/file.csv"}).code == 2);
  BOOST_TEST(command(w, {"products", "x.csv", "--force"}).code == 2);
  BOOST_TEST(command(w, {"products", "x.csv", "--round", "3"}).code == 2);
  BOOST_TEST(command(w, {"demand", "x.csv", "--round", "zero"}).code == 2);
  const Run help = command(w, {"--help"});
  BOOST_TEST(help.code == 0);
  BOOST_TEST(help.out.find("usage: dps import") != std::string::npos);
  BOOST_TEST(help.out.find("road-distances: tax_number") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(progress_goes_to_standard_error_when_asked) {
  ImportWorld w(import_test::storeFor("sqlite"));
  const std::string file = writeFile(w.tag + "-points.csv", points(w));
  const Run quiet = command(w, {"delivery-points", file});
  BOOST_TEST(quiet.err.empty());
  const Run shown = command(w, {"delivery-points", file}, true);
  BOOST_TEST(shown.err.find("\rreading " + file + ": 2 rows") != std::string::npos, shown.err);
  BOOST_TEST(shown.err.back() == '\n');
  BOOST_TEST(shown.out == quiet.out);
}

BOOST_AUTO_TEST_SUITE_END()
