// Imports through the service, as an officer uses them: the upload page previews a file (counts,
// every problem with line and column) and stores nothing; Apply commits exactly the file previewed,
// once, with an audit entry; a changed file is only previewed; the API route does the same with
// the file as the body. Roles (officers of the right authority, administrators), CSRF on the form
// and on cookie-authenticated API calls, and the body size limit are enforced.

#include <boost/test/unit_test.hpp>

#include <regex>

#include "tests/engine/engine_test.h"
#include "tests/support/paths.h"
#include "tests/web/web_fixture.h"

using dps_test::Browser;
using dps_test::HttpResult;
using dps_test::WebFixture;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kProducts =
    "code,cpv,name_sl,name_en,unit,unit_mass_kg\n"
    "WEB-APPLE,03222321,Jabolka,Apples,kg,1\n"
    "WEB-MILK,15511000,Mleko,Milk,l,\"1,03\"\n";

// Two bad rows: a CPV outside food (division 99) on line 2, a negative mass on line 3.
const std::string kBadProducts =
    "code,cpv,name_sl,name_en,unit,unit_mass_kg\n"
    "WEB-BAD,99999999,Nekaj,,kg,1\n"
    "WEB-PEAR,03222322,Hruške,,kg,-1\n";

const std::string kBoundary = "dps-test-boundary-5d1c";

// A multipart/form-data body with the text fields and one file part named "file".
std::string multipart(const std::map<std::string, std::string>& fields, const std::string& file_name,
                      const std::string& data) {
  std::string out;
  for (const auto& [k, v] : fields)
    out += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  out += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
         "\"\r\nContent-Type: text/csv\r\n\r\n" + data + "\r\n--" + kBoundary + "--\r\n";
  return out;
}

// An officer's (or administrator's) browser session on the upload page, in `lang`.
class Uploader {
 public:
  Uploader(WebFixture& w, const std::string& role, const std::string& lang = "en") : w_(w), b_(w, lang), lang_(lang) {
    BOOST_TEST_REQUIRE(b_.login(w.usernames.at(role), dps_test::kWebPassword).status == 303);
    const HttpResult page = b_.get("/officer/imports");
    BOOST_TEST_REQUIRE(page.status == 200);
    csrf_ = dps_test::csrfOf(page.body);
  }

  HttpResult upload(const std::string& kind, const std::string& file_name, const std::string& data,
                    std::map<std::string, std::string> fields = {}) {
    if (!fields.count("csrf")) fields["csrf"] = csrf_;
    std::string cookie;
    for (const auto& [k, v] : b_.cookies()) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
    return w_.call("POST", "/officer/imports/" + kind, multipart(fields, file_name, data), "",
                   {{"Cookie", cookie}, {"Accept-Language", lang_}}, "multipart/form-data; boundary=" + kBoundary);
  }

  Browser& browser() { return b_; }
  const std::string& csrf() const { return csrf_; }

 private:
  WebFixture& w_;
  Browser b_;
  std::string lang_;
  std::string csrf_;
};

std::string digestOf(const std::string& page) {
  std::smatch m;
  const std::regex hidden_digest("name=\"sha256\" value=\"([0-9a-f]{64})\"");
  return std::regex_search(page, m, hidden_digest) ? m[1].str() : std::string();
}

