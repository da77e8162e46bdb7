// OCDS 1.1.5: a round's release package is valid against the OCDS_DIR release package schema at
// the tender stage and after the award, marks the DPS through the techniques extension and names
// the award; the validator itself accepts the official examples and rejects broken packages.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "core/error.h"
#include "reports/ocds.h"
#include "tests/reports/json_schema_subset.h"
#include "tests/reports/round_scene.h"
#include "tests/support/paths.h"

#include <fstream>
#include <sstream>

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::optional<dps_test::JsonSchemaSubset> packageSchema() {
  const auto dir = dps_test::standardsDir("ocds");
  if (!dir) return std::nullopt;
  return dps_test::JsonSchemaSubset({*dir + "/schema/release-package-schema.json", *dir + "/schema/release-schema.json"});
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

Object::Ptr firstRelease(const Poco::Dynamic::Var& package) {
  return package.extract<Object::Ptr>()->getArray("releases")->getObject(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ocds)

BOOST_FIXTURE_TEST_CASE(round_release_package_is_valid_and_marks_the_dps, dps_test::RoundScene) {
  const auto schema = packageSchema();
  if (!schema) {
    BOOST_TEST_MESSAGE("skipped: OCDS_DIR does not exist");
    return;
  }
  reports::OcdsOptions options;
  options.published_at = at("2026-03-25T09:00:00Z");
  const std::string evaluated = reports::ocdsReleasePackage(*store, round_id, options);
  BOOST_TEST(schema->validate(dps_test::parseJson(evaluated)).empty(),
             joined(schema->validate(dps_test::parseJson(evaluated))));

  awardRound();
  const std::string json = reports::ocdsReleasePackage(*store, round_id, options);
  const Poco::Dynamic::Var package = dps_test::parseJson(json);
  const std::vector<std::string> problems = schema->validate(package);
  BOOST_TEST(problems.empty(), joined(problems));

  const Object::Ptr root = package.extract<Object::Ptr>();
  BOOST_TEST(root->getValue<std::string>("version") == "1.1");
  BOOST_TEST(root->getArray("extensions")->getElement<std::string>(0) == reports::kOcdsTechniquesExtension);
  const Object::Ptr release = firstRelease(package);
  BOOST_TEST(release->getValue<std::string>("ocid") == "ocds-dpslf0-" + round(round_id).reference);
  const Object::Ptr tender = release->getObject("tender");
  BOOST_TEST(tender->getObject("techniques")->getValue<bool>("hasDynamicPurchasingSystem"));
  BOOST_TEST(tender->getValue<std::string>("procurementMethod") == "selective");
  BOOST_TEST(tender->getValue<std::string>("status") == "complete");
  BOOST_TEST(tender->getValue<int>("numberOfTenderers") == 3);
  BOOST_TEST(tender->getArray("items")->getObject(0)->getValue<int>("quantity") == 100);
  const Array::Ptr awards = release->getArray("awards");
  BOOST_REQUIRE_EQUAL(awards->size(), 1u);
  BOOST_TEST(awards->getObject(0)->getObject("value")->getValue<double>("amount") == 110.0);
  BOOST_TEST(awards->getObject(0)->getArray("suppliers")->getObject(0)->getValue<std::string>("name") == "Kmetija C");
  const Object::Ptr related = release->getArray("relatedProcesses")->getObject(0);
  BOOST_TEST(related->getArray("relationship")->getElement<std::string>(0) == "framework");
  BOOST_TEST(related->getValue<std::string>("identifier") == "ocds-dpslf0-" + dps(scene_dps.id).reference);
  // Exact decimals: the awarded unit price is written as 1.1, not a binary approximation.
  BOOST_TEST(json.find("\"amount\":1.1,") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(undispatched_round_has_no_release, dps_test::EngineFixture) {
  const dps_test::DpsHandle d = publishedDps();
  const core::Id point = deliveryPoint("OS-1");
  startRounds();
  const core::Id r = createRound(d, d.categories[0], {lot(1, point, "10")});
  BOOST_CHECK_EXCEPTION(reports::ocdsReleasePackage(*store, r, {}), core::Error,
                        [](const core::Error& e) { return e.code() == core::ErrorCode::kConflict; });
}

BOOST_AUTO_TEST_CASE(validator_accepts_the_official_examples_and_rejects_broken_packages) {
  const auto schema = packageSchema();
  if (!schema) {
    BOOST_TEST_MESSAGE("skipped: OCDS_DIR does not exist");
    return;
  }
  const std::string examples = *dps_test::standardsDir("ocds") + "/examples/";
  for (const char* name : {"tender.json", "award.json", "contract.json", "planning.json", "tenderUpdate.json"}) {
    std::ifstream in(examples + name);
    std::stringstream text;
    text << in.rdbuf();
    const std::vector<std::string> problems = schema->validate(dps_test::parseJson(text.str()));
    BOOST_TEST(problems.empty(), name << ":\n" << joined(problems));
  }
  const std::string broken =
      R"({"uri":"not a uri","version":"1.1","publishedDate":"yesterday","publisher":{"name":"x"},)"
      R"("releases":[{"id":"1","date":"2026-01-01T00:00:00Z","tag":["bogus"],"initiationType":"tender"}]})";
  const std::string problems = joined(schema->validate(dps_test::parseJson(broken)));
  BOOST_TEST(problems.find("/uri: 'not a uri' is not a URI") != std::string::npos, problems);
  BOOST_TEST(problems.find("/publishedDate") != std::string::npos);
  BOOST_TEST(problems.find("/releases/0: required property 'ocid' is missing") != std::string::npos);
  BOOST_TEST(problems.find("/releases/0/tag/0") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
