// Bid submissions over HTTP against the real service (web::server::Server on 127.0.0.1, port 0)
// at 16 and 64 concurrent keep-alive connections, on SQLite and (when DPS_TEST_MYSQL_URI is set)
// MariaDB: bids per second, p50/p99 latency and errors. In the same run, on the same machine, the
// two ceilings the service cannot beat:
//   - a trivial handler on the same server (GET /healthz) with the same client and connections;
//   - raw durable inserts of the rows a submission writes (the bid envelope and its audit entry, one
//     transaction each) through core::Store directly, with as many threads as connections.
// The bids and the raw inserts are measured in three alternating turns, so that the speed of a
// shared machine drifting during the run weighs on both alike; their figures cover all turns.
// Then ratios of the bid rate to each ceiling and to the lower of the two, and where the time goes:
// the CPU this process (service and load client) spends per request, and on MariaDB the statements
// the server ran per bid (each one a round trip).
//
// The scene is the engine tests' fixture (tests/support): a published DPS with 64 admitted farms,
// each signed in with an API token, and 100 dispatched one-lot rounds. Connection k is farm k; its
// i-th request bids on round i mod 100 (the first bid or an amendment), so a round holds the few
// versions per farm that real rounds do. The client is a minimal HTTP/1.1 client over POSIX
// sockets, two threads each running an event loop over half the connections (as wrk does), so
// that it takes little of the machine from the server.
//
// Prints `name value unit` lines, e.g. `web_sqlite_c64_bids_per_s 2210.00 bids/s`.
// Usage: bench_web [seconds per measurement, default 3] [sqlite|mysql|all, default all]
//                  [connection counts, default 16 64]

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/audit.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/sealer.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/paths.h"
#include "web/server/auth.h"
#include "web/server/server.h"
#include "web/services.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kFarms = 64;
constexpr int kRounds = 100;
constexpr int kTurns = 3;  // bid and raw-insert measurements alternate this many times

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

