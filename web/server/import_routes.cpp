// The import upload page and API route (see import_routes.h): parse the upload, check who may import
// what, call the importers (import/), render the report as a page or JSON.
#include "web/server/import_routes.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

#include "core/digest.h"
#include "core/error.h"
#include "import/espd_admission.h"
#include "import/espd_reader.h"
#include "import/importers.h"
#include "web/server/access.h"
#include "web/server/html.h"
#include "web/server/json_input.h"
#include "web/server/json_output.h"
#include "web/server/messages.h"
#include "web/services.h"

namespace web::server {
namespace {

using core::Id;

// One import kind as the URL names it; `csv` is nullopt for ESPD responses (XML).
struct KindSpec {
  std::string name;
  std::optional<importer::Kind> csv;
};

const std::vector<KindSpec>& kinds() {
  static const std::vector<KindSpec> all = [] {
    std::vector<KindSpec> out;
    for (const importer::Kind k : importer::allKinds()) out.push_back({importer::toString(k), k});
    out.push_back({"espd", std::nullopt});
    return out;
  }();
  return all;
}

const KindSpec& kindOf(const std::string& name) {
  std::string names;
  for (const KindSpec& k : kinds()) {
    if (k.name == name) return k;
    names += (names.empty() ? "" : ", ") + k.name;
  }
  throw core::Error(core::ErrorCode::kNotFound,
                    "there is no import of kind '" + name.substr(0, 40) + "'; the kinds are " + names, "kind");
}

std::optional<Id> optionalId(const std::string& text, const std::string& name) {
  if (text.empty()) return std::nullopt;
  Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      name + " must be a positive number, not '" + text.substr(0, 40) + "'", name);
  return id;
}

// What one upload asks for.
struct ImportRequest {
  const KindSpec* kind = nullptr;
  std::string file_name;
  std::string data;
  bool apply = false;
  // The SHA-256 of the file previewed before applying (the page always sends it; the API may).
  std::string expected_sha256;
  std::optional<Id> round_id;     // demand
  std::optional<Id> category_id;  // espd
  std::string dispatch_spec;      // espd, a supplier not yet stored: "name;address;lat;lon"
};

// What came of it. Exactly one of report and espd is set.
struct ImportOutcome {
  std::string sha256;
  bool changed_file = false;  // apply asked for another file than the one previewed: only previewed
  std::optional<importer::ImportReport> report;
  std::optional<importer::EspdAdmission> espd;
  std::vector<importer::Problem> problems;

