// The HTTP service: POCO glue, the one catch site, authentication, access checks, CSRF, security
// headers, request ids, metrics and the access log (see server.h).
#include "web/server/server.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "web/server/auth.h"
#include "web/server/html.h"
#include "web/server/import_routes.h"
#include "web/server/json_input.h"
#include "web/server/messages.h"
#include "web/server/metrics.h"
#include "web/server/outbox.h"
#include "web/server/report_routes.h"
#include "web/server/routes.h"
#include "web/server/session_cookie.h"

namespace web::server {

int httpStatusFor(int core_error_code) {
  switch (static_cast<core::ErrorCode>(core_error_code)) {
    case core::ErrorCode::kInvalidArgument: return 400;
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kConflict: return 409;
    case core::ErrorCode::kForbidden: return 403;
    case core::ErrorCode::kDeadline: return 409;
    case core::ErrorCode::kUnavailable: return 503;
    case core::ErrorCode::kInternal: return 500;
  }
  return 500;
}

namespace {

// A request's id, unique in the access log and in error messages: a random prefix drawn once per
// process (it tells restarts apart) and a counter, without the system call that drawing random
// bytes for every request cost.
std::string nextRequestId() {
  static const std::string prefix = randomHex(4);
  static std::atomic<std::uint32_t> counter{0};
  char tail[9];
  std::snprintf(tail, sizeof tail, "%08x", static_cast<unsigned>(counter.fetch_add(1, std::memory_order_relaxed)));
  return prefix + tail;
}

const char* kSessionCookie = kSessionCookieName;
const char* kPreSessionCookie = kPreSessionCookieName;
const char* kLangCookie = kLangCookieName;

bool isUnsafe(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }
bool isApi(const std::string& path) { return path.rfind("/api/", 0) == 0; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string mediaType(const std::string& content_type) {
  return lower(content_type.substr(0, content_type.find(';')));
}

// application/x-www-form-urlencoded: a=1&b=two+words
std::map<std::string, std::string> parseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t amp = body.find('&', start);
    const std::string pair = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      std::string k = pair.substr(0, eq);
      std::string v = eq == std::string::npos ? std::string() : pair.substr(eq + 1);
      std::replace(k.begin(), k.end(), '+', ' ');
      std::replace(v.begin(), v.end(), '+', ' ');
      std::string dk;
      std::string dv;
      Poco::URI::decode(k, dk);
      Poco::URI::decode(v, dv);
      if (!isValidUtf8(dk) || !isValidUtf8(dv))
        throw core::Error(core::ErrorCode::kInvalidArgument, "form field '" + dk.substr(0, 40) + "' is not valid UTF-8",
                          dk);
      out[dk] = dv;
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string utcStamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string errorJson(const std::string& code, const std::string& message, const std::string& field,
                      const std::string& request_id) {
  Poco::JSON::Object o;
  o.set("code", code);
  o.set("message", message);
  o.set("field", field);
  o.set("request_id", request_id);
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}

// The outbox's clock: messages are stamped by the engine's clock, which may be simulated and run
// ahead of the wall clock in the demo; a message is due by whichever of the two is later.
class LaterClock final : public core::Clock {
 public:
  LaterClock(const core::Clock& a, const core::Clock& b) : a_(a), b_(b) {}
  core::TimePoint now() const override { return std::max(a_.now(), b_.now()); }

 private:
  const core::Clock& a_;
  const core::Clock& b_;
};

}  // namespace

class HttpConnection;

struct Server::Impl {
  Impl(Services& s, std::ostream* log)
      : services(s),
        auth(s.store(), wall_clock,
             AuthOptions{parsePasswordCost(s.config().auth_password_cost), s.config().auth_max_failures_account,
                         s.config().auth_max_failures_address,
                         std::chrono::minutes(s.config().auth_throttle_minutes),
                         std::chrono::hours(s.config().auth_session_hours)}),
        access_log(log),
        outbox_clock(wall_clock, s.clock()) {
    const std::string& target = s.config().http_access_log;
    if (access_log == nullptr && target == "-") access_log = &std::cerr;
    if (access_log == nullptr && target != "off") {
      log_file.open(target, std::ios::app);
      if (!log_file)
        throw core::Error(core::ErrorCode::kInvalidArgument, "cannot append to the access log '" + target +
                                                                 "'; fix http.access_log");
      access_log = &log_file;
    }
    addSystemRoutes(router);
    addApiRoutes(router);
    addPageRoutes(router);
    addImportRoutes(router);
    addReportRoutes(router);
  }

