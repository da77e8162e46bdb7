#include "import/batch_lane.h"

#include <utility>

namespace importer {

BatchLane::~BatchLane() {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_; });
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BatchLane::submit(Work work) {
  drain();
  // Started before anything is handed over: when no thread can be started, nothing waits for it.
  if (!thread_.joinable()) thread_ = std::thread([this] { serve(); });
  {
    const std::lock_guard lock(mutex_);
    work_ = std::move(work);
    busy_ = true;
  }
  changed_.notify_all();
}

void BatchLane::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !busy_; });
  const Completion done = std::move(done_);
  done_ = nullptr;
  const std::exception_ptr error = std::exchange(error_, nullptr);
  lock.unlock();
  if (error) std::rethrow_exception(error);
  if (done) done();
}

void BatchLane::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stop_ || work_; });
    if (!work_) return;
    Work work = std::move(work_);
    work_ = nullptr;
    lock.unlock();
    Completion done;
    std::exception_ptr error;
    try {
      done = work(tx_);
    } catch (...) {
      error = std::current_exception();
    }
    work = nullptr;
    lock.lock();
    done_ = std::move(done);
    error_ = error;
    busy_ = false;
    changed_.notify_all();
  }
}

}  // namespace importer