std::optional<core::Product> product(WebFixture& w, const std::string& code) {
  std::optional<core::Product> p;
  w.services->store().transact([&](core::Tx& tx) { p = tx.findProductByCode(code); });
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(web_imports, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(the_upload_page_offers_every_import_kind_with_progress_and_both_languages) {
  WebFixture w;
  Uploader officer(w, "officer");
  const std::string page = officer.browser().lastPage();
  for (const char* kind : {"delivery-points", "suppliers", "products", "road-distances", "demand", "espd"})
    BOOST_TEST(contains(page, std::string("action=\"/officer/imports/") + kind + "\""), kind);
  BOOST_TEST(contains(page, "enctype=\"multipart/form-data\""));
  BOOST_TEST(contains(page, "<script src=\"/static/upload.js\""));
  BOOST_TEST(!contains(page, "[["));
  const HttpResult script = w.call("GET", "/static/upload.js");
  BOOST_TEST(script.status == 200);
  BOOST_TEST(contains(script.header("content-type"), "javascript"));
  BOOST_TEST(contains(script.body, "upload.addEventListener('progress'"));

  Browser sl(w, "sl");
  BOOST_TEST(sl.login(w.usernames["officer"], dps_test::kWebPassword).status == 303);
  const HttpResult slovenian = sl.get("/officer/imports");
  BOOST_TEST(contains(slovenian.body, "Uvoz podatkov"));
  BOOST_TEST(!contains(slovenian.body, "[["));
  BOOST_TEST(contains(sl.get("/officer").body, "href=\"/officer/imports\""));
}

BOOST_AUTO_TEST_CASE(preview_shows_what_would_change_and_stores_nothing_then_apply_commits_the_previewed_file) {
  WebFixture w;
  Uploader officer(w, "officer");
  const std::size_t audit_before = w.f.auditWithAction("import.products").size();
  const HttpResult preview = officer.upload("products", "catalogue.csv", kProducts);
  BOOST_TEST(preview.status == 200);
  BOOST_TEST(contains(preview.body, "Nothing is stored yet"));
  BOOST_TEST(contains(preview.body, "Rows processed</th><td>2<"));
  BOOST_TEST(contains(preview.body, "New</th><td>2<"));
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());
  const std::string digest = digestOf(preview.body);
  BOOST_TEST_REQUIRE(digest.size() == 64u);

  // A different file under the previewed digest is only previewed.
  const HttpResult changed =
      officer.upload("products", "catalogue.csv", kProducts + "WEB-PEAR,03222322,Hruške,Pears,kg,1\n",
                     {{"apply", "1"}, {"sha256", digest}});
  BOOST_TEST(changed.status == 200);
  BOOST_TEST(contains(changed.body, "This is not the file you previewed"));
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());
  BOOST_TEST(w.f.auditWithAction("import.products").size() == audit_before);

  const HttpResult applied = officer.upload("products", "catalogue.csv", kProducts, {{"apply", "1"}, {"sha256", digest}});
  BOOST_TEST(applied.status == 200);
  BOOST_TEST(contains(applied.body, "imported in one transaction"));
  BOOST_TEST_REQUIRE(product(w, "WEB-MILK").has_value());
  BOOST_TEST(product(w, "WEB-MILK")->unit_mass_kg.toString() == "1.03");
  const auto entries = w.f.auditWithAction("import.products");
  BOOST_TEST_REQUIRE(entries.size() == audit_before + 1);
  BOOST_TEST(entries.back().actor == w.usernames["officer"]);

  // Applying the same file again changes nothing.
  const HttpResult again = officer.upload("products", "catalogue.csv", kProducts);
  BOOST_TEST(contains(again.body, "Nothing would change"));
  BOOST_TEST(contains(again.body, "Unchanged</th><td>2<"));
}

BOOST_AUTO_TEST_CASE(a_file_with_problems_lists_every_one_and_stores_nothing) {
  WebFixture w;
  Uploader officer(w, "officer");
  const HttpResult page = officer.upload("products", "bad.csv", kBadProducts);
  BOOST_TEST(page.status == 422);
  BOOST_TEST(contains(page.body, "nothing was stored"));
  BOOST_TEST(contains(page.body, "<td>bad.csv</td><td>2</td><td>9</td><td>cpv</td><td><code>99999999</code></td>"));
  BOOST_TEST(contains(page.body, "<td>bad.csv</td><td>3</td><td>30</td><td>unit_mass_kg</td><td><code>-1</code></td>"));
  BOOST_TEST(contains(page.body, "Rejected rows</th><td>2<"));
  BOOST_TEST(!contains(page.body, "name=\"sha256\""));  // no Apply for a file with problems
  // Asking to apply it anyway writes nothing either.
  officer.upload("products", "bad.csv", kBadProducts, {{"apply", "1"}, {"sha256", std::string(64, 'a')}});
  BOOST_TEST(!product(w, "WEB-BAD").has_value());
  BOOST_TEST(!product(w, "WEB-PEAR").has_value());

  const HttpResult api = w.call("POST", "/api/v1/imports/products?apply=true&file_name=bad.csv", kBadProducts,
                                "officer", {}, "text/csv");
  BOOST_TEST(api.status == 422);
  const auto json = api.json();
  BOOST_TEST(json->getValue<bool>("applied") == false);
  BOOST_TEST(json->getValue<int>("rejected") == 2);
  const auto problems = json->getArray("problems");
  BOOST_TEST_REQUIRE(problems->size() == 2u);
  BOOST_TEST(problems->getObject(0)->getValue<int>("line") == 2);
  BOOST_TEST(problems->getObject(0)->getValue<int>("column") == 9);
  BOOST_TEST(problems->getObject(0)->getValue<std::string>("field") == "cpv");
  BOOST_TEST(problems->getObject(0)->getValue<std::string>("file") == "bad.csv");
  BOOST_TEST(problems->getObject(1)->getValue<std::string>("value") == "-1");
  BOOST_TEST(!problems->getObject(1)->getValue<std::string>("message").empty());
  BOOST_TEST(!product(w, "WEB-PEAR").has_value());
}

