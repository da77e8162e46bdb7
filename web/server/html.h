#pragma once
// Small helpers for the server-rendered pages: escaping, the page layout (navigation by role,
// language switch, sign-out form), CSRF fields and messages. No inline script or style: the pages
// use /static/style.css only, so the Content-Security-Policy can forbid inline code.
// Pure functions over a request Context; thread-safe.

#include <string>
#include <vector>

#include "web/server/router.h"

namespace web::server {

std::string esc(const std::string& text);
// The message `key` in the request's language, HTML-escaped.
std::string tr(const Context& ctx, const std::string& key);
// The CSRF hidden field for a form: the session's token, or a pre-session token (cookie set here).
std::string csrfField(Context& ctx);
// A complete HTML document around `body`.
std::string layout(Context& ctx, const std::string& title, const std::string& body);
// A notice box ("ok" or "error").
std::string notice(const std::string& kind, const std::string& text);
// <label>+<input>: every field is labelled.
std::string field(const std::string& id, const std::string& label, const std::string& type, const std::string& value,
                  const std::string& extra = {});
// A one-button form posting to `action`.
std::string buttonForm(Context& ctx, const std::string& action, const std::string& label,
                       const std::string& hidden_html = {});
std::string hidden(const std::string& name, const std::string& value);
// The home page of the signed-in role ("/officer", "/farmer", "/auditor", "/admin").
std::string homeFor(const Principal& p);
// "2026-03-01 09:00 UTC"
std::string showTime(const std::string& iso);

}  // namespace web::server