  // Returns the username of the signed-in account, or empty.
  std::string handle(Request& req, Response& res);
  // The error as JSON for the API, else as the error page; `error`, when given, lets the page say
  // it in the page's language.
  void renderError(Context* ctx, Request& req, Response& res, int status, const std::string& code,
                   const std::string& message, const std::string& field, const core::Error* error = nullptr);
  void log(const Request& req, const Response& res, const std::string& who, double seconds);

  Services& services;
  core::SystemClock wall_clock;
  Authenticator auth;
  Metrics metrics;
  Router router;
  std::ostream* access_log;
  std::ofstream log_file;
  std::mutex log_mutex;
  // Ends every connection: after its current request, or at once when `abort`.
  void stopConnections(bool abort);

  // The connection threads: one per kept-alive connection being served (a connection holds its
  // thread between requests), http.threads of them. POCO's default pool stops at 16 threads.
  // Declared before `http`, which must be destroyed first.
  std::unique_ptr<Poco::ThreadPool> threads;
  std::unique_ptr<Poco::Net::TCPServer> http;
  std::mutex connections_mutex;
  std::set<HttpConnection*> connections;  // guarded by connections_mutex
  LaterClock outbox_clock;
  std::unique_ptr<OutboxWorker> outbox;
  std::uint16_t port = 0;
  bool tls = false;
};

void Server::Impl::renderError(Context* ctx, Request& req, Response& res, int status, const std::string& code,
                               const std::string& message, const std::string& field, const core::Error* error) {
  res.headers.erase(std::remove_if(res.headers.begin(), res.headers.end(),
                                   [](const auto& h) { return h.first == "Location"; }),
                    res.headers.end());
  if (isApi(req.path) || ctx == nullptr || req.path == "/metrics" || req.path == "/healthz") {
    res.json(status, errorJson(code, message, field, req.request_id));
    return;
  }
  res.html(status, renderErrorPage(*ctx, status, code, error ? errorHtml(ctx->lang, *error) : esc(message)));
}

void Server::Impl::log(const Request& req, const Response& res, const std::string& who, double seconds) {
  if (access_log == nullptr) return;
  const std::lock_guard lock(log_mutex);
  *access_log << utcStamp() << ' ' << req.remote_address << ' ' << req.method << ' ' << req.path << ' ' << res.status
              << ' ' << res.body.size() << ' ' << static_cast<long>(seconds * 1e6) << "us id=" << req.request_id
              << " user=" << (who.empty() ? "-" : who) << '\n';
  access_log->flush();
}

std::string Server::Impl::handle(Request& req, Response& res) {
  const RouteMatch match = router.match(req.method, req.path);
  Context ctx{services, auth, metrics, req, res, std::nullopt, "sl", std::nullopt};
  if (const auto it = req.cookies.find(kLangCookie); it != req.cookies.end() && (it->second == "en" || it->second == "sl"))
    ctx.lang = it->second;
  else
    ctx.lang = languageFromAcceptLanguage(req.header("accept-language"));
  try {
    if (match.route == nullptr) {
      if (match.allowed.empty())
        throw core::Error(core::ErrorCode::kNotFound, "no page or API route at " + req.path.substr(0, 200));
      std::string allow;
      for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      res.headers.emplace_back("Allow", allow);
      throw HttpError(405, "method_not_allowed", req.method + " is not allowed on " + req.path + "; allowed: " + allow);
    }
    req.params = match.params;
    const Route& route = *match.route;

    // Who is asking: an API token (Authorization: Bearer) or a session cookie.
    const std::string authorization = req.header("authorization");
    if (authorization.rfind("Bearer ", 0) == 0) {
      ctx.principal = auth.fromApiToken(authorization.substr(7));
      if (!ctx.principal) throw HttpError(401, "unauthenticated", "the API token is unknown or revoked");
    } else if (const auto it = req.cookies.find(kSessionCookie); it != req.cookies.end()) {
      ctx.principal = auth.fromSession(it->second);
    }
    if (route.audience != kPublic) {
      if (!ctx.principal) {
        if (!isApi(req.path) && req.method == "GET") {
          std::string next;
          Poco::URI::encode(req.path, "&?=#+%", next);
          res.redirect("/login?next=" + next);
          return {};
        }
        throw HttpError(401, "unauthenticated", "sign in first (session cookie or Authorization: Bearer token)");
      }
      if ((route.audience & audienceOf(ctx.principal->account.role)) == 0)
        throw core::Error(
            core::ErrorCode::kForbidden,
            std::string("this is not for the role ") + core::toString(ctx.principal->account.role) + "; " +
                route.summary,
            {}, {"access.refused.role", {std::string("@role.") + core::toString(ctx.principal->account.role)}});
    }

    // Pages show times in the viewer's legal time, looked up now: handlers format times inside
    // their read transactions, where a lookup of its own would nest a second one.
    if (!isApi(req.path) && ctx.principal) legalTime(ctx);

    // Bodies: JSON for the API, forms for pages; CSRF on every state change made with a cookie.
    if (isUnsafe(req.method)) {
      const std::string type = mediaType(req.header("content-type"));
      if (isApi(req.path)) {
        if (!req.body.empty() && type != "application/json" && !route.uploads)
          throw HttpError(415, "unsupported_media_type", "send the body as application/json", "content-type");
        if (ctx.principal && !ctx.principal->via_api_token && req.header("x-csrf-token") != ctx.principal->csrf_token)
          throw core::Error(core::ErrorCode::kForbidden,
                            "the X-CSRF-Token header is missing or wrong: a request made with a session cookie must "
                            "send that session's csrf_token (returned at sign-in); to sign in anew, send the sign-in "
                            "without the old session cookie",
                            "x-csrf-token");
      } else {
        if (route.uploads && type == "multipart/form-data") {
          parseMultipartForm(req);
        } else {
          if (type != "application/x-www-form-urlencoded")
            throw HttpError(415, "unsupported_media_type", "pages accept form submissions only", "content-type");
          req.form = parseForm(req.body);
        }
        const std::string given = req.form.count("csrf") ? req.form.at("csrf") : std::string();
        std::string expected;
        if (ctx.principal)
          expected = ctx.principal->csrf_token;
        else if (const auto it = req.cookies.find(kPreSessionCookie); it != req.cookies.end())
          expected = it->second;
        if (expected.empty() || given != expected)
          throw core::Error(core::ErrorCode::kForbidden,
                            "the form has expired or did not come from this site; reload the page and try again",
                            "csrf", {"form.expired", {}});
      }
    }
    route.handler(ctx);
  } catch (const HttpError& e) {
    renderError(&ctx, req, res, e.status(), e.code(), e.what(), e.field());
  } catch (const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnavailable || e.code() == core::ErrorCode::kInternal) metrics.storeError();
    if (e.code() == core::ErrorCode::kInternal && access_log != nullptr) {
      const std::lock_guard lock(log_mutex);
      *access_log << utcStamp() << " error id=" << req.request_id << " " << e.what() << '\n';
    }
    renderError(&ctx, req, res, httpStatusFor(static_cast<int>(e.code())), core::errorCodeName(e.code()), e.what(),
                e.field(), &e);
  } catch (const Poco::Exception& e) {
    metrics.storeError();
    if (access_log != nullptr) {
      const std::lock_guard lock(log_mutex);
      *access_log << utcStamp() << " error id=" << req.request_id << " " << e.displayText() << '\n';
    }
    renderError(&ctx, req, res, 500, "internal", "internal error; quote request id " + req.request_id, "");
  } catch (const std::exception& e) {
    if (access_log != nullptr) {
      const std::lock_guard lock(log_mutex);
      *access_log << utcStamp() << " error id=" << req.request_id << " " << e.what() << '\n';
    }
    renderError(&ctx, req, res, 500, "internal", "internal error; quote request id " + req.request_id, "");
  }
  return ctx.principal ? ctx.principal->account.username : std::string();
}

namespace {

// One request: read, handled by the router, answered, measured and logged.
class Dispatcher {
 public:
  explicit Dispatcher(Server::Impl& app) : app_(app) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) {
    const auto started = std::chrono::steady_clock::now();
    Request req;
    Response res;
    req.method = in.getMethod();
    req.request_id = nextRequestId();
    req.secure = in.secure();
    req.remote_address = in.clientAddress().host().toString();
    for (const auto& [name, value] : in) req.headers[lower(name)] = value;
    std::string route_name = "unmatched";
    std::string who;
    try {
      readRequest(in, req);
      const RouteMatch m = app_.router.match(req.method, req.path);
      if (m.route != nullptr) route_name = m.route->pattern;
      who = app_.handle(req, res);
    } catch (const HttpError& e) {
      res.json(e.status(), errorJson(e.code(), e.what(), e.field(), req.request_id));
    } catch (const core::Error& e) {
      res.json(httpStatusFor(static_cast<int>(e.code())),
               errorJson(core::errorCodeName(e.code()), e.what(), e.field(), req.request_id));
    }
    write(req, res, out);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    app_.metrics.observe(req.method, route_name, res.status, seconds);
    app_.log(req, res, who, seconds);
  }