// The problem list is in the reader's language; the API keeps the English message.
BOOST_AUTO_TEST_CASE(problems_are_listed_in_the_pages_language) {
  WebFixture w;
  const std::string csv = kBadProducts + "WEB-PLUM,03222000,Slive,,kg,1\nWEB-PLUM,03222000,Slive,,kg,1\n";
  Uploader slovenian(w, "officer", "sl");
  const HttpResult sl = slovenian.upload("products", "bad.csv", csv);
  BOOST_TEST(sl.status == 422);
  BOOST_TEST(contains(sl.body,
                      "<td>mora biti večja od 0: masa ene enote v kg (1 za kg, približno 1,03 za liter "
                      "mleka); iz nje se izračuna CO2 na dostavo</td>"));
  BOOST_TEST(
      contains(sl.body, "<td>podvojeno: oznaka živila je že v vrstici 4; za vsako živilo naj bo ena vrstica</td>"));
  BOOST_TEST(!contains(sl.body, "must be greater than 0"));
  BOOST_TEST(!contains(sl.body, "[["));

  Uploader english(w, "officer", "en");
  const HttpResult en = english.upload("products", "bad.csv", csv);
  BOOST_TEST(contains(en.body, "<td>duplicate: product code already on line 4; keep one row per product</td>"));
  BOOST_TEST(!contains(en.body, "podvojeno"));

  const HttpResult api = w.call("POST", "/api/v1/imports/products?file_name=bad.csv", csv, "officer",
                                {{"Accept-Language", "sl"}}, "text/csv");
  BOOST_TEST(contains(api.body, "duplicate: product code already on line 4"));
}

BOOST_AUTO_TEST_CASE(the_api_previews_and_applies_with_the_previewed_digest) {
  WebFixture w;
  const HttpResult preview = w.call("POST", "/api/v1/imports/products", kProducts, "officer", {}, "text/csv");
  BOOST_TEST_REQUIRE(preview.status == 200);
  const std::string digest = preview.json()->getValue<std::string>("sha256");
  BOOST_TEST(preview.json()->getValue<int>("new") == 2);
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());

  const HttpResult mismatch = w.call("POST", "/api/v1/imports/products?apply=true&sha256=" + std::string(64, '0'),
                                     kProducts, "officer", {}, "text/csv");
  BOOST_TEST(mismatch.status == 409);
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());

  const HttpResult applied =
      w.call("POST", "/api/v1/imports/products?apply=true&sha256=" + digest, kProducts, "admin", {}, "text/csv");
  BOOST_TEST(applied.status == 200);
  BOOST_TEST(applied.json()->getValue<bool>("applied"));
  BOOST_TEST(product(w, "WEB-APPLE").has_value());

  // Demand into a draft round of the officer's authority, naming the imported product.
  const core::Id draft = w.f.createRound(w.dps, w.dps.categories[0], {dps_test::EngineFixture::lot(1, w.point, "100")});
  const std::string demand = "lot,product,delivery_point_code,quantity,schedule\n2,WEB-APPLE,OS-PRES,120,\"weekly, Mon\"\n";
  const HttpResult lot = w.call("POST", "/api/v1/imports/demand?apply=true&round=" + std::to_string(draft), demand,
                                "officer", {}, "text/csv");
  BOOST_TEST(lot.status == 200, lot.body);
  BOOST_TEST(w.f.lots(draft).size() == 2u);
  BOOST_TEST(w.call("POST", "/api/v1/imports/demand", demand, "officer", {}, "text/csv").status == 400);
  BOOST_TEST(w.call("POST", "/api/v1/imports/no-such-kind", demand, "officer", {}, "text/csv").status == 404);
  BOOST_TEST(w.call("POST", "/api/v1/imports/products", "", "officer", {}, "text/csv").status == 400);
}

