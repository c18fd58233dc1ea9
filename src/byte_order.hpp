#pragma once
// Byte-order comparison of strings (SQLite's BINARY collation), sped up for sorting by a
// 64-bit big-endian prefix that settles most comparisons without touching the string.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lfp {

inline std::uint64_t prefix_key(std::string_view s) {
  unsigned char b[8] = {};
  std::memcpy(b, s.data(), s.size() < 8 ? s.size() : 8);
  std::uint64_t k = 0;
  for (unsigned char c : b) k = (k << 8) | c;
  return k;
}

// Orders (prefix, string) pairs exactly as the strings alone would be ordered.
inline bool prefix_less(std::uint64_t pa, std::string_view a, std::uint64_t pb, std::string_view b) {
  if (pa != pb) return pa < pb;
  return a < b;
}

}  // namespace lfp
