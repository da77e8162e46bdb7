// ESPD responses: every official example under ESPD_EDM_DIR read (and schema-validated), the
// supplier and self-declaration made from them, and hostile or wrong XML refused.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "import/espd_reader.h"
#include "tests/support/paths.h"

namespace {

using dps_test::readFile;

std::optional<std::string> examplesDir() {
  const auto dir = dps_test::standardsDir("espd-edm");
  if (!dir) return std::nullopt;
  return *dir + "/ubl-2.3/examples";
}

// A small valid-shaped response to build hostile variants from.
std::string minimal(const std::string& prolog, const std::string& name = "Kmetija Novak") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + prolog +
         "<QualificationApplicationResponse "
         "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2\" "
         "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" "
         "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"
         "<cbc:ProfileExecutionID schemeVersionID=\"4.1.0\">ESPD-EDMv4.1.0</cbc:ProfileExecutionID>\n"
         "<cbc:ID>ESPD-1</cbc:ID>\n"
         "<cac:EconomicOperatorParty><cac:Party>"
         "<cbc:IndustryClassificationCode>micro</cbc:IndustryClassificationCode>"
         "<cac:PartyIdentification><cbc:ID schemeAgencyID=\"FURS\">SI12345678</cbc:ID></cac:PartyIdentification>"
         "<cac:PartyName><cbc:Name>" + name + "</cbc:Name></cac:PartyName>"
         "<cac:PostalAddress><cbc:StreetName>Zg. Bitnje 1</cbc:StreetName><cbc:CityName>Žabnica</cbc:CityName>"
         "<cbc:PostalZone>4209</cbc:PostalZone><cac:Country><cbc:IdentificationCode>SVN</cbc:IdentificationCode>"
         "</cac:Country></cac:PostalAddress>"
         "<cac:Contact><cbc:ElectronicMail>novak@example.si</cbc:ElectronicMail></cac:Contact>"
         "</cac:Party></cac:EconomicOperatorParty>\n"
         "<cac:TenderingCriterion><cbc:ID>c1</cbc:ID><cbc:CriterionTypeCode>crime-org</cbc:CriterionTypeCode>"
         "<cbc:Name>Participation in a criminal organisation</cbc:Name>"
         "<cac:TenderingCriterionPropertyGroup><cac:TenderingCriterionProperty><cbc:ID>p1</cbc:ID>"
         "<cbc:Description>Your answer?</cbc:Description></cac:TenderingCriterionProperty>"
         "</cac:TenderingCriterionPropertyGroup></cac:TenderingCriterion>\n"
         "<cac:TenderingCriterionResponse><cbc:ID>r1</cbc:ID>"
         "<cbc:ValidatedCriterionPropertyID>p1</cbc:ValidatedCriterionPropertyID>"
         "<cac:ResponseValue><cbc:ID>v1</cbc:ID><cbc:ResponseIndicator>false</cbc:ResponseIndicator>"
         "</cac:ResponseValue></cac:TenderingCriterionResponse>\n"
         "</QualificationApplicationResponse>\n";
}

bool refusedSaying(const std::string& xml, const std::string& text, importer::EspdOptions options = {}) {
  try {
    importer::readEspdResponse(xml, options);
  } catch (const core::Error& e) {
    const bool ok = std::string(e.what()).find(text) != std::string::npos;
    if (!ok) BOOST_TEST_MESSAGE("refused, but with: " << e.what());
    return ok;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(espd_reader)

BOOST_AUTO_TEST_CASE(every_official_response_example_is_read_and_schema_valid) {
  const auto dir = examplesDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  importer::EspdOptions options;
  options.schema_dir = *dps_test::standardsDir("espd-edm");
  int read = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("Response") == std::string::npos) continue;
    BOOST_TEST_CONTEXT(name) {
      const importer::EspdResponse r = importer::readEspdResponseFile(entry.path().string(), options);
      BOOST_TEST(!r.version.empty());
      BOOST_TEST(name.find(r.version) != std::string::npos);
      BOOST_TEST(!r.economic_operator.name.empty());
      BOOST_TEST(!r.economic_operator.identifier.empty());
      BOOST_TEST(r.criteria.size() > 10u);
      BOOST_TEST(r.answers.size() > 10u);
      std::size_t linked = 0;
      for (const auto& a : r.answers) linked += a.criterion_type.empty() ? 0 : 1;
      BOOST_TEST(linked * 2 > r.answers.size());  // most answers name the criterion they answer
      const core::Supplier s = importer::supplierFromEspd(r);
      BOOST_TEST(s.tax_number == r.economic_operator.identifier);
      BOOST_TEST(s.country.size() == 2u);
      BOOST_TEST(s.is_sme);  // every example declares an SME ("SME" in 2.1.1, "sme" later)
      const std::string text = importer::selfDeclarationText(r);
      BOOST_TEST(text.find("ESPD-EDM " + r.version) == 0u);
      BOOST_TEST(text.find(r.economic_operator.name) != std::string::npos);
      ++read;
    }
  }
  BOOST_TEST(read == 3);
}

