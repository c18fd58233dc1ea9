#pragma once
// Giving memory back while its owner still holds it: the ingest's bytes are read once, in
// order, and a rank should not keep what it has finished with (input pages, sent rows).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace lfp {

// Drops the whole pages inside [data, data + bytes) from the process's memory. Anonymous
// memory reads back as zeros afterwards, a file mapping as the file's bytes: callers only
// hand over bytes they will not read again (or, for a file, do not mind reading again).
inline void release_pages(const void* data, std::size_t bytes) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto at = reinterpret_cast<std::uintptr_t>(data);
  const auto begin = (at + page - 1) / page * page;
  const auto end = (at + bytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace lfp
