// Accounts, sessions, API tokens and login throttling (see auth.h).
#include "web/server/auth.h"

#include <sodium.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/model.h"
#include "web/server/json_input.h"

namespace web::server {
namespace {

void ensureSodium() {
  if (sodium_init() < 0) throw core::Error(core::ErrorCode::kInternal, "libsodium could not be initialised");
}

}  // namespace

PasswordCost parsePasswordCost(const std::string& text) {
  if (text == "interactive") return PasswordCost::kInteractive;
  if (text == "moderate") return PasswordCost::kModerate;
  if (text == "minimum") return PasswordCost::kMinimum;
  throw core::Error(core::ErrorCode::kInvalidArgument,
                    "password cost '" + text + "' is not one of interactive, moderate, minimum", "auth.password_cost");
}

std::string hashPassword(const std::string& password, PasswordCost cost) {
  ensureSodium();
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == PasswordCost::kModerate) {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (cost == PasswordCost::kMinimum) {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw core::Error(core::ErrorCode::kUnavailable, "not enough memory to hash the password; try again", {},
                      {"password.unavailable", {}});
  return out;
}

bool verifyPassword(const std::string& hash, const std::string& password) {
  ensureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string randomHex(std::size_t bytes) {
  ensureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

void checkPassword(const std::string& password) {
  if (!isValidUtf8(password))
    throw core::Error(core::ErrorCode::kInvalidArgument, "the password is not valid UTF-8", "password",
                      {"password.problem.utf8", {}});
  const std::size_t n = core::charCount(password);
  if (n < 10)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "the password is too short: use at least 10 characters (a few unrelated words work well)",
                      "password", {"password.problem.short", {}});
  if (n > 200)
    throw core::Error(core::ErrorCode::kInvalidArgument, "the password is longer than 200 characters", "password",
                      {"password.problem.long", {}});
}

Authenticator::Authenticator(core::Store& store, const core::Clock& wall_clock, AuthOptions options)
    : store_(store), clock_(wall_clock), options_(options),
      dummy_hash_(hashPassword(randomHex(16), options.cost)) {}

Authenticator::LoginResult Authenticator::login(const std::string& username, const std::string& password,
                                                const std::string& address) {
  const core::TimePoint now = clock_.now();
  const core::TimePoint since = now - options_.window;
  int by_account = 0;
  int by_address = 0;
  std::optional<core::Account> account;
  store_.transact([&](core::Tx& tx) {
    by_account = tx.countFailedLogins(username, "", since);
    by_address = tx.countFailedLogins("", address, since);
    account = tx.findAccountByUsername(username);
  });
  const auto minutes = std::to_string(std::chrono::duration_cast<std::chrono::minutes>(options_.window).count());
  if (by_account >= options_.max_failures_per_account)
    throw HttpError(429, "too_many_attempts",
                    "too many failed sign-ins for this account; wait " + minutes +
                        " minutes, or ask an administrator to reset the password");
  if (by_address >= options_.max_failures_per_address)
    throw HttpError(429, "too_many_attempts",
                    "too many failed sign-ins from this address; wait " + minutes + " minutes");
  const bool ok = account ? verifyPassword(account->password_hash, password) && account->active
                          : (verifyPassword(dummy_hash_, password), false);
  LoginResult result;
  store_.transact([&](core::Tx& tx) {
    tx.insertLoginAttempt({username, address, now, ok});
    if (!ok) return;
    result.session_token = randomHex(32);
    core::Session s;
    s.token_hash = core::sha256Hex(result.session_token);
    s.account_id = account->id;
    s.csrf_token = randomHex(24);
    s.created_at = now;
    s.expires_at = now + options_.session_lifetime;
    tx.deleteExpiredSessions(now);
    tx.insertSession(s);
    result.principal.account = *account;
    result.principal.session_hash = s.token_hash;
    result.principal.csrf_token = s.csrf_token;
  });
  if (!ok) throw HttpError(401, "invalid_credentials", "the username or the password is wrong", "username");
  return result;
}

std::optional<Principal> Authenticator::fromSession(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  std::optional<Principal> p;
  const core::TimePoint now = clock_.now();
  store_.read([&](core::Tx& tx) {
    p.reset();
    auto found = tx.findSessionWithAccount(core::sha256Hex(token));
    if (!found) return;
    auto& [s, a] = *found;
    if (s.expires_at <= now || !a.active) return;
    p.emplace();
    p->account = std::move(a);
    p->session_hash = s.token_hash;
    p->csrf_token = s.csrf_token;
  });
  return p;
}

std::optional<Principal> Authenticator::fromApiToken(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  std::optional<Principal> p;
  store_.read([&](core::Tx& tx) {
    p.reset();
    auto a = tx.findAccountByApiToken(core::sha256Hex(token));
    if (!a || !a->active) return;
    p.emplace();
    p->account = std::move(*a);
    p->via_api_token = true;
  });
  return p;
}

void Authenticator::logout(const std::string& session_hash) {
  store_.transact([&](core::Tx& tx) { tx.deleteSession(session_hash); });
}

std::pair<core::Id, std::string> Authenticator::createApiToken(core::Id account_id, const std::string& label) {
  const std::string token = randomHex(32);
  core::ApiToken t;
  t.token_hash = core::sha256Hex(token);
  t.account_id = account_id;
  t.label = label;
  t.created_at = clock_.now();
  core::Id id = 0;
  store_.transact([&](core::Tx& tx) { id = tx.insertApiToken(t); });
  return {id, token};
}

void Authenticator::revokeApiToken(const Principal& owner, const std::string& token) {
  store_.transact([&](core::Tx& tx) {
    const auto t = tx.findApiToken(core::sha256Hex(token));
    if (!t) throw core::Error(core::ErrorCode::kNotFound, "no such API token", "token");
    if (t->account_id != owner.account.id && owner.account.role != core::AccountRole::kAdministrator)
      throw core::Error(core::ErrorCode::kForbidden, "the API token belongs to another account", "token");
    tx.revokeApiToken(t->id);
  });
}

core::Id Authenticator::createAccount(core::Account account, const std::string& password,
                                      const std::function<void(core::Tx&)>& check) {
  InputProblems problems;
  if (account.username.empty() || core::charCount(account.username) > 120 || !isValidUtf8(account.username))
    problems.add("username", "must be 1 to 120 characters", {"account.problem.username_length", {}});
  for (const char c : account.username)
    if (c == ' ' || static_cast<unsigned char>(c) < 0x20) {
      problems.add("username", "must not contain spaces or control characters",
                   {"account.problem.username_characters", {}});
      break;
    }
  try {
    checkPassword(password);
  } catch (const core::Error& e) {
    problems.add("password", e.what(), e.localized());
  }
  if (account.role == core::AccountRole::kOfficer && account.authority_id == 0)
    problems.add("authority_id", "an officer acts for a contracting authority; name it",
                 {"account.problem.authority", {}});
  if (account.role == core::AccountRole::kSupplier && account.supplier_id == 0)
    problems.add("supplier_id", "a supplier account belongs to an economic operator; name it",
                 {"account.problem.supplier", {}});
  problems.throwIfAny("the account", {"account.rejected", {}});
  account.password_hash = hashPassword(password, options_.cost);
  account.created_at = clock_.now();
  core::Id id = 0;
  store_.transact([&](core::Tx& tx) {
    if (check) check(tx);
    if (tx.findAccountByUsername(account.username))
      throw core::Error(core::ErrorCode::kConflict, "the username '" + account.username + "' is taken; choose another",
                        "username", {"register.taken", {}});
    id = tx.insertAccount(account);
  });
  return id;
}

}  // namespace web::server
