#pragma once
// Sorting strings in byte order (SQLite's BINARY collation): multikey quicksort on 8-byte
// characters, each index carrying its current 8 bytes beside it (Bentley & Sedgewick's
// multikey quicksort with Bingmann & Sanders' character caching). Skus and names made of words
// share long prefixes; a comparison sort then settles most ties by reading two strings at
// random addresses, while this sort reads each string once per 8 bytes of common prefix, in
// one pass over a group, and partitions on integers in between.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
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

namespace detail {

struct Cached {
  std::uint64_t word;   // bytes [depth, depth + 8) of the string, big-endian
  std::uint32_t index;  // which item
};

template <class StringOf, class TieLess>
class StringSorter {
 public:
  StringSorter(StringOf& string_of, TieLess& tie_less) : string_of_(string_of), tie_less_(tie_less) {}

  // Sorts a[0, n), whose strings are equal in their first `depth` bytes. `budget` bounds the
  // nesting of the < and > partitions: bad pivots end in a comparison sort (introsort's guard).
  void sort(Cached* a, std::size_t n, std::size_t depth, int budget) {
    while (n > kSmall) {
      if (budget == 0) return fallback(a, n, depth);
      std::size_t lt = 0, i = 0, gt = n;
      const std::uint64_t pivot = median(a[0].word, a[n / 2].word, a[n - 1].word);
      while (i < gt) {
        if (a[i].word < pivot)
          std::swap(a[lt++], a[i++]);
        else if (a[i].word > pivot)
          std::swap(a[i], a[--gt]);
        else
          ++i;
      }
      sort(a, lt, depth, budget - 1);
      sort(a + gt, n - gt, depth, budget - 1);
      // a[lt, gt) agree in bytes [0, depth + 8). A string that ends within them is a prefix of
      // every longer one (its zero padding equals their bytes), so the ended ones come first,
      // shorter before longer, equal strings in tie order.
      a += lt;
      n = gt - lt;
      depth += 8;
      Cached* longer = std::partition(a, a + n, [&](const Cached& c) { return string_of_(c.index).size() <= depth; });
      std::sort(a, longer, [&](const Cached& x, const Cached& y) {
        const std::size_t sx = string_of_(x.index).size(), sy = string_of_(y.index).size();
        return sx != sy ? sx < sy : tie_less_(x.index, y.index);
      });
      n -= static_cast<std::size_t>(longer - a);
      a = longer;
      for (std::size_t k = 0; k < n; ++k) a[k].word = word_at(string_of_(a[k].index), depth);
    }
    insertion_sort(a, n, depth);
  }

 private:
  static constexpr std::size_t kSmall = 24;

  static std::uint64_t median(std::uint64_t x, std::uint64_t y, std::uint64_t z) {
    return std::max(std::min(x, y), std::min(std::max(x, y), z));
  }

  // Strings equal in their first `depth` bytes; the words are bytes [depth, depth + 8).
  bool less(const Cached& x, const Cached& y, std::size_t depth) const {
    if (x.word != y.word) return x.word < y.word;
    const std::string_view sx = string_of_(x.index), sy = string_of_(y.index);
    const std::size_t from = std::min({depth, sx.size(), sy.size()});
    const int c = sx.substr(from).compare(sy.substr(from));
    return c != 0 ? c < 0 : tie_less_(x.index, y.index);
  }

  void insertion_sort(Cached* a, std::size_t n, std::size_t depth) const {
    for (std::size_t i = 1; i < n; ++i) {
      const Cached v = a[i];
      std::size_t j = i;
      for (; j > 0 && less(v, a[j - 1], depth); --j) a[j] = a[j - 1];
      a[j] = v;
    }
  }

  void fallback(Cached* a, std::size_t n, std::size_t depth) const {
    std::sort(a, a + n, [&](const Cached& x, const Cached& y) { return less(x, y, depth); });
  }

  StringOf& string_of_;
  TieLess& tie_less_;
};

}  // namespace detail

// Indices 0..n-1 sorted by string_of(i) in byte order, equal strings by tie_less(i, j).
template <class StringOf, class TieLess>
std::vector<std::uint32_t> sort_by_string(std::size_t n, StringOf string_of, TieLess tie_less) {
  std::vector<detail::Cached> keys(n);
  for (std::uint32_t i = 0; i < n; ++i) keys[i] = {word_at(string_of(i), 0), i};
  int budget = 8;
  for (std::size_t m = n; m > 1; m >>= 1) budget += 2;
  detail::StringSorter<StringOf, TieLess>(string_of, tie_less).sort(keys.data(), n, 0, budget);
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = keys[i].index;
  return order;
}

}  // namespace lfp