 private:
  void readRequest(Poco::Net::HTTPServerRequest& in, Request& req) {
    std::string raw_path;
    try {
      const Poco::URI uri(in.getURI());
      raw_path = uri.getPath();
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (!isValidUtf8(k) || !isValidUtf8(v))
          throw core::Error(core::ErrorCode::kInvalidArgument, "a query parameter is not valid UTF-8", k);
        req.query[k] = v;
      }
    } catch (const Poco::Exception& e) {
      throw HttpError(400, "invalid_argument", "the request URI is malformed: " + e.displayText(), "uri");
    }
    if (!isValidUtf8(raw_path)) throw HttpError(400, "invalid_argument", "the request path is not valid UTF-8", "path");
    if (raw_path.find("/../") != std::string::npos || raw_path.find("/./") != std::string::npos ||
        (raw_path.size() >= 3 && raw_path.compare(raw_path.size() - 3, 3, "/..") == 0))
      throw HttpError(400, "invalid_argument", "the path must not contain '.' or '..' segments (path traversal)", "path");
    if (raw_path.size() > 1 && raw_path.back() == '/') raw_path.pop_back();
    req.path = raw_path.empty() ? "/" : raw_path;
    Poco::Net::NameValueCollection cookies;
    in.getCookies(cookies);
    for (const auto& [k, v] : cookies) req.cookies[k] = v;
    const auto limit = static_cast<std::size_t>(app_.services.config().http_max_body_bytes);
    std::istream& body = in.stream();
    char buf[8192];
    // A refused body is still read (up to a bound) so that the client receives the 413 instead of a
    // connection reset while it is sending.
    const auto drain = [&] {
      std::size_t discarded = 0;
      while (body && discarded < 16 * limit) {
        body.read(buf, sizeof buf);
        discarded += static_cast<std::size_t>(body.gcount());
      }
      close_ = true;
    };
    if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(limit)) {
      drain();
      throw HttpError(413, "payload_too_large",
                      "the request body has " + std::to_string(in.getContentLength64()) + " bytes; at most " +
                          std::to_string(limit) + " are accepted",
                      "body");
    }
    std::string data;
    while (body) {
      body.read(buf, sizeof buf);
      data.append(buf, static_cast<std::size_t>(body.gcount()));
      if (data.size() > limit) {
        drain();
        throw HttpError(413, "payload_too_large", "the request body is larger than " + std::to_string(limit) + " bytes",
                        "body");
      }
    }
    req.body = std::move(data);
  }

  void write(const Request& req, Response& res, Poco::Net::HTTPServerResponse& out) {
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
    out.setContentType(res.content_type);
    out.set("X-Request-Id", req.request_id);
    out.set("X-Content-Type-Options", "nosniff");
    out.set("X-Frame-Options", "DENY");
    out.set("Referrer-Policy", "same-origin");
    out.set("Content-Security-Policy",
            !res.content_security_policy.empty()
                ? res.content_security_policy
                : std::string("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"));
    if (req.path.rfind("/static/", 0) != 0) out.set("Cache-Control", "no-store");
    if (req.secure) out.set("Strict-Transport-Security", "max-age=31536000");
    if (close_) out.setKeepAlive(false);
    for (const auto& [name, value] : res.headers) out.add(name, value);
    if (req.method == "HEAD") {
      out.setContentLength64(static_cast<Poco::Int64>(res.body.size()));
      out.send();
      return;
    }
    out.sendBuffer(res.body.data(), res.body.size());
  }

  Server::Impl& app_;
  bool close_ = false;  // close the connection after the response (a refused body)
};

