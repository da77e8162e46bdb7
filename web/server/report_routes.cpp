// Document and report downloads: reports/ behind the service's roles.
#include "web/server/report_routes.h"

#include <functional>
#include <map>

#include "core/error.h"
#include "core/notices.h"
#include "reports/documents.h"
#include "reports/eforms.h"
#include "reports/ocds.h"
#include "reports/report_command.h"
#include "reports/reports.h"
#include "web/server/access.h"
#include "web/services.h"

namespace web::server {

namespace {

using core::Id;

// Self-contained HTML reports: their inline CSS may apply, nothing else may load or run.
constexpr const char* kReportPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; "
    "base-uri 'none'";

struct Produced {
  std::string content_type;
  std::string body;
};

using Producer = std::function<Produced(Context&, Id)>;

Produced xml(std::string body) { return {"application/xml; charset=utf-8", std::move(body)}; }
Produced html(std::string body) { return {"text/html; charset=utf-8", std::move(body)}; }
Produced csv(std::string body) { return {"text/csv; charset=utf-8", std::move(body)}; }

reports::ExportOptions exportOptions(const Context& ctx) {
  reports::ExportOptions o;
  o.generated_at = ctx.services.clock().now();
  return o;
}

reports::ReportOptions reportOptions(const Context& ctx) {
  reports::ReportOptions o;
  o.generated_at = ctx.services.clock().now();
  return o;
}

Produced document(Context& ctx, reports::DocumentKind kind, Id id) {
  return xml(reports::exportDocument(ctx.services.store(), kind, id, exportOptions(ctx)));
}

const std::map<std::string, Producer>& roundProducers() {
  static const std::map<std::string, Producer> kProducers = {
      {"invitation.xml", [](Context& c, Id id) { return document(c, reports::DocumentKind::kRound, id); }},
      {"bids.xml", [](Context& c, Id id) { return document(c, reports::DocumentKind::kBidRegister, id); }},
      {"evaluation.xml", [](Context& c, Id id) { return document(c, reports::DocumentKind::kEvaluation, id); }},
      {"award.xml", [](Context& c, Id id) { return document(c, reports::DocumentKind::kAward, id); }},
      {"ocds.json",
       [](Context& c, Id id) {
         reports::OcdsOptions o;
         o.published_at = c.services.clock().now();
         return Produced{"application/json; charset=utf-8",
                         reports::ocdsReleasePackage(c.services.store(), id, o)};
       }},
      {"evaluation.html",
       [](Context& c, Id id) { return html(reports::roundEvaluationHtml(c.services.store(), id, reportOptions(c))); }},
      {"evaluation.csv", [](Context& c, Id id) { return csv(reports::roundEvaluationCsv(c.services.store(), id)); }},
      {"art84.html",
       [](Context& c, Id id) { return html(reports::article84Html(c.services.store(), id, reportOptions(c))); }},
  };
  return kProducers;
}

const core::Calendar& calendarOfDps(Context& ctx, Id dps_id) {
  Id authority = 0;
  ctx.services.store().read([&](core::Tx& tx) { authority = visibleDps(ctx.who(), tx, dps_id).authority_id; });
  return ctx.services.engine().calendarFor(authority);
}

const std::map<std::string, Producer>& dpsProducers() {
  static const std::map<std::string, Producer> kProducers = {
      {"dps.xml", [](Context& c, Id id) { return document(c, reports::DocumentKind::kDps, id); }},
      {"dashboard.html",
       [](Context& c, Id id) { return html(reports::dashboardHtml(c.services.store(), id, reportOptions(c))); }},
      {"dashboard.csv", [](Context& c, Id id) { return csv(reports::dashboardCsv(c.services.store(), id)); }},
      {"compliance.html",
       [](Context& c, Id id) {
         return html(reports::complianceHtml(c.services.store(), id, calendarOfDps(c, id), reportOptions(c)));
       }},
      {"compliance.csv",
       [](Context& c, Id id) {
         return csv(reports::complianceCsv(c.services.store(), id, calendarOfDps(c, id), reportOptions(c)));
       }},
  };
  return kProducers;
}

std::vector<std::string> namesOf(const std::map<std::string, Producer>& producers, const std::vector<std::string>& order) {
  std::vector<std::string> out;
  for (const std::string& n : order)
    if (producers.count(n)) out.push_back(n);
  return out;
}

void send(Context& ctx, const Produced& p, const std::string& file_name) {
  ctx.response.status = 200;
  ctx.response.content_type = p.content_type;
  ctx.response.body = p.body;
  const bool page = p.content_type.rfind("text/html", 0) == 0;
  if (page) ctx.response.content_security_policy = kReportPolicy;
  ctx.response.headers.emplace_back("Content-Disposition",
                                    std::string(page ? "inline" : "attachment") + "; filename=\"" + file_name + "\"");
}

void serve(Context& ctx, const std::map<std::string, Producer>& producers, const std::vector<std::string>& names,
           const std::string& what, Id id) {
  const std::string name = ctx.request.params.at("name");
  const auto it = producers.find(name);
  if (it == producers.end()) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    throw core::Error(core::ErrorCode::kNotFound, "a " + what + " has no document '" + name.substr(0, 40) +
                                                      "'; it has: " + list,
                      "name");
  }
  send(ctx, it->second(ctx, id), what + "-" + std::to_string(id) + "-" + name);
}

void roundDocument(Context& ctx) {
  const Id id = ctx.idParam("id");
  ctx.services.store().read([&](core::Tx& tx) { visibleRound(ctx.who(), tx, id); });
  serve(ctx, roundProducers(), roundDocumentNames(), "round", id);
}

void dpsDocument(Context& ctx) {
  const Id id = ctx.idParam("id");
  ctx.services.store().read([&](core::Tx& tx) { visibleDps(ctx.who(), tx, id); });
  serve(ctx, dpsProducers(), dpsDocumentNames(), "dps", id);
}

// A supplier reads its own letter; staff and the authority's officers every tenderer's.
void awardLetter(Context& ctx) {
  const Id round = ctx.idParam("id");
  const Id supplier = ctx.idParam("supplier");
  ctx.services.store().read([&](core::Tx& tx) { visibleRound(ctx.who(), tx, round); });
  if (ctx.who().account.role == core::AccountRole::kSupplier && ctx.who().account.supplier_id != supplier)
    throw core::Error(core::ErrorCode::kForbidden, "a supplier reads only its own award decision letter");
  send(ctx, html(reports::awardLetterHtml(ctx.services.store(), round, supplier, reportOptions(ctx))),
       "letter-" + std::to_string(round) + "-" + std::to_string(supplier) + ".html");
}

// eForms notices need the buyer's settings and the SDK (configuration notices.*).
reports::NoticeParties noticeParties(const Context& ctx, reports::NoticeOptions& options) {
  const Config& c = ctx.services.config();
  if (!noticesConfigured(c))
    throw core::Error(core::ErrorCode::kNotFound,
                      "eForms notices are not offered here: the configuration needs notices.settings and "
                      "notices.eforms_sdk (or use `dps notice`)");
  options.eforms_sdk_dir = c.notices_eforms_sdk;
  options.issued_at = ctx.services.clock().now();
  return reports::readNoticeSettings(c.notices_settings);
}

void contractNotice(Context& ctx) {
  const Id id = ctx.idParam("id");
  ctx.services.store().read([&](core::Tx& tx) { visibleDps(ctx.who(), tx, id); });
  reports::NoticeOptions options;
  const reports::NoticeParties parties = noticeParties(ctx, options);
  send(ctx, xml(reports::contractNotice(ctx.services.store(), id, parties, options)),
       "contract-notice-dps-" + std::to_string(id) + ".xml");
}

void roundAwardNotice(Context& ctx) {
  const Id id = ctx.idParam("id");
  ctx.services.store().read([&](core::Tx& tx) { visibleRound(ctx.who(), tx, id); });
  reports::NoticeOptions options;
  const reports::NoticeParties parties = noticeParties(ctx, options);
  send(ctx, xml(reports::roundAwardNotice(ctx.services.store(), id, parties, options)),
       "award-notice-round-" + std::to_string(id) + ".xml");
}

void quarterAwardNotice(Context& ctx) {
  const Id id = ctx.idParam("id");
  const std::string quarter = ctx.request.params.at("quarter");
  core::checkQuarter(quarter);
  ctx.services.store().read([&](core::Tx& tx) { visibleDps(ctx.who(), tx, id); });
  reports::NoticeOptions options;
  const reports::NoticeParties parties = noticeParties(ctx, options);
  send(ctx,
       xml(reports::quarterAwardNotice(ctx.services.store(), id, std::stoi(quarter.substr(0, 4)), quarter[6] - '0',
                                       parties, options)),
       "award-notice-dps-" + std::to_string(id) + "-" + quarter + ".xml");
}

void auditExport(Context& ctx) {
  send(ctx, document(ctx, reports::DocumentKind::kAuditLog, 0), "audit.xml");
}

}  // namespace