  bool ok() const { return problems.empty(); }
  bool applied() const { return report ? report->applied : espd && espd->applied; }
  // Whether applying would change anything (a preview without problems offers Apply only then).
  bool hasChanges() const { return report ? report->added + report->updated > 0 : espd.has_value(); }
};

// The calendar that ends a certificate's last valid day: the officer's authority's country; for
// administrators the country every stored authority shares (none, i.e. UTC, when they differ).
const core::Calendar* importCalendar(Context& ctx, core::Tx& tx) {
  std::string country;
  bool shared = true;
  for (const core::Authority& a : tx.listAuthorities()) {
    if (ctx.who().account.role == core::AccountRole::kOfficer && a.id != ctx.who().account.authority_id) continue;
    if (country.empty()) country = a.country;
    shared = shared && a.country == country;
  }
  if (country.empty() || !shared) return nullptr;
  return &ctx.services.calendars().forCountry(country);
}

bool isOfficer(const Context& ctx) { return ctx.who().account.role == core::AccountRole::kOfficer; }

ImportOutcome runCsv(Context& ctx, const ImportRequest& r, importer::Kind kind, bool apply) {
  importer::ImportOptions options;
  options.file_name = r.file_name;
  options.cpv_list_path = ctx.services.config().cpv_file;
  options.actor = ctx.who().account.username;
  options.clock = &ctx.services.clock();
  if (kind == importer::Kind::kDemand) {
    if (!r.round_id)
      throw core::Error(core::ErrorCode::kInvalidArgument, "a demand file goes into one draft round: choose the round",
                        "round");
    options.round_id = r.round_id;
  } else if (r.round_id) {
    throw core::Error(core::ErrorCode::kInvalidArgument, "a round is chosen for demand files only; leave it out",
                      "round");
  }
  if (isOfficer(ctx) && (kind == importer::Kind::kDeliveryPoints || kind == importer::Kind::kRoadDistances))
    options.authority_id = ctx.who().account.authority_id;
  ctx.services.store().read([&](core::Tx& tx) {
    // The round must be one the officer may see: their own authority's.
    if (options.round_id) visibleRound(ctx.who(), tx, *options.round_id);
    options.calendar = importCalendar(ctx, tx);
  });
  std::istringstream in(r.data);
  ImportOutcome out;
  out.report = apply ? importer::apply(ctx.services.store(), kind, in, options)
                     : importer::preview(ctx.services.store(), kind, in, options);
  out.problems = out.report->problems;
  return out;
}

ImportOutcome runEspd(Context& ctx, const ImportRequest& r, bool apply) {
  if (!r.category_id)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "an ESPD response becomes a request to join one category: choose the category", "category");
  if (r.round_id)
    throw core::Error(core::ErrorCode::kInvalidArgument, "a round is chosen for demand files only; leave it out",
                      "round");
  ctx.services.store().read([&](core::Tx& tx) {
    const std::optional<core::Category> category = tx.getCategory(*r.category_id);
    if (!category)
      throw core::Error(core::ErrorCode::kNotFound, "no category with id " + std::to_string(*r.category_id),
                        "category");
    visibleDps(ctx.who(), tx, category->dps_id);
  });
  importer::EspdAdmissionOptions options;
  options.file_name = r.file_name;
  options.category_id = *r.category_id;
  if (!r.dispatch_spec.empty()) options.dispatch = importer::parseDispatchSpec(r.dispatch_spec);
  // Filing a supplier's own ESPD response on its behalf is an import (as `dps import espd` does);
  // the web layer has checked above that the category is the officer's to manage.
  options.actor = ctx.actor();
  if (options.actor.role == core::Role::kOfficer) options.actor.role = core::Role::kSystem;

  ImportOutcome out;
  importer::EspdOptions read_options;
  read_options.source_name = r.file_name;
  read_options.schema_dir = ctx.services.config().espd_schema_dir;
  importer::EspdResponse espd;
  try {
    espd = importer::readEspdResponse(r.data, read_options);
  } catch (const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnavailable || e.code() == core::ErrorCode::kInternal) throw;
    out.problems.push_back({r.file_name, 0, 0, "", "", e.what()});
    return out;
  }
  out.espd = apply ? importer::applyEspdAdmission(ctx.services.engine(), espd, options)
                   : importer::planEspdAdmission(ctx.services.engine(), espd, options);
  for (const std::string& p : out.espd->problems) out.problems.push_back({r.file_name, 0, 0, "", "", p});
  return out;
}

ImportOutcome runImport(Context& ctx, const ImportRequest& r) {
  if (r.data.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "the file is empty or missing: choose the file to import",
                      "file");
  const std::string digest = core::sha256Hex(r.data);
  bool apply = r.apply;
  const bool changed = apply && !r.expected_sha256.empty() && r.expected_sha256 != digest;
  if (changed) apply = false;
  ImportOutcome out = r.kind->csv ? runCsv(ctx, r, *r.kind->csv, apply) : runEspd(ctx, r, apply);
  out.sha256 = digest;
  out.changed_file = changed;
  return out;
}

// --- the API ---------------------------------------------------------------------------------------

JsonPtr problemJson(const importer::Problem& p) {
  JsonPtr o = newObject();
  o->set("file", p.file);
  o->set("line", p.line);
  o->set("column", p.column);
  o->set("field", p.field);
  o->set("value", p.value);
  o->set("message", p.message);
  return o;
}

