#pragma once
// Accounts and their credentials: argon2id password hashes (libsodium crypto_pwhash_str), login
// with throttling per account and per client address, session tokens (only their SHA-256 is
// stored), CSRF tokens bound to the session, and API tokens for integrations.
// Security time (session expiry, throttling windows) is the wall clock given at construction, never
// the simulated procurement clock. Thread-safe: state lives in the Store.

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/store.h"
#include "web/server/router.h"

namespace web::server {

// An error with an HTTP status of its own (401, 413, 415, 429, ...) for cases core::ErrorCode does
// not name. The server's one catch site renders it like a core::Error.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

 private:
  int status_;
  std::string code_;
  std::string field_;
};

// Cost of argon2id: interactive (libsodium's interactive limits, the default), moderate, or
// minimum (tests and benchmarks only: fast and weak).
enum class PasswordCost { kMinimum, kInteractive, kModerate };
PasswordCost parsePasswordCost(const std::string& text);

std::string hashPassword(const std::string& password, PasswordCost cost);
bool verifyPassword(const std::string& hash, const std::string& password);
// `bytes` random bytes (libsodium randombytes) as lowercase hex.
std::string randomHex(std::size_t bytes);
// Throws core::Error(kInvalidArgument, field "password") when the password is too weak to accept.
void checkPassword(const std::string& password);

struct AuthOptions {
  PasswordCost cost = PasswordCost::kInteractive;
  int max_failures_per_account = 5;   // failed logins in the window before the account is throttled
  int max_failures_per_address = 20;  // failed logins from one address in the window
  std::chrono::seconds window{std::chrono::minutes(15)};
  std::chrono::seconds session_lifetime{std::chrono::hours(8)};
};

class Authenticator {
 public:
  Authenticator(core::Store& store, const core::Clock& wall_clock, AuthOptions options);

  struct LoginResult {
    Principal principal;
    std::string session_token;  // the cookie value; only its hash is stored
  };
  // Throws HttpError 429 when throttled (before checking the password) and 401 for a wrong
  // username or password (the same message for both). Every attempt is recorded.
  LoginResult login(const std::string& username, const std::string& password, const std::string& address);
  std::optional<Principal> fromSession(const std::string& token);
  std::optional<Principal> fromApiToken(const std::string& token);
  void logout(const std::string& session_hash);
  // A new API token for the account: (id, token). The token is shown once.
  std::pair<core::Id, std::string> createApiToken(core::Id account_id, const std::string& label);
  // Revokes the token (given in full) when it belongs to `owner` or owner is an administrator.
  void revokeApiToken(const Principal& owner, const std::string& token);
  // Validates, hashes the password (outside any transaction: argon2id takes a while and must not
  // hold the store's write lock) and inserts the account in one transaction that first runs
  // `check` (further checks of the caller). kConflict when the username is taken.
  core::Id createAccount(core::Account account, const std::string& password,
                         const std::function<void(core::Tx&)>& check = {});
  const AuthOptions& options() const { return options_; }

 private:
  core::Store& store_;
  const core::Clock& clock_;
  AuthOptions options_;
  std::string dummy_hash_;  // verified against for unknown usernames, so timing does not tell them apart
};

}  // namespace web::server
