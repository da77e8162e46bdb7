// The SMTP receiver of the notification tests (see smtp_receiver.h).
#include "tests/web/smtp_receiver.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/SocketStream.h>

#include <sstream>

namespace dps_test {

SmtpReceiver::SmtpReceiver(bool reject) : reject_(reject) {
  socket_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
  socket_.listen(8);
  thread_ = std::thread([this] { run(); });
}

SmtpReceiver::~SmtpReceiver() {
  stopping_ = true;
  thread_.join();
  socket_.close();
}

std::vector<std::string> SmtpReceiver::messages() {
  const std::lock_guard lock(mutex_);
  return messages_;
}

std::vector<ReceivedMail> SmtpReceiver::mails() {
  std::vector<std::string> raw;
  std::vector<std::string> to;
  {
    const std::lock_guard lock(mutex_);
    raw = messages_;
    to = recipients_;
  }
  std::vector<ReceivedMail> out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::istringstream in(raw[i]);
    Poco::Net::MailMessage m;
    m.read(in);
    ReceivedMail mail;
    mail.envelope_to = i < to.size() ? to[i] : std::string();
    mail.subject = Poco::Net::MessageHeader::decodeWord(m.getSubject());
    mail.body = m.getContent();
    out.push_back(std::move(mail));
  }
  return out;
}

bool SmtpReceiver::waitFor(const std::function<bool(const ReceivedMail&)>& match, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (true) {
    for (const ReceivedMail& m : mails())
      if (match(m)) return true;
    std::unique_lock lock(mutex_);
    const std::size_t seen = messages_.size();
    if (!received_.wait_until(lock, until, [&] { return messages_.size() != seen; })) return false;
  }
}

void SmtpReceiver::run() {
  while (!stopping_) {
    if (!socket_.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
    try {
      Poco::Net::StreamSocket peer = socket_.acceptConnection();
      serve(peer);
    } catch (const Poco::Exception&) {
      // A client that went away mid-dialogue; the next connection is served normally.
    }
  }
}

void SmtpReceiver::serve(Poco::Net::StreamSocket& peer) {
  Poco::Net::SocketStream io(peer);
  io << "220 test ready\r\n" << std::flush;
  std::string line;
  std::string rcpt;
  while (std::getline(io, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string verb = line.substr(0, 4);
    if (verb == "RCPT") {
      const std::size_t open = line.find('<');
      const std::size_t close = line.find('>', open);
      if (open != std::string::npos && close != std::string::npos) rcpt = line.substr(open + 1, close - open - 1);
      io << "250 ok\r\n" << std::flush;
    } else if (verb == "EHLO" || verb == "HELO" || verb == "MAIL") {
      io << "250 ok\r\n" << std::flush;
    } else if (verb == "DATA") {
      if (reject_) {
        io << "554 rejected by policy\r\n" << std::flush;
        continue;
      }
      io << "354 go ahead\r\n" << std::flush;
      std::string data;
      while (std::getline(io, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == ".") break;
        if (line.rfind("..", 0) == 0) line.erase(0, 1);  // SMTP dot-stuffing
        data += line + "\r\n";
      }
      {
        const std::lock_guard lock(mutex_);
        messages_.push_back(data);
        recipients_.push_back(rcpt);
      }
      received_.notify_all();
      io << "250 queued\r\n" << std::flush;
    } else if (verb == "QUIT") {
      io << "221 bye\r\n" << std::flush;
      return;
    } else {
      io << "250 ok\r\n" << std::flush;
    }
  }
}

}  // namespace dps_test
