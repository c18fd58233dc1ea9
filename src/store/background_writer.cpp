#include "store/background_writer.hpp"

namespace lfp::store {

BackgroundWriter::BackgroundWriter(std::size_t max_pending) : max_pending_(max_pending), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BackgroundWriter::rethrow_locked() {
  if (error_) std::rethrow_exception(error_);
}

void BackgroundWriter::post(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return tasks_.size() < max_pending_ || error_; });
  rethrow_locked();
  tasks_.push_back(std::move(task));
  changed_.notify_all();
}

void BackgroundWriter::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (tasks_.empty() && !busy_) || error_; });
  rethrow_locked();
}

void BackgroundWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return !tasks_.empty() || stopping_; });
    if (tasks_.empty()) return;  // stopping, nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    busy_ = true;
    const bool skip = error_ != nullptr;  // after an error the rest is skipped
    lock.unlock();
    std::exception_ptr failed;
    try {
      if (!skip) task();
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (failed && !error_) error_ = failed;
    changed_.notify_all();
  }
}

}  // namespace lfp::store