BOOST_AUTO_TEST_CASE(only_officers_and_administrators_import_and_officers_only_for_their_authority) {
  WebFixture w;
  for (const char* role : {"auditor", "farm_a"}) {
    const HttpResult r = w.call("POST", "/api/v1/imports/products?apply=true", kProducts, role, {}, "text/csv");
    BOOST_TEST(r.status == 403, role);
    BOOST_TEST(contains(r.body, "this is not for the role"), role);
  }
  Browser auditor(w, "en");
  BOOST_TEST(auditor.login(w.usernames["auditor"], dps_test::kWebPassword).status == 303);
  BOOST_TEST(auditor.get("/officer/imports").status == 403);
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());

  // Naklo's officer may not put demand into Kranj's round, nor import Kranj's delivery points.
  const core::Id draft = w.f.createRound(w.dps, w.dps.categories[0], {dps_test::EngineFixture::lot(1, w.point, "100")});
  const HttpResult demand =
      w.call("POST", "/api/v1/imports/demand?apply=true&round=" + std::to_string(draft),
             "lot,product,delivery_point_code,quantity,schedule\n2,X,OS-PRES,1,weekly\n", "other_officer", {}, "text/csv");
  BOOST_TEST(demand.status == 403);
  BOOST_TEST(w.f.lots(draft).size() == 1u);

  std::string kranj;
  w.services->store().transact([&](core::Tx& tx) { kranj = tx.getAuthority(w.f.authority_id)->name; });
  const std::string points = "authority,code,name,address,lat,lon\n\"" + kranj + "\",OS-NEW,Nova šola,Cesta 1,46.24,14.36\n";
  const HttpResult foreign = w.call("POST", "/api/v1/imports/delivery-points?apply=true", points, "other_officer", {},
                                    "text/csv");
  BOOST_TEST(foreign.status == 422);
  BOOST_TEST(contains(foreign.body, "another contracting authority"));
  const HttpResult own = w.call("POST", "/api/v1/imports/delivery-points?apply=true", points, "officer", {}, "text/csv");
  BOOST_TEST(own.status == 200, own.body);
  std::optional<core::DeliveryPoint> stored;
  w.services->store().transact([&](core::Tx& tx) { stored = tx.findDeliveryPoint(w.f.authority_id, "OS-NEW"); });
  BOOST_TEST(stored.has_value());
}

BOOST_AUTO_TEST_CASE(uploads_without_the_csrf_token_are_refused) {
  WebFixture w;
  Uploader officer(w, "officer");
  const HttpResult forged = officer.upload("products", "catalogue.csv", kProducts, {{"csrf", "forged"}});
  BOOST_TEST(forged.status == 403);
  BOOST_TEST(contains(forged.body, "did not come from this site"));
  const std::string digest = digestOf(officer.upload("products", "catalogue.csv", kProducts).body);
  const HttpResult forged_apply =
      officer.upload("products", "catalogue.csv", kProducts, {{"csrf", ""}, {"apply", "1"}, {"sha256", digest}});
  BOOST_TEST(forged_apply.status == 403);
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());

  // The API with the session cookie needs the X-CSRF-Token header too.
  std::string cookie;
  for (const auto& [k, v] : officer.browser().cookies()) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
  const HttpResult api = w.call("POST", "/api/v1/imports/products?apply=true", kProducts, "", {{"Cookie", cookie}},
                                "text/csv");
  BOOST_TEST(api.status == 403);
  BOOST_TEST(!product(w, "WEB-APPLE").has_value());
  const HttpResult with_header = w.call("POST", "/api/v1/imports/products?apply=true", kProducts, "",
                                        {{"Cookie", cookie}, {"X-CSRF-Token", officer.csrf()}}, "text/csv");
  BOOST_TEST(with_header.status == 200);
  BOOST_TEST(product(w, "WEB-APPLE").has_value());
}

