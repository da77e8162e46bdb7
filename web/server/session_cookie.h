#pragma once
// Set-Cookie values of the service: the session cookie (HttpOnly, SameSite=Strict, Secure under
// TLS), the pre-session CSRF cookie of the sign-in and registration forms, and the language choice.
// Pure functions; thread-safe.

#include <chrono>
#include <string>

namespace web::server {

inline constexpr const char* kSessionCookieName = "dps_session";
inline constexpr const char* kPreSessionCookieName = "dps_pre";
inline constexpr const char* kLangCookieName = "dps_lang";

std::string sessionCookie(const std::string& token, bool secure, std::chrono::seconds lifetime);
std::string clearedSessionCookie(bool secure);
std::string preSessionCookie(const std::string& token, bool secure);
std::string languageCookie(const std::string& lang, bool secure);

}  // namespace web::server