// A session that can tell whether the next request is read already.
class Session : public Poco::Net::HTTPServerSession {
 public:
  using HTTPServerSession::HTTPServerSession;
  bool holdsMore() const { return buffered() > 0; }
};

}  // namespace

// One connection's requests, one after the other, on a thread of the pool, as POCO's
// HTTPServerConnection serves them, with one difference: between two requests of a kept-alive
// plain connection it waits with one poll(2), where POCO 1.11 creates, uses and closes an epoll
// instance (four system calls a request). Over TLS, whose layer may hold a request read already,
// POCO's own wait stays. Registered with the server, which ends it at stop().
class HttpConnection final : public Poco::Net::TCPServerConnection {
 public:
  HttpConnection(const Poco::Net::StreamSocket& socket, Server::Impl& app, Poco::Net::HTTPServerParams::Ptr params)
      : TCPServerConnection(socket), app_(app), params_(std::move(params)) {
    const std::lock_guard<std::mutex> lock(app_.connections_mutex);
    app_.connections.insert(this);
  }
  ~HttpConnection() override {
    const std::lock_guard<std::mutex> lock(app_.connections_mutex);
    app_.connections.erase(this);
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void run() override {
    Session session(socket(), params_);
    bool first = true;
    while (!stopped_ && (first ? session.hasMoreRequests() : another(session))) {
      first = false;
      try {
        const std::lock_guard<std::mutex> lock(busy_);
        if (stopped_) break;
        serve(session);
      } catch (const Poco::Net::NoMessageException&) {
        break;  // the client closed the connection
      } catch (const Poco::Net::MessageException&) {
        sendError(session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      }
    }
  }

  // Ends the connection after its current request; with `abort`, at once.
  void stop(bool abort) {
    stopped_ = true;
    std::unique_lock<std::mutex> lock(busy_, std::defer_lock);
    if (!abort) lock.lock();
    try {
      socket().shutdown();
    } catch (const Poco::Exception&) {
      // closed already
    }
  }

 private:
  void serve(Session& session) {
    Poco::Net::HTTPServerResponseImpl response(session);
    Poco::Net::HTTPServerRequestImpl request(response, session, params_);
    response.setDate(Poco::Timestamp());
    response.setVersion(request.getVersion());
    response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && session.canKeepAlive());
    try {
      if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
        response.sendContinue();
      Dispatcher(app_).handleRequest(request, response);
      session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
    } catch (const Poco::Exception&) {
      if (!response.sent()) {
        try {
          sendError(session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        } catch (...) {
          // the client is gone; the exception below ends the connection
        }
      }
      throw;
    }
  }

  // Whether another request follows on the connection, waiting for it up to the keep-alive timeout.
  bool another(Session& session) {
    if (!session.canKeepAlive() || !session.getKeepAlive()) return false;
    if (session.holdsMore()) return true;
    if (socket().secure()) return session.hasMoreRequests();
    pollfd wait{socket().impl()->sockfd(), POLLIN, 0};
    const int ms = static_cast<int>(params_->getKeepAliveTimeout().totalMilliseconds());
    for (;;) {
      const int n = ::poll(&wait, 1, ms);
      if (n >= 0) return n > 0;  // readable, or closed by the client (then no request is read)
      if (errno != EINTR) return false;
    }
  }

  static void sendError(Session& session, Poco::Net::HTTPResponse::HTTPStatus status) {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.send();
    session.setKeepAlive(false);
  }

  Server::Impl& app_;
  Poco::Net::HTTPServerParams::Ptr params_;
  std::mutex busy_;  // held while a request is served
  std::atomic<bool> stopped_{false};
};

void Server::Impl::stopConnections(bool abort) {
  const std::lock_guard<std::mutex> lock(connections_mutex);
  for (HttpConnection* c : connections) c->stop(abort);
}

namespace {

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Server::Impl& app, Poco::Net::HTTPServerParams::Ptr params)
      : app_(app), params_(std::move(params)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new HttpConnection(socket, app_, params_);
  }

 private:
  Server::Impl& app_;
  Poco::Net::HTTPServerParams::Ptr params_;
};

}  // namespace