JsonPtr outcomeJson(const ImportRequest& r, const ImportOutcome& out) {
  JsonPtr o = newObject();
  o->set("kind", r.kind->name);
  o->set("file", r.file_name);
  o->set("bytes", static_cast<Poco::UInt64>(r.data.size()));
  o->set("sha256", out.sha256);
  o->set("applied", out.applied());
  o->set("ok", out.ok());
  if (const importer::ImportReport* rep = out.report ? &*out.report : nullptr) {
    o->set("rows", static_cast<Poco::UInt64>(rep->rows));
    o->set("delimiter", std::string(1, rep->delimiter));
    o->set("new", static_cast<Poco::UInt64>(rep->added));
    o->set("updated", static_cast<Poco::UInt64>(rep->updated));
    o->set("unchanged", static_cast<Poco::UInt64>(rep->unchanged));
    o->set("rejected", static_cast<Poco::UInt64>(rep->rejected));
    JsonArrayPtr ignored = newArray();
    for (const std::string& c : rep->ignored_columns) ignored->add(c);
    o->set("ignored_columns", ignored);
  }
  if (const importer::EspdAdmission* e = out.espd ? &*out.espd : nullptr) {
    JsonPtr supplier = newObject();
    supplier->set("name", e->supplier.name);
    supplier->set("tax_number", e->supplier.tax_number);
    supplier->set("stored", e->stored.has_value());
    supplier->set("id", static_cast<Poco::Int64>(e->supplier_id != 0 ? e->supplier_id : e->stored ? e->stored->id : 0));
    o->set("supplier", supplier);
    JsonArrayPtr differences = newArray();
    for (const std::string& d : e->differences) differences->add(d);
    o->set("differences", differences);
    o->set("category_id", static_cast<Poco::Int64>(r.category_id.value_or(0)));
    o->set("dps", e->dps ? e->dps->reference : std::string());
    o->set("supplier_registered", e->supplier_registered);
    o->set("request_id", static_cast<Poco::Int64>(e->request_id));
    o->set("summary", importer::formatEspdAdmission(*e));
  }
  JsonArrayPtr problems = newArray();
  for (const importer::Problem& p : out.problems) problems->add(problemJson(p));
  o->set("problems", problems);
  return o;
}

bool flag(const std::string& text, const std::string& name) {
  if (text.empty() || text == "false" || text == "0") return false;
  if (text == "true" || text == "1") return true;
  throw core::Error(core::ErrorCode::kInvalidArgument, name + " is true or false, not '" + text.substr(0, 20) + "'",
                    name);
}

void apiImport(Context& ctx) {
  ImportRequest r;
  r.kind = &kindOf(ctx.request.params.at("kind"));
  const Request& q = ctx.request;
  r.apply = flag(q.queryParam("apply"), "apply");
  r.expected_sha256 = q.queryParam("sha256");
  r.round_id = optionalId(q.queryParam("round"), "round");
  r.category_id = optionalId(q.queryParam("category"), "category");
  r.dispatch_spec = q.queryParam("dispatch");
  r.file_name = q.queryParam("file_name").empty() ? r.kind->name + (r.kind->csv ? ".csv" : ".xml")
                                                  : q.queryParam("file_name").substr(0, 200);
  r.data = q.body;
  if (r.data.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "send the file as the request body (text/csv, or application/xml for an ESPD response)", "body");
  const ImportOutcome out = runImport(ctx, r);
  if (out.changed_file)
    throw core::Error(core::ErrorCode::kConflict,
                      "the file's SHA-256 is " + out.sha256 + ", not the " + r.expected_sha256.substr(0, 64) +
                          " previewed; nothing was written: preview this file, then apply it with its digest",
                      "sha256");
  ctx.response.json(out.ok() ? 200 : 422, stringify(outcomeJson(r, out)));
}

// --- the pages -------------------------------------------------------------------------------------

std::string kindTitle(const Context& ctx, const KindSpec& k) { return tr(ctx, "import.kind." + k.name); }

