// SMTP delivery of the outbox with retries (see outbox.h).
#include "web/server/outbox.h"

#include <Poco/Exception.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SMTPClientSession.h>

#include "core/error.h"

namespace web::server {

OutboxOptions OutboxOptions::from(const Config& config) {
  OutboxOptions o;
  o.host = config.smtp_host;
  o.port = config.smtp_port;
  o.sender = config.smtp_from;
  o.max_attempts = config.smtp_max_attempts;
  o.retry = std::chrono::seconds(config.smtp_retry_seconds);
  return o;
}

OutboxWorker::OutboxWorker(core::Store& store, const core::Clock& clock, OutboxOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::send(const core::OutboxMessage& m) {
  Poco::Net::MailMessage mail;
  mail.setSender(options_.sender);
  mail.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, m.recipient));
  mail.setSubject(Poco::Net::MailMessage::encodeWord(m.subject, "UTF-8"));
  mail.setContentType("text/plain; charset=UTF-8");
  mail.setContent(m.body, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  Poco::Net::SMTPClientSession session(options_.host, static_cast<Poco::UInt16>(options_.port));
  session.setTimeout(Poco::Timespan(10, 0));
  session.login();
  session.sendMessage(mail);
  session.close();
}

OutboxWorker::Round OutboxWorker::deliverDue() {
  Round result;
  const core::TimePoint now = clock_.now();
  std::vector<core::OutboxMessage> due;
  // Claim: push the next attempt forward first, so that another worker does not pick the same rows.
  store_.transact([&](core::Tx& tx) {
    due = tx.listDueOutbox(now, 50);
    for (core::OutboxMessage& m : due) {
      core::OutboxMessage claimed = m;
      claimed.next_attempt_at = now + std::chrono::minutes(10);
      tx.updateOutboxMessage(claimed);
    }
  });
  for (core::OutboxMessage& m : due) {
    std::string error;
    try {
      send(m);
    } catch (const Poco::Exception& e) {
      error = e.displayText();
    } catch (const std::exception& e) {
      error = e.what();
    }
    ++m.attempts;
    if (error.empty()) {
      m.status = core::OutboxStatus::kSent;
      m.last_error.clear();
      ++result.sent;
    } else {
      m.last_error = error.substr(0, 500);
      if (m.attempts >= options_.max_attempts) {
        m.status = core::OutboxStatus::kFailed;
        ++result.failed;
      } else {
        // Exponential backoff: retry, 2 x retry, 4 x retry, ...
        const auto factor = 1LL << std::min(m.attempts - 1, 20);
        m.next_attempt_at = now + std::chrono::seconds(options_.retry.count() * factor);
        ++result.retried;
      }
    }
    store_.transact([&](core::Tx& tx) { tx.updateOutboxMessage(m); });
  }
  return result;
}

void OutboxWorker::start() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        deliverDue();
      } catch (const std::exception&) {
        // The store may be briefly unavailable; the next poll tries again and nothing is lost.
      }
      lock.lock();
      wake_.wait_for(lock, options_.poll, [this] { return stopping_; });
    }
  });
}

void OutboxWorker::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace web::server