BOOST_AUTO_TEST_CASE(an_espd_response_that_cannot_be_read_is_a_listed_problem_and_files_nothing) {
  WebFixture w;
  const core::Id category = w.dps.categories[0];
  std::size_t requests_before = 0;
  w.services->store().transact([&](core::Tx& tx) { requests_before = tx.listAdmissionRequests(w.dps.id).size(); });
  const HttpResult r = w.call("POST", "/api/v1/imports/espd?apply=true&category=" + std::to_string(category),
                              "<not-an-espd/>", "officer", {}, "application/xml");
  BOOST_TEST(r.status == 422, r.body);
  BOOST_TEST_REQUIRE(r.json()->getArray("problems")->size() >= 1u);
  BOOST_TEST(r.json()->getValue<bool>("applied") == false);
  std::size_t requests_after = 0;
  w.services->store().transact([&](core::Tx& tx) { requests_after = tx.listAdmissionRequests(w.dps.id).size(); });
  BOOST_TEST(requests_after == requests_before);
  // The category is required, and Naklo's officer may not file into Kranj's.
  BOOST_TEST(w.call("POST", "/api/v1/imports/espd", "<x/>", "officer", {}, "application/xml").status == 400);
  BOOST_TEST(w.call("POST", "/api/v1/imports/espd?category=" + std::to_string(category), "<x/>", "other_officer", {},
                    "application/xml")
                 .status == 403);
}

BOOST_AUTO_TEST_CASE(with_espd_schema_dir_set_an_espd_response_off_the_schema_is_refused) {
  const auto espd = dps_test::standardsDir("espd-edm");
  if (!espd) {
    BOOST_TEST_MESSAGE("skipped: ESPD_EDM_DIR does not exist");
    return;
  }
  WebFixture w([&](web::Config& c) {
    c.espd_schema_dir = *espd;
    c.http_max_body_bytes = 8 << 20;
  });
  std::string xml = dps_test::readFile(*espd + "/ubl-2.3/examples/ESPD-Response-v4.1.0.xml");
  BOOST_REQUIRE(!xml.empty());
  // Well-formed, but an element the schema does not know right after the root's start tag.
  const std::size_t root = xml.find("<QualificationApplicationResponse");
  BOOST_REQUIRE(root != std::string::npos);
  xml.insert(xml.find('>', root) + 1, "<cbc:BogusField>x</cbc:BogusField>");
  const HttpResult r =
      w.call("POST", "/api/v1/imports/espd?category=" + std::to_string(w.dps.categories[0]), xml, "officer", {},
             "application/xml");
  BOOST_TEST(r.status == 422, r.body.substr(0, 400));
  BOOST_TEST(r.body.find("BogusField") != std::string::npos, r.body.substr(0, 400));
}

BOOST_AUTO_TEST_CASE(a_file_over_the_body_limit_is_refused_unread) {
  WebFixture w;  // http.max_body_bytes is 65536 in the fixture
  std::string big = "code,cpv,name_sl,name_en,unit,unit_mass_kg\n";
  for (int i = 0; big.size() <= 70000; ++i) big += "WEB-BIG-" + std::to_string(i) + ",03222321,Jabolka,Apples,kg,1\n";
  const HttpResult r = w.call("POST", "/api/v1/imports/products?apply=true", big, "officer", {}, "text/csv");
  BOOST_TEST(r.status == 413);
  BOOST_TEST(!product(w, "WEB-BIG-0").has_value());
  Uploader officer(w, "officer");
  BOOST_TEST(officer.upload("products", "big.csv", big, {{"apply", "1"}, {"sha256", std::string(64, 'a')}}).status ==
             413);
  BOOST_TEST(!product(w, "WEB-BIG-0").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