Server::Server(Services& services, std::ostream* access_log) : impl_(std::make_unique<Impl>(services, access_log)) {}

Server::~Server() { stop(); }

void Server::start() {
  const Config& c = impl_->services.config();
  // A simulated clock continues from the time the administrator last set.
  if (core::ManualClock* clock = impl_->services.simulatedClock()) {
    std::optional<std::string> saved;
    impl_->services.store().transact([&](core::Tx& tx) { saved = tx.getSetting("clock.simulated_now"); });
    if (saved) {
      const core::TimePoint t = core::parseTime(*saved, "clock.simulated_now");
      if (t > clock->now()) clock->set(t);
    }
  }
  // HTTPS when a certificate is configured (TLS 1.2 or later); session cookies are then Secure.
  Poco::Net::ServerSocket socket;
  if (!c.http_tls_certificate.empty()) {
    static std::once_flag ssl_once;
    std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
    try {
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, c.http_tls_private_key, c.http_tls_certificate, "",
                                 Poco::Net::Context::VERIFY_NONE);
      context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      socket = Poco::Net::SecureServerSocket(context);
    } catch (const Poco::Exception& e) {
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        "cannot use the TLS certificate '" + c.http_tls_certificate + "' with key '" +
                            c.http_tls_private_key + "': " + e.displayText() +
                            "; check http.tls.certificate and http.tls.private_key (PEM files)");
    }
    impl_->tls = true;
  }
  try {
    socket.bind(Poco::Net::SocketAddress(c.http_address, static_cast<Poco::UInt16>(c.http_port)), /*reuseAddress=*/true,
                /*reusePort=*/false);
    socket.listen(128);
  } catch (const Poco::Exception& e) {
    throw core::Error(core::ErrorCode::kUnavailable, "cannot listen on " + c.http_address + ":" +
                                                         std::to_string(c.http_port) + ": " + e.displayText() +
                                                         "; choose another http.port or stop the other process");
  }
  impl_->port = socket.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(c.http_threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(30, 0));
  impl_->threads = std::make_unique<Poco::ThreadPool>("http", std::min(2, c.http_threads), c.http_threads);
  impl_->http =
      std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(*impl_, params), *impl_->threads, socket, params);
  impl_->http->start();
  if (!c.smtp_host.empty()) {
    const OutboxOptions options = OutboxOptions::from(c);
    impl_->outbox = std::make_unique<OutboxWorker>(impl_->services.store(), impl_->outbox_clock, options);
    impl_->outbox->start();
  }
}