void print(const std::string& name, double value, const char* unit) {
  std::printf("%s %.2f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

std::string hexKey() {
  const core::Sealer::Key key = dps_test::testSealingKey();
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (const unsigned char c : key) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

// --- a minimal keep-alive HTTP/1.1 load client ----------------------------------------------------

// How many threads drive the connections, each an event loop over its share of them (as wrk does):
// a thread per connection would take a good part of two cores from the server in context switches.
constexpr int kClientThreads = 2;

// How long a request may wait for its response before it counts as an error.
constexpr auto kResponseTimeout = std::chrono::seconds(30);

// One keep-alive connection with at most one request in flight, driven by an event loop.
class Connection {
 public:
  explicit Connection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw std::runtime_error("connect: " + why);
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }

  // Starts sending a request; false on a transport error (the connection is then unusable).
  bool start(std::string request) {
    request_ = std::move(request);
    sent_ = 0;
    buffer_.clear();
    return sendMore();
  }
  bool sendMore() {
    while (sent_ < request_.size()) {
      const ssize_t n = ::send(fd_, request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n <= 0) return false;
      sent_ += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads what has arrived. Returns the response's status once it is complete, -1 while it is not,
  // and 0 on a transport error (the connection is then unusable). The body is left in body().
  int receive() {
    char chunk[16384];
    for (;;) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) return 0;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    const std::size_t header_end = buffer_.find("\r\n\r\n");
    if (header_end == std::string::npos) return -1;
    const std::string head = buffer_.substr(0, header_end);
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return 0;
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t length = 0;
    const std::size_t at = lower.find("\r\ncontent-length:");
    if (at != std::string::npos) length = std::strtoul(lower.c_str() + at + 17, nullptr, 10);
    if (buffer_.size() < header_end + 4 + length) return -1;
    body_ = buffer_.substr(header_end + 4, length);
    return std::atoi(head.c_str() + 9);
  }
  const std::string& body() const { return body_; }

 private:
  int fd_ = -1;
  std::string request_;
  std::size_t sent_ = 0;
  std::string buffer_;
  std::string body_;
};

struct LoadResult {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long errors = 0;
  long done = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // of the successful requests, sorted
};

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// The result of `elapsed` seconds that gave these latencies and errors.
LoadResult summarise(std::vector<double> latencies_ms, long errors, double elapsed) {
  std::sort(latencies_ms.begin(), latencies_ms.end());
  LoadResult r;
  r.done = static_cast<long>(latencies_ms.size());
  r.errors = errors;
  r.seconds = elapsed;
  r.per_second = elapsed > 0 ? static_cast<double>(latencies_ms.size()) / elapsed : 0;
  r.p50_ms = percentile(latencies_ms, 0.50);
  r.p99_ms = percentile(latencies_ms, 0.99);
  r.latencies_ms = std::move(latencies_ms);
  return r;
}

// Several measurements of the same load as one: rate over their summed time, percentiles over all.
LoadResult combine(const std::vector<LoadResult>& parts) {
  std::vector<double> all;
  long errors = 0;
  double elapsed = 0;
  for (const LoadResult& p : parts) {
    all.insert(all.end(), p.latencies_ms.begin(), p.latencies_ms.end());
    errors += p.errors;
    elapsed += p.seconds;
  }
  return summarise(std::move(all), errors, elapsed);
}

// `connections` clients, each sending make(connection, i) for its i-th request for `seconds`;
// a request succeeds with `expected` status. When the time is up no client starts another request,
// and the measurement ends when the last one in flight has its response.
LoadResult load(std::uint16_t port, int connections, double seconds, int expected,
                const std::function<std::string(int, long)>& make) {
  const int threads = std::min(connections, kClientThreads);
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(threads));
  std::vector<long> errors(static_cast<std::size_t>(threads), 0);
  std::atomic<bool> reported{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      struct Client {
        int index = 0;  // the connection's number, 0..connections-1
        long i = 0;     // its requests so far
        std::unique_ptr<Connection> conn;
        SteadyClock::time_point t0;
        bool busy = false;
      };
      const int ep = ::epoll_create1(EPOLL_CLOEXEC);
      std::vector<Client> clients;
      for (int c = t; c < connections; c += threads) clients.push_back(Client{c, 0, nullptr, {}, false});
      const auto watch = [&](std::size_t k) {
        epoll_event e{};
        e.events = EPOLLIN | EPOLLOUT | EPOLLET;
        e.data.u64 = k;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, clients[k].conn->fd(), &e);
      };
      for (std::size_t k = 0; k < clients.size(); ++k) {
        clients[k].conn = std::make_unique<Connection>(port);
        watch(k);
      }
      auto& mine = latencies[static_cast<std::size_t>(t)];
      mine.reserve(200000);
      const auto fail = [&](Client& cl, int status) {
        ++errors[static_cast<std::size_t>(t)];
        if (!reported.exchange(true))
          std::fprintf(stderr, "bench_web: first error: status %d %s\n", status,
                       cl.conn->body().substr(0, 300).c_str());
      };
      const auto reconnect = [&](std::size_t k) {
        clients[k].conn = std::make_unique<Connection>(port);  // closing the old one unwatches it
        watch(k);
      };
      // Sends the client's next request, over a new connection after a transport error.
      const auto next = [&](std::size_t k) {
        Client& cl = clients[k];
        cl.busy = false;
        while (!stop) {
          std::string request = make(cl.index, cl.i++);
          cl.t0 = SteadyClock::now();
          if (cl.conn->start(std::move(request))) {
            cl.busy = true;
            return;
          }
          fail(cl, 0);
          reconnect(k);
        }
      };
      ++ready;
      go.wait(false);  // asleep, not spinning, while the other threads connect
      for (std::size_t k = 0; k < clients.size(); ++k) next(k);
      std::vector<epoll_event> events(clients.size());
      auto last_progress = SteadyClock::now();
      for (;;) {
        const bool any_busy = std::any_of(clients.begin(), clients.end(), [](const Client& c) { return c.busy; });
        if (!any_busy) break;  // only after stop: until then every client always has a request in flight
        if (SteadyClock::now() - last_progress > kResponseTimeout) {
          for (Client& cl : clients)
            if (cl.busy) fail(cl, 0);
          break;
        }
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
        for (int e = 0; e < n; ++e) {
          const std::size_t k = events[static_cast<std::size_t>(e)].data.u64;
          Client& cl = clients[k];
          if (!cl.busy) continue;
          if ((events[static_cast<std::size_t>(e)].events & EPOLLOUT) && !cl.conn->sendMore()) {
            fail(cl, 0);
            reconnect(k);
            next(k);
            continue;
          }
          const int status = cl.conn->receive();
          if (status < 0) continue;  // more to come
          last_progress = SteadyClock::now();
          if (status == expected) {
            mine.push_back(std::chrono::duration<double, std::milli>(last_progress - cl.t0).count());
          } else {
            fail(cl, status);
            if (status == 0) reconnect(k);
          }
          next(k);
        }
      }
      ::close(ep);
    });
  }
  while (ready < threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto started = SteadyClock::now();
  go = true;
  go.notify_all();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : pool) t.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - started).count();
  std::vector<double> all;
  long failed = 0;
  for (std::size_t t = 0; t < latencies.size(); ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    failed += errors[t];
  }
  return summarise(std::move(all), failed, elapsed);
}

