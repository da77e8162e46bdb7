#pragma once
// The `dps` configuration, read once from dps.properties into a plain struct. Every key has a
// documented default (see dps.properties); an unknown key or an invalid value is an error naming it.
// Plain value; thread-safe to share once loaded.

#include <string>

namespace web {

struct Config {
  std::string store_uri = "sqlite:var/dps.sqlite";
  std::string calendar_dir = "data/calendars";
  std::string key_file = "var/master.key";
  bool simulated_clock = false;
  std::string demo_dir = "data/demo";
  std::string cpv_file;
  std::string espd_schema_dir;  // ESPD-EDM folder; when set, ESPD responses are validated against it
  // eForms notices on the pages: the settings file (buyer, review body) and the SDK folder; both
  // needed, else the pages offer no notices.
  std::string notices_settings;
  std::string notices_eforms_sdk;

  // HTTP service (`dps serve`).
  std::string http_address = "127.0.0.1";
  int http_port = 8080;                  // 0: any free port (tests)
  int http_threads = 16;                 // worker threads
  int http_max_body_bytes = 1048576;     // larger request bodies are refused with 413
  std::string http_static_dir = "web/static";
  std::string http_access_log = "-";     // "-": standard error; else a file appended to; "off": none
  std::string http_tls_certificate;      // PEM; with http_tls_private_key the service speaks HTTPS only
  std::string http_tls_private_key;
  // Accounts and sign-in.
  std::string auth_password_cost = "interactive";  // argon2id cost: interactive, moderate, minimum (tests)
  int auth_session_hours = 8;
  int auth_max_failures_account = 5;     // failed sign-ins per account within the window before refusal
  int auth_max_failures_address = 20;    // failed sign-ins per client address within the window
  int auth_throttle_minutes = 15;
  // Notifications (outbox delivered by SMTP). Empty host: messages stay in the outbox.
  std::string smtp_host;
  int smtp_port = 25;
  std::string smtp_from = "dps@localhost";
  int smtp_max_attempts = 6;             // then the message is marked failed (visible to officers)
  int smtp_retry_seconds = 60;           // first retry delay; doubled after each failure
  // Folder that relative paths are resolved against (the folder of the properties file).
  std::string base_dir = ".";

  // A path from the file, resolved against base_dir when relative.
  std::string resolve(const std::string& path) const;
};

// Reads `path` (a Java-style properties file). Throws core::Error(kInvalidArgument) naming every
// unknown key and invalid value; kNotFound when the file does not exist.
Config loadConfig(const std::string& path);

}  // namespace web
