// The report pages rendered in headless Chromium (when /usr/bin/chromium is installed) and saved
// as screenshots under the build tree (tests/reports/screenshots/*.png) for a person to look at.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "reports/reports.h"
#include "tests/reports/round_scene.h"

namespace {

reports::ReportOptions stamped(const std::string& iso) {
  reports::ReportOptions o;
  o.generated_at = dps_test::EngineFixture::at(iso);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report_screenshots)

BOOST_FIXTURE_TEST_CASE(pages_render_in_headless_chromium, dps_test::RoundScene) {
  const char* chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) {
    BOOST_TEST_MESSAGE("skipped: /usr/bin/chromium is not installed");
    return;
  }
  awardRound();
  const std::string shots = std::string(DPS_REPORTS_SCREENSHOT_DIR);
  std::filesystem::create_directories(shots);
  const std::vector<std::pair<std::string, std::string>> pages{
      {"round", reports::roundEvaluationHtml(*store, round_id, stamped("2026-03-20T10:00:00Z"))},
      {"letter", reports::awardLetterHtml(*store, round_id, farm_a.id, stamped("2026-03-20T10:00:00Z"))},
      {"art84", reports::article84Html(*store, round_id, stamped("2026-03-20T10:00:00Z"))},
      {"dashboard", reports::dashboardHtml(*store, scene_dps.id, stamped("2026-03-20T10:00:00Z"))},
      {"compliance", reports::complianceHtml(*store, scene_dps.id, calendar(), stamped("2026-06-01T10:00:00Z"))}};
  // One Chromium per page, all at once: each spends most of its few seconds waiting, not computing.
  std::string script;
  for (const auto& [name, html] : pages) {
    const std::string file = shots + "/" + name + ".html";
    const std::string png = shots + "/" + name + ".png";
    std::ofstream(file) << html;
    std::filesystem::remove(png);
    script += std::string(chromium) +
              " --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 --user-data-dir=" +
              shots + "/profile-" + name + " --screenshot=" + png + " file://" + file + " >/dev/null 2>&1 &\n";
  }
  script += "wait\n";
  BOOST_TEST(std::system(script.c_str()) == 0);
  for (const auto& [name, html] : pages) {
    const std::string png = shots + "/" + name + ".png";
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists(png), png);
    std::ifstream in(png, std::ios::binary);
    char signature[8] = {};
    in.read(signature, 8);
    BOOST_TEST(std::string(signature + 1, 3) == "PNG", name);
    BOOST_TEST(std::filesystem::file_size(png) > 10000u, name);
  }
}

BOOST_AUTO_TEST_SUITE_END()
