#pragma once
// The contiguous byte buffer that rows travel in between phases and ranks.
#include <memory>
#include <utility>
#include <vector>

namespace lfp {

// Leaves new elements uninitialized on resize: buffers are always written right after they
// grow, and zero-filling gigabytes first would cost a full extra pass over memory.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using Buffer = std::vector<char, UninitializedAllocator<char>>;

}  // namespace lfp
