// BatchLane: batches run on one second thread, one at a time, in order; completions run on the
// calling thread in submission order; a batch's error comes out of the next call and the lane
// stays usable; store calls through tx() see what the batch before them wrote.

#include "import/batch_lane.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "tests/import/import_world.h"

using importer::BatchLane;

namespace {

core::Authority authorityNamed(const std::string& name) {
  core::Authority a;
  a.name = name;
  return a;
}

bool hasAuthority(core::Tx& tx, const std::string& name) {
  for (const core::Authority& a : tx.listAuthorities())
    if (a.name == name) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(batches_run_on_one_other_thread_and_complete_in_order_on_the_caller) {
  core::Store& store = import_test::sqliteStore();
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<int> completed;
  std::vector<std::thread::id> workers;
  store.transact([&](core::Tx& tx) {
    BatchLane lane(tx);
    for (int i = 0; i < 5; ++i) {
      lane.submit([&, i](core::Tx&) -> BatchLane::Completion {
        workers.push_back(std::this_thread::get_id());
        return [&, i] {
          BOOST_TEST((std::this_thread::get_id() == caller));
          completed.push_back(i);
        };
      });
      // The batch before this one has completed; this one may still run.
      BOOST_TEST(completed.size() == static_cast<std::size_t>(i));
    }
    lane.drain();
  });
  BOOST_TEST(completed == std::vector<int>({0, 1, 2, 3, 4}), boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(workers.size() == 5u);
  for (const std::thread::id& id : workers) {
    BOOST_TEST((id != caller));
    BOOST_TEST((id == workers.front()));
  }
}

BOOST_AUTO_TEST_CASE(what_a_batch_wrote_is_seen_through_tx) {
  core::Store& store = import_test::sqliteStore();
  const std::string name = "Lane authority " + std::to_string(::getpid());
  store.transact([&](core::Tx& tx) {
    BatchLane lane(tx);
    lane.submit([&](core::Tx& t) -> BatchLane::Completion {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      t.insertAuthority(authorityNamed(name));
      return {};
    });
    BOOST_TEST(hasAuthority(lane.tx(), name));
  });
}

BOOST_AUTO_TEST_CASE(a_batch_error_comes_out_of_the_next_call_and_skips_its_completion) {
  core::Store& store = import_test::sqliteStore();
  store.transact([&](core::Tx& tx) {
    BatchLane lane(tx);
    bool completed = false;
    lane.submit(
        [](core::Tx&) -> BatchLane::Completion { throw core::Error(core::ErrorCode::kUnavailable, "lost the lock"); });
    BOOST_CHECK_EXCEPTION(lane.drain(), core::Error,
                          [](const core::Error& e) { return e.code() == core::ErrorCode::kUnavailable; });
    lane.drain();  // reported once
    lane.submit([&](core::Tx&) -> BatchLane::Completion { return [&] { completed = true; }; });
    lane.submit([](core::Tx&) -> BatchLane::Completion { throw std::runtime_error("second"); });
    BOOST_TEST(completed);
    BOOST_CHECK_THROW(lane.tx(), std::runtime_error);
  });
}

BOOST_AUTO_TEST_CASE(the_lane_waits_for_its_batch_when_the_caller_unwinds) {
  core::Store& store = import_test::sqliteStore();
  bool finished = false;
  BOOST_CHECK_THROW(store.transact([&](core::Tx& tx) {
    BatchLane lane(tx);
    lane.submit([&](core::Tx&) -> BatchLane::Completion {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      finished = true;
      return {};
    });
    throw std::runtime_error("the caller fails while the batch runs");
  }),
                    std::runtime_error);
  BOOST_TEST(finished);
}