std::string columnsOf(const KindSpec& k) {
  if (!k.csv) return "UBL 2.3 QualificationApplicationResponse (ESPD-EDM 2.1.1 - 4.1.0)";
  std::string out;
  for (const std::string& c : importer::expectedColumns(*k.csv)) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// The file input with its progress bar (web/static/upload.js fills it while the browser sends).
std::string fileInput(const Context& ctx, const KindSpec& k, const std::string& suffix) {
  const std::string id = "file-" + k.name + suffix;
  return "<p class=\"field\"><label for=\"" + id + "\">" + tr(ctx, "import.file") + "</label><input type=\"file\" id=\"" +
         id + "\" name=\"file\" required accept=\"" + (k.csv ? ".csv,text/csv" : ".xml,application/xml,text/xml") +
         "\"></p><p class=\"upload-progress\" hidden><progress max=\"100\" value=\"0\"></progress> <span " +
         "class=\"upload-status\" aria-live=\"polite\"></span></p>";
}

std::string formStart(Context& ctx, const KindSpec& k) {
  return "<form method=\"post\" action=\"/officer/imports/" + esc(k.name) +
         "\" enctype=\"multipart/form-data\" class=\"upload\" data-uploading=\"" + tr(ctx, "import.uploading") +
         "\" data-checking=\"" + tr(ctx, "import.checking") + "\">" + csrfField(ctx);
}

std::string dispatchFields(const Context& ctx, const std::string& suffix) {
  return "<fieldset><legend>" + tr(ctx, "import.dispatch") + "</legend>" +
         field("dispatch_name" + suffix, tr(ctx, "register.dp_name"), "text", "", "maxlength=\"200\"") +
         field("dispatch_address" + suffix, tr(ctx, "register.dp_address"), "text", "", "maxlength=\"200\"") +
         field("dispatch_lat" + suffix, tr(ctx, "register.dp_lat"), "text", "", "inputmode=\"decimal\"") +
         field("dispatch_lon" + suffix, tr(ctx, "register.dp_lon"), "text", "", "inputmode=\"decimal\"") +
         "</fieldset>";
}

void importsPage(Context& ctx) {
  std::vector<std::pair<std::string, std::vector<core::Round>>> drafts;  // DPS reference -> draft rounds
  std::vector<std::pair<std::string, std::vector<core::Category>>> categories;
  ctx.services.store().read([&](core::Tx& tx) {
    drafts.clear();
    categories.clear();
    for (const core::Dps& d : visibleDpsList(ctx.who(), tx)) {
      std::vector<core::Round> rounds;
      for (core::Round& r : tx.listRounds(d.id))
        if (r.status == core::RoundStatus::kDraft) rounds.push_back(std::move(r));
      drafts.emplace_back(d.reference, std::move(rounds));
      categories.emplace_back(d.reference, tx.listCategories(d.id));
    }
  });
  const int limit_kib = ctx.services.config().http_max_body_bytes / 1024;
  std::string body = "<p>" + tr(ctx, "import.intro") + "</p><p>" + tr(ctx, "import.limit") + ": " +
                     std::to_string(limit_kib) + " KiB.</p>";
  for (const KindSpec& k : kinds()) {
    body += "<section><h2>" + kindTitle(ctx, k) + "</h2><p>" + tr(ctx, "import.columns") + ": <code>" +
            esc(columnsOf(k)) + "</code></p>" + formStart(ctx, k);
    if (k.name == "demand") {
      std::string options;
      for (const auto& [reference, rounds] : drafts)
        for (const core::Round& r : rounds)
          options += "<option value=\"" + std::to_string(r.id) + "\">" + esc(reference + " · " + r.reference + " — " +
                                                                             r.title) + "</option>";
      if (options.empty()) body += "<p>" + tr(ctx, "import.no_draft_round") + "</p>";
      body += "<p class=\"field\"><label for=\"round\">" + tr(ctx, "import.round") +
              "</label><select id=\"round\" name=\"round\" required>" + options + "</select></p>";
    }
    if (!k.csv) {
      std::string options;
      for (const auto& [reference, list] : categories)
        for (const core::Category& c : list)
          options += "<option value=\"" + std::to_string(c.id) + "\">" + esc(reference + " · " + c.code + " — " + c.name) +
                     "</option>";
      body += "<p class=\"field\"><label for=\"category\">" + tr(ctx, "import.category") +
              "</label><select id=\"category\" name=\"category\" required>" + options + "</select></p>" +
              dispatchFields(ctx, "");
    }
    body += fileInput(ctx, k, "") + "<button type=\"submit\">" + tr(ctx, "import.preview") + "</button></form></section>";
  }
  body += "<script src=\"/static/upload.js\" defer></script>";
  ctx.response.html(200, layout(ctx, message(ctx.lang, "import.title"), body));
}

std::string problemTable(const Context& ctx, const std::vector<importer::Problem>& problems) {
  std::string out = "<h2>" + tr(ctx, "import.problems") + " (" + std::to_string(problems.size()) +
                    ")</h2><table class=\"problems\"><thead><tr><th scope=\"col\">" + tr(ctx, "import.file") +
                    "</th><th scope=\"col\">" + tr(ctx, "import.line") + "</th><th scope=\"col\">" +
                    tr(ctx, "import.column") + "</th><th scope=\"col\">" + tr(ctx, "import.field") +
                    "</th><th scope=\"col\">" + tr(ctx, "import.value") + "</th><th scope=\"col\">" +
                    tr(ctx, "import.todo") + "</th></tr></thead><tbody>";
  // A file full of errors lists the first ones; the API returns them all.
  constexpr std::size_t kShown = 1000;
  const std::size_t shown = std::min(problems.size(), kShown);
  // In the reader's language when the catalogue has every problem shown, else all in English (as
  // errorHtml does): never a table half in each language.
  bool localized = true;
  for (std::size_t i = 0; i < shown && localized; ++i) localized = inCatalogue(problems[i].localized);
  for (std::size_t i = 0; i < shown; ++i) {
    const importer::Problem& p = problems[i];
    const std::string text = localized ? localizedText(ctx.lang, p.localized) : p.message;
    out += "<tr><td>" + esc(p.file) + "</td><td>" + (p.line > 0 ? std::to_string(p.line) : "—") + "</td><td>" +
           (p.column > 0 ? std::to_string(p.column) : "—") + "</td><td>" + esc(p.field) + "</td><td><code>" +
           esc(p.value) + "</code></td><td>" + esc(text) + "</td></tr>";
  }
  out += "</tbody></table>";
  if (problems.size() > kShown)
    out += "<p>" + tr(ctx, "import.more_problems") + ": " + std::to_string(problems.size() - kShown) + "</p>";
  return out;
}

std::string countsTable(const Context& ctx, const importer::ImportReport& rep) {
  const auto cell = [&](const std::string& key, std::uint64_t n) {
    return "<tr><th scope=\"row\">" + tr(ctx, key) + "</th><td>" + std::to_string(n) + "</td></tr>";
  };
  std::string out = "<table class=\"counts\"><tbody>" + cell("import.rows", rep.rows) + cell("import.new", rep.added) +
                    cell("import.updated", rep.updated) + cell("import.unchanged", rep.unchanged) +
                    cell("import.rejected", rep.rejected) + "</tbody></table>";
  if (!rep.ignored_columns.empty()) {
    std::string cols;
    for (const std::string& c : rep.ignored_columns) cols += (cols.empty() ? "" : ", ") + c;
    out += "<p>" + tr(ctx, "import.ignored") + ": <code>" + esc(cols) + "</code></p>";
  }
  return out;
}

// The form that applies the previewed file: the same fields, the file chosen again, and its digest.
std::string applyForm(Context& ctx, const KindSpec& k, const ImportRequest& r, const ImportOutcome& out) {
  std::string form = formStart(ctx, k) + hidden("apply", "1") + hidden("sha256", out.sha256);
  if (r.round_id) form += hidden("round", std::to_string(*r.round_id));
  if (r.category_id) form += hidden("category", std::to_string(*r.category_id));
  for (const char* f : {"dispatch_name", "dispatch_address", "dispatch_lat", "dispatch_lon"})
    form += hidden(f, ctx.form(f));
  return form + "<p>" + tr(ctx, "import.apply_again") + " (<code>" + esc(r.file_name) + "</code>, SHA-256 <code>" +
         out.sha256.substr(0, 16) + "…</code>)</p>" + fileInput(ctx, k, "-apply") + "<button type=\"submit\">" +
         tr(ctx, "import.apply") + "</button></form>";
}

void importSubmit(Context& ctx) {
  ImportRequest r;
  r.kind = &kindOf(ctx.request.params.at("kind"));
  // A client that sends the file part without a file name gets it as a text field.
  const auto file = ctx.request.files.find("file");
  if (file != ctx.request.files.end()) {
    r.file_name = file->second.file_name;
    r.data = file->second.data;
  } else {
    r.data = ctx.form("file");
  }
  if (r.data.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "no file was sent: choose the file to import, then preview it",
                      "file");
  if (r.file_name.empty()) r.file_name = r.kind->name + (r.kind->csv ? ".csv" : ".xml");
  r.apply = ctx.form("apply") == "1";
  r.expected_sha256 = ctx.form("sha256");
  if (r.apply && r.expected_sha256.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "a file is applied only after its preview: preview it first, then press Apply", "sha256");
  r.round_id = optionalId(ctx.form("round"), "round");
  r.category_id = optionalId(ctx.form("category"), "category");
  const std::string dp_name = ctx.form("dispatch_name");
  const std::string dp_address = ctx.form("dispatch_address");
  const std::string dp_lat = ctx.form("dispatch_lat");
  const std::string dp_lon = ctx.form("dispatch_lon");
  if (!(dp_name + dp_address + dp_lat + dp_lon).empty())
    r.dispatch_spec = dp_name + ";" + dp_address + ";" + dp_lat + ";" + dp_lon;

  const ImportOutcome out = runImport(ctx, r);
  std::string body;
  if (out.changed_file) body += notice("error", tr(ctx, "import.changed_file"));
  if (out.applied())
    body += notice("ok", tr(ctx, "import.applied"));
  else if (!out.ok())
    body += notice("error", tr(ctx, "import.has_problems"));
  else if (!out.hasChanges())
    body += notice("ok", tr(ctx, "import.nothing_to_apply"));
  else
    body += notice("ok", tr(ctx, "import.preview_ok"));
  body += "<h2>" + kindTitle(ctx, *r.kind) + "</h2><p>" + tr(ctx, "import.file") + ": <code>" + esc(r.file_name) +
          "</code> · " + tr(ctx, "import.size") + ": " + std::to_string(r.data.size()) +
          " B · SHA-256: <code class=\"digest\">" + out.sha256 + "</code></p>";
  if (out.report) body += countsTable(ctx, *out.report);
  if (out.espd) body += "<h3>" + tr(ctx, "import.espd_result") + "</h3><pre>" + esc(importer::formatEspdAdmission(*out.espd)) + "</pre>";
  if (!out.ok()) body += problemTable(ctx, out.problems);
  if (!out.applied() && out.ok() && out.hasChanges()) body += applyForm(ctx, *r.kind, r, out);
  body += "<p><a href=\"/officer/imports\">" + tr(ctx, "import.back") + "</a></p>";
  body += "<script src=\"/static/upload.js\" defer></script>";
  ctx.response.html(out.ok() ? 200 : 422, layout(ctx, message(ctx.lang, "import.title"), body));
}

class FileParts final : public Poco::Net::PartHandler {
 public:
  explicit FileParts(std::map<std::string, Upload>& files) : files_(files) {}

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, params);
    Upload u;
    u.file_name = params.get("filename", "");
    // Some browsers send the whole client path; only the name is the file's.
    const std::size_t slash = u.file_name.find_last_of("/\\");
    if (slash != std::string::npos) u.file_name = u.file_name.substr(slash + 1);
    if (!isValidUtf8(u.file_name)) u.file_name = "upload";
    u.content_type = header.get("Content-Type", "application/octet-stream");
    Poco::StreamCopier::copyToString(stream, u.data);
    files_[params.get("name", "")] = std::move(u);
  }

 private:
  std::map<std::string, Upload>& files_;
};

}  // namespace

