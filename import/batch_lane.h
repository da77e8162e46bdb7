#pragma once
// importer::BatchLane: an import's store work for one batch runs on a second thread while the
// calling thread reads and checks the rows of the next batch, so that parsing overlaps with the
// store (on SQLite the B-tree inserts, on MariaDB the server's work and the round trips).
//
// One batch at a time: submit() first waits for the batch in flight, so memory holds at most the
// batch being written and the one being read, and the transaction is never used by two threads
// at once. The caller's own store calls go through tx(), which waits likewise. A batch's work
// returns a completion that runs on the calling thread, in submission order (counting, the audit
// digest): nothing the parser touches is written from the second thread.
//
// The second thread starts with the first batch and lives as long as the lane: one thread for the
// whole import, so that the store's allocations stay in one malloc arena (a thread per batch made
// frees cross arenas and contend).
//
// An error thrown by a batch's work is rethrown by the next submit(), tx() or drain(), so that it
// leaves the transaction's lambda (transact() then rolls back, or retries after a lost lock). The
// destructor waits for the batch in flight and drops its error: the caller is already unwinding
// and the transaction is rolled back.
//
// Thread-safety: one BatchLane per import, used from the thread that runs the transaction.

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "core/store.h"

namespace importer {

class BatchLane {
 public:
  using Completion = std::function<void()>;
  // Runs on the second thread with the transaction; returns what to run on the calling thread
  // (may be empty).
  using Work = std::function<Completion(core::Tx&)>;

  explicit BatchLane(core::Tx& tx) : tx_(tx) {}
  ~BatchLane();
  BatchLane(const BatchLane&) = delete;
  BatchLane& operator=(const BatchLane&) = delete;

  // Waits for the batch in flight (rethrowing its error) and runs its completion, then starts
  // `work` on the second thread.
  void submit(Work work);
  // Waits for the batch in flight, rethrowing its error, and runs its completion.
  void drain();
  // The transaction, for store calls on the calling thread: drains first.
  core::Tx& tx() {
    drain();
    return tx_;
  }

 private:
  void serve();

  core::Tx& tx_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  // Guarded by mutex_: the work handed over and not yet taken, whether a batch is in flight, its
  // completion or error once done, and whether the thread should end.
  Work work_;
  bool busy_ = false;
  Completion done_;
  std::exception_ptr error_;
  bool stop_ = false;
};

}  // namespace importer
