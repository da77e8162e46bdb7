#pragma once
// Small helpers for the server-rendered pages: escaping, the page layout (navigation by role,
// language switch, sign-out form), CSRF fields and messages. No inline script or style: the pages
// use /static/style.css only, so the Content-Security-Policy can forbid inline code.
// Pure functions over a request Context; thread-safe.

#include <string>
#include <vector>

#include "core/error.h"
#include "web/server/router.h"

namespace web::server {

std::string esc(const std::string& text);
// The message `key` in the request's language, HTML-escaped.
std::string tr(const Context& ctx, const std::string& key);
// The CSRF hidden field for a form: the session's token, or a pre-session token (cookie set here).
std::string csrfField(Context& ctx);
// A complete HTML document around `body`.
std::string layout(Context& ctx, const std::string& title, const std::string& body);
// A notice box ("ok" or "error"): one paragraph of HTML.
std::string notice(const std::string& kind, const std::string& text);
// An error as a page shows it, as HTML: in the page's language where the catalogue has its message
// (core::Localized), else in English as the engine wrote it. An input rejected whole is its heading
// and the list of its problems; when any of them is not in the catalogue, the whole is shown in
// English, so that a page never mixes the two languages in one message.
std::string errorHtml(const std::string& lang, const core::Error& e);
// Whether the catalogue has the message (a key is set and known).
bool inCatalogue(const core::Localized& l);
// The message's text in `lang` (not escaped), its values filled in; a value written "@key" is a
// word of the catalogue and is put in `lang` too.
std::string localizedText(const std::string& lang, const core::Localized& l);
// An error notice box around errorHtml's HTML (which may hold a list).
std::string errorNotice(const std::string& html);
// <label>+<input>: every field is labelled.
std::string field(const std::string& id, const std::string& label, const std::string& type, const std::string& value,
                  const std::string& extra = {});
// A one-button form posting to `action`.
std::string buttonForm(Context& ctx, const std::string& action, const std::string& label,
                       const std::string& hidden_html = {});
std::string hidden(const std::string& name, const std::string& value);
// The home page of the signed-in role ("/officer", "/farmer", "/auditor", "/admin").
std::string homeFor(const Principal& p);
// Times on the pages are in the viewer's legal time: an officer's or auditor's authority's, a
// supplier's country's (from its calendar), for an administrator the authorities' country when they
// are all in one; otherwise, or when there is no calendar for the country, UTC. Shown with the offset, so that nobody misreads a deadline:
// "2026-03-02 11:00 (UTC+01:00)", or "2026-03-02 10:00 (UTC)".
const core::Calendar* legalTime(Context& ctx);
std::string showTime(Context& ctx, core::TimePoint t);
// The same as plain text (for messages that are escaped later).
std::string timeText(Context& ctx, core::TimePoint t);
// A labelled field for a time: <input type="datetime-local"> in legal time, or ISO text in UTC;
// `value` when given is the text the person typed (shown again after an error).
std::string timeField(Context& ctx, const std::string& id, const std::string& label, core::TimePoint t,
                      const std::string& value = {});
// Reads what timeField sent (or an ISO time with Z or an offset); throws kInvalidArgument naming `field`.
core::TimePoint parseTimeField(Context& ctx, const std::string& text, const std::string& field);

}  // namespace web::server