void parseMultipartForm(Request& request) {
  Poco::Net::HTTPRequest head(Poco::Net::HTTPRequest::HTTP_POST, request.path, Poco::Net::HTTPMessage::HTTP_1_1);
  head.setContentType(request.header("content-type"));
  std::istringstream body(request.body);
  Poco::Net::HTMLForm form;
  form.setFieldLimit(50);
  FileParts parts(request.files);
  try {
    form.load(head, body, parts);
  } catch (const Poco::Exception& e) {
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "the uploaded form is malformed (" + e.displayText() + "): reload the page and send it again",
                      "body");
  }
  for (const auto& [name, value] : form) {
    if (!isValidUtf8(name) || !isValidUtf8(value))
      throw core::Error(core::ErrorCode::kInvalidArgument, "form field '" + name.substr(0, 40) + "' is not valid UTF-8",
                        name.substr(0, 40));
    request.form[name] = value;
  }
}

void addImportRoutes(Router& r) {
  const unsigned officers = kOfficers | kAdministrators;
  r.add("GET", "/officer/imports", officers, importsPage, "officers upload import files");
  r.add("POST", "/officer/imports/{kind}", officers, importSubmit, "officers preview or apply an import file").uploads =
      true;
  r.add("POST", "/api/v1/imports/{kind}", officers, apiImport,
        "officers preview or apply an import file (the file is the body)")
      .uploads = true;
}

}  // namespace web::server