// --- the scene ------------------------------------------------------------------------------------

struct Scene {
  dps_test::EngineFixture f;
  std::vector<dps_test::SupplierHandle> farms;
  std::vector<std::string> tokens;  // API token of farm k
  std::vector<core::Id> rounds;
  std::vector<core::Id> lots;  // the lot of rounds[i]
  core::Id raw_round = 0;       // where the raw inserts go (nobody bids there over HTTP)
  std::unique_ptr<web::Services> services;
  std::unique_ptr<web::server::Server> server;

  explicit Scene(int threads) {
    const dps_test::DpsHandle dps = f.publishedDps();
    for (int k = 0; k < kFarms; ++k)
      farms.push_back(f.admittedSupplier("Kmetija " + std::to_string(k + 1), dps.categories[0], 0.001 * k, 0.001 * k));
    const core::Id point = f.deliveryPoint("OS-PRES");
    f.startRounds();
    for (int i = 0; i <= kRounds; ++i) {
      const core::Id round =
          f.createRound(dps, dps.categories[0], {dps_test::EngineFixture::lot(1, point, "100")});
      f.dispatch(round);
      if (i == kRounds) {
        raw_round = round;
      } else {
        rounds.push_back(round);
        lots.push_back(f.lots(round).at(0).id);
      }
    }
    ::setenv("DPS_MASTER_KEY", hexKey().c_str(), 1);
    web::Config config;
    config.store_uri = f.store_uri;
    config.calendar_dir = dps_test::sourceDir() + "/data/calendars";
    config.key_file = f.dir + "/master.key";
    config.simulated_clock = true;
    config.http_port = 0;
    config.http_threads = threads;
    config.http_static_dir = dps_test::sourceDir() + "/web/static";
    config.auth_password_cost = "minimum";
    config.http_access_log = "off";
    services = std::make_unique<web::Services>(config);
    services->simulatedClock()->set(f.clock.now());
    server = std::make_unique<web::server::Server>(*services);
    server->start();
    for (const dps_test::SupplierHandle& s : farms) {
      core::Account a;
      a.username = "farm" + std::to_string(s.id) + "@example.si";
      a.display_name = s.actor.name;
      a.role = core::AccountRole::kSupplier;
      a.supplier_id = s.id;
      const core::Id id = server->authenticator().createAccount(a, "correct horse battery");
      tokens.push_back(server->authenticator().createApiToken(id, "bench").second);
    }
  }
  ~Scene() {
    if (server) server->stop();
  }

