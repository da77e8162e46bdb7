#pragma once
// dps_test::SmtpReceiver: a minimal SMTP server on 127.0.0.1 (a free port) for the notification
// tests. It accepts connections one after another, answers the SMTP dialogue and keeps each
// message's DATA; with `reject`, DATA is refused with 554 so that delivery fails. Received messages
// can also be read parsed (headers and the transfer encoding decoded) as a person's mail client shows them.
// Thread-safety: messages()/mails()/waitFor() may be called from any thread while it runs.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dps_test {

// One received message as a mail client shows it.
struct ReceivedMail {
  std::string envelope_to;  // the RCPT TO address
  std::string subject;      // RFC 2047 words decoded
  std::string body;         // transfer encoding decoded (UTF-8)
};

class SmtpReceiver {
 public:
  explicit SmtpReceiver(bool reject = false);
  ~SmtpReceiver();
  SmtpReceiver(const SmtpReceiver&) = delete;
  SmtpReceiver& operator=(const SmtpReceiver&) = delete;

  Poco::UInt16 port() const { return socket_.address().port(); }
  // Each message's raw DATA (headers and encoded body), in the order received.
  std::vector<std::string> messages();
  std::vector<ReceivedMail> mails();
  // Waits until a received mail satisfies `match` or `limit` passes (then returns false). Not a
  // timing assertion: the limit only bounds a test that would otherwise hang.
  bool waitFor(const std::function<bool(const ReceivedMail&)>& match,
               std::chrono::milliseconds limit = std::chrono::seconds(20));

 private:
  void run();
  void serve(Poco::Net::StreamSocket& peer);

  bool reject_;
  Poco::Net::ServerSocket socket_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable received_;
  std::vector<std::string> messages_;
  std::vector<std::string> recipients_;
};

}  // namespace dps_test
