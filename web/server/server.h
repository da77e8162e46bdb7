#pragma once
// The HTTP service of the DPS: POCO's HTTPServer serving the JSON API under /api/v1, the pages for
// officers, farmers and auditors, static assets, /healthz and /metrics, from one route table.
//
// Server is the testable core: constructed over the Services, start() binds the configured
// address and port (port 0 picks a free one; port() tells which), stop() stops accepting and lets
// in-flight requests finish. runServe() is the `dps serve` command around it.
// Thread-safety: start() and stop() from one thread; requests are served by the server's pool.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "web/services.h"

namespace web::server {

class Router;
class Authenticator;
class Metrics;

class Server {
 public:
  // `access_log`: where access-log lines go; null means as configured (http.access_log).
  explicit Server(Services& services, std::ostream* access_log = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();
  // Stops accepting, waits (bounded) for in-flight requests, stops the outbox worker. Idempotent.
  void stop();
  std::uint16_t port() const;
  // "http://127.0.0.1:PORT" (https when TLS is configured).
  std::string url() const;

  const Router& router() const;
  Authenticator& authenticator();
  Metrics& metrics();

  struct Impl;  // the application behind the POCO handlers (server.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace web::server

namespace web {

// The password of every demo account (the demo runs on the simulated clock only).
inline constexpr const char* kDemoPassword = "kranj-demo-2026";

// `dps serve`: starts the server, prints its URL and the demo accounts, waits for SIGINT or
// SIGTERM, shuts down gracefully. Returns the process exit code.
int runServe(Services& services, std::ostream& out);

// Creates the demo accounts (administrator, officer of "Mestna občina Kranj", auditor, and one
// account per supplier) unless they exist, and prints their usernames and password.
void createDemoAccounts(Services& services, std::ostream& out);

}  // namespace web
