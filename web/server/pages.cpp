// The server-rendered pages for officers, farmers, auditors and administrators, in Slovenian and
// English. Forms post back with a CSRF token and redirect (Post/Redirect/Get); every field has a
// label; no script. Handlers translate only: read within the principal's scope, call the engine,
// render.
#include <Poco/URI.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/audit.h"
#include "core/error.h"
#include "core/model.h"
#include "web/server/access.h"
#include "web/server/auth.h"
#include "web/server/html.h"
#include "web/server/json_input.h"
#include "web/server/messages.h"
#include "web/server/metrics.h"
#include "web/server/recompute.h"
#include "web/server/report_routes.h"
#include "web/server/routes.h"
#include "web/server/session_cookie.h"
#include "web/services.h"

namespace web::server {
namespace {

using core::Id;

void page(Context& ctx, const std::string& title, const std::string& body, int status = 200) {
  ctx.response.html(status, layout(ctx, title, body));
}

std::string qp(const Context& ctx, const std::string& name) { return ctx.request.queryParam(name); }

// A refusal of the pages' own whose text is a catalogue message: the English text for the logs,
// the page's language on the page.
core::Error refusal(core::ErrorCode code, const std::string& key, std::vector<std::string> args = {},
                    const std::string& field = {}) {
  return core::Error(code, fillMessage(message("en", key), args), field, {key, std::move(args)});
}

// A whole-number query parameter such as ?from=100: `fallback` when absent, at least `min`;
// kInvalidArgument naming it when it is not a number.
std::int64_t numberParam(const Context& ctx, const std::string& name, std::int64_t fallback, std::int64_t min) {
  if (qp(ctx, name).empty()) return fallback;
  try {
    return std::max<std::int64_t>(min, std::stoll(qp(ctx, name)));
  } catch (const std::exception&) {
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      name + " must be a whole number, e.g. " + name + "=100; leave it out to start at the beginning",
                      name, {"input.problem.number_param", {name}});
  }
}

// What a form field shows: after a refused submission (`refill`) the value just sent, else `fallback`.
std::string sentOr(const Context& ctx, bool refill, const std::string& name, const std::string& fallback) {
  return refill ? ctx.form(name) : fallback;
}

// " selected" for the <option> `option` of the <select> `name` that a refused submission chose.
std::string selectedIfSent(const Context& ctx, bool refill, const std::string& name, const std::string& option) {
  return refill && ctx.form(name) == option ? " selected" : "";
}

// A positive id from a form field; kInvalidArgument naming it otherwise.
Id formId(const Context& ctx, const std::string& name) {
  const std::string v = ctx.form(name);
  try {
    std::size_t used = 0;
    const long long id = std::stoll(v, &used);
    if (used == v.size() && id > 0) return id;
  } catch (const std::exception&) {
  }
  throw core::Error(core::ErrorCode::kInvalidArgument, "choose a value for " + name, name,
                    {"input.problem.choose", {name}});
}

std::string text(const Context& ctx, const std::string& name, std::size_t max) {
  const std::string v = ctx.form(name);
  if (core::charCount(v) > max)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      name + " is too long (at most " + std::to_string(max) + " characters)", name,
                      {"input.problem.too_long", {name, std::to_string(max)}});
  if (const std::string control = controlCharacter(v); !control.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, name + " " + controlCharacterProblem(v), name,
                      {"input.problem.control", {name, control}});
  return v;
}

std::string statusText(const Context& ctx, const std::string& prefix, const char* value) {
  return tr(ctx, "status." + prefix + "." + value);
}

std::string ok(const Context& ctx) {
  const std::string m = qp(ctx, "done");
  if (m.empty()) return {};
  return notice("ok", tr(ctx, "done." + m));
}

std::string supplierName(core::Tx& tx, Id id) {
  const auto s = tx.getSupplier(id);
  return s ? s->name : "#" + std::to_string(id);
}

// --- public: home, sign-in, language, registration ---

void home(Context& ctx) {
  if (ctx.principal) {
    ctx.response.redirect(homeFor(*ctx.principal));
    return;
  }
  page(ctx, message(ctx.lang, "home.title"),
       "<p>" + tr(ctx, "home.intro") + "</p><ul class=\"actions\"><li><a class=\"button\" href=\"/login\">" +
           tr(ctx, "nav.login") + "</a></li><li><a class=\"button\" href=\"/register\">" + tr(ctx, "home.register") +
           "</a></li></ul>");
}

std::string safeNext(const std::string& next) {
  if (next.empty() || next[0] != '/' || next.rfind("//", 0) == 0 || next.find('\\') != std::string::npos) return {};
  return next;
}

void loginForm(Context& ctx, const std::string& error = {}, int status = 200, const std::string& username = {}) {
  std::string body;
  if (!error.empty()) body += notice("error", error);
  body += "<form method=\"post\" action=\"/login\">" + csrfField(ctx) + hidden("next", safeNext(qp(ctx, "next"))) +
          field("username", tr(ctx, "login.username"), "text", username, "autocomplete=\"username\" required") +
          field("password", tr(ctx, "login.password"), "password", "", "autocomplete=\"current-password\" required") +
          "<button type=\"submit\">" + tr(ctx, "nav.login") + "</button></form><p><a href=\"/register\">" +
          tr(ctx, "home.register") + "</a></p>";
  page(ctx, message(ctx.lang, "login.title"), body, status);
}

void loginPage(Context& ctx) { loginForm(ctx); }

void loginSubmit(Context& ctx) {
  const std::string username = text(ctx, "username", 120);
  try {
    if (ctx.principal && !ctx.principal->session_hash.empty()) ctx.auth.logout(ctx.principal->session_hash);
    const auto r = ctx.auth.login(username, ctx.form("password"), ctx.request.remote_address);
    ctx.response.headers.emplace_back("Set-Cookie", sessionCookie(r.session_token, ctx.request.secure,
                                                                  ctx.auth.options().session_lifetime));
    const std::string next = safeNext(ctx.form("next"));
    ctx.response.redirect(next.empty() ? homeFor(r.principal) : next);
  } catch (const HttpError& e) {
    ctx.principal.reset();
    ctx.request.query["next"] = ctx.form("next");
    loginForm(ctx, tr(ctx, e.status() == 429 ? "login.throttled" : "login.failed"), e.status(), username);
  }
}

void logoutSubmit(Context& ctx) {
  if (ctx.principal && !ctx.principal->session_hash.empty()) ctx.auth.logout(ctx.principal->session_hash);
  ctx.response.headers.emplace_back("Set-Cookie", clearedSessionCookie(ctx.request.secure));
  ctx.response.redirect("/");
}

void switchLanguage(Context& ctx) {
  const std::string to = qp(ctx, "to") == "en" ? "en" : "sl";
  ctx.response.headers.emplace_back("Set-Cookie", languageCookie(to, ctx.request.secure));
  const std::string back = safeNext(qp(ctx, "back"));
  ctx.response.redirect(back.empty() ? "/" : back);
}

// The enterprise size (EU Recommendation 2003/361/EC), published for winners in award notices.
std::string sizeSelect(const Context& ctx) {
  std::string options;
  for (const char* size : {"micro", "small", "medium", "large"})
    options += std::string("<option value=\"") + size + "\"" + (ctx.form("size_class") == size ? " selected" : "") +
               ">" + tr(ctx, std::string("register.size_") + size) + "</option>";
  return "<p class=\"field\"><label for=\"size_class\">" + tr(ctx, "register.size") +
         "</label><select id=\"size_class\" name=\"size_class\">" + options + "</select></p>";
}

// The registration form; after a refused registration (`error_html` set, see errorHtml) it shows
// why and keeps what was entered.
void registerForm(Context& ctx, const std::string& error_html = {}, int status = 200) {
  std::string body;
  if (!error_html.empty()) body += errorNotice(error_html);
  const auto f = [&](const std::string& id, const std::string& key, const std::string& type, const std::string& extra) {
    return field(id, tr(ctx, key), type, ctx.form(id), extra);
  };
  body += "<p>" + tr(ctx, "register.intro") + "</p><form method=\"post\" action=\"/register\">" + csrfField(ctx) +
          "<fieldset><legend>" + tr(ctx, "register.company") + "</legend>" +
          f("name", "register.name", "text", "required maxlength=\"200\"") +
          f("tax_number", "register.tax_number", "text", "required maxlength=\"40\" inputmode=\"numeric\"") +
          f("address", "register.address", "text", "maxlength=\"300\"") +
          f("email", "register.email", "email", "maxlength=\"200\"") + sizeSelect(ctx) + "</fieldset><fieldset><legend>" +
          tr(ctx, "register.dispatch") + "</legend>" + f("dp_name", "register.dp_name", "text", "required") +
          f("dp_address", "register.dp_address", "text", "") +
          f("dp_lat", "register.dp_lat", "text", "required inputmode=\"decimal\"") +
          f("dp_lon", "register.dp_lon", "text", "required inputmode=\"decimal\"") + "</fieldset><fieldset><legend>" +
          tr(ctx, "register.certificate") + "</legend>" + f("cert_name", "register.cert_name", "text", "") +
          f("cert_number", "register.cert_number", "text", "") + "</fieldset><fieldset><legend>" +
          tr(ctx, "register.account") + "</legend>" +
          f("username", "login.username", "text", "required autocomplete=\"username\"") +
          field("password", tr(ctx, "login.password"), "password", "",
                "required minlength=\"10\" autocomplete=\"new-password\"") +
          "</fieldset><button type=\"submit\">" + tr(ctx, "register.submit") + "</button></form>";
  page(ctx, message(ctx.lang, "register.title"), body, status);
}

void registerPage(Context& ctx) { registerForm(ctx); }

double coordinate(const Context& ctx, const std::string& name, double limit) {
  std::string v = ctx.form(name);
  std::replace(v.begin(), v.end(), ',', '.');
  try {
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size() && d >= -limit && d <= limit) return d;
  } catch (const std::exception&) {
  }
  throw core::Error(core::ErrorCode::kInvalidArgument,
                    name + ": give decimal degrees between -" + std::to_string(static_cast<int>(limit)) + " and " +
                        std::to_string(static_cast<int>(limit)) + ", e.g. 46.2389",
                    name,
                    {limit < 100 ? "register.problem.lat" : "register.problem.lon", {ctx.form(name).substr(0, 30)}});
}

