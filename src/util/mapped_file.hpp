#pragma once
// A read-only view of a whole input file. Large files are memory-mapped: mapping the whole
// file costs nothing until pages are touched, and lets a rank read past the end of its range
// to finish a record. Small files are read into memory instead, so that thousands of input
// files do not exhaust the process's limit on mappings (vm.max_map_count).
#include <cstdint>
#include <string>
#include <string_view>

namespace lfp {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile& operator=(MappedFile&&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  // Drops the mapped pages of bytes [begin, end) from this process's memory (they stay in
  // the page cache and read back the same if touched again); nothing for a file read whole.
  void release(std::size_t begin, std::size_t end) const;

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
};

}  // namespace lfp