  std::string bidRequest(int farm, long i) const {
    const std::size_t r = static_cast<std::size_t>(i % kRounds);
    const dps_test::SupplierHandle& s = farms[static_cast<std::size_t>(farm)];
    const std::string body = "{\"lines\":[{\"lot_id\":" + std::to_string(lots[r]) + ",\"unit_price\":\"1." +
                             std::to_string(10 + (i % 80)) + "\",\"quantity\":\"100\",\"dispatch_point_id\":" +
                             std::to_string(s.dispatch_point_id) +
                             ",\"hours_from_harvest\":12,\"organic\":true,\"vehicle\":\"van\"}]}";
    return "POST /api/v1/rounds/" + std::to_string(rounds[r]) +
           "/bid HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + tokens[static_cast<std::size_t>(farm)] +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
};

// The rows one submission writes (a sealed bid envelope, then its audit entry), one durable
// transaction each, straight through core::Store from `threads` threads for `seconds`: the fastest
// the store writes them. On SQLite the store's write queue commits the waiting transactions together
// (group commit), as it does for the service's.
LoadResult rawInserts(Scene& scene, int threads, double seconds) {
  core::BidLine line = dps_test::EngineFixture::bidLine(scene.lots[0], "1.50", "100", scene.farms[0]);
  const std::string plain = core::encodeBidLines({line});
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(threads));
  std::atomic<long> errors{0};
  std::vector<std::thread> pool;
  const auto started = SteadyClock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const dps_test::SupplierHandle& s = scene.farms[static_cast<std::size_t>(t % kFarms)];
      auto& mine = latencies[static_cast<std::size_t>(t)];
      for (int version = 1; !stop; ++version) {
        core::Bid bid;
        bid.round_id = scene.raw_round;
        bid.supplier_id = s.id;
        bid.version = version;
        bid.submitted_at = scene.f.clock.now();
        bid.digest = core::sha256Hex(plain);
        bid.sealed = scene.f.sealer.seal(scene.raw_round, s.id, plain);
        const auto t0 = SteadyClock::now();
        try {
          scene.f.store->transact([&](core::Tx& tx) {
            const core::Id id = tx.insertBid(bid);
            core::appendAudit(tx, bid.submitted_at, s.actor.name, "bid.submit", "bid:" + std::to_string(id),
                              "round " + std::to_string(bid.round_id) + " version " + std::to_string(version) +
                                  " digest " + bid.digest);
          });
          mine.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        } catch (const core::Error& e) {
          if (errors++ == 0) std::fprintf(stderr, "bench_web: raw insert failed: %s\n", e.what());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : pool) t.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - started).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return summarise(std::move(all), errors, elapsed);
}

// CPU seconds (user + system) this process has used so far: the service and the load client.
double processCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The floor under every durable commit on this machine now: 4 KiB writes, each followed by
// fdatasync, in the directory the scene's store lives in, for `seconds`.
double fdatasyncPerSecond(const std::string& dir, double seconds) {
  const std::string path = dir + "/fdatasync.probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  const std::string block(4096, 'x');
  long n = 0;
  const auto started = SteadyClock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    if (::pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0) break;
    ++n;
    elapsed = std::chrono::duration<double>(SteadyClock::now() - started).count();
  }
  ::close(fd);
  ::unlink(path.c_str());
  return elapsed > 0 ? static_cast<double>(n) / elapsed : 0;
}