void registerSubmit(Context& ctx) {
  try {
    core::Supplier s;
    s.name = text(ctx, "name", core::max_chars::kName);
    s.tax_number = text(ctx, "tax_number", core::max_chars::kCode);
    s.address = text(ctx, "address", core::max_chars::kAddress);
    s.email = text(ctx, "email", core::max_chars::kEmail);
    s.size_class = text(ctx, "size_class", 10);
    s.is_sme = s.size_class != "large";
    core::DispatchPoint p;
    p.name = text(ctx, "dp_name", core::max_chars::kName);
    p.address = text(ctx, "dp_address", core::max_chars::kAddress);
    p.location.lat = coordinate(ctx, "dp_lat", 90);
    p.location.lon = coordinate(ctx, "dp_lon", 180);
    s.dispatch_points.push_back(p);
    if (!ctx.form("cert_name").empty())
      s.certificates.push_back({text(ctx, "cert_name", core::max_chars::kName),
                                text(ctx, "cert_number", core::max_chars::kCertificateNumber), std::nullopt});
    const std::string username = text(ctx, "username", 120);
    const std::string password = ctx.form("password");
    checkPassword(password);
    ctx.services.store().read([&](core::Tx& tx) {
      if (username.empty() || tx.findAccountByUsername(username))
        throw refusal(core::ErrorCode::kConflict, "register.taken", {}, "username");
    });
    s.id = ctx.services.engine().registerSupplier({username, core::Role::kSupplier, 0, 0}, s);
    core::Account a;
    a.username = username;
    a.display_name = s.name;
    a.email = s.email;
    a.role = core::AccountRole::kSupplier;
    a.supplier_id = s.id;
    a.language = ctx.lang;
    ctx.auth.createAccount(a, password);
    const auto r = ctx.auth.login(username, password, ctx.request.remote_address);
    ctx.response.headers.emplace_back("Set-Cookie", sessionCookie(r.session_token, ctx.request.secure,
                                                                  ctx.auth.options().session_lifetime));
    ctx.response.redirect("/farmer?done=registered");
  } catch (const core::Error& e) {
    registerForm(ctx, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

// --- officer ---

// Links to the documents and reports of a round or a DPS (web/server/report_routes.h).
std::string documentLinks(const Context& ctx, const std::string& base, const std::vector<std::string>& names) {
  std::string links;
  for (const std::string& n : names)
    links += (links.empty() ? "" : " · ") + std::string("<a href=\"") + base + n + "\">" + esc(n) + "</a>";
  return "<p class=\"documents\">" + tr(ctx, "documents") + ": " + links + "</p>";
}

std::string roundLink(const core::Round& r, const std::string& base) {
  return "<a href=\"" + base + std::to_string(r.id) + "\">" + esc(r.reference.empty() ? r.title : r.reference) + "</a>";
}

// The officer's dashboard. After a refused record of an award notice's publication for DPS
// `refused_dps` (`error_html` set, see errorHtml) it shows why above that DPS's form and keeps the
// values entered.
void officerView(Context& ctx, Id refused_dps = 0, const std::string& error_html = {}, int status = 200) {
  std::string body = ok(ctx);
  if (ctx.who().account.role != core::AccountRole::kAuditor)
    body += "<p><a href=\"/officer/imports\">" + tr(ctx, "import.link") + "</a></p>";
  const core::TimePoint now = ctx.services.clock().now();
  std::vector<core::Dps> systems;
  ctx.services.store().read([&](core::Tx& tx) { systems = visibleDpsList(ctx.who(), tx); });
  if (systems.empty()) body += "<p>" + tr(ctx, "officer.no_dps") + "</p>";
  for (const core::Dps& d : systems) {
    std::vector<core::Round> rounds;
    ctx.services.store().read([&](core::Tx& tx) { rounds = tx.listRounds(d.id); });
    const auto pending = d.status == core::DpsStatus::kDraft ? std::vector<core::AdmissionDue>()
                                                             : ctx.services.engine().pendingAdmissions(d.id);
    body += "<section><h2>" + esc(d.reference) + " — " + esc(d.title) + "</h2><p>" + tr(ctx, "dps.status") + ": " +
            statusText(ctx, "dps", core::toString(d.status)) + " · <a href=\"/officer/dps/" + std::to_string(d.id) +
            "\">" + tr(ctx, "officer.setup") + "</a> · <a href=\"/officer/rounds/new?dps=" + std::to_string(d.id) +
            "\">" + tr(ctx, "officer.new_round") + "</a></p>" +
            documentLinks(ctx, "/documents/dps/" + std::to_string(d.id) + "/", dpsDocumentNames()) +
            (noticesConfigured(ctx.services.config())
                 ? "<p><a href=\"/documents/dps/" + std::to_string(d.id) + "/notices/contract-notice.xml\">" +
                       tr(ctx, "documents.contract_notice") + "</a></p>"
                 : std::string());
    body += "<h3>" + tr(ctx, "officer.open_rounds") + "</h3><table><thead><tr><th scope=\"col\">" +
            tr(ctx, "round.reference") + "</th><th scope=\"col\">" + tr(ctx, "round.status") + "</th><th scope=\"col\">" +
            tr(ctx, "round.deadline") + "</th></tr></thead><tbody>";
    int shown = 0;
    for (const core::Round& r : rounds) {
      if (r.status == core::RoundStatus::kAwarded || r.status == core::RoundStatus::kCancelled) continue;
      ++shown;
      body += "<tr><td>" + roundLink(r, "/officer/rounds/") + "</td><td>" +
              statusText(ctx, "round", core::toString(r.status)) + "</td><td>" +
              (r.dispatched_at ? showTime(ctx, r.deadline) : "—") + "</td></tr>";
    }
    if (shown == 0) body += "<tr><td colspan=\"3\">" + tr(ctx, "none") + "</td></tr>";
    body += "</tbody></table>";
    int overdue = 0;
    for (const core::AdmissionDue& a : pending) overdue += a.overdue ? 1 : 0;
    body += "<h3>" + tr(ctx, "officer.admissions") + "</h3><p>" + std::to_string(pending.size()) + " " +
            tr(ctx, "officer.pending") + (overdue ? ", <strong class=\"overdue\">" + std::to_string(overdue) + " " +
                                                        tr(ctx, "officer.overdue") + "</strong>"
                                                  : std::string()) +
            " · <a href=\"/officer/admissions?dps=" + std::to_string(d.id) + "\">" + tr(ctx, "officer.review") +
            "</a></p>";
    // Rule 13 (Art. 50(3)): an award notice within 30 days of the award decision, or the notice
    // grouping the quarter within 30 days of its end; the officer records each publication.
    const std::vector<core::AwardNoticeStatus> notices = d.status == core::DpsStatus::kDraft
                                                             ? std::vector<core::AwardNoticeStatus>()
                                                             : ctx.services.engine().awardNotices(d.id);
    body += "<h3>" + tr(ctx, "officer.notices_due") + "</h3><ul>";
    const std::string id = std::to_string(d.id);
    const bool refill = d.id == refused_dps;
    std::string covers;
    std::set<std::string> quarters;
    for (const core::AwardNoticeStatus& s : notices) {
      if (s.state == core::NoticeState::kPublished || s.state == core::NoticeState::kPublishedLate) continue;
      const auto it = std::find_if(rounds.begin(), rounds.end(), [&](const core::Round& r) { return r.id == s.round_id; });
      if (it == rounds.end()) continue;
      body += "<li>" + roundLink(*it, "/officer/rounds/") + ": " + tr(ctx, "officer.notice_due_by") + " " +
              showTime(ctx, s.due_alone) + "; " + tr(ctx, "officer.notice_quarterly_by") + " " + esc(s.quarter) + ": " +
              showTime(ctx, s.due_quarterly) +
              (s.state == core::NoticeState::kOverdue
                   ? " <strong class=\"overdue\">" + tr(ctx, "officer.overdue") + "</strong>"
                   : std::string()) +
              "</li>";
      const std::string value = "round:" + std::to_string(s.round_id);
      covers += "<option value=\"" + value + "\"" + selectedIfSent(ctx, refill, "covers-" + id, value) + ">" +
                esc(s.round_reference) + "</option>";
      if (now > endOfQuarter(ctx.services.engine().calendarFor(d.authority_id), s.quarter)) quarters.insert(s.quarter);
    }
    if (covers.empty()) body += "<li>" + tr(ctx, "none") + "</li>";
    body += "</ul>";
    if (noticesConfigured(ctx.services.config())) {
      std::set<std::string> ended;
      for (const core::AwardNoticeStatus& s : notices)
        if (now > endOfQuarter(ctx.services.engine().calendarFor(d.authority_id), s.quarter)) ended.insert(s.quarter);
      std::string links;
      for (const std::string& q : ended)
        links += (links.empty() ? "" : " · ") + std::string("<a href=\"/documents/dps/") + std::to_string(d.id) +
                 "/quarters/" + esc(q) + "/award-notice.xml\">" + esc(q) + "</a>";
      if (!links.empty()) body += "<p>" + tr(ctx, "documents.quarter_notices") + ": " + links + "</p>";
    }
    for (const std::string& q : quarters)
      covers += "<option value=\"quarter:" + esc(q) + "\"" +
                selectedIfSent(ctx, refill, "covers-" + id, "quarter:" + q) + ">" + tr(ctx, "officer.notice_quarter") +
                " " + esc(q) + "</option>";
    if (refill) body += errorNotice(error_html);
    if (!covers.empty() && ctx.who().account.role != core::AccountRole::kAuditor) {
      body += "<form method=\"post\" action=\"/officer/dps/" + std::to_string(d.id) + "/award-notices\">" +
              csrfField(ctx) + "<fieldset><legend>" + tr(ctx, "officer.notice_record") + "</legend>" +
              "<p class=\"field\"><label for=\"covers-" + std::to_string(d.id) + "\">" +
              tr(ctx, "officer.notice_covers") + "</label><select id=\"covers-" + std::to_string(d.id) +
              "\" name=\"covers-" + std::to_string(d.id) + "\">" + covers + "</select></p>" +
              field("reference-" + id, tr(ctx, "officer.notice_reference"), "text",
                    sentOr(ctx, refill, "reference-" + id, ""), "required maxlength=\"100\"") +
              timeField(ctx, "published-" + id, tr(ctx, "officer.notice_published_at"), now,
                        sentOr(ctx, refill, "published-" + id, "")) +
              "<button type=\"submit\">" + tr(ctx, "officer.notice_record") + "</button></fieldset></form>";
    }
    body += "</ul></section>";
  }
  std::vector<core::OutboxMessage> failed;
  ctx.services.store().read([&](core::Tx& tx) {
    failed.clear();  // a retried read runs this again
    for (const core::OutboxMessage& m : visibleOutbox(ctx.who(), tx, 200))
      if (m.status == core::OutboxStatus::kFailed) failed.push_back(m);
  });
  body += "<section><h2>" + tr(ctx, "officer.outbox_failed") + "</h2><ul>";
  for (const core::OutboxMessage& m : failed)
    body += "<li>" + esc(m.recipient) + " — " + esc(m.subject) + ": " + esc(m.last_error) + "</li>";
  if (failed.empty()) body += "<li>" + tr(ctx, "none") + "</li>";
  body += "</ul></section>";
  if (ctx.who().account.role == core::AccountRole::kOfficer || ctx.who().account.role == core::AccountRole::kAdministrator)
    body += "<p><a href=\"/officer/dps/new\">" + tr(ctx, "officer.new_dps") + "</a></p>";
  page(ctx, message(ctx.lang, "officer.title"), body, status);
}

void officerDashboard(Context& ctx) { officerView(ctx); }

const std::vector<core::CriterionKind>& allKinds() {
  static const std::vector<core::CriterionKind> kinds = {
      core::CriterionKind::kPrice,     core::CriterionKind::kDistance, core::CriterionKind::kCo2,
      core::CriterionKind::kFreshness, core::CriterionKind::kLabel,    core::CriterionKind::kShortChain};
  return kinds;
}

// Whether an error refuses what a form sent: the form is then shown again with the reason and the
// values entered. Who may not do it at all, and a store that failed, get the error page instead.
bool refusedInput(const core::Error& e) {
  return e.code() != core::ErrorCode::kForbidden && e.code() != core::ErrorCode::kUnavailable &&
         e.code() != core::ErrorCode::kInternal;
}

// The form that sets up a DPS. After a refused submission (`error_html` set, see errorHtml) it
// shows why and keeps what was entered.
void newDpsForm(Context& ctx, const std::string& error_html = {}, int status = 200) {
  const bool refill = !error_html.empty();
  const auto value = [&](const std::string& name, const std::string& fallback) {
    return sentOr(ctx, refill, name, fallback);
  };
  std::vector<core::Authority> authorities;
  ctx.services.store().read([&](core::Tx& tx) { authorities = tx.listAuthorities(); });
  std::string options;
  for (const core::Authority& a : authorities)
    if (canSeeAuthority(ctx.who(), a.id))
      options += "<option value=\"" + std::to_string(a.id) + "\"" +
                 selectedIfSent(ctx, refill, "authority", std::to_string(a.id)) + ">" + esc(a.name) + "</option>";
  const core::TimePoint now = ctx.services.clock().now();
  const std::string body =
      (refill ? errorNotice(error_html) : std::string()) + "<form method=\"post\" action=\"/officer/dps\">" +
      csrfField(ctx) + "<p class=\"field\"><label for=\"authority\">" + tr(ctx, "dps.authority") +
      "</label><select id=\"authority\" name=\"authority\">" + options + "</select></p>" +
      field("reference", tr(ctx, "dps.reference"), "text", value("reference", ""), "required maxlength=\"100\"") +
      field("title", tr(ctx, "dps.title"), "text", value("title", ""), "required maxlength=\"500\"") +
      field("cpv", tr(ctx, "dps.cpv"), "text", value("cpv", "15000000"), "required pattern=\"[0-9]{8}\"") +
      timeField(ctx, "request_deadline", tr(ctx, "dps.request_deadline"), now + std::chrono::days(35),
                value("request_deadline", "")) +
      timeField(ctx, "valid_until", tr(ctx, "dps.valid_until"), now + std::chrono::days(4 * 365),
                value("valid_until", "")) +
      "<button type=\"submit\">" + tr(ctx, "dps.create") + "</button></form>";
  page(ctx, message(ctx.lang, "officer.new_dps"), body, status);
}

void newDpsPage(Context& ctx) { newDpsForm(ctx); }

void createDpsSubmit(Context& ctx) {
  try {
    core::Dps d;
    d.authority_id = authorityFor(ctx.who(), formId(ctx, "authority"));
    d.reference = text(ctx, "reference", 100);
    d.title = text(ctx, "title", 500);
    d.cpv = text(ctx, "cpv", 10);
    d.request_deadline = parseTimeField(ctx, ctx.form("request_deadline"), "request_deadline");
    d.valid_until = parseTimeField(ctx, ctx.form("valid_until"), "valid_until");
    d.vehicle_factors = {{"electric_van", core::Decimal::parse("0.10")},
                         {"van", core::Decimal::parse("0.55")},
                         {"truck", core::Decimal::parse("0.12")},
                         {"car", core::Decimal::parse("1.20")}};
    const Id id = ctx.services.engine().createDps(ctx.actor(), d);
    ctx.response.redirect("/officer/dps/" + std::to_string(id) + "?done=saved");
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    newDpsForm(ctx, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

// Which form of the DPS set-up page a refused submission came from.
enum class SetupForm { kNone, kCategory, kCriteria, kPublish };

// The DPS set-up page. After a refused submission of one of its forms (`error_html` set, see
// errorHtml) it shows why above that form and keeps what was entered in it.
void dpsSetupPage(Context& ctx, SetupForm refused = SetupForm::kNone, const std::string& error_html = {},
                  int status = 200) {
  const bool category_refill = refused == SetupForm::kCategory;
  const bool criteria_refill = refused == SetupForm::kCriteria;
  const auto noticeIf = [&](bool here) { return here ? errorNotice(error_html) : std::string(); };
  core::Dps d;
  std::vector<core::Category> categories;
  std::vector<core::Criterion> criteria;
  ctx.services.store().read([&](core::Tx& tx) {
    d = visibleDps(ctx.who(), tx, ctx.idParam("id"));
    categories = tx.listCategories(d.id);
    criteria = tx.listCriteria(d.id, d.criteria_version);
  });
  const std::string base = "/officer/dps/" + std::to_string(d.id);
  const bool draft = d.status == core::DpsStatus::kDraft;
  std::string body = ok(ctx) + "<p>" + tr(ctx, "dps.status") + ": " + statusText(ctx, "dps", core::toString(d.status)) +
                     " · " + tr(ctx, "dps.request_deadline") + ": " + showTime(ctx, d.request_deadline) + " · " +
                     tr(ctx, "dps.valid_until") + ": " + showTime(ctx, d.valid_until) + "</p>";
  body += "<h2>" + tr(ctx, "dps.categories") + "</h2><table><thead><tr><th scope=\"col\">" + tr(ctx, "category.code") +
          "</th><th scope=\"col\">" + tr(ctx, "category.name") + "</th><th scope=\"col\">CPV</th></tr></thead><tbody>";
  for (const core::Category& c : categories)
    body += "<tr><td>" + esc(c.code) + "</td><td>" + esc(c.name) + "</td><td>" + esc(c.cpv) + "</td></tr>";
  // A refusal shows in the section of the form it came from, even when that form is no longer
  // offered (the DPS was published or terminated meanwhile).
  body += "</tbody></table>" + noticeIf(category_refill);
  if (d.status != core::DpsStatus::kTerminated && d.status != core::DpsStatus::kExpired)
    body += "<form method=\"post\" action=\"" + base + "/categories\">" + csrfField(ctx) + "<fieldset><legend>" +
            tr(ctx, "dps.add_category") + "</legend>" +
            field("code", tr(ctx, "category.code"), "text", sentOr(ctx, category_refill, "code", ""),
                  "required maxlength=\"20\"") +
            field("name", tr(ctx, "category.name"), "text", sentOr(ctx, category_refill, "name", ""),
                  "required maxlength=\"200\"") +
            field("cpv", "CPV", "text", sentOr(ctx, category_refill, "cpv", ""), "required pattern=\"[0-9]{8}\"") +
            "<button type=\"submit\">" + tr(ctx, "save") + "</button></fieldset></form>";
  body += "<h2>" + tr(ctx, "dps.criteria") + "</h2>" + noticeIf(criteria_refill);
  if (draft) {
    body += "<form method=\"post\" action=\"" + base + "/criteria\">" + csrfField(ctx) +
            "<table><thead><tr><th scope=\"col\">" + tr(ctx, "criterion.kind") + "</th><th scope=\"col\">" +
            tr(ctx, "criterion.formula") + "</th><th scope=\"col\">" + tr(ctx, "criterion.weight") +
            "</th><th scope=\"col\">" + tr(ctx, "criterion.range") +
            "</th><th scope=\"col\">a / b</th><th scope=\"col\">" + tr(ctx, "criterion.fact") +
            "</th></tr></thead><tbody>";
    for (const core::CriterionKind k : allKinds()) {
      const std::string n = core::toString(k);
      const auto it = std::find_if(criteria.begin(), criteria.end(), [&](const core::Criterion& c) { return c.kind == k; });
      const core::Criterion c = it == criteria.end() ? core::Criterion{} : *it;
      std::string formulas;
      for (const core::Formula f : {core::Formula::kRelativeToBest, core::Formula::kLinearBand, core::Formula::kYesNo})
        formulas += std::string("<option value=\"") + core::toString(f) + "\"" +
                    (criteria_refill ? selectedIfSent(ctx, true, n + "_formula", core::toString(f))
                     : it != criteria.end() && c.formula == f ? " selected"
                                                              : "") +
                    ">" + tr(ctx, std::string("formula.") + core::toString(f)) + "</option>";
      // The stored value, or after a refused submission the value sent.
      const auto num = [&](const std::string& id, const std::string& label, const std::string& stored) {
        return "<label class=\"sr\" for=\"" + id + "\">" + label + "</label><input id=\"" + id + "\" name=\"" + id +
               "\" value=\"" + esc(sentOr(ctx, criteria_refill, id, stored)) + "\" size=\"5\" inputmode=\"decimal\">";
      };
      const std::string kind_label = tr(ctx, "kind." + n);
      body += "<tr><th scope=\"row\">" + kind_label + "</th><td><label class=\"sr\" for=\"" + n + "_formula\">" +
              tr(ctx, "criterion.formula") + " " + kind_label + "</label><select id=\"" + n + "_formula\" name=\"" + n +
              "_formula\">" + formulas + "</select></td><td>" +
              num(n + "_weight", tr(ctx, "criterion.weight") + " " + kind_label,
                  it == criteria.end() ? "0" : std::to_string(c.weight)) +
              "</td><td>" + num(n + "_min", tr(ctx, "criterion.min") + " " + kind_label, std::to_string(c.min_weight)) +
              "–" + num(n + "_max", tr(ctx, "criterion.max") + " " + kind_label, std::to_string(c.max_weight)) +
              "</td><td>" + num(n + "_a", "a " + kind_label, c.a.toString()) + " " +
              num(n + "_b", "b " + kind_label, c.b.toString()) + "</td><td>" +
              num(n + "_fact", tr(ctx, "criterion.fact") + " " + kind_label, c.fact) + "</td></tr>";
    }
    body += "</tbody></table><p class=\"hint\">" + tr(ctx, "criteria.hint") + "</p><button type=\"submit\">" +
            tr(ctx, "save") + "</button></form>" + noticeIf(refused == SetupForm::kPublish) +
            buttonForm(ctx, base + "/publish", tr(ctx, "dps.publish"));
  } else {
    body += "<ul>";
    for (const core::Criterion& c : criteria)
      body += "<li>" + tr(ctx, std::string("kind.") + core::toString(c.kind)) + ": " + std::to_string(c.weight) + " (" +
              tr(ctx, std::string("formula.") + core::toString(c.formula)) + ") " + esc(c.description) + "</li>";
    body += "</ul>" + noticeIf(refused == SetupForm::kPublish);
  }
  page(ctx, d.reference + " — " + message(ctx.lang, "officer.setup"), body, status);
}

void dpsSetup(Context& ctx) { dpsSetupPage(ctx); }

// Runs `submit`, a form of the DPS set-up page; a refused input shows the page again with the
// reason above that form and the values entered.
void setupSubmit(Context& ctx, SetupForm form, const std::function<void()>& submit) {
  try {
    submit();
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    dpsSetupPage(ctx, form, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

void addCategorySubmit(Context& ctx) {
  setupSubmit(ctx, SetupForm::kCategory, [&] {
    const Id id = ctx.idParam("id");
    ctx.services.engine().addCategory(ctx.actor(),
                                      {0, id, text(ctx, "code", 20), text(ctx, "name", 200), text(ctx, "cpv", 10), ""});
    ctx.response.redirect("/officer/dps/" + std::to_string(id) + "?done=saved");
  });
}

void saveCriteria(Context& ctx) {
  const Id id = ctx.idParam("id");
  std::vector<core::Criterion> criteria;
  for (const core::CriterionKind k : allKinds()) {
    const std::string n = core::toString(k);
    const std::string w = ctx.form(n + "_weight");
    if (w.empty() || w == "0") continue;
    core::Criterion c;
    c.kind = k;
    c.formula = core::parseFormula(ctx.form(n + "_formula"));
    const auto integer = [&](const std::string& f) {
      try {
        return std::stoi(ctx.form(f));
      } catch (const std::exception&) {
        throw core::Error(core::ErrorCode::kInvalidArgument, f + " must be a whole number", f,
                          {"input.problem.whole_number", {f}});
      }
    };
    c.weight = integer(n + "_weight");
    c.min_weight = ctx.form(n + "_min").empty() ? c.weight : integer(n + "_min");
    c.max_weight = ctx.form(n + "_max").empty() ? c.weight : integer(n + "_max");
    if (!ctx.form(n + "_a").empty()) c.a = core::Decimal::parse(ctx.form(n + "_a"), n + "_a");
    if (!ctx.form(n + "_b").empty()) c.b = core::Decimal::parse(ctx.form(n + "_b"), n + "_b");
    c.fact = text(ctx, n + "_fact", 40);
    criteria.push_back(c);
  }
  ctx.services.engine().setCriteria(ctx.actor(), id, criteria);
  ctx.response.redirect("/officer/dps/" + std::to_string(id) + "?done=saved");
}

void criteriaSubmit(Context& ctx) {
  setupSubmit(ctx, SetupForm::kCriteria, [&] { saveCriteria(ctx); });
}

void publishSubmit(Context& ctx) {
  setupSubmit(ctx, SetupForm::kPublish, [&] {
    const Id id = ctx.idParam("id");
    ctx.services.engine().publishDps(ctx.actor(), id);
    ctx.response.redirect("/officer/dps/" + std::to_string(id) + "?done=published");
  });
}

// The admission requests of a DPS. After a refused decision or extension of request `refused`
// (`error_html` set, see errorHtml) it shows why on that request's card and keeps what was typed.
void admissionList(Context& ctx, Id dps_id, Id refused = 0, const std::string& error_html = {}, int status = 200) {
  core::Dps d;
  std::map<Id, std::string> suppliers;
  std::map<Id, std::string> categories;
  std::vector<core::AdmissionRequest> all;
  ctx.services.store().read([&](core::Tx& tx) {
    d = visibleDps(ctx.who(), tx, dps_id);
    for (const core::Category& c : tx.listCategories(d.id)) categories[c.id] = c.code + " " + c.name;
    all = tx.listAdmissionRequests(d.id);
    for (const core::AdmissionRequest& r : all) suppliers[r.supplier_id] = supplierName(tx, r.supplier_id);
  });
  const auto pending = ctx.services.engine().pendingAdmissions(d.id);
  const bool can_decide = ctx.who().account.role != core::AccountRole::kAuditor;
  std::string body = ok(ctx) + "<h2>" + tr(ctx, "admission.pending") + "</h2>";
  if (pending.empty()) body += "<p>" + tr(ctx, "none") + "</p>";
  for (const core::AdmissionDue& a : pending) {
    const std::string base = "/officer/admissions/" + std::to_string(a.request.id);
    const std::string rid = std::to_string(a.request.id);
    body += "<article class=\"card\"><h3>" + esc(suppliers[a.request.supplier_id]) + " — " +
            esc(categories[a.request.category_id]) + "</h3><p>" + tr(ctx, "admission.received") + ": " +
            showTime(ctx, a.request.received_at) + " · " + tr(ctx, "admission.due") + ": " + showTime(ctx, a.due_at) +
            " · " +
            (a.overdue ? "<strong class=\"overdue\">" + tr(ctx, "officer.overdue") + "</strong>"
                       : std::to_string(a.working_days_left) + " " + tr(ctx, "admission.days_left")) +
            (a.request.extension_justification.empty()
                 ? std::string()
                 : " · " + tr(ctx, "admission.extended") + ": " + esc(a.request.extension_justification)) +
            "</p><details><summary>" + tr(ctx, "admission.espd") + "</summary><pre>" + esc(a.request.self_declaration) +
            "</pre></details>";
    const bool refill = a.request.id == refused;
    if (refill) body += errorNotice(error_html);
    if (can_decide) {
      body += "<form method=\"post\" action=\"" + base + "/decide\">" + csrfField(ctx) +
              field("reason-" + rid, tr(ctx, "admission.reason"), "textarea", sentOr(ctx, refill, "reason-" + rid, ""),
                    "rows=\"2\"") +
              "<button type=\"submit\" name=\"admit\" value=\"1\">" + tr(ctx, "admission.admit") +
              "</button> <button type=\"submit\" name=\"admit\" value=\"0\">" + tr(ctx, "admission.reject") +
              "</button></form>";
      if (a.request.extension_justification.empty())
        body += "<form method=\"post\" action=\"" + base + "/extend\">" + csrfField(ctx) +
                field("justification-" + rid, tr(ctx, "admission.justification"), "text",
                      sentOr(ctx, refill, "justification-" + rid, ""), "") +
                "<button type=\"submit\">" + tr(ctx, "admission.extend") + "</button></form>";
    }
    body += "</article>";
  }
  body += "<h2>" + tr(ctx, "admission.decided") + "</h2><table><thead><tr><th scope=\"col\">" +
          tr(ctx, "supplier") + "</th><th scope=\"col\">" + tr(ctx, "category") + "</th><th scope=\"col\">" +
          tr(ctx, "round.status") + "</th><th scope=\"col\">" + tr(ctx, "admission.reason") + "</th></tr></thead><tbody>";
  for (const core::AdmissionRequest& r : all)
    if (r.status != core::AdmissionStatus::kPending)
      body += "<tr><td>" + esc(suppliers[r.supplier_id]) + "</td><td>" + esc(categories[r.category_id]) + "</td><td>" +
              statusText(ctx, "admission", core::toString(r.status)) + "</td><td>" + esc(r.reason) + "</td></tr>";
  body += "</tbody></table>";
  // A refusal for a request that is no longer pending (decided meanwhile) shows above the lists.
  if (refused != 0 && std::none_of(pending.begin(), pending.end(),
                                   [&](const core::AdmissionDue& a) { return a.request.id == refused; }))
    body = errorNotice(error_html) + body;
  page(ctx, message(ctx.lang, "admission.title") + " — " + d.reference, body, status);
}

// The DPS a page at `address` is about, from its ?dps=ID; refused naming the address otherwise.
Id dpsParam(const Context& ctx, const std::string& address) {
  try {
    return std::stoll(qp(ctx, "dps"));
  } catch (const std::exception&) {
    throw core::Error(core::ErrorCode::kInvalidArgument, "name the DPS: " + address + "?dps=ID", "dps",
                      {"input.problem.dps_param", {address}});
  }
}

void admissionReview(Context& ctx) { admissionList(ctx, dpsParam(ctx, "/officer/admissions")); }

Id admissionDps(Context& ctx, Id request_id) {
  Id dps = 0;
  ctx.services.store().read([&](core::Tx& tx) {
    const core::AdmissionRequest r = visibleAdmission(ctx.who(), tx, request_id);
    dps = tx.getCategory(r.category_id)->dps_id;
  });
  return dps;
}

// Runs `submit`, a form on request `id`'s card; a refused input shows the admission list again
// with the reason on that card and the text entered.
void admissionSubmit(Context& ctx, const std::string& done, const std::function<void(Id)>& submit) {
  const Id id = ctx.idParam("id");
  const Id dps = admissionDps(ctx, id);
  try {
    submit(id);
    ctx.response.redirect("/officer/admissions?dps=" + std::to_string(dps) + "&done=" + done);
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    admissionList(ctx, dps, id, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

void decideSubmit(Context& ctx) {
  admissionSubmit(ctx, "decided", [&](Id id) {
    ctx.services.engine().decideAdmission(ctx.actor(), id, ctx.form("admit") == "1",
                                          text(ctx, "reason-" + std::to_string(id), JsonObject::kLongText));
  });
}

void extendSubmit(Context& ctx) {
  admissionSubmit(ctx, "extended", [&](Id id) {
    ctx.services.engine().extendAdmissionPeriod(
        ctx.actor(), id, text(ctx, "justification-" + std::to_string(id), JsonObject::kLongText));
  });
}

void awardNoticeSubmit(Context& ctx) {
  const Id dps_id = ctx.idParam("id");
  const std::string n = std::to_string(dps_id);
  const std::string covers = ctx.form("covers-" + n);
  core::NoticePublication p;
  p.dps_id = dps_id;
  if (covers.rfind("round:", 0) == 0) {
    try {
      p.round_id = std::stoll(covers.substr(6));
    } catch (const std::exception&) {
      p.round_id = 0;
    }
  } else if (covers.rfind("quarter:", 0) == 0) {
    p.quarter = covers.substr(8);
  }
  try {
    if (p.round_id == 0 && p.quarter.empty())
      throw core::Error(core::ErrorCode::kInvalidArgument, "choose the round or the quarter the notice covers",
                        "covers", {"notice.problem.covers", {}});
    p.reference = text(ctx, "reference-" + n, 100);
    p.published_at = parseTimeField(ctx, ctx.form("published-" + n), "published_at");
    ctx.services.engine().recordNoticePublication(ctx.actor(), p);
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    officerView(ctx, dps_id, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
    return;
  }
  ctx.response.redirect("/officer?done=notice_recorded");
}

// What a round's deadline field proposes: 10:00 legal time on the day after the earliest lawful
// deadline (which is the end of a day), the first morning the 10-day rule allows.
core::TimePoint proposedDeadline(const core::Calendar& cal, core::TimePoint earliest) {
  const core::Date next{std::chrono::sys_days{cal.localDate(earliest)} + std::chrono::days(1)};
  return cal.parseLocal(core::formatDate(next) + " 10:00", "deadline");
}

// The hint under a deadline field: the earliest deadline the 10-day rule allows, and the rule.
std::string earliestHint(Context& ctx, core::TimePoint earliest) {
  return "<p class=\"hint\">" + tr(ctx, "round.earliest") + " <strong>" + showTime(ctx, earliest) + "</strong>. " +
         tr(ctx, "round.ten_day_rule") + "</p>";
}

struct RoundFormData {
  core::Dps dps;
  std::vector<core::Category> categories;
  std::vector<core::Product> products;
  std::vector<core::DeliveryPoint> points;
};

constexpr int kLotRows = 5;

void roundForm(Context& ctx, Id dps_id, const std::string& error_html = {}, int status = 200) {
  RoundFormData f;
  ctx.services.store().read([&](core::Tx& tx) {
    f.dps = visibleDps(ctx.who(), tx, dps_id);
    f.categories = tx.listCategories(f.dps.id);
    f.products = tx.listProducts();
    f.points = tx.listDeliveryPoints(f.dps.authority_id);
  });
  const core::Calendar& cal = ctx.services.engine().calendarFor(f.dps.authority_id);
  const core::TimePoint earliest = cal.periodEndCalendarDays(ctx.services.clock().now(), 10);
  std::string body;
  if (!error_html.empty()) body += errorNotice(error_html);
  std::string cats;
  for (const core::Category& c : f.categories)
    cats += "<option value=\"" + std::to_string(c.id) + "\"" + (ctx.form("category") == std::to_string(c.id) ? " selected" : "") +
            ">" + esc(c.code + " " + c.name) + "</option>";
  std::string modes;
  for (const core::AwardMode m : {core::AwardMode::kBestBid, core::AwardMode::kPartialFill})
    modes += std::string("<option value=\"") + core::toString(m) + "\"" +
             (ctx.form("award_mode") == core::toString(m) ? " selected" : "") + ">" +
             tr(ctx, std::string("mode.") + core::toString(m)) + "</option>";
  body += "<form method=\"post\" action=\"/officer/rounds\">" + csrfField(ctx) + hidden("dps", std::to_string(dps_id)) +
          "<p class=\"field\"><label for=\"category\">" + tr(ctx, "category") +
          "</label><select id=\"category\" name=\"category\">" + cats + "</select></p>" +
          field("title", tr(ctx, "round.title"), "text", ctx.form("title"), "required maxlength=\"500\"") +
          "<p class=\"field\"><label for=\"award_mode\">" + tr(ctx, "round.award_mode") +
          "</label><select id=\"award_mode\" name=\"award_mode\">" + modes + "</select></p>" +
          field("allow_partial", tr(ctx, "round.allow_partial"), "checkbox", ctx.form("allow_partial"), "") +
          timeField(ctx, "deadline", tr(ctx, "round.deadline"), proposedDeadline(cal, earliest), ctx.form("deadline")) +
          earliestHint(ctx, earliest);
  for (int i = 1; i <= kLotRows; ++i) {
    const std::string n = std::to_string(i);
    std::string opts = "<option value=\"\">" + tr(ctx, "round.no_lot") + "</option>";
    for (const core::Product& p : f.products)
      opts += "<option value=\"" + esc(p.code) + "\"" + (ctx.form("lot" + n + "_product") == p.code ? " selected" : "") +
              ">" + esc(p.code + " — " + (ctx.lang == "en" ? p.name_en : p.name_sl)) + "</option>";
    body += "<fieldset><legend>" + tr(ctx, "lot") + " " + n + "</legend><p class=\"field\"><label for=\"lot" + n +
            "_product\">" + tr(ctx, "lot.product") + "</label><select id=\"lot" + n + "_product\" name=\"lot" + n +
            "_product\">" + opts + "</select></p><div class=\"grid\">";
    for (const core::DeliveryPoint& p : f.points) {
      const std::string id = "lot" + n + "_dp" + std::to_string(p.id);
      body += field(id, esc(p.name), "text", ctx.form(id), "inputmode=\"decimal\" size=\"6\"");
    }
    body += "</div>" +
            field("lot" + n + "_min", tr(ctx, "lot.min_delivery"), "text", ctx.form("lot" + n + "_min"),
                  "inputmode=\"decimal\" size=\"6\"") +
            "</fieldset>";
  }
  body += "<button type=\"submit\">" + tr(ctx, "round.create") + "</button></form>";
  page(ctx, message(ctx.lang, "officer.new_round") + " — " + f.dps.reference, body, status);
}

void newRoundPage(Context& ctx) { roundForm(ctx, dpsParam(ctx, "/officer/rounds/new")); }

void createRoundSubmit(Context& ctx) {
  const Id dps_id = formId(ctx, "dps");
  try {
    core::Round r;
    r.dps_id = dps_id;
    r.category_id = formId(ctx, "category");
    r.title = text(ctx, "title", 500);
    r.award_mode = core::parseAwardMode(ctx.form("award_mode"));
    r.allow_partial = ctx.form("allow_partial") == "1";
    const core::TimePoint deadline = parseTimeField(ctx, ctx.form("deadline"), "deadline");
    core::Dps d;
    std::vector<core::DeliveryPoint> points;
    std::vector<core::Lot> lots;
    ctx.services.store().read([&](core::Tx& tx) {
      lots.clear();  // a retried read runs this again
      d = visibleDps(ctx.who(), tx, dps_id);
      points = tx.listDeliveryPoints(d.authority_id);
      for (int i = 1; i <= kLotRows; ++i) {
        const std::string n = std::to_string(i);
        const std::string code = ctx.form("lot" + n + "_product");
        if (code.empty()) continue;
        const auto p = tx.findProductByCode(code);
        if (!p)
          throw core::Error(core::ErrorCode::kNotFound, "no product " + code, "lot" + n + "_product",
                            {"notfound.product", {code.substr(0, 40)}});
        core::Lot lot;
        lot.number = static_cast<int>(lots.size()) + 1;
        lot.cpv = p->cpv;
        lot.description = p->name_sl + " / " + p->name_en;
        lot.unit = p->unit;
        lot.unit_mass_kg = p->unit_mass_kg;
        for (const core::DeliveryPoint& dp : points) {
          const std::string id = "lot" + n + "_dp" + std::to_string(dp.id);
          if (ctx.form(id).empty()) continue;
          const core::Decimal q = core::Decimal::parse(ctx.form(id), id);
          if (!q.isZero()) lot.demands.push_back({dp.id, q, "weekly"});
        }
        if (!ctx.form("lot" + n + "_min").empty())
          lot.min_delivery = core::Decimal::parse(ctx.form("lot" + n + "_min"), "lot" + n + "_min");
        lots.push_back(lot);
      }
    });
    if (lots.empty()) throw refusal(core::ErrorCode::kInvalidArgument, "round.need_lot", {}, "lot1_product");
    // Rule 6 (Art. 34(2)(b)) checked before anything is stored: at least 10 days from dispatch.
    const core::TimePoint earliest =
        ctx.services.engine().calendarFor(d.authority_id).periodEndCalendarDays(ctx.services.clock().now(), 10);
    if (deadline < earliest)
      throw refusal(core::ErrorCode::kDeadline, "round.deadline_too_early", {timeText(ctx, earliest)}, "deadline");
    const Id id = ctx.services.engine().createRound(ctx.actor(), r, lots);
    try {
      ctx.services.engine().dispatchRound(ctx.actor(), id, deadline);
    } catch (const core::Error& e) {
      // The draft round stays (its page offers the dispatch again); say why it was not sent, the
      // engine's reason as the one item under the heading.
      throw core::Error(e.code(), message("en", "round.created_not_dispatched") + " " + e.what(), e.field(),
                        {"round.created_not_dispatched", {}}, {{e.field(), e.what(), e.localized()}});
    }
    ctx.response.redirect("/officer/rounds/" + std::to_string(id) + "?done=dispatched");
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    roundForm(ctx, dps_id, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

// A round's page. After a refused action (`error_html` set, see errorHtml) it shows why above the
// actions and keeps the tender deadline typed for dispatch.
void roundView(Context& ctx, const std::string& error_html = {}, int status = 200) {
  const bool refill = !error_html.empty();
  core::Round r;
  std::vector<core::Lot> lots;
  std::vector<core::Bid> bids;
  std::vector<core::Invitation> invitations;
  std::map<Id, std::string> names;
  std::map<Id, std::string> points;
  Id authority_id = 0;
  ctx.services.store().read([&](core::Tx& tx) {
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    lots = tx.listLots(r.id);
    bids = tx.listBids(r.id);
    invitations = tx.listInvitations(r.id);
    for (const core::Bid& b : bids) names[b.supplier_id] = supplierName(tx, b.supplier_id);
    const auto d = tx.getDps(r.dps_id);
    authority_id = d->authority_id;
    for (const core::DeliveryPoint& p : tx.listDeliveryPoints(d->authority_id)) points[p.id] = p.name;
  });
  const std::string base = "/officer/rounds/" + std::to_string(r.id);
  const bool manager = ctx.who().account.role != core::AccountRole::kAuditor;
  std::string body = ok(ctx) + "<p>" + esc(r.title) + "</p><p>" + tr(ctx, "round.status") + ": <strong>" +
                     statusText(ctx, "round", core::toString(r.status)) + "</strong> · " + tr(ctx, "round.deadline") +
                     ": " + (r.dispatched_at ? showTime(ctx, r.deadline) : "—") + " · " + tr(ctx, "round.invitees") +
                     ": " + std::to_string(invitations.size()) + "</p>";
  if (refill) body += errorNotice(error_html);
  if (manager) {
    body += "<div class=\"actions\">";
    if (r.status == core::RoundStatus::kDraft) {
      const core::Calendar& cal = ctx.services.engine().calendarFor(authority_id);
      const core::TimePoint earliest = cal.periodEndCalendarDays(ctx.services.clock().now(), 10);
      body += "<form method=\"post\" action=\"" + base + "/dispatch\">" + csrfField(ctx) +
              timeField(ctx, "deadline", tr(ctx, "round.deadline"), proposedDeadline(cal, earliest),
                        sentOr(ctx, refill, "deadline", "")) +
              earliestHint(ctx, earliest) + "<button type=\"submit\">" + tr(ctx, "round.dispatch") + "</button></form>";
    }
    if (r.status == core::RoundStatus::kOpen) body += buttonForm(ctx, base + "/open", tr(ctx, "round.open"));
    if (r.status == core::RoundStatus::kOpened) body += buttonForm(ctx, base + "/evaluate", tr(ctx, "round.evaluate"));
    if (r.status == core::RoundStatus::kEvaluated) body += buttonForm(ctx, base + "/award", tr(ctx, "round.award"));
    body += "</div>";
  }
  if (r.status == core::RoundStatus::kEvaluated || r.status == core::RoundStatus::kAwarded)
    body += "<p><a href=\"" + base + "/evaluation\">" + tr(ctx, "round.evaluation") + "</a>" +
            (r.status == core::RoundStatus::kAwarded ? " · <a href=\"" + base + "/award\">" + tr(ctx, "round.award_decision") + "</a>"
                                                      : std::string()) +
            "</p>";
  body += "<h2>" + tr(ctx, "round.lots") + "</h2><table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">" +
          tr(ctx, "lot.description") + "</th><th scope=\"col\">" + tr(ctx, "lot.demand") + "</th></tr></thead><tbody>";
  for (const core::Lot& l : lots) {
    core::Decimal total;
    for (const core::Demand& dm : l.demands) total += dm.quantity;
    body += "<tr><td>" + std::to_string(l.number) + "</td><td>" + esc(l.description) + "</td><td>" + total.toString() +
            " " + esc(l.unit) + " → " + std::to_string(l.demands.size()) + " " + tr(ctx, "lot.points") + "</td></tr>";
  }
  body += "</tbody></table><h2>" + tr(ctx, "round.bids") + "</h2><p class=\"hint\">" + tr(ctx, "round.sealed_note") +
          "</p><table><thead><tr><th scope=\"col\">" + tr(ctx, "supplier") + "</th><th scope=\"col\">" +
          tr(ctx, "bid.version") + "</th><th scope=\"col\">" + tr(ctx, "round.status") + "</th><th scope=\"col\">" +
          tr(ctx, "bid.submitted") + "</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>";
  for (const core::Bid& b : bids)
    body += "<tr><td>" + esc(names[b.supplier_id]) + "</td><td>" + std::to_string(b.version) + "</td><td>" +
            statusText(ctx, "bid", core::toString(b.status)) + "</td><td>" + showTime(ctx, b.submitted_at) +
            "</td><td><code>" + esc(b.digest.substr(0, 16)) + "…</code></td></tr>";
  body += "</tbody></table>";
  const std::string docs = "/documents/rounds/" + std::to_string(r.id) + "/";
  body += "<h2>" + tr(ctx, "documents") + "</h2>" + documentLinks(ctx, docs, roundDocumentNames());
  if (r.status == core::RoundStatus::kAwarded) {
    std::set<Id> tenderers;
    for (const core::Bid& b : bids)
      if (b.status != core::BidStatus::kSuperseded && b.status != core::BidStatus::kWithdrawn)
        tenderers.insert(b.supplier_id);
    std::string letters;
    for (const Id s : tenderers)
      letters += (letters.empty() ? "" : " · ") + std::string("<a href=\"") + docs + "letters/" + std::to_string(s) +
                 "\">" + esc(names[s]) + "</a>";
    body += "<p>" + tr(ctx, "documents.letters") + ": " + letters + "</p>";
    if (noticesConfigured(ctx.services.config()))
      body += "<p><a href=\"" + docs + "notices/award-notice.xml\">" + tr(ctx, "documents.award_notice") + "</a></p>";
  }
  page(ctx, message(ctx.lang, "round") + " " + r.reference, body, status);
}

void roundPage(Context& ctx) { roundView(ctx); }

void roundAction(Context& ctx, const std::string& action) {
  const Id id = ctx.idParam("id");
  core::Engine& engine = ctx.services.engine();
  try {
    if (action == "dispatch")
      engine.dispatchRound(ctx.actor(), id, parseTimeField(ctx, ctx.form("deadline"), "deadline"));
    if (action == "open") engine.openRound(ctx.actor(), id);
    if (action == "evaluate") engine.evaluateRound(ctx.actor(), id);
    if (action == "award") engine.awardRound(ctx.actor(), id);
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    roundView(ctx, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
    return;
  }
  ctx.response.redirect("/officer/rounds/" + std::to_string(id) + (action == "award" ? "/award" : "") + "?done=" + action);
}

// An exact recorded value as a person reads it: a fraction also as a decimal ("1899/250 ≈ 7.596").
std::string readableValue(const std::string& v) {
  const std::size_t slash = v.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == v.size()) return esc(v);
  char* end = nullptr;
  const double num = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + slash) return esc(v);
  const double den = std::strtod(v.c_str() + slash + 1, &end);
  if (*end != '\0' || den == 0) return esc(v);
  char approx[32];
  std::snprintf(approx, sizeof approx, "%.3f", num / den);
  return esc(v) + " ≈ " + approx;
}

// The recorded inputs of a score ("km.12=7.596;source.12=haversine;qty.12=120;mean_km=1899/250;
// vehicle=van;...;weight=20") as a person reads them: each named in the page's language, vehicles
// and yes/no translated, fractions also as decimals, and the distances to the delivery points
// folded under one summary line. A key the catalogue does not know is shown as recorded.
std::string inputsHtml(Context& ctx, const std::string& inputs, const std::map<Id, std::string>& point_names) {
  static const std::set<std::string> kKnown = {"mean_km",
                                               "vehicle",
                                               "kg_co2e_per_tkm",
                                               "unit_mass_kg",
                                               "total_qty",
                                               "mass_t",
                                               "value",
                                               "best",
                                               "a",
                                               "b",
                                               "bands",
                                               "weight",
                                               "hours_from_harvest",
                                               "fact",
                                               "organic",
                                               "quality_scheme",
                                               "intermediaries",
                                               "max_intermediaries"};
  static const std::set<std::string> kVehicles = {"van", "electric_van", "truck", "car"};
  struct Point {
    std::string km, source, qty;
  };
  std::vector<std::string> point_order;
  std::map<std::string, Point> points;
  std::string list;
  std::size_t start = 0;
  while (start < inputs.size()) {
    std::size_t end = inputs.find(';', start);
    if (end == std::string::npos) end = inputs.size();
    const std::string pair = inputs.substr(start, end - start);
    start = end + 1;
    const std::size_t eq = pair.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = pair.substr(0, eq);
    const std::string value = pair.substr(eq + 1);
    const std::size_t dot = key.find('.');
    if (dot != std::string::npos) {
      const std::string base = key.substr(0, dot);
      const std::string id = key.substr(dot + 1);
      if (base == "km" || base == "source" || base == "qty") {
        if (!points.count(id)) point_order.push_back(id);
        Point& p = points[id];
        (base == "km" ? p.km : base == "source" ? p.source : p.qty) = value;
        continue;
      }
    }
    std::string shown = readableValue(value);
    if (key == "vehicle" && kVehicles.count(value)) shown = tr(ctx, "vehicle." + value);
    if ((key == "organic" || key == "quality_scheme") && (value == "yes" || value == "no"))
      shown = tr(ctx, "input." + value);
    if (key == "fact" && (value == "organic" || value == "quality_scheme" || value == "organic_or_quality"))
      shown = tr(ctx, "input.fact." + value);
    list += "<dt>" + (kKnown.count(key) ? tr(ctx, "input." + key) : esc(key)) + "</dt><dd>" + shown + "</dd>";
  }
  std::string out = list.empty() ? std::string() : "<dl class=\"inputs\">" + list + "</dl>";
  if (!point_order.empty()) {
    out += "<details><summary>" + tr(ctx, "input.points") + " (" + std::to_string(point_order.size()) +
           ")</summary><ul class=\"inputs\">";
    for (const std::string& id : point_order) {
      const Point& p = points[id];
      char* end = nullptr;
      const long long n = std::strtoll(id.c_str(), &end, 10);
      const auto name = *end == '\0' ? point_names.find(n) : point_names.end();
      out += "<li>" + (name != point_names.end() ? esc(name->second) : tr(ctx, "input.point") + " " + esc(id)) + ": " +
             readableValue(p.km) + " km";
      if (p.source == "haversine" || p.source == "road") out += ", " + tr(ctx, "input.source." + p.source);
      if (!p.qty.empty()) out += ", " + tr(ctx, "input.qty") + " " + readableValue(p.qty);
      out += "</li>";
    }
    out += "</ul></details>";
  }
  return out;
}

// The evaluation table: per lot, each bid's rank, points per criterion with the inputs behind
// them, the total and the flags. Suppliers see only their own rows (farmer results page).
std::string evaluationTable(Context& ctx, const core::Round& r, core::Tx& tx, Id only_supplier, bool actions,
                            const std::string& refused_html = {}) {
  const auto lots = tx.listLots(r.id);
  const auto results = tx.listLotResults(r.id);
  const auto scores = tx.listScores(r.id);
  const auto cases = tx.listAbnormalLowCases(r.id);
  const auto award = tx.listAwardLines(r.id);
  std::set<core::CriterionKind> kinds;
  for (const core::ScoreRecord& s : scores) kinds.insert(s.kind);
  std::map<Id, std::string> point_names;
  if (const auto d = tx.getDps(r.dps_id))
    for (const core::DeliveryPoint& p : tx.listDeliveryPoints(d->authority_id)) point_names[p.id] = p.name;
  // The columns: rank, supplier, each criterion's points with their inputs, total, award, notes.
  std::vector<std::string> headers = {tr(ctx, "eval.rank"), tr(ctx, "supplier")};
  for (const core::CriterionKind k : kinds) headers.push_back(tr(ctx, std::string("kind.") + core::toString(k)));
  headers.push_back(tr(ctx, "eval.total"));
  headers.push_back(tr(ctx, "eval.awarded"));
  headers.push_back(tr(ctx, "eval.notes"));
  std::string body;
  const std::string base = "/officer/rounds/" + std::to_string(r.id);
  for (const core::Lot& l : lots) {
    body += "<section><h2>" + tr(ctx, "lot") + " " + std::to_string(l.number) + ": " + esc(l.description) + "</h2>";
    std::vector<core::LotResult> rows;
    for (const core::LotResult& lr : results)
      if (lr.lot_id == l.id && lr.delivery_point_id == 0 && (only_supplier == 0 || lr.supplier_id == only_supplier))
        rows.push_back(lr);
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return (a.rank == 0 ? 1 << 30 : a.rank) < (b.rank == 0 ? 1 << 30 : b.rank);
    });
    std::vector<std::vector<std::string>> cells;  // per row, one per header
    for (const core::LotResult& lr : rows) {
      std::vector<std::string>& c = cells.emplace_back();
      c.push_back(lr.rank ? std::to_string(lr.rank) : "—");
      c.push_back(esc(supplierName(tx, lr.supplier_id)));
      for (const core::CriterionKind k : kinds) {
        const auto it = std::find_if(scores.begin(), scores.end(), [&](const core::ScoreRecord& s) {
          return s.lot_id == l.id && s.bid_id == lr.bid_id && s.delivery_point_id == 0 && s.kind == k;
        });
        c.push_back(it == scores.end() ? std::string("—")
                                       : "<strong>" + it->points.toDecimalString(3) + "</strong>" +
                                             inputsHtml(ctx, it->inputs, point_names));
      }
      core::Decimal awarded;
      for (const core::AwardLine& a : award)
        if (a.lot_id == l.id && a.bid_id == lr.bid_id) awarded += a.quantity;
      std::string note = esc(lr.note);
      if (lr.abnormally_low) {
        note += " <strong>" + tr(ctx, "eval.abnormally_low") + "</strong>";
        const auto found = std::find_if(cases.begin(), cases.end(), [&](const core::AbnormalLowCase& x) {
          return x.lot_id == l.id && x.bid_id == lr.bid_id;
        });
        // A refused request or decision on this bid shows why beside it and keeps the text typed.
        const bool refill = !refused_html.empty() && ctx.form("lot") == std::to_string(l.id) &&
                            ctx.form("bid") == std::to_string(lr.bid_id);
        if (refill) note += errorNotice(refused_html);
        if (actions && r.status == core::RoundStatus::kEvaluated) {
          const std::string ids = hidden("lot", std::to_string(l.id)) + hidden("bid", std::to_string(lr.bid_id));
          const std::string explanation = "explanation-" + std::to_string(lr.bid_id) + "-" + std::to_string(l.id);
          if (found == cases.end() || !found->explanation_requested_at)
            note += buttonForm(ctx, base + "/explanation", tr(ctx, "eval.request_explanation"), ids);
          else if (!found->decided_at)
            note += "<form method=\"post\" action=\"" + base + "/abnormal\">" + csrfField(ctx) + ids +
                    field(explanation, tr(ctx, "eval.explanation"), "text", sentOr(ctx, refill, explanation, ""),
                          "required") +
                    "<button type=\"submit\" name=\"reject\" value=\"0\">" + tr(ctx, "eval.accept") +
                    "</button> <button type=\"submit\" name=\"reject\" value=\"1\">" + tr(ctx, "eval.reject") +
                    "</button></form>";
        }
        if (found != cases.end() && found->decided_at)
          note += " " + tr(ctx, found->rejected ? "eval.rejected" : "eval.accepted") + ": " + esc(found->explanation);
      }
      c.push_back(lr.admissible ? "<strong>" + lr.total.toDecimalString(3) + "</strong>" : std::string("—"));
      c.push_back(awarded.isZero() ? std::string("—") : awarded.toString() + " " + esc(l.unit));
      c.push_back(note);
    }
    if (only_supplier != 0) {
      // A supplier's own results, one table per bid with the columns as rows: readable on a phone.
      if (cells.empty()) body += "<p>" + tr(ctx, "none") + "</p>";
      for (const std::vector<std::string>& c : cells) {
        body += "<table class=\"card\"><tbody>";
        for (std::size_t i = 0; i < headers.size(); ++i)
          body += "<tr><th scope=\"row\">" + headers[i] + "</th><td>" + c[i] + "</td></tr>";
        body += "</tbody></table>";
      }
      body += "</section>";
      continue;
    }
    body += "<div class=\"scroll\"><table><thead><tr>";
    for (const std::string& h : headers) body += "<th scope=\"col\">" + h + "</th>";
    body += "</tr></thead><tbody>";
    if (cells.empty())
      body += "<tr><td colspan=\"" + std::to_string(headers.size()) + "\">" + tr(ctx, "none") + "</td></tr>";
    for (const std::vector<std::string>& c : cells) {
      body += "<tr>";
      for (const std::string& cell : c) body += "<td>" + cell + "</td>";
      body += "</tr>";
    }
    body += "</tbody></table></div></section>";
  }
  return body;
}

// The evaluation table of a round. After a refused explanation request or decision on an
// abnormally low bid (`error_html` set, see errorHtml) it shows why beside that bid.
void evaluationView(Context& ctx, const std::string& error_html = {}, int status = 200) {
  std::string body;
  core::Round r;
  ctx.services.store().read([&](core::Tx& tx) {
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    if (r.status != core::RoundStatus::kEvaluated && r.status != core::RoundStatus::kAwarded)
      throw refusal(core::ErrorCode::kConflict, "eval.not_yet");
    const std::string table =
        evaluationTable(ctx, r, tx, 0, ctx.who().account.role != core::AccountRole::kAuditor, error_html);
    // A refusal about a bid the table no longer shows an action for goes above the table.
    const bool beside = !error_html.empty() && table.find(errorNotice(error_html)) != std::string::npos;
    body = ok(ctx) + (error_html.empty() || beside ? std::string() : errorNotice(error_html)) + "<p class=\"hint\">" +
           tr(ctx, "eval.hint") + "</p>" + table;
  });
  if (r.status == core::RoundStatus::kEvaluated && ctx.who().account.role != core::AccountRole::kAuditor)
    body += buttonForm(ctx, "/officer/rounds/" + std::to_string(r.id) + "/award", tr(ctx, "round.award"));
  page(ctx, message(ctx.lang, "round.evaluation") + " — " + r.reference, body, status);
}

void evaluationPage(Context& ctx) { evaluationView(ctx); }

// Runs `submit`, a form of the evaluation page; a refused input shows the page again with the
// reason beside the bid and the text entered.
void evaluationSubmit(Context& ctx, const std::function<void()>& submit) {
  try {
    submit();
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    evaluationView(ctx, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

void explanationSubmit(Context& ctx) {
  evaluationSubmit(ctx, [&] {
    const Id id = ctx.idParam("id");
    ctx.services.engine().requestExplanation(ctx.actor(), id, formId(ctx, "lot"), formId(ctx, "bid"));
    ctx.response.redirect("/officer/rounds/" + std::to_string(id) + "/evaluation?done=explanation");
  });
}

void abnormalSubmit(Context& ctx) {
  evaluationSubmit(ctx, [&] {
    const Id id = ctx.idParam("id");
    const Id lot = formId(ctx, "lot");
    const Id bid = formId(ctx, "bid");
    ctx.services.engine().decideAbnormalLow(
        ctx.actor(), id, lot, bid, ctx.form("reject") == "1",
        text(ctx, "explanation-" + std::to_string(bid) + "-" + std::to_string(lot), JsonObject::kLongText));
    ctx.response.redirect("/officer/rounds/" + std::to_string(id) + "/evaluation?done=decided");
  });
}

void awardPage(Context& ctx) {
  std::string body = ok(ctx);
  core::Round r;
  ctx.services.store().read([&](core::Tx& tx) {
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    const auto decision = tx.getAwardDecision(r.id);
    if (!decision) throw refusal(core::ErrorCode::kNotFound, "award.none");
    const bool per_point = r.award_mode == core::AwardMode::kOptimalByDeliveryPoint;
    body += "<p>" + tr(ctx, "award.decided") + ": " + showTime(ctx, decision->decided_at) + " · " +
            tr(ctx, "award.standstill") + ": " +
            (decision->standstill_end ? showTime(ctx, *decision->standstill_end) : tr(ctx, "award.no_standstill")) +
            "</p><table><thead><tr><th scope=\"col\">" + tr(ctx, "lot") + "</th><th scope=\"col\">" +
            tr(ctx, "supplier") + "</th>" +
            (per_point ? "<th scope=\"col\">" + tr(ctx, "award.delivery_point") + "</th>" : std::string()) +
            "<th scope=\"col\">" + tr(ctx, "bid.quantity") + "</th><th scope=\"col\">" + tr(ctx, "bid.unit_price") +
            "</th><th scope=\"col\">" + tr(ctx, "award.points") + "</th></tr></thead><tbody>";
    std::map<Id, core::Lot> lots;
    for (const core::Lot& l : tx.listLots(r.id)) lots[l.id] = l;
    std::map<Id, std::string> points;
    for (const core::AwardLine& a : tx.listAwardLines(r.id)) {
      std::string point;
      if (per_point && a.delivery_point_id) {
        if (!points.count(*a.delivery_point_id)) {
          const auto dp = tx.getDeliveryPoint(*a.delivery_point_id);
          points[*a.delivery_point_id] = dp ? dp->name : "#" + std::to_string(*a.delivery_point_id);
        }
        point = "<td>" + esc(points[*a.delivery_point_id]) + "</td>";
      } else if (per_point) {
        point = "<td>—</td>";
      }
      body += "<tr><td>" + std::to_string(lots[a.lot_id].number) + " " + esc(lots[a.lot_id].description) + "</td><td>" +
              esc(supplierName(tx, a.supplier_id)) + "</td>" + point + "<td>" + a.quantity.toString() + " " +
              esc(lots[a.lot_id].unit) + "</td><td>" + a.unit_price.toString(2) + " EUR</td><td>" +
              a.score.toDecimalString(3) + "</td></tr>";
    }
    body += "</tbody></table>";
    if (!decision->certificate.empty())
      body += "<details><summary>" + tr(ctx, "award.certificate") + "</summary><pre>" + esc(decision->certificate) +
              "</pre></details>";
  });
  page(ctx, message(ctx.lang, "round.award_decision") + " — " + r.reference, body);
}

// --- farmer ---

// The farmer's page. After a refused application (`error_html` set, see errorHtml) it shows why
// and keeps the chosen category and the self-declaration as sent.
void farmerHome(Context& ctx, const std::string& error_html = {}, int status = 200) {
  const bool refill = !error_html.empty();
  const Id supplier_id = ownSupplier(ctx.who());
  core::Supplier s;
  std::vector<core::AdmissionRequest> admissions;
  std::vector<InvitedRound> invitations;
  std::map<Id, std::string> categories;
  std::vector<std::pair<core::Dps, std::vector<core::Category>>> open;
  std::map<Id, std::optional<core::Bid>> bids;
  ctx.services.store().read([&](core::Tx& tx) {
    open.clear();  // a retried read runs this again
    s = *tx.getSupplier(supplier_id);
    admissions = tx.listSupplierAdmissions(supplier_id);
    invitations = invitationsOf(tx, supplier_id);
    for (const InvitedRound& ir : invitations) bids[ir.round.id] = currentBid(tx, ir.round.id, supplier_id);
    for (const core::Dps& d : tx.listDps()) {
      if (d.status != core::DpsStatus::kPublished && d.status != core::DpsStatus::kOperating) continue;
      const auto cats = tx.listCategories(d.id);
      for (const core::Category& c : cats) categories[c.id] = c.code + " " + c.name;
      open.emplace_back(d, cats);
    }
  });
  const auto suspension = ctx.services.engine().suspension(supplier_id, ctx.services.clock().now());
  std::string body = (refill ? errorNotice(error_html) : ok(ctx)) + "<p><strong>" + esc(s.name) + "</strong> · " +
                     tr(ctx, "register.tax_number") + " " + esc(s.tax_number) + "</p>";
  if (suspension.suspended) {
    body += notice("error", tr(ctx, "farmer.suspended"));
    body += "<ul>";
    for (const std::string& reason : suspension.reasons) body += "<li>" + esc(reason) + "</li>";
    body += "</ul>";
  }
  body += "<h2>" + tr(ctx, "farmer.invitations") + "</h2><table><thead><tr><th scope=\"col\">" +
          tr(ctx, "round") + "</th><th scope=\"col\">" + tr(ctx, "round.deadline") + "</th><th scope=\"col\">" +
          tr(ctx, "round.status") + "</th><th scope=\"col\">" + tr(ctx, "farmer.your_bid") + "</th></tr></thead><tbody>";
  for (const InvitedRound& ir : invitations) {
    const auto& b = bids[ir.round.id];
    const std::string link = ir.round.status == core::RoundStatus::kOpen
                                 ? "/farmer/rounds/" + std::to_string(ir.round.id)
                                 : "/farmer/rounds/" + std::to_string(ir.round.id) + "/results";
    body += "<tr><td><a href=\"" + link + "\">" + esc(ir.round.reference) + "</a> " + esc(ir.round.title) +
            "</td><td>" + showTime(ctx, ir.round.deadline) + "</td><td>" +
            statusText(ctx, "round", core::toString(ir.round.status)) + "</td><td>" +
            (b ? tr(ctx, "bid.version") + " " + std::to_string(b->version) + ", " + showTime(ctx, b->submitted_at)
               : tr(ctx, "farmer.no_bid")) +
            "</td></tr>";
  }
  if (invitations.empty()) body += "<tr><td colspan=\"4\">" + tr(ctx, "none") + "</td></tr>";
  body += "</tbody></table><h2>" + tr(ctx, "farmer.admissions") + "</h2><ul>";
  for (const core::AdmissionRequest& a : admissions)
    body += "<li>" + esc(categories[a.category_id]) + ": " + statusText(ctx, "admission", core::toString(a.status)) +
            (a.reason.empty() ? std::string() : " — " + esc(a.reason)) + "</li>";
  if (admissions.empty()) body += "<li>" + tr(ctx, "none") + "</li>";
  body += "</ul><h2>" + tr(ctx, "farmer.apply") + "</h2>";
  std::string options;
  for (const auto& [d, cats] : open)
    for (const core::Category& c : cats)
      options += "<option value=\"" + std::to_string(c.id) + "\"" +
                 selectedIfSent(ctx, refill, "category", std::to_string(c.id)) + ">" +
                 esc(d.reference + ": " + c.code + " " + c.name) + "</option>";
  if (options.empty()) {
    body += "<p>" + tr(ctx, "none") + "</p>";
  } else {
    const std::string espd =
        "<QualificationApplicationResponse xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:"
        "QualificationApplicationResponse-2\"><EconomicOperatorParty><Name>" + s.name + "</Name><CompanyID>" +
        s.tax_number + "</CompanyID></EconomicOperatorParty><Exclusion>none</Exclusion><Selection>met</Selection>"
        "</QualificationApplicationResponse>";
    body += "<form method=\"post\" action=\"/farmer/apply\">" + csrfField(ctx) +
            "<p class=\"field\"><label for=\"category\">" + tr(ctx, "category") +
            "</label><select id=\"category\" name=\"category\">" + options + "</select></p>" +
            field("self_declaration", tr(ctx, "farmer.espd"), "textarea", sentOr(ctx, refill, "self_declaration", espd),
                  "rows=\"4\" required") +
            field("confirm", tr(ctx, "farmer.confirm"), "checkbox", "", "required") + "<p class=\"hint\">" +
            tr(ctx, "farmer.no_fee") + "</p><button type=\"submit\">" + tr(ctx, "farmer.apply_submit") +
            "</button></form>";
  }
  page(ctx, message(ctx.lang, "farmer.title"), body, status);
}

void farmerDashboard(Context& ctx) { farmerHome(ctx); }

void applySubmit(Context& ctx) {
  try {
    if (ctx.form("confirm") != "1")
      throw refusal(core::ErrorCode::kInvalidArgument, "farmer.confirm_needed", {}, "confirm");
    ctx.services.engine().requestAdmission(ctx.actor(), ownSupplier(ctx.who()), formId(ctx, "category"),
                                           text(ctx, "self_declaration", 200000));
    ctx.response.redirect("/farmer?done=applied");
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    farmerHome(ctx, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

// The bid form. After a refused submission (`error_html` set, see errorHtml) it shows why above the
// form and keeps every value the farmer entered, so that one mistyped price does not cost the
// whole form.
void bidForm(Context& ctx, const std::string& error_html = {}, int status = 200) {
  const bool refill = !error_html.empty();
  const auto value = [&](const std::string& name, const std::string& fallback) {
    return sentOr(ctx, refill, name, fallback);
  };
  const auto selected = [&](const std::string& name, const std::string& option) {
    return selectedIfSent(ctx, refill, name, option);
  };
  const Id supplier_id = ownSupplier(ctx.who());
  core::Round r;
  std::vector<core::Lot> lots;
  core::Supplier s;
  std::optional<core::Bid> current;
  std::vector<core::VehicleFactor> vehicles;
  std::map<Id, std::string> point_names;
  ctx.services.store().read([&](core::Tx& tx) {
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    lots = tx.listLots(r.id);
    s = *tx.getSupplier(supplier_id);
    current = currentBid(tx, r.id, supplier_id);
    vehicles = tx.getDps(r.dps_id)->vehicle_factors;
    for (const core::Lot& l : lots)
      for (const core::Demand& d : l.demands)
        if (const auto p = tx.getDeliveryPoint(d.delivery_point_id)) point_names[p->id] = p->name;
  });
  const bool per_point = r.award_mode == core::AwardMode::kOptimalByDeliveryPoint;
  const std::string base = "/farmer/rounds/" + std::to_string(r.id);
  std::string body = (refill ? errorNotice(error_html) : ok(ctx)) + "<p>" + esc(r.title) + "</p><p>" +
                     tr(ctx, "round.deadline") + ": <strong>" + showTime(ctx, r.deadline) + "</strong></p>";
  if (current)
    body += notice("ok", tr(ctx, "bid.current") + " " + std::to_string(current->version) + ", " +
                             showTime(ctx, current->submitted_at) + " · SHA-256 <code>" + esc(current->digest) +
                             "</code> · <a href=\"" + base + "/receipt\">" + tr(ctx, "bid.receipt") + "</a>") +
            "<p class=\"hint\">" + tr(ctx, "bid.amend_hint") + "</p>";
  if (r.status != core::RoundStatus::kOpen) {
    body += notice("error", tr(ctx, "bid.closed")) + "<p><a href=\"" + base + "/results\">" + tr(ctx, "farmer.results") + "</a></p>";
    page(ctx, message(ctx.lang, "bid.title") + " — " + r.reference, body);
    return;
  }
  std::string dps_options;
  for (const core::DispatchPoint& p : s.dispatch_points)
    dps_options += "<option value=\"" + std::to_string(p.id) + "\"" + selected("dispatch_point", std::to_string(p.id)) +
                   ">" + esc(p.name) + "</option>";
  std::string vehicle_options;
  for (const core::VehicleFactor& v : vehicles)
    vehicle_options += "<option value=\"" + esc(v.vehicle) + "\"" + selected("vehicle", v.vehicle) + ">" +
                       tr(ctx, "vehicle." + v.vehicle) + "</option>";
  body += "<form method=\"post\" action=\"" + base + "/bid\">" + csrfField(ctx) + "<fieldset><legend>" +
          tr(ctx, "bid.delivery") + "</legend><p class=\"field\"><label for=\"dispatch_point\">" +
          tr(ctx, "bid.dispatch_point") + "</label><select id=\"dispatch_point\" name=\"dispatch_point\">" +
          dps_options + "</select></p><p class=\"field\"><label for=\"vehicle\">" + tr(ctx, "bid.vehicle") +
          "</label><select id=\"vehicle\" name=\"vehicle\">" + vehicle_options + "</select></p>" +
          field("intermediaries", tr(ctx, "bid.intermediaries"), "number", value("intermediaries", "0"),
                "min=\"0\" max=\"100\"") +
          "</fieldset>";
  for (const core::Lot& l : lots) {
    core::Decimal total;
    for (const core::Demand& d : l.demands) total += d.quantity;
    const std::string n = std::to_string(l.id);
    body += "<fieldset><legend>" + tr(ctx, "lot") + " " + std::to_string(l.number) + ": " + esc(l.description) +
            "</legend><p>" + tr(ctx, "lot.demand") + ": " + total.toString() + " " + esc(l.unit) +
            (r.allow_partial ? " · " + tr(ctx, "bid.partial_allowed") : std::string()) + "</p>" +
            field("lot" + n + "_price", tr(ctx, "bid.unit_price") + " (EUR/" + esc(l.unit) + ")", "text",
                  value("lot" + n + "_price", ""), "inputmode=\"decimal\"") +
            field("lot" + n + "_quantity", tr(ctx, "bid.quantity") + " (" + esc(l.unit) + ")", "text",
                  value("lot" + n + "_quantity", r.allow_partial ? "" : total.toString()), "inputmode=\"decimal\"") +
            field("lot" + n + "_hours", tr(ctx, "bid.hours"), "number", value("lot" + n + "_hours", "24"),
                  "min=\"0\" max=\"8760\"") +
            field("lot" + n + "_organic", tr(ctx, "bid.organic"), "checkbox", value("lot" + n + "_organic", ""), "") +
            field("lot" + n + "_quality", tr(ctx, "bid.quality"), "checkbox", value("lot" + n + "_quality", ""), "");
    if (per_point) {
      // Award mode optimal_by_delivery_point: the farm may cap what it delivers to each school.
      body += "<details><summary>" + tr(ctx, "bid.per_point") + "</summary><p class=\"hint\">" +
              tr(ctx, "bid.per_point_hint") +
              (l.min_delivery.isZero() ? std::string()
                                       : " " + tr(ctx, "bid.min_delivery") + ": " + l.min_delivery.toString() + " " +
                                             esc(l.unit) + ".") +
              "</p>";
      for (const core::Demand& d : l.demands)
        body +=
            field("lot" + n + "_dp" + std::to_string(d.delivery_point_id),
                  esc(point_names[d.delivery_point_id]) + " (" + tr(ctx, "lot.demand") + " " + d.quantity.toString() +
                      " " + esc(l.unit) + ")",
                  "text", value("lot" + n + "_dp" + std::to_string(d.delivery_point_id), ""), "inputmode=\"decimal\"");
      body += "</details>";
    }
    body += "</fieldset>";
  }
  body += "<p class=\"hint\">" + tr(ctx, "bid.skip_hint") + "</p><button type=\"submit\">" +
          tr(ctx, current ? "bid.amend" : "bid.submit") + "</button></form>";
  if (current) body += buttonForm(ctx, base + "/withdraw", tr(ctx, "bid.withdraw"));
  page(ctx, message(ctx.lang, "bid.title") + " — " + r.reference, body, status);
}

void bidPage(Context& ctx) { bidForm(ctx); }

void bidSubmit(Context& ctx) {
  const Id round_id = ctx.idParam("id");
  std::vector<core::Lot> lots;
  ctx.services.store().read([&](core::Tx& tx) {
    visibleRound(ctx.who(), tx, round_id);
    lots = tx.listLots(round_id);
  });
  try {
    const Id dispatch = formId(ctx, "dispatch_point");
    int intermediaries = 0;
    try {
      intermediaries = ctx.form("intermediaries").empty() ? 0 : std::stoi(ctx.form("intermediaries"));
    } catch (const std::exception&) {
      throw core::Error(core::ErrorCode::kInvalidArgument, "intermediaries must be a whole number", "intermediaries",
                        {"bid.problem.not_intermediaries", {}});
    }
    std::vector<core::BidLine> lines;
    InputProblems problems;
    for (const core::Lot& l : lots) {
      const std::string n = "lot" + std::to_string(l.id);
      if (ctx.form(n + "_price").empty()) continue;
      core::BidLine line;
      line.lot_id = l.id;
      const auto price = core::Decimal::tryParse(ctx.form(n + "_price"));
      const auto qty = core::Decimal::tryParse(ctx.form(n + "_quantity"));
      const std::string number = std::to_string(l.number);
      if (!price)
        problems.add(n + "_price", "'" + ctx.form(n + "_price").substr(0, 30) + "' is not a price such as 2,40",
                     {"bid.problem.not_a_price", {number, ctx.form(n + "_price").substr(0, 30)}});
      if (!qty)
        problems.add(n + "_quantity", "'" + ctx.form(n + "_quantity").substr(0, 30) + "' is not a quantity",
                     {"bid.problem.not_a_quantity", {number, ctx.form(n + "_quantity").substr(0, 30)}});
      line.unit_price = price.value_or(core::Decimal());
      line.quantity = qty.value_or(core::Decimal());
      line.dispatch_point_id = dispatch;
      line.vehicle = text(ctx, "vehicle", 40);
      line.intermediaries = intermediaries;
      line.organic = ctx.form(n + "_organic") == "1";
      line.quality_scheme = ctx.form(n + "_quality") == "1";
      try {
        line.hours_from_harvest = ctx.form(n + "_hours").empty() ? 0 : std::stoi(ctx.form(n + "_hours"));
      } catch (const std::exception&) {
        problems.add(n + "_hours", "must be a whole number of hours", {"bid.problem.not_hours", {number}});
      }
      for (const core::Demand& d : l.demands) {
        const std::string key = n + "_dp" + std::to_string(d.delivery_point_id);
        if (ctx.form(key).empty()) continue;
        const auto cap = core::Decimal::tryParse(ctx.form(key));
        if (!cap)
          problems.add(key, "'" + ctx.form(key).substr(0, 30) + "' is not a quantity; leave it empty to offer no limit",
                       {"bid.problem.not_a_cap", {number, ctx.form(key).substr(0, 30)}});
        else
          line.point_offers.push_back({d.delivery_point_id, *cap});
      }
      lines.push_back(line);
    }
    problems.throwIfAny("the bid", {"bid.rejected", {}});
    if (lines.empty()) throw refusal(core::ErrorCode::kInvalidArgument, "bid.need_line", {}, "lines");
    ctx.services.engine().submitBid(ctx.actor(), round_id, lines);
    ctx.metrics.bidStored();
    ctx.response.redirect("/farmer/rounds/" + std::to_string(round_id) + "/receipt?done=submitted");
  } catch (const core::Error& e) {
    if (!refusedInput(e)) throw;
    bidForm(ctx, errorHtml(ctx.lang, e), httpStatusFor(static_cast<int>(e.code())));
  }
}

void withdrawSubmit(Context& ctx) {
  const Id round_id = ctx.idParam("id");
  ctx.services.engine().withdrawBid(ctx.actor(), round_id);
  ctx.response.redirect("/farmer?done=withdrawn");
}

void receiptPage(Context& ctx) {
  const Id supplier_id = ownSupplier(ctx.who());
  core::Round r;
  std::vector<core::Bid> mine;
  ctx.services.store().read([&](core::Tx& tx) {
    mine.clear();  // a retried read runs this again
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    for (const core::Bid& b : tx.listBids(r.id))
      if (b.supplier_id == supplier_id) mine.push_back(b);
  });
  std::string body = ok(ctx) + "<p>" + tr(ctx, "receipt.intro") + "</p><table><thead><tr><th scope=\"col\">" +
                     tr(ctx, "bid.version") + "</th><th scope=\"col\">" + tr(ctx, "bid.submitted") +
                     "</th><th scope=\"col\">" + tr(ctx, "round.status") +
                     "</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>";
  for (auto it = mine.rbegin(); it != mine.rend(); ++it)
    body += "<tr><td>" + std::to_string(it->version) + "</td><td>" + showTime(ctx, it->submitted_at) + " (" +
            esc(core::formatTime(it->submitted_at)) + ")</td><td>" +
            statusText(ctx, "bid", core::toString(it->status)) + "</td><td><code class=\"digest\">" + esc(it->digest) +
            "</code></td></tr>";
  if (mine.empty()) body += "<tr><td colspan=\"4\">" + tr(ctx, "none") + "</td></tr>";
  body += "</tbody></table><p><a href=\"/farmer/rounds/" + std::to_string(r.id) + "\">" + tr(ctx, "bid.back") + "</a></p>";
  page(ctx, message(ctx.lang, "bid.receipt") + " — " + r.reference, body);
}

void resultsPage(Context& ctx) {
  const Id supplier_id = ownSupplier(ctx.who());
  std::string body;
  core::Round r;
  ctx.services.store().read([&](core::Tx& tx) {
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    if (r.status != core::RoundStatus::kEvaluated && r.status != core::RoundStatus::kAwarded) {
      body = notice("ok", tr(ctx, "results.not_yet"));
      return;
    }
    body = "<p class=\"hint\">" + tr(ctx, "results.intro") + "</p>" + evaluationTable(ctx, r, tx, supplier_id, false);
    if (const auto d = tx.getAwardDecision(r.id))
      body += "<p>" + tr(ctx, "award.decided") + ": " + showTime(ctx, d->decided_at) + " · " +
              tr(ctx, "award.standstill") + ": " +
              (d->standstill_end ? showTime(ctx, *d->standstill_end) : tr(ctx, "award.no_standstill")) +
              "</p><p><a href=\"/documents/rounds/" + std::to_string(r.id) + "/letters/" + std::to_string(supplier_id) +
              "\">" + tr(ctx, "documents.own_letter") + "</a></p>";
  });
  page(ctx, message(ctx.lang, "farmer.results") + " — " + r.reference, body);
}

// --- auditor ---

void auditorHome(Context& ctx) {
  const std::int64_t from = numberParam(ctx, "from", 1, 1);
  const core::AuditVerification v = core::verifyAudit(ctx.services.store());
  std::string body = v.ok() ? notice("ok", tr(ctx, "audit.intact") + " (" + std::to_string(v.entries) + ")")
                            : notice("error", tr(ctx, "audit.broken"));
  if (!v.ok()) {
    body += "<ul>";
    for (const core::AuditProblem& p : v.problems) body += "<li>" + std::to_string(p.seq) + ": " + esc(p.what) + "</li>";
    body += "</ul>";
  }
  std::vector<core::AuditEntry> entries;
  std::vector<core::Round> rounds;
  ctx.services.store().read([&](core::Tx& tx) {
    rounds.clear();  // a retried read runs this again
    entries = tx.listAudit(from, 100);
    for (const core::Dps& d : tx.listDps())
      for (const core::Round& r : tx.listRounds(d.id)) rounds.push_back(r);
  });
  body += "<h2>" + tr(ctx, "auditor.rounds") + "</h2><ul>";
  for (const core::Round& r : rounds)
    body += "<li><a href=\"/auditor/rounds/" + std::to_string(r.id) + "\">" + esc(r.reference) + "</a> — " +
            statusText(ctx, "round", core::toString(r.status)) + "</li>";
  if (rounds.empty()) body += "<li>" + tr(ctx, "none") + "</li>";
  body += "</ul><h2>" + tr(ctx, "audit.log") + "</h2><div class=\"scroll\"><table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">" +
          tr(ctx, "audit.at") + "</th><th scope=\"col\">" + tr(ctx, "audit.actor") + "</th><th scope=\"col\">" +
          tr(ctx, "audit.action") + "</th><th scope=\"col\">" + tr(ctx, "audit.object") +
          "</th><th scope=\"col\">hash</th></tr></thead><tbody>";
  for (const core::AuditEntry& e : entries)
    body += "<tr><td>" + std::to_string(e.seq) + "</td><td>" + showTime(ctx, e.at) + "</td><td>" + esc(e.actor) +
            "</td><td>" + esc(e.action) + "</td><td>" + esc(e.object) + "</td><td><code>" + esc(e.hash.substr(0, 12)) +
            "…</code></td></tr>";
  body += "</tbody></table></div>";
  if (entries.size() == 100)
    body += "<p><a href=\"/auditor?from=" + std::to_string(entries.back().seq + 1) + "\">" + tr(ctx, "audit.next") + "</a></p>";
  body += "<p><a href=\"/documents/audit.xml\">" + tr(ctx, "documents.audit") + "</a></p>";
  page(ctx, message(ctx.lang, "auditor.title"), body);
}

void auditorRound(Context& ctx) {
  std::vector<core::ScoreRecord> scores;
  std::vector<core::LotResult> results;
  core::Round r;
  std::string table;
  ctx.services.store().read([&](core::Tx& tx) {
    r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    scores = tx.listScores(r.id);
    results = tx.listLotResults(r.id);
    if (r.status == core::RoundStatus::kEvaluated || r.status == core::RoundStatus::kAwarded)
      table = evaluationTable(ctx, r, tx, 0, false);
  });
  const Recomputation rc = recomputeRound(scores, results);
  std::string body = scores.empty() ? notice("ok", tr(ctx, "recompute.none"))
                     : rc.ok()      ? notice("ok", tr(ctx, "recompute.ok") + " (" + std::to_string(rc.scores.size()) + ")")
                                    : notice("error", tr(ctx, "recompute.mismatch"));
  body += "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">" + tr(ctx, "lot") + "</th><th scope=\"col\">bid</th><th scope=\"col\">" +
          tr(ctx, "criterion.kind") + "</th><th scope=\"col\">" + tr(ctx, "recompute.recorded") + "</th><th scope=\"col\">" +
          tr(ctx, "recompute.recomputed") + "</th><th scope=\"col\">" + tr(ctx, "recompute.how") + "</th></tr></thead><tbody>";
  for (const ScoreCheck& c : rc.scores)
    body += std::string("<tr") + (c.matches ? "" : " class=\"mismatch\"") + "><td>" + std::to_string(c.record.lot_id) +
            "</td><td>" + std::to_string(c.record.bid_id) + "</td><td>" +
            tr(ctx, std::string("kind.") + core::toString(c.record.kind)) + "</td><td>" + esc(c.record.points.toString()) +
            "</td><td>" + esc(c.recomputed.toString()) + (c.matches ? " ✓" : " ✗") + "</td><td><small>" +
            esc(c.explanation) + "</small></td></tr>";
  body += "</tbody></table></div>" + table;
  page(ctx, message(ctx.lang, "auditor.recompute") + " — " + r.reference, body);
}

// --- administrator ---

// How many accounts the administration page lists at once: a service that has been running for
// years (or a demo store with imported suppliers) has thousands, too many for one page on a phone.
constexpr std::size_t kAccountsPerPage = 100;

void adminHome(Context& ctx) {
  // The index of the first account shown, in the order they were created.
  auto from = static_cast<std::size_t>(numberParam(ctx, "from", 0, 0));
  std::vector<core::Account> accounts;
  ctx.services.store().read([&](core::Tx& tx) { accounts = tx.listAccounts(); });
  const std::size_t total = accounts.size();
  if (from >= total) from = total == 0 ? 0 : (total - 1) / kAccountsPerPage * kAccountsPerPage;  // the last page
  const std::size_t to = std::min(total, from + kAccountsPerPage);
  std::string body = ok(ctx) + "<h2>" + tr(ctx, "admin.clock") + "</h2><p>" + tr(ctx, "clock.now") + ": <strong>" +
                     showTime(ctx, ctx.services.clock().now()) + "</strong></p>";
  if (ctx.services.simulatedClock() != nullptr)
    body += "<form method=\"post\" action=\"/admin/clock\">" + csrfField(ctx) +
            field("hours", tr(ctx, "admin.advance_hours"), "number", "24", "min=\"1\" max=\"9600\" required") +
            "<button type=\"submit\">" + tr(ctx, "admin.advance") + "</button></form>";
  else
    body += "<p>" + tr(ctx, "admin.system_clock") + "</p>";
  body += "<h2>" + tr(ctx, "admin.accounts") + "</h2>";
  if (total > 0)
    body += "<p>" + tr(ctx, "admin.shown") + " " + std::to_string(from + 1) + "–" + std::to_string(to) + " / " +
            std::to_string(total) + "</p>";
  body += "<table><thead><tr><th scope=\"col\">" + tr(ctx, "login.username") + "</th><th scope=\"col\">" +
          tr(ctx, "admin.role") + "</th><th scope=\"col\">" + tr(ctx, "admin.name") + "</th></tr></thead><tbody>";
  for (std::size_t i = from; i < to; ++i) {
    const core::Account& a = accounts[i];
    body += "<tr><td>" + esc(a.username) + "</td><td>" + tr(ctx, std::string("role.") + core::toString(a.role)) +
            "</td><td>" + esc(a.display_name) + "</td></tr>";
  }
  body += "</tbody></table>";
  std::string links;
  if (from > 0)
    links += "<a href=\"/admin?from=" + std::to_string(from - std::min(from, kAccountsPerPage)) + "\">" +
             tr(ctx, "admin.previous") + "</a> ";
  if (to < total) links += "<a href=\"/admin?from=" + std::to_string(to) + "\">" + tr(ctx, "admin.next") + "</a>";
  if (!links.empty()) body += "<p>" + links + "</p>";
  page(ctx, message(ctx.lang, "admin.title"), body);
}

void adminClock(Context& ctx) {
  core::ManualClock* clock = ctx.services.simulatedClock();
  if (clock == nullptr) throw refusal(core::ErrorCode::kConflict, "admin.system_clock");
  long long hours = 0;
  try {
    hours = std::stoll(ctx.form("hours"));
  } catch (const std::exception&) {
  }
  if (hours < 1 || hours > 9600)
    throw core::Error(core::ErrorCode::kInvalidArgument, "hours must be between 1 and 9600", "hours",
                      {"admin.problem.hours", {}});
  const core::TimePoint now = clock->now();
  const core::TimePoint next = now + std::chrono::hours(hours);
  ctx.services.store().transact([&](core::Tx& tx) {
    tx.putSetting("clock.simulated_now", core::formatTime(next));
    core::appendAudit(tx, now, ctx.who().account.username, "clock.advance", "clock",
                      core::formatTime(now) + " -> " + core::formatTime(next));
  });
  clock->set(next);
  ctx.response.redirect("/admin?done=clock");
}

}  // namespace

std::string renderErrorPage(Context& ctx, int status, const std::string& code, const std::string& message_html) {
  std::string body = errorNotice(message_html) + "<p>" + tr(ctx, "error.code") + ": <code>" + esc(code) + "</code> · " +
                     tr(ctx, "error.request") + ": <code>" + esc(ctx.request.request_id) + "</code></p>";
  body += "<p><a href=\"" + (ctx.principal ? homeFor(*ctx.principal) : std::string("/")) + "\">" + tr(ctx, "error.back") +
          "</a></p>";
  return layout(ctx, message(ctx.lang, status == 404 ? "error.not_found" : status == 403 ? "error.forbidden" : "error.title"),
                body);
}

void addPageRoutes(Router& r) {
  const unsigned officers = kOfficers | kAdministrators;
  const unsigned readers = kOfficers | kAdministrators | kAuditors;
  const unsigned auditors = kAuditors | kAdministrators;
  r.add("GET", "/", kPublic, home, "home page");
  r.add("GET", "/login", kPublic, loginPage, "sign-in form");
  r.add("POST", "/login", kPublic, loginSubmit, "sign in");
  r.add("POST", "/logout", kSignedIn, logoutSubmit, "sign out");
  r.add("GET", "/lang", kPublic, switchLanguage, "switch the language");
  r.add("GET", "/register", kPublic, registerPage, "farmer registration form");
  r.add("POST", "/register", kPublic, registerSubmit, "register a farm");
  r.add("GET", "/officer", readers, officerDashboard, "the officer's dashboard");
  r.add("GET", "/officer/dps/new", officers, newDpsPage, "officers set up a DPS");
  r.add("POST", "/officer/dps", officers, createDpsSubmit, "officers set up a DPS");
  r.add("GET", "/officer/dps/{id}", readers, dpsSetup, "DPS set-up");
  r.add("POST", "/officer/dps/{id}/categories", officers, addCategorySubmit, "officers add categories");
  r.add("POST", "/officer/dps/{id}/criteria", officers, criteriaSubmit, "officers set criteria");
  r.add("POST", "/officer/dps/{id}/publish", officers, publishSubmit, "officers publish a DPS");
  r.add("POST", "/officer/dps/{id}/award-notices", officers, awardNoticeSubmit,
        "officers record the publication of an award notice");
  r.add("GET", "/officer/admissions", readers, admissionReview, "admission review");
  r.add("POST", "/officer/admissions/{id}/decide", officers, decideSubmit, "officers decide on admission");
  r.add("POST", "/officer/admissions/{id}/extend", officers, extendSubmit, "officers extend the decision period");
  r.add("GET", "/officer/rounds/new", officers, newRoundPage, "round creation");
  r.add("POST", "/officer/rounds", officers, createRoundSubmit, "officers create and dispatch a round");
  r.add("GET", "/officer/rounds/{id}", readers, roundPage, "a round");
  r.add("POST", "/officer/rounds/{id}/dispatch", officers, [](Context& c) { roundAction(c, "dispatch"); },
        "officers dispatch a round");
  r.add("POST", "/officer/rounds/{id}/open", officers, [](Context& c) { roundAction(c, "open"); }, "officers open bids");
  r.add("POST", "/officer/rounds/{id}/evaluate", officers, [](Context& c) { roundAction(c, "evaluate"); },
        "officers evaluate");
  r.add("POST", "/officer/rounds/{id}/award", officers, [](Context& c) { roundAction(c, "award"); }, "officers award");
  r.add("GET", "/officer/rounds/{id}/evaluation", readers, evaluationPage, "the evaluation table");
  r.add("POST", "/officer/rounds/{id}/explanation", officers, explanationSubmit, "officers request an explanation");
  r.add("POST", "/officer/rounds/{id}/abnormal", officers, abnormalSubmit, "officers decide on an abnormally low bid");
  r.add("GET", "/officer/rounds/{id}/award", readers, awardPage, "the award decision");
  r.add("GET", "/farmer", kSuppliers, farmerDashboard, "the farmer's page");
  r.add("POST", "/farmer/apply", kSuppliers, applySubmit, "farmers apply to a category");
  r.add("GET", "/farmer/rounds/{id}", kSuppliers, bidPage, "the bid form");
  r.add("POST", "/farmer/rounds/{id}/bid", kSuppliers, bidSubmit, "farmers submit or amend a bid");
  r.add("POST", "/farmer/rounds/{id}/withdraw", kSuppliers, withdrawSubmit, "farmers withdraw a bid");
  r.add("GET", "/farmer/rounds/{id}/receipt", kSuppliers, receiptPage, "the bid receipt");
  r.add("GET", "/farmer/rounds/{id}/results", kSuppliers, resultsPage, "the farmer's results");
  r.add("GET", "/auditor", auditors, auditorHome, "the audit log with its verification");
  r.add("GET", "/auditor/rounds/{id}", auditors, auditorRound, "score recomputation");
  r.add("GET", "/admin", kAdministrators, adminHome, "administration");
  r.add("POST", "/admin/clock", kAdministrators, adminClock, "advance the simulated clock");
}

}  // namespace web::server
