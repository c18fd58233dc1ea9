#pragma once
// Reads a snapshot back (verify): its root attributes, and its columns in pieces so a
// snapshot of any size is compared in bounded memory.
#include <cstdint>
#include <string>
#include <vector>

#include "store/h5_handles.hpp"

namespace lfp::store {

class H5Reader {
 public:
  explicit H5Reader(std::string path);  // Error(kExitOutput) if it cannot be opened

  std::string string_attribute(const char* name);  // "" when absent
  std::int64_t int_attribute(const char* name);    // 0 when absent
  bool has(const char* dataset) const;
  std::uint64_t length(const char* dataset);

  // Values [first, first + n) of a string column (a group with offsets and data) or of a
  // 1-D int64 dataset.
  std::vector<std::string> strings(const std::string& column, std::uint64_t first, std::uint64_t n);
  std::vector<std::int64_t> integers(const char* dataset, std::uint64_t first, std::uint64_t n);
  // How many values a string column holds.
  std::uint64_t string_count(const std::string& column);

 private:
  std::string path_;
  h5::File file_;
};

}  // namespace lfp::store
