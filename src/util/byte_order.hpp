#pragma once
// Byte-order comparison of strings (SQLite's BINARY collation), sped up for sorting by a
// 16-byte big-endian prefix that settles most comparisons without touching the string
// (skus and names share their first word often, so 8 bytes are not enough).
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace lfp {

// Bytes [from, from + 8) of `s` as a big-endian number, zero-padded.
inline std::uint64_t word_at(std::string_view s, std::size_t from) {
  unsigned char b[8] = {};
  if (s.size() > from) std::memcpy(b, s.data() + from, s.size() - from < 8 ? s.size() - from : 8);
  std::uint64_t k = 0;
  for (unsigned char c : b) k = (k << 8) | c;
  return k;
}

struct Prefix {
  std::uint64_t hi = 0, lo = 0;
  explicit Prefix(std::string_view s) : hi(word_at(s, 0)), lo(word_at(s, 8)) {}
  Prefix() = default;
};

// What the sorts move around: the prefix of item `index`'s string, not the item itself.
struct SortKey {
  Prefix prefix;
  std::uint32_t index;
};

// -1, 0 or 1 as the strings compare; the prefixes decide unless they are equal.
inline int compare_with_prefix(const Prefix& pa, std::string_view a, const Prefix& pb, std::string_view b) {
  if (pa.hi != pb.hi) return pa.hi < pb.hi ? -1 : 1;
  if (pa.lo != pb.lo) return pa.lo < pb.lo ? -1 : 1;
  const int c = a.compare(b);
  return (c > 0) - (c < 0);
}

// Indices 0..n-1 sorted by string_of(i) in byte order, equal strings by tie_less(i, j).
// Sorting small (prefix, index) pairs keeps most comparisons off the string bytes.
template <class StringOf, class TieLess>
std::vector<SortKey> sort_by_string(std::size_t n, StringOf string_of, TieLess tie_less) {
  std::vector<SortKey> keys(n);
  for (std::uint32_t i = 0; i < n; ++i) keys[i] = {Prefix(string_of(i)), i};
  std::sort(keys.begin(), keys.end(), [&](const SortKey& a, const SortKey& b) {
    const int c = compare_with_prefix(a.prefix, string_of(a.index), b.prefix, string_of(b.index));
    return c != 0 ? c < 0 : tie_less(a.index, b.index);
  });
  return keys;
}

}  // namespace lfp