const std::vector<std::string>& roundDocumentNames() {
  static const std::vector<std::string> kNames =
      namesOf(roundProducers(), {"evaluation.html", "evaluation.csv", "art84.html", "invitation.xml", "bids.xml",
                                 "evaluation.xml", "award.xml", "ocds.json"});
  return kNames;
}

const std::vector<std::string>& dpsDocumentNames() {
  static const std::vector<std::string> kNames =
      namesOf(dpsProducers(), {"dashboard.html", "dashboard.csv", "compliance.html", "compliance.csv", "dps.xml"});
  return kNames;
}

bool noticesConfigured(const Config& config) {
  return !config.notices_settings.empty() && !config.notices_eforms_sdk.empty();
}

void addReportRoutes(Router& r) {
  const unsigned readers = kAdministrators | kOfficers | kAuditors;
  r.add("GET", "/documents/rounds/{id}/{name}", readers, roundDocument, "a round's documents and reports");
  r.add("GET", "/documents/rounds/{id}/letters/{supplier}", kSignedIn, awardLetter,
        "the award decision letter to one tenderer");
  r.add("GET", "/documents/dps/{id}/{name}", readers, dpsDocument, "a DPS's documents and reports");
  r.add("GET", "/documents/audit.xml", kAdministrators | kAuditors, auditExport,
        "the audit log with its hash chain");
  r.add("GET", "/documents/dps/{id}/notices/contract-notice.xml", readers, contractNotice,
        "the eForms contract notice (subtype 16) that set up the DPS");
  r.add("GET", "/documents/rounds/{id}/notices/award-notice.xml", readers, roundAwardNotice,
        "the eForms contract award notice (subtype 29) of a round");
  r.add("GET", "/documents/dps/{id}/quarters/{quarter}/award-notice.xml", readers, quarterAwardNotice,
        "the eForms award notice grouping a quarter's rounds (Art. 50(3))");
}

}  // namespace web::server