BOOST_AUTO_TEST_CASE(version_4_response_gives_operator_and_answers) {
  const auto dir = examplesDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  const auto r = importer::readEspdResponseFile(*dir + "/ESPD-Response-v4.1.0.xml", {});
  BOOST_TEST(r.version == "4.1.0");
  BOOST_TEST(r.contract_folder_id == "PP.20170419.1024-9");
  BOOST_TEST(r.economic_operator.identifier == "AD123456789");
  BOOST_TEST(r.economic_operator.size == "sme");
  BOOST_TEST(r.economic_operator.role == "group-mem");
  BOOST_TEST(r.economic_operator.country == "BEL");
  BOOST_TEST(importer::supplierFromEspd(r).country == "BE");
  bool crime_org = false;
  for (const auto& a : r.answers)
    if (a.property_id == "C1_EG_crime-org/QG1/Q1") crime_org = a.criterion_type == "crime-org" && a.kind == "indicator";
  BOOST_TEST(crime_org);
}

// The operator's fields have the limits every other way in applies (core::max_chars).
BOOST_AUTO_TEST_CASE(operator_values_too_long_to_store_are_refused) {
  importer::EspdResponse r;
  r.economic_operator.name = std::string(core::max_chars::kName, 'x');
  r.economic_operator.identifier = "SI12345678";
  BOOST_TEST(importer::supplierFromEspd(r).name.size() == core::max_chars::kName);
  r.economic_operator.name += "y";
  r.economic_operator.email = std::string(core::max_chars::kEmail, 'e') + "@x.si";
  try {
    importer::supplierFromEspd(r);
    BOOST_FAIL("an over-long operator name was accepted");
  } catch (const core::Error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("the operator's name (201 characters; at most 200)") != std::string::npos, what);
    BOOST_TEST(what.find("the operator's e-mail address (205 characters; at most 200)") != std::string::npos, what);
  }
}

BOOST_AUTO_TEST_CASE(request_documents_are_refused_as_not_a_response) {
  const auto dir = examplesDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  BOOST_TEST(refusedSaying(readFile(*dir + "/ESPD-Request-v4.1.0.xml"), "ESPD request"));
}

BOOST_AUTO_TEST_CASE(minimal_response_is_read_without_schema) {
  const auto r = importer::readEspdResponse(minimal(""), {});
  BOOST_TEST(r.version == "4.1.0");
  BOOST_TEST(r.economic_operator.name == "Kmetija Novak");
  BOOST_TEST(r.economic_operator.identifier_scheme == "FURS");
  BOOST_TEST_REQUIRE(r.answers.size() == 1u);
  BOOST_TEST(r.answers[0].criterion_type == "crime-org");
  BOOST_TEST(r.answers[0].question == "Your answer?");
  BOOST_TEST(r.answers[0].value == "false");
  const core::Supplier s = importer::supplierFromEspd(r);
  BOOST_TEST(s.address == "Zg. Bitnje 1, 4209 Žabnica");
  BOOST_TEST(s.country == "SI");
  BOOST_TEST(s.is_sme);
  BOOST_TEST(s.email == "novak@example.si");
}

BOOST_AUTO_TEST_CASE(predefined_entities_and_character_references_are_fine) {
  const auto r = importer::readEspdResponse(minimal("", "Novak &amp; sinovi &#x17E;"), {});
  BOOST_TEST(r.economic_operator.name == "Novak & sinovi ž");
}

