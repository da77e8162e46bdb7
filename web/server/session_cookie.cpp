// Set-Cookie values (see session_cookie.h).
#include "web/server/session_cookie.h"

namespace web::server {
namespace {

std::string attributes(bool http_only, bool secure) {
  std::string a = "; Path=/; SameSite=Strict";
  if (http_only) a += "; HttpOnly";
  if (secure) a += "; Secure";
  return a;
}

}  // namespace

std::string sessionCookie(const std::string& token, bool secure, std::chrono::seconds lifetime) {
  return std::string(kSessionCookieName) + "=" + token + "; Max-Age=" + std::to_string(lifetime.count()) +
         attributes(true, secure);
}

std::string clearedSessionCookie(bool secure) {
  return std::string(kSessionCookieName) + "=; Max-Age=0" + attributes(true, secure);
}

std::string preSessionCookie(const std::string& token, bool secure) {
  return std::string(kPreSessionCookieName) + "=" + token + "; Max-Age=7200" + attributes(true, secure);
}

std::string languageCookie(const std::string& lang, bool secure) {
  return std::string(kLangCookieName) + "=" + lang + "; Max-Age=31536000" + attributes(false, secure);
}

}  // namespace web::server
