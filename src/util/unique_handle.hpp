#pragma once
// The one RAII idiom for C handles (sqlite3*, sqlite3_stmt*, hid_t, file descriptors,
// MPI_File): a move-only owner that calls `Close` on a valid value exactly once.
#include <utility>

namespace lfp {

template <class T, auto Close, T Invalid = T{}>
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(T value) : value_(value) {}
  UniqueHandle(UniqueHandle&& o) noexcept : value_(std::exchange(o.value_, Invalid)) {}
  UniqueHandle& operator=(UniqueHandle&& o) noexcept {
    if (this != &o) reset(std::exchange(o.value_, Invalid));
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  T get() const { return value_; }
  bool valid() const { return value_ != Invalid; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing (the caller closes and checks the result).
  T release() { return std::exchange(value_, Invalid); }
  void reset(T value = Invalid) {
    if (value_ != Invalid) Close(value_);
    value_ = value;
  }
  // For C APIs that return the handle through an out parameter.
  T* out() {
    reset();
    return &value_;
  }

 private:
  T value_ = Invalid;
};

}  // namespace lfp