void runBackend(const std::string& backend, double seconds, const std::vector<int>& levels) {
  ::setenv("DPS_TEST_BACKEND", backend.c_str(), 1);
  // One scene per backend; the server's worker threads cover the most connections measured, as a
  // deployment sized for that load would configure http.threads.
  Scene scene(*std::max_element(levels.begin(), levels.end()));
  const std::uint16_t port = scene.server->port();
  const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  print("web_" + backend + "_fdatasync_per_s", fdatasyncPerSecond(scene.f.dir, std::min(seconds, 1.0)), "syncs/s");
  for (const int c : levels) {
    const std::string prefix = "web_" + backend + "_c" + std::to_string(c) + "_";
    load(port, c, std::min(seconds, 0.5), 201, [&](int k, long i) { return scene.bidRequest(k, i); });  // warm-up
    const double cpu_at_start = processCpuSeconds();
    const LoadResult trivial = load(port, c, seconds, 200, [&](int, long) { return healthz; });
    const double cpu_after_trivial = processCpuSeconds();
    // Bids and raw inserts in turns of a third of the time each, so that a change in the speed of
    // a shared machine during the run weighs on both alike.
    std::vector<LoadResult> bid_parts;
    std::vector<LoadResult> raw_parts;
    double bid_cpu = 0;
    double bid_statements = 0;
    bool counted = false;
    for (int turn = 0; turn < kTurns; ++turn) {
      const double statements_before = scene.f.statementsSoFar();
      const double cpu_before = processCpuSeconds();
      bid_parts.push_back(load(port, c, seconds / kTurns, 201, [&](int k, long i) { return scene.bidRequest(k, i); }));
      bid_cpu += processCpuSeconds() - cpu_before;
      // Less the probe's own two (the second SHOW, the first one's COMMIT); the service's outbox
      // worker polls now and then too, so this is the bids' count within a few hundredths.
      if (statements_before >= 0) {
        bid_statements += scene.f.statementsSoFar() - statements_before - 2;
        counted = true;
      }
      raw_parts.push_back(rawInserts(scene, c, seconds / kTurns));
    }
    const LoadResult bids = combine(bid_parts);
    const LoadResult raw = combine(raw_parts);
    print(prefix + "bids_per_s", bids.per_second, "bids/s");
    print(prefix + "bid_p50_ms", bids.p50_ms, "ms");
    print(prefix + "bid_p99_ms", bids.p99_ms, "ms");
    print(prefix + "bid_errors", static_cast<double>(bids.errors), "errors");
    print(prefix + "healthz_per_s", trivial.per_second, "requests/s");
    print(prefix + "healthz_p99_ms", trivial.p99_ms, "ms");
    print(prefix + "healthz_errors", static_cast<double>(trivial.errors), "errors");
    print(prefix + "raw_inserts_per_s", raw.per_second, "rows/s");
    print(prefix + "raw_insert_p99_ms", raw.p99_ms, "ms");
    print(prefix + "raw_insert_errors", static_cast<double>(raw.errors), "errors");
    const double lower = std::min(trivial.per_second, raw.per_second);
    print(prefix + "ratio_to_healthz", trivial.per_second > 0 ? bids.per_second / trivial.per_second : 0, "ratio");
    print(prefix + "ratio_to_raw_inserts", raw.per_second > 0 ? bids.per_second / raw.per_second : 0, "ratio");
    print(prefix + "ratio_to_lower_ceiling", lower > 0 ? bids.per_second / lower : 0, "ratio");
    if (trivial.done > 0)
      print(prefix + "healthz_process_cpu_ms", 1000 * (cpu_after_trivial - cpu_at_start) / trivial.done, "ms/request");
    if (bids.done > 0) {
      print(prefix + "bid_process_cpu_ms", 1000 * bid_cpu / bids.done, "ms/bid");
      if (counted) print(prefix + "statements_per_bid", bid_statements / bids.done, "statements");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const std::string which = argc > 2 ? argv[2] : "all";
  std::vector<int> levels;
  for (int i = 3; i < argc; ++i) levels.push_back(std::atoi(argv[i]));
  if (levels.empty()) levels = {16, 64};
  const bool bad_level = std::any_of(levels.begin(), levels.end(), [](int c) { return c < 1 || c > kFarms; });
  if (seconds <= 0 || bad_level || (which != "all" && which != "sqlite" && which != "mysql")) {
    std::fprintf(stderr, "usage: bench_web [seconds per measurement > 0] [sqlite|mysql|all] [connections 1..64 ...]\n");
    return 2;
  }
  try {
    if (which != "mysql") runBackend("sqlite", seconds, levels);
    if (which != "sqlite") {
      if (env("DPS_TEST_MYSQL_URI").empty())
        std::fprintf(stderr, "bench_web: MariaDB skipped: DPS_TEST_MYSQL_URI is not set (source build/mariadb/env)\n");
      else
        runBackend("mysql", seconds, levels);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_web: %s\n", e.what());
    return 1;
  }
  return 0;
}
