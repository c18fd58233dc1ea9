#pragma once
// Items into one buffer per destination rank by key range, ready for mpi::exchange.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "records/key_ranges.hpp"
#include "records/row_codec.hpp"
#include "util/buffer.hpp"
#include "util/pages.hpp"

namespace lfp {

// `items` (a vector of views) by `key_of(item)`.
template <class Item, class KeyOf>
std::vector<Buffer> route(const std::vector<Item>& items, const KeyRanges& ranges, int ranks, KeyOf&& key_of) {
  std::vector<Buffer> out(ranks);
  for (const auto& item : items) encode(out[ranges.owner(key_of(item))], item);
  return out;
}

// The encoded items of `in`, which is consumed: its pages go back as they are copied, so the
// rank holds about one copy of its rows, not two.
template <class Item, class KeyOf>
std::vector<Buffer> route_encoded(Buffer&& in, const KeyRanges& ranges, int ranks, KeyOf&& key_of) {
  constexpr std::size_t kReleaseEvery = std::size_t{64} << 20;
  std::vector<Buffer> out(ranks);
  const std::size_t share = in.size() / static_cast<std::size_t>(ranks);
  for (auto& b : out) b.reserve(share + share / 8 + 4096);  // grows past it for a skewed range
  const char* p = in.data();
  const char* const end = p + in.size();
  const char* released = p;
  while (p < end) {
    Item item;
    const char* next = decode(p, item);
    encode(out[ranges.owner(key_of(item))], item);
    p = next;
    if (static_cast<std::size_t>(p - released) >= kReleaseEvery) {
      release_pages(released, static_cast<std::size_t>(p - released));
      released = p;
    }
  }
  Buffer().swap(in);
  return out;
}

// The encoded items of `in` (consumed) cut at item boundaries into `parts` buffers of about
// equal size, in order; an item larger than a part makes its part larger (and a later one
// empty).
template <class Item>
std::vector<Buffer> split_encoded(Buffer&& in, std::size_t parts) {
  std::vector<Buffer> out(parts);
  const std::size_t each = (in.size() + parts - 1) / std::max<std::size_t>(parts, 1);
  const char* p = in.data();
  const char* const end = p + in.size();
  for (std::size_t k = 0; k < parts && p < end; ++k) {
    const char* const from = p;
    const char* const target = k + 1 == parts ? end : in.data() + std::min(in.size(), (k + 1) * each);
    while (p < target) {
      Item item;
      p = decode(p, item);
    }
    out[k].assign(from, p);
    release_pages(from, static_cast<std::size_t>(p - from));
  }
  Buffer().swap(in);
  return out;
}

}  // namespace lfp