void Server::stop() {
  if (impl_->http) {
    // No new connections; requests in flight finish (each one either committed its transaction and
    // answered, or had not started it), and kept-alive connections close after their current request.
    impl_->http->stop();
    impl_->stopConnections(false);
    for (int i = 0; i < 500 && impl_->http->currentConnections() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    impl_->stopConnections(true);
    impl_->http.reset();
    impl_->threads->joinAll();
    impl_->threads.reset();
  }
  if (impl_->outbox) {
    impl_->outbox->stop();
    impl_->outbox.reset();
  }
}

std::uint16_t Server::port() const { return impl_->port; }

std::string Server::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://" + impl_->services.config().http_address + ":" +
         std::to_string(impl_->port);
}

const Router& Server::router() const { return impl_->router; }
Authenticator& Server::authenticator() { return impl_->auth; }
Metrics& Server::metrics() { return impl_->metrics; }

}  // namespace web::server

namespace web {
namespace {

volatile std::sig_atomic_t g_stop_requested = 0;
extern "C" void onStopSignal(int) { g_stop_requested = 1; }

}  // namespace

int runServe(Services& services, std::ostream& out) {
  server::Server srv(services);
  srv.start();
  out << "DPS service listening on " << srv.url() << "/ (store " << services.store().backend()
      << (services.simulatedClock() ? ", simulated clock " + core::formatTime(services.clock().now()) : std::string())
      << ")\n";
  std::vector<core::Account> accounts;
  services.store().transact([&](core::Tx& tx) { accounts = tx.listAccounts(); });
  if (services.simulatedClock() != nullptr && !accounts.empty()) {
    out << "Demo accounts (password " << kDemoPassword << "):\n";
    std::size_t shown = 0;
    for (const core::Account& a : accounts) {
      if (a.role == core::AccountRole::kSupplier && ++shown > 3) continue;
      out << "  " << core::toString(a.role) << "  " << a.username << "\n";
    }
    if (shown > 3) out << "  ... and " << (shown - 3) << " more supplier accounts\n";
  }
  out << "Press Ctrl+C to stop.\n";
  out.flush();
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  while (g_stop_requested == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  out << "Stopping: finishing requests in flight\n";
  srv.stop();
  out << "Stopped.\n";
  return 0;
}

}  // namespace web
