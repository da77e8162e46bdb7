#pragma once
// Delivery of the outbox (notifications written in the same transaction as the change they report)
// by SMTP, with retries and exponential backoff; a message that still fails after the configured
// attempts is marked failed, which officers see on their dashboard. Several service instances may
// run workers over one database: a message is claimed by moving its next attempt forward inside a
// transaction before it is sent, so two workers do not send it twice in the normal case.
// Thread-safety: deliverDue() may be called from any one thread; start()/stop() run a background one.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/store.h"
#include "web/config.h"

namespace web::server {

struct OutboxOptions {
  std::string host;
  int port = 25;
  std::string sender = "dps@localhost";
  int max_attempts = 6;
  std::chrono::seconds retry{60};
  std::chrono::milliseconds poll{1000};

  static OutboxOptions from(const Config& config);
};

class OutboxWorker {
 public:
  OutboxWorker(core::Store& store, const core::Clock& clock, OutboxOptions options);
  ~OutboxWorker();

  struct Round {
    int sent = 0;
    int retried = 0;
    int failed = 0;
  };
  // Sends every message due now; records each result in the store.
  Round deliverDue();
  void start();
  void stop();

 private:
  void send(const core::OutboxMessage& m);

  core::Store& store_;
  const core::Clock& clock_;
  OutboxOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace web::server