BOOST_AUTO_TEST_CASE(billion_laughs_is_refused) {
  std::string dtd = "<!DOCTYPE QualificationApplicationResponse [\n<!ENTITY lol \"lol\">\n";
  std::string previous = "lol";
  for (int i = 1; i <= 9; ++i) {
    const std::string name = "lol" + std::to_string(i);
    dtd += "<!ENTITY " + name + " \"";
    for (int j = 0; j < 10; ++j) dtd += "&" + previous + ";";
    dtd += "\">\n";
    previous = name;
  }
  dtd += "]>\n";
  BOOST_TEST(refusedSaying(minimal(dtd, "&lol9;"), "document type declaration"));
}

BOOST_AUTO_TEST_CASE(external_entity_is_refused_and_never_read) {
  const std::string dtd = "<!DOCTYPE QualificationApplicationResponse [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n";
  BOOST_TEST(refusedSaying(minimal(dtd, "&xxe;"), "document type declaration"));
  const std::string external = "<!DOCTYPE QualificationApplicationResponse SYSTEM \"http://127.0.0.1:9/espd.dtd\">\n";
  BOOST_TEST(refusedSaying(minimal(external), "document type declaration"));
}

BOOST_AUTO_TEST_CASE(schema_location_hints_are_not_fetched) {
  if (!dps_test::standardsDir("espd-edm")) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  importer::EspdOptions options;
  options.schema_dir = *dps_test::standardsDir("espd-edm");
  std::string xml = minimal("");
  xml.insert(xml.find("xmlns:cac"), "xmlns:xi=\"http://www.w3.org/2001/XInclude\" ");
  xml.insert(xml.find("<cbc:ID>ESPD-1"), "<xi:include href=\"file:///etc/passwd\" parse=\"text\"/>");
  // XInclude is not processed; the unknown element fails validation instead of being fetched.
  BOOST_TEST(refusedSaying(xml, "does not conform to the ESPD-EDM schema", options));
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  std::string xml = minimal("");
  xml.insert(xml.find("</QualificationApplicationResponse>"), deep);
  BOOST_TEST(refusedSaying(xml, "deeper than 64"));
}

BOOST_AUTO_TEST_CASE(oversized_input_is_refused_unread) {
  importer::EspdOptions options;
  options.max_bytes = 1000;
  BOOST_TEST(refusedSaying(minimal(""), "more than the limit of 1000", options));
}

BOOST_AUTO_TEST_CASE(malformed_or_unversioned_or_wrong_root_is_refused) {
  BOOST_TEST(refusedSaying("<QualificationApplicationResponse", "not well-formed"));
  std::string unversioned = minimal("");
  unversioned.erase(unversioned.find("<cbc:ProfileExecutionID"),
                    unversioned.find("<cbc:ID>ESPD-1") - unversioned.find("<cbc:ProfileExecutionID"));
  BOOST_TEST(refusedSaying(unversioned, "does not say its ESPD-EDM version"));
  std::string future = minimal("");
  future.replace(future.find("ESPD-EDMv4.1.0"), 14, "ESPD-EDMv5.0.0");
  BOOST_TEST(refusedSaying(future, "version 5.0.0"));
  BOOST_TEST(refusedSaying("<?xml version=\"1.0\"?><html/>", "is not an ESPD response"));
}

BOOST_AUTO_TEST_CASE(schema_errors_are_listed) {
  if (!dps_test::standardsDir("espd-edm")) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR is absent");
    return;
  }
  importer::EspdOptions options;
  options.schema_dir = *dps_test::standardsDir("espd-edm");
  std::string xml = minimal("");
  xml.insert(xml.find("<cbc:ID>ESPD-1"), "<cbc:Bogus>1</cbc:Bogus>");
  BOOST_TEST(refusedSaying(xml, "does not conform to the ESPD-EDM schema", options));
}

BOOST_AUTO_TEST_CASE(missing_schema_folder_is_reported) {
  importer::EspdOptions options;
  options.schema_dir = "/nonexistent/espd-edm";
  BOOST_CHECK_THROW(importer::readEspdResponse(minimal(""), options), core::Error);
}

BOOST_AUTO_TEST_CASE(response_without_name_or_identifier_cannot_make_a_supplier) {
  std::string xml = minimal("");
  xml.replace(xml.find("SI12345678"), 10, "");
  const auto r = importer::readEspdResponse(xml, {});
  BOOST_CHECK_THROW(importer::supplierFromEspd(r), core::Error);
}

BOOST_AUTO_TEST_SUITE_END()
