#pragma once
// The contiguous byte buffer that rows travel in between phases and ranks.
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace lfp {

// Large buffers come from their own mappings, 2 MiB aligned and marked for transparent huge
// pages: rows pass through several buffers of a rank's whole share, and touching each 4 KiB
// page of them cost a page fault (in one 10M-record profile, 15% of all time went to page
// faults; a huge page takes one fault for 512 small ones).
inline constexpr std::size_t kHugePage = std::size_t{2} << 20;
inline constexpr std::size_t kHugeFrom = std::size_t{8} << 20;
inline std::size_t huge_length(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
inline void* map_huge(std::size_t bytes) {
  const std::size_t length = huge_length(bytes);
  void* raw = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  // Keep the 2 MiB-aligned part, give back the slack before and after it.
  const auto at = reinterpret_cast<std::uintptr_t>(raw);
  const auto aligned = (at + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > at) ::munmap(raw, aligned - at);
  if (const auto tail = at + length + kHugePage - (aligned + length); tail > 0)
    ::munmap(reinterpret_cast<void*>(aligned + length), tail);
  ::madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);  // advice: failure is harmless
  return reinterpret_cast<void*>(aligned);
}

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
  T* allocate(std::size_t n) {
    if (n * sizeof(T) < kHugeFrom) return std::allocator<T>::allocate(n);
    return static_cast<T*>(map_huge(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugeFrom)
      std::allocator<T>::deallocate(p, n);
    else
      ::munmap(p, huge_length(n * sizeof(T)));
  }
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
