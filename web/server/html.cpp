// Page layout and HTML helpers (see html.h).
#include "web/server/html.h"

#include <set>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/error.h"
#include "web/server/auth.h"
#include "web/server/messages.h"
#include "web/server/session_cookie.h"
#include "web/services.h"

namespace web::server {

std::string esc(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string tr(const Context& ctx, const std::string& key) { return esc(message(ctx.lang, key)); }

std::string hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
}

std::string csrfField(Context& ctx) {
  if (ctx.principal && !ctx.principal->csrf_token.empty()) return hidden("csrf", ctx.principal->csrf_token);
  std::string token;
  if (const auto it = ctx.request.cookies.find(kPreSessionCookieName); it != ctx.request.cookies.end() &&
                                                                       it->second.size() == 48)
    token = it->second;
  if (token.empty()) {
    token = randomHex(24);
    ctx.request.cookies[kPreSessionCookieName] = token;
    ctx.response.headers.emplace_back("Set-Cookie", preSessionCookie(token, ctx.request.secure));
  }
  return hidden("csrf", token);
}

std::string homeFor(const Principal& p) {
  switch (p.account.role) {
    case core::AccountRole::kAdministrator: return "/admin";
    case core::AccountRole::kOfficer: return "/officer";
    case core::AccountRole::kSupplier: return "/farmer";
    case core::AccountRole::kAuditor: return "/auditor";
  }
  return "/";
}

const core::Calendar* legalTime(Context& ctx) {
  if (ctx.legal_time) return *ctx.legal_time;
  const core::Calendar* cal = nullptr;
  if (ctx.principal) {
    const core::Account& a = ctx.who().account;
    try {
      if (a.authority_id > 0) {
        cal = &ctx.services.engine().calendarFor(a.authority_id);
      } else {
        // A supplier's own country; for an administrator, the country of the authorities when they
        // are all in one (else UTC).
        std::string country;
        ctx.services.store().read([&](core::Tx& tx) {
          if (a.supplier_id > 0) {
            const auto s = tx.getSupplier(a.supplier_id);
            country = s ? s->country : std::string();
            return;
          }
          std::set<std::string> countries;
          for (const core::Authority& authority : tx.listAuthorities()) countries.insert(authority.country);
          country = countries.size() == 1 ? *countries.begin() : std::string();
        });
        if (!country.empty()) cal = &ctx.services.calendars().forCountry(country);
      }
    } catch (const core::Error& e) {
      // No calendar for the country: times stay in UTC, still unambiguous.
      if (e.code() != core::ErrorCode::kNotFound) throw;
    }
  }
  ctx.legal_time = cal;
  return cal;
}

std::string timeText(Context& ctx, core::TimePoint t) {
  if (const core::Calendar* cal = legalTime(ctx)) return cal->formatLocal(t);
  const std::string iso = core::formatTime(t);
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " (UTC)";
}

std::string showTime(Context& ctx, core::TimePoint t) { return esc(timeText(ctx, t)); }

std::string timeField(Context& ctx, const std::string& id, const std::string& label, core::TimePoint t,
                      const std::string& value) {
  const core::Calendar* cal = legalTime(ctx);
  const std::string shown = !value.empty() ? value : cal ? cal->formatLocalInput(t) : core::formatTime(t);
  const std::string zone = cal ? cal->timeZone() : std::string("UTC");
  return field(id, label + " (" + esc(zone) + ")", cal ? "datetime-local" : "text", shown, "required");
}

core::TimePoint parseTimeField(Context& ctx, const std::string& text, const std::string& field) {
  if (const core::Calendar* cal = legalTime(ctx)) return cal->parseLocal(text, field);
  return core::parseTime(text, field);
}

std::string notice(const std::string& kind, const std::string& text) {
  return "<p class=\"notice " + esc(kind) + "\" role=\"" + (kind == "error" ? "alert" : "status") + "\">" + text +
         "</p>";
}

bool inCatalogue(const core::Localized& l) { return !l.key.empty() && hasMessage(l.key); }

std::string localizedText(const std::string& lang, const core::Localized& l) {
  std::vector<std::string> args = l.args;
  for (std::string& arg : args)
    if (arg.size() > 1 && arg[0] == '@' && hasMessage(arg.substr(1))) arg = message(lang, arg.substr(1));
  return fillMessage(message(lang, l.key), args);
}

std::string errorHtml(const std::string& lang, const core::Error& e) {
  const auto say = [&](const core::Localized& l) { return esc(localizedText(lang, l)); };
  if (e.problems().empty()) return inCatalogue(e.localized()) ? say(e.localized()) : esc(e.what());
  bool all = inCatalogue(e.localized());
  for (const core::Problem& p : e.problems()) all = all && inCatalogue(p.localized);
  if (!all) return esc(e.what());
  std::string out = say(e.localized()) + "<ul>";
  for (const core::Problem& p : e.problems()) out += "<li>" + say(p.localized) + "</li>";
  return out + "</ul>";
}

std::string errorNotice(const std::string& html) {
  return "<div class=\"notice error\" role=\"alert\">" + html + "</div>";
}

std::string field(const std::string& id, const std::string& label, const std::string& type, const std::string& value,
                  const std::string& extra) {
  if (type == "textarea")
    return "<p class=\"field\"><label for=\"" + esc(id) + "\">" + label + "</label><textarea id=\"" + esc(id) +
           "\" name=\"" + esc(id) + "\" " + extra + ">" + esc(value) + "</textarea></p>";
  if (type == "checkbox")
    return "<p class=\"field check\"><input type=\"checkbox\" id=\"" + esc(id) + "\" name=\"" + esc(id) +
           "\" value=\"1\" " + (value.empty() ? "" : "checked ") + extra + "><label for=\"" + esc(id) + "\">" + label +
           "</label></p>";
  return "<p class=\"field\"><label for=\"" + esc(id) + "\">" + label + "</label><input type=\"" + esc(type) +
         "\" id=\"" + esc(id) + "\" name=\"" + esc(id) + "\" value=\"" + esc(value) + "\" " + extra + "></p>";
}

std::string buttonForm(Context& ctx, const std::string& action, const std::string& label,
                       const std::string& hidden_html) {
  return "<form method=\"post\" action=\"" + esc(action) + "\" class=\"inline\">" + csrfField(ctx) + hidden_html +
         "<button type=\"submit\">" + label + "</button></form>";
}

std::string layout(Context& ctx, const std::string& title, const std::string& body) {
  std::string nav;
  if (ctx.principal) {
    const core::AccountRole role = ctx.principal->account.role;
    if (role == core::AccountRole::kOfficer || role == core::AccountRole::kAdministrator)
      nav += "<li><a href=\"/officer\">" + tr(ctx, "nav.officer") + "</a></li>";
    if (role == core::AccountRole::kSupplier) nav += "<li><a href=\"/farmer\">" + tr(ctx, "nav.farmer") + "</a></li>";
    if (role == core::AccountRole::kAuditor || role == core::AccountRole::kAdministrator)
      nav += "<li><a href=\"/auditor\">" + tr(ctx, "nav.auditor") + "</a></li>";
    if (role == core::AccountRole::kAdministrator) nav += "<li><a href=\"/admin\">" + tr(ctx, "nav.admin") + "</a></li>";
  }
  const std::string other = ctx.lang == "en" ? "sl" : "en";
  std::string back = ctx.request.path;
  const std::string switcher = "<a href=\"/lang?to=" + other + "&amp;back=" + esc(back) + "\" lang=\"" + other +
                               "\" hreflang=\"" + other + "\">" + tr(ctx, "lang.switch") + "</a>";
  std::string account;
  if (ctx.principal)
    account = "<span class=\"who\">" + esc(ctx.principal->account.display_name.empty()
                                               ? ctx.principal->account.username
                                               : ctx.principal->account.display_name) +
              "</span> " + buttonForm(ctx, "/logout", tr(ctx, "nav.logout"));
  else
    account = "<a href=\"/login\">" + tr(ctx, "nav.login") + "</a>";
  return "<!DOCTYPE html>\n<html lang=\"" + ctx.lang +
         "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + esc(title) + " · " + tr(ctx, "app.name") +
         "</title><link rel=\"stylesheet\" href=\"/static/style.css\"><link rel=\"icon\" href=\"data:,\"></head><body>"
         "<a class=\"skip\" href=\"#main\">" + tr(ctx, "nav.skip") + "</a>"
         "<header><a class=\"brand\" href=\"/\">" + tr(ctx, "app.name") + "</a><nav aria-label=\"" +
         tr(ctx, "nav.label") + "\"><ul>" + nav + "</ul></nav><div class=\"account\">" + switcher + " " + account +
         "</div></header><main id=\"main\"><h1>" + esc(title) + "</h1>" + body + "</main><footer>" +
         tr(ctx, "app.footer") + " · " + tr(ctx, "clock.now") + ": " + showTime(ctx, ctx.services.clock().now()) +
         "</footer></body></html>\n";
}

}  // namespace web::server
