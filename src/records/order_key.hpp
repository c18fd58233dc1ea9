#pragma once
// The order of records across all input files: a later key is a later record, and the
// greatest key for a sku wins.
#include <cstdint>

namespace lfp {

// Record order key: (file index, byte offset of the record's first byte). The greatest key
// for a sku wins. 16 bits of file index and 48 bits of offset (256 TiB per file).
constexpr std::uint64_t order_key(std::uint32_t file, std::uint64_t offset) {
  return (static_cast<std::uint64_t>(file) << 48) | offset;
}
constexpr std::uint32_t key_file(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 48); }
constexpr std::uint64_t key_offset(std::uint64_t key) { return key & ((std::uint64_t{1} << 48) - 1); }
inline constexpr std::uint64_t kMaxFiles = 1 << 16;
inline constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 48;

}  // namespace lfp
