// Several processes on one store (SQLite file or MariaDB database): bidders submitting to the same
// round near the deadline while another process opens it as soon as the deadline passes. Every
// acknowledged bid must be stored exactly once, nothing may be accepted after the deadline or after
// opening, and the audit chain must verify. The processes share one simulated clock in shared
// memory that the bidders move forward one second per attempt, so the deadline passes while they
// are still bidding. Every loop is bounded.

#include <boost/test/unit_test.hpp>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <new>
#include <set>
#include <sstream>

#include "core/audit.h"
#include "core/error.h"
#include "tests/engine/engine_test.h"

using dps_test::EngineFixture;

namespace {

// A clock whose value lives in memory shared by the test's processes (an anonymous shared mapping
// made before fork). Lock-free atomics work across processes.
class SharedClock final : public core::Clock {
 public:
  SharedClock() {
    void* p = ::mmap(nullptr, sizeof(std::atomic<long long>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw core::Error(core::ErrorCode::kInternal, "mmap of the shared clock failed");
    now_ = new (p) std::atomic<long long>(0);
  }
  ~SharedClock() override { ::munmap(now_, sizeof(std::atomic<long long>)); }
  SharedClock(const SharedClock&) = delete;
  SharedClock& operator=(const SharedClock&) = delete;

  core::TimePoint now() const override { return core::TimePoint(std::chrono::seconds(now_->load())); }
  void set(core::TimePoint t) { now_->store(t.time_since_epoch().count()); }
  void advance() { now_->fetch_add(1); }

 private:
  std::atomic<long long>* now_ = nullptr;
};

static_assert(std::atomic<long long>::is_always_lock_free, "the shared clock needs a lock-free atomic");

// Forks a process that runs `body` and leaves with its result (2 when it throws); never returns
// into the test framework in the child.
pid_t spawn(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw core::Error(core::ErrorCode::kInternal, "fork failed");
  if (pid > 0) return pid;
  int code = 2;
  try {
    code = body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), e.what());
  }
  ::_exit(code);
}

int waitFor(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

struct Receipt {
  core::Id bid_id = 0;
  core::Id supplier_id = 0;
  int version = 0;
  std::string digest;
  long long submitted_at = 0;
};

std::vector<Receipt> readReceipts(const std::string& path) {
  std::vector<Receipt> out;
  std::ifstream in(path);
  Receipt r;
  while (in >> r.bid_id >> r.supplier_id >> r.version >> r.digest >> r.submitted_at) out.push_back(r);
  return out;
}

// A published DPS, `n` admitted suppliers, a dispatched one-lot round; returns the round's lot.
struct Scene {
  std::vector<dps_test::SupplierHandle> suppliers;
  core::Id round = 0;
  core::Id lot = 0;
  core::TimePoint deadline{};
};

Scene scene(EngineFixture& f, int n) {
  Scene s;
  const dps_test::DpsHandle h = f.publishedDps();
  for (int i = 0; i < n; ++i)
    s.suppliers.push_back(f.admittedSupplier("Kmetija " + std::to_string(i), h.categories[0], 0.01 * i));
  s.round = f.createRound(h, h.categories[0], {EngineFixture::lot(1, f.deliveryPoint("OS-PRES"), "100")});
  s.lot = f.lots(s.round).at(0).id;
  f.startRounds();
  f.dispatch(s.round);
  s.deadline = f.round(s.round).deadline;
  return s;
}

// A bidder process: `attempts` submissions for `supplier`, each followed by one second on the shared
// clock. Acknowledged bids go to `receipts_path`; refusals after the deadline are expected, any
// other failure ends the process with 3.
int bidder(const EngineFixture& f, SharedClock& clock, const dps_test::SupplierHandle& supplier, core::Id round,
           core::Id lot, int attempts, const std::string& receipts_path, bool advance_clock) {
  std::unique_ptr<core::Store> store = core::openStore(f.store_uri);
  core::Engine engine(*store, clock, f.calendars, f.sealer);
  std::ofstream out(receipts_path);
  for (int i = 0; i < attempts; ++i) {
    const std::string price = "2." + std::to_string(10 + (i * 7 + static_cast<int>(supplier.id)) % 80);
    try {
      const core::BidReceipt r =
          engine.submitBid(supplier.actor, round, {EngineFixture::bidLine(lot, price, "100", supplier)});
      out << r.bid_id << ' ' << supplier.id << ' ' << r.version << ' ' << r.digest << ' '
          << r.submitted_at.time_since_epoch().count() << '\n';
      out.flush();
    } catch (const core::Error& e) {
      if (e.code() != core::ErrorCode::kDeadline) {
        std::fprintf(stderr, "bidder %lld: %s\n", static_cast<long long>(supplier.id), e.what());
        return 3;
      }
    }
    if (advance_clock) clock.advance();
  }
  return 0;
}

std::string describe(const core::AuditVerification& v) {
  std::string out;
  for (const core::AuditProblem& p : v.problems) out += std::to_string(p.seq) + ": " + p.what + "\n";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_FIXTURE_TEST_CASE(bids_racing_the_deadline_and_the_opening_are_stored_exactly_once, EngineFixture) {
  constexpr int kBidders = 4;
  constexpr int kAttempts = 20;
  const Scene s = scene(*this, kBidders);
  SharedClock shared;
  // 80 attempts, one second each, starting 40 s before the deadline: the deadline passes half-way.
  shared.set(s.deadline - std::chrono::seconds(kBidders * kAttempts / 2));
  closeStore();  // the children open their own connections; none is shared across fork

  std::vector<pid_t> bidders;
  for (int i = 0; i < kBidders; ++i) {
    const std::string path = dir + "/receipts-" + std::to_string(i) + ".txt";
    bidders.push_back(spawn([&, i, path] {
      return bidder(*this, shared, s.suppliers[static_cast<std::size_t>(i)], s.round, s.lot, kAttempts, path, true);
    }));
  }
  const std::string opener_path = dir + "/opener.txt";
  const pid_t opener = spawn([&] {
    std::unique_ptr<core::Store> store_of_opener = core::openStore(store_uri);
    core::Engine engine_of_opener(*store_of_opener, shared, calendars, sealer);
    // Waits (at most 30 s) for the shared clock to pass the deadline, then opens at once.
    for (int i = 0; i < 30000; ++i) {
      if (shared.now() > s.deadline) {
        engine_of_opener.openRound(officer, s.round);
        std::ofstream(opener_path) << core::formatTime(shared.now()) << '\n';
        return 0;
      }
      ::usleep(1000);
    }
    return 4;
  });
  for (pid_t pid : bidders) BOOST_TEST(waitFor(pid) == 0);
  BOOST_TEST(waitFor(opener) == 0);
  reopen();

  std::vector<Receipt> receipts;
  for (int i = 0; i < kBidders; ++i) {
    const std::vector<Receipt> mine = readReceipts(dir + "/receipts-" + std::to_string(i) + ".txt");
    receipts.insert(receipts.end(), mine.begin(), mine.end());
  }
  BOOST_TEST(!receipts.empty());
  BOOST_TEST(receipts.size() < static_cast<std::size_t>(kBidders * kAttempts));  // some came too late
  BOOST_TEST(core::toString(round(s.round).status) == std::string("opened"));

  // Exactly once: every stored bid was acknowledged and every acknowledgement is one stored bid.
  const std::vector<core::Bid> stored = bids(s.round);
  BOOST_TEST(stored.size() == receipts.size());
  std::map<core::Id, core::Bid> by_id;
  for (const core::Bid& b : stored) by_id[b.id] = b;
  BOOST_TEST(by_id.size() == stored.size());
  const long long deadline = s.deadline.time_since_epoch().count();
  for (const Receipt& r : receipts) {
    const auto it = by_id.find(r.bid_id);
    BOOST_REQUIRE(it != by_id.end());
    BOOST_TEST(it->second.digest == r.digest);
    BOOST_TEST(it->second.supplier_id == r.supplier_id);
    BOOST_TEST(it->second.version == r.version);
    BOOST_TEST(r.submitted_at < deadline);
    BOOST_TEST(it->second.submitted_at.time_since_epoch().count() < deadline);
  }
  // Per supplier: versions 1..n without gaps, only the last still submitted, and it was opened.
  for (const dps_test::SupplierHandle& sup : s.suppliers) {
    std::vector<core::Bid> mine;
    for (const core::Bid& b : stored)
      if (b.supplier_id == sup.id) mine.push_back(b);
    for (std::size_t v = 0; v < mine.size(); ++v) {
      BOOST_TEST(mine[v].version == static_cast<int>(v + 1));
      const bool last = v + 1 == mine.size();
      BOOST_TEST(core::toString(mine[v].status) == std::string(last ? "submitted" : "superseded"));
      std::vector<core::BidLine> lines;
      store->transact([&](core::Tx& tx) { lines = tx.listBidLines(mine[v].id); });
      BOOST_TEST(lines.size() == (last ? 1u : 0u));  // a bid stored after opening would have no lines
    }
  }
  BOOST_TEST(auditWithAction("bid.submit").size() == receipts.size());
  BOOST_TEST(auditWithAction("round.open").size() == 1u);
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(v.ok(), describe(v));
}

BOOST_FIXTURE_TEST_CASE(one_supplier_bidding_from_two_processes_keeps_one_live_bid, EngineFixture) {
  constexpr int kProcesses = 3;
  constexpr int kAttempts = 12;
  const Scene s = scene(*this, 1);
  SharedClock shared;
  shared.set(s.deadline - std::chrono::hours(1));
  closeStore();
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    const std::string path = dir + "/same-" + std::to_string(i) + ".txt";
    children.push_back(spawn([&, path] {
      return bidder(*this, shared, s.suppliers[0], s.round, s.lot, kAttempts, path, false);
    }));
  }
  for (pid_t pid : children) BOOST_TEST(waitFor(pid) == 0);
  reopen();
  std::vector<Receipt> receipts;
  for (int i = 0; i < kProcesses; ++i) {
    const std::vector<Receipt> mine = readReceipts(dir + "/same-" + std::to_string(i) + ".txt");
    receipts.insert(receipts.end(), mine.begin(), mine.end());
  }
  BOOST_TEST(receipts.size() == static_cast<std::size_t>(kProcesses * kAttempts));
  const std::vector<core::Bid> stored = bids(s.round);
  BOOST_TEST(stored.size() == receipts.size());
  std::set<int> versions;
  int live = 0;
  for (const core::Bid& b : stored) {
    versions.insert(b.version);
    if (b.status == core::BidStatus::kSubmitted) ++live;
  }
  BOOST_TEST(versions.size() == stored.size());  // no version given twice
  BOOST_TEST(*versions.rbegin() == static_cast<int>(stored.size()));
  BOOST_TEST(live == 1);
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(v.ok(), describe(v));
}

BOOST_FIXTURE_TEST_CASE(same_admission_request_and_decision_from_several_processes_happen_once, EngineFixture) {
  constexpr int kProcesses = 4;
  const dps_test::DpsHandle h = publishedDps();
  const dps_test::SupplierHandle s = registerSupplier("Kmetija Zupan");
  closeStore();
  // Phase 1: the same request from every process at once (a double click on two instances).
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(spawn([&] {
      std::unique_ptr<core::Store> child_store = core::openStore(store_uri);
      core::Engine child_engine(*child_store, clock, calendars, sealer);
      try {
        child_engine.requestAdmission(s.actor, s.id, h.categories[0], "<ESPD/>");
        return 0;
      } catch (const core::Error& e) {
        return e.code() == core::ErrorCode::kConflict ? 10 : 3;
      }
    }));
  }
  int accepted = 0;
  for (pid_t pid : children) {
    const int code = waitFor(pid);
    BOOST_TEST((code == 0 || code == 10), "child exit " << code);
    accepted += code == 0 ? 1 : 0;
  }
  BOOST_TEST(accepted == 1);
  reopen();
  const std::vector<core::AdmissionDue> pending = engine->pendingAdmissions(h.id);
  BOOST_REQUIRE_EQUAL(pending.size(), 1u);
  const core::Id request = pending[0].request.id;
  closeStore();
  // Phase 2: officers on every process decide it at once; one decision stands.
  children.clear();
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(spawn([&, i] {
      std::unique_ptr<core::Store> child_store = core::openStore(store_uri);
      core::Engine child_engine(*child_store, clock, calendars, sealer);
      try {
        child_engine.decideAdmission(officer, request, i % 2 == 0, "decided by process " + std::to_string(i));
        return 0;
      } catch (const core::Error& e) {
        return e.code() == core::ErrorCode::kConflict ? 10 : 3;
      }
    }));
  }
  int decided = 0;
  for (pid_t pid : children) {
    const int code = waitFor(pid);
    BOOST_TEST((code == 0 || code == 10), "child exit " << code);
    decided += code == 0 ? 1 : 0;
  }
  BOOST_TEST(decided == 1);
  reopen();
  BOOST_TEST(auditWithAction("admission.request").size() == 1u);
  BOOST_TEST(auditWithAction("admission.admit").size() + auditWithAction("admission.reject").size() == 1u);
  const core::AuditVerification v = core::verifyAudit(*store);
  BOOST_TEST(v.ok(), describe(v));
}

BOOST_AUTO_TEST_SUITE_END()
