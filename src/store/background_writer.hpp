#pragma once
// One worker thread that runs queued write tasks in order, so rank 0 can encode HDF5
// batches while it keeps inserting into SQLite. All HDF5 calls after setup go through it,
// so the (not thread-safe) HDF5 library is only ever entered by one thread at a time.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace lfp::store {

class BackgroundWriter {
 public:
  explicit BackgroundWriter(std::size_t max_pending = 4);
  ~BackgroundWriter();  // drains the queue
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Queues a task; blocks while max_pending tasks wait (bounds memory). Rethrows the
  // first error a task threw.
  void post(std::function<void()> task);
  // Waits until every queued task has run; rethrows the first error.
  void drain();

 private:
  void run();
  void rethrow_locked();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> tasks_;
  std::size_t max_pending_;
  bool busy_ = false, stopping_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace lfp::store
