// HTML and CSV reports: CSV formula injection neutralised; the round evaluation report, the award
// letter (Art. 55), the Art. 84 report, the dashboard and the compliance report of a hand-built round
// say what the round did (screenshots: screenshots_test.cpp).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "reports/csv.h"
#include "reports/report_command.h"
#include "reports/reports.h"
#include "tests/reports/round_scene.h"
#include "tests/support/paths.h"

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Cells of simple CSV (quoted cells may hold commas and doubled quotes; no line breaks in cells here).
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          cell += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell += c;
      }
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

reports::ReportOptions stamped(const std::string& iso) {
  reports::ReportOptions o;
  o.generated_at = dps_test::EngineFixture::at(iso);
  return o;
}

void renameSupplier(core::Store& store, core::Id id, const std::string& name) {
  store.transact([&](core::Tx& tx) {
    core::Supplier s = *tx.getSupplier(id);
    s.name = name;
    tx.updateSupplier(s);
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reports_html_csv)

BOOST_AUTO_TEST_CASE(csv_cells_that_start_a_formula_are_neutralised) {
  BOOST_TEST(reports::csvCell("=SUM(A1:A9)") == "'=SUM(A1:A9)");
  BOOST_TEST(reports::csvCell("+386 4 123") == "'+386 4 123");
  BOOST_TEST(reports::csvCell("-2") == "'-2");
  BOOST_TEST(reports::csvCell("@cmd") == "'@cmd");
  BOOST_TEST(reports::csvCell("\tx") == "'\tx");
  BOOST_TEST(reports::csvCell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  BOOST_TEST(reports::csvCell("Kmetija, d.o.o.") == "\"Kmetija, d.o.o.\"");
  BOOST_TEST(reports::csvCell("a=b") == "a=b");
  BOOST_TEST(reports::csvCell("2.40") == "2.40");
  BOOST_TEST(reports::csvCell("") == "");
}

BOOST_FIXTURE_TEST_CASE(round_csv_neutralises_a_hostile_supplier_name, dps_test::RoundScene) {
  renameSupplier(*store, farm_a.id, "=cmd|'/c calc'!A1");
  renameSupplier(*store, farm_b.id, "@SUM(1+1)");
  const std::string csv = reports::roundEvaluationCsv(*store, round_id);
  const auto rows = parseCsv(csv);
  BOOST_REQUIRE_EQUAL(rows.size(), 4u);  // header and three bids
  for (const auto& row : rows)
    for (const std::string& cell : row)
      BOOST_TEST((cell.empty() || (cell[0] != '=' && cell[0] != '+' && cell[0] != '-' && cell[0] != '@')), cell);
  BOOST_TEST(contains(csv, "'=cmd|'/c calc'!A1"));
  BOOST_TEST(contains(csv, "'@SUM(1+1)"));
  // The rows are the ranking: C first with 84 points, then B, then A.
  BOOST_TEST(rows[1][5] == "Kmetija C");
  BOOST_TEST(rows[1][3] == "1");
  BOOST_TEST(rows[1][rows[0].size() - 5] == "84.000");
  BOOST_TEST(rows[1][rows[0].size() - 2] == "yes");  // abnormally low
}

BOOST_FIXTURE_TEST_CASE(round_report_page_shows_ranking_and_escapes_text, dps_test::RoundScene) {
  renameSupplier(*store, farm_b.id, "Kmetija <b>B</b> & sin");
  const std::string page = reports::roundEvaluationHtml(*store, round_id, stamped("2026-03-20T10:00:00Z"));
  BOOST_TEST(contains(page, "<!DOCTYPE html>"));
  BOOST_TEST(contains(page, "Kmetija &lt;b&gt;B&lt;/b&gt; &amp; sin"));
  BOOST_TEST(!contains(page, "<b>B</b>"));
  BOOST_TEST(!contains(page, "<script"));
  BOOST_TEST(contains(page, "<svg"));
  BOOST_TEST(contains(page, "84.000"));
  BOOST_TEST(contains(page, "abnormally low"));
  BOOST_TEST(page.find("Kmetija C") < page.find("Kmetija A"));
}

BOOST_FIXTURE_TEST_CASE(award_letter_gives_reasons_and_the_winners_advantages, dps_test::RoundScene) {
  BOOST_CHECK_EXCEPTION(reports::awardLetterHtml(*store, round_id, farm_a.id, stamped("2026-03-20T10:00:00Z")),
                        core::Error, [](const core::Error& e) { return e.code() == core::ErrorCode::kConflict; });
  awardRound();
  const std::string lost = reports::awardLetterHtml(*store, round_id, farm_a.id, stamped("2026-03-20T10:00:00Z"));
  BOOST_TEST(contains(lost, "Article 55(2)"));
  BOOST_TEST(contains(lost, "ranked 3"));
  BOOST_TEST(contains(lost, "Selected tender: <strong>Kmetija C</strong>"));
  BOOST_TEST(contains(lost, "selected tender +27.000"));  // price: 60 against 33 points
  BOOST_TEST(contains(lost, "your tender +4.000"));       // freshness: 8 against 4 points
  BOOST_TEST(contains(lost, "standstill"));
  const std::string won = reports::awardLetterHtml(*store, round_id, farm_c.id, stamped("2026-03-20T10:00:00Z"));
  BOOST_TEST(contains(won, "Your tender is selected for 100 kg at a value of EUR 110.00"));
  const dps_test::SupplierHandle stranger = registerSupplier("Kmetija X");
  BOOST_CHECK_EXCEPTION(reports::awardLetterHtml(*store, round_id, stranger.id, stamped("2026-03-20T10:00:00Z")),
                        core::Error, [](const core::Error& e) { return e.code() == core::ErrorCode::kNotFound; });
}

BOOST_FIXTURE_TEST_CASE(article_84_report_lists_invitees_low_bids_and_winners, dps_test::RoundScene) {
  awardRound();
  const std::string page = reports::article84Html(*store, round_id, stamped("2026-03-20T10:00:00Z"));
  BOOST_TEST(contains(page, "Individual report (Article 84)"));
  BOOST_TEST(contains(page, "EUR 110.00"));
  for (const char* name : {"Kmetija A", "Kmetija B", "Kmetija C"}) BOOST_TEST(contains(page, name), name);
  BOOST_TEST(contains(page, "accepted"));
  BOOST_TEST(contains(page, "surplus of the season, price confirmed"));
  BOOST_TEST(contains(page, "rank 1 under the published criteria"));
}

BOOST_FIXTURE_TEST_CASE(dashboard_sums_the_awarded_round, dps_test::RoundScene) {
  awardRound();
  const auto rows = parseCsv(reports::dashboardCsv(*store, scene_dps.id));
  std::map<std::string, std::string> m;
  for (const auto& r : rows)
    if (r.size() >= 2) m[r[0]] = r[1];
  BOOST_TEST(m["value awarded"] == "110.00");
  BOOST_TEST(m["food awarded"] == "100.000");
  BOOST_TEST(m["suppliers admitted"] == "3");
  BOOST_TEST(m["suppliers invited"] == "3");
  BOOST_TEST(m["suppliers bidding"] == "3");
  BOOST_TEST(m["suppliers winning"] == "1");
  BOOST_TEST(m["organic share"] == "0.00");  // C is neither organic nor in a quality scheme
  BOOST_TEST(m["value under 10 km"] == "110.00");  // C dispatches from next to the kitchens
  BOOST_TEST(m["SME share of value"] == "100.00");
  // C's distance is the quantity-weighted mean 257/250 km (60 kg at 0.448 km, 40 kg at 1.898 km).
  BOOST_TEST(m["average distance"] == "1.028");
  const std::string page = reports::dashboardHtml(*store, scene_dps.id, stamped("2026-03-20T10:00:00Z"));
  BOOST_TEST(contains(page, "target 15.0 %"));
  BOOST_TEST(contains(page, "target 20.0 %"));
  BOOST_TEST(contains(page, "<svg"));
}

BOOST_FIXTURE_TEST_CASE(compliance_shows_deadlines_low_bids_and_the_audit_chain, dps_test::RoundScene) {
  awardRound();
  // A request nobody decides becomes overdue after 10 working days.
  const dps_test::SupplierHandle late = registerSupplier("Kmetija Pozna");
  requestAdmission(late, scene_dps.categories[0]);
  const core::Calendar& cal = calendar();
  const auto rows = parseCsv(reports::complianceCsv(*store, scene_dps.id, cal, stamped("2026-06-01T10:00:00Z")));
  auto statusOf = [&](const std::string& section, const std::string& item_part) {
    for (const auto& r : rows)
      if (r.size() == 5 && r[0] == section && contains(r[1], item_part)) return r[4];
    return std::string("(none)");
  };
  BOOST_TEST(statusOf("admission (Art. 34(5))", "Kmetija A") == "ok");
  BOOST_TEST(statusOf("admission (Art. 34(5))", "Kmetija Pozna") == "overdue");
  BOOST_TEST(statusOf("tender period (Art. 34(2)(b))", round(round_id).reference) == "ok");
  BOOST_TEST(statusOf("award notice (Art. 50(3))", round(round_id).reference) == "overdue");
  BOOST_TEST(statusOf("abnormally low bid (Art. 69)", "Kmetija C") == "decided");
  BOOST_TEST(statusOf("audit chain", "entries") == "intact");
  // Before the award notice's 30 days run out it is only due.
  const auto early = parseCsv(reports::complianceCsv(*store, scene_dps.id, cal, stamped("2026-03-01T10:00:00Z")));
  bool due = false;
  for (const auto& r : early) due |= r.size() == 5 && r[0] == "award notice (Art. 50(3))" && r[4] == "due";
  BOOST_TEST(due);
  const std::string page = reports::complianceHtml(*store, scene_dps.id, cal, stamped("2026-06-01T10:00:00Z"));
  BOOST_TEST(contains(page, "admission (Art. 34(5))"));
  BOOST_TEST(contains(page, "1 to look at"));
  // Rule 13: once the officer records the notice's publication, it is settled.
  core::NoticePublication published;
  published.dps_id = scene_dps.id;
  published.round_id = round_id;
  published.reference = "00654321-2026";
  published.published_at = clock.now();
  engine->recordNoticePublication(officer, published);
  const auto after = parseCsv(reports::complianceCsv(*store, scene_dps.id, cal, stamped("2026-06-01T10:00:00Z")));
  bool settled = false;
  for (const auto& r : after)
    settled |= r.size() == 5 && r[0] == "award notice (Art. 50(3))" && r[4] == "ok" && contains(r[2], "00654321-2026");
  BOOST_TEST(settled);
}

BOOST_FIXTURE_TEST_CASE(report_command_writes_every_report, dps_test::RoundScene) {
  awardRound();
  const std::string out_dir = dps_test::tempDir("reports-command");
  const std::string round = std::to_string(round_id);
  const std::string dps = std::to_string(scene_dps.id);
  const std::vector<std::vector<std::string>> commands{
      {"report", "round", round, "-o", out_dir + "/round.html"},
      {"report", "round", round, "--format", "csv", "-o", out_dir + "/round.csv"},
      {"report", "letter", round, std::to_string(farm_a.id), "-o", out_dir + "/letter.html"},
      {"report", "art84", round, "-o", out_dir + "/art84.html"},
      {"report", "dashboard", dps, "-o", out_dir + "/dashboard.html"},
      {"report", "compliance", dps, "--format", "csv", "-o", out_dir + "/compliance.csv"},
      {"export", "ocds", round, "-o", out_dir + "/ocds.json"}};
  for (const auto& args : commands) {
    std::ostringstream out;
    std::ostringstream err;
    BOOST_TEST(reports::runReportCommand(args, *store, clock, out, err) == 0, args[1] << ": " << err.str());
    BOOST_TEST(std::filesystem::file_size(args.back()) > 100u, args.back());
  }
  std::ostringstream out;
  std::ostringstream err;
  BOOST_TEST(reports::runReportCommand({"report", "letter", round, "1", "--format", "csv"}, *store, clock, out, err) ==
             2);
  BOOST_TEST(reports::runReportCommand({"report", "nonsense", round}, *store, clock, out, err) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
