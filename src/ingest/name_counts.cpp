#include "ingest/name_counts.hpp"

#include <climits>
#include <cstdint>

#include "util/hash.hpp"
#include "util/string_sort.hpp"

namespace lfp {

template <class Row>
std::vector<NameCount> count_names(std::span<const Row> rows) {
  // Open addressing on the name hash: one pass, no sort; ranks re-sort after the shuffle.
  // The table grows with the distinct names, not the rows (a file has far fewer names than
  // products), so it stays in cache; slots keep 32 bits of the hash so that probing rarely
  // touches the names themselves.
  struct Slot {
    std::uint32_t index = UINT32_MAX, tag = 0;
  };
  std::vector<Slot> slots(1u << 12);
  std::vector<std::uint64_t> hashes;  // of out[i].name, for growing
  std::vector<NameCount> out;
  auto place = [&](std::uint64_t h) {
    const std::size_t mask = slots.size() - 1;
    std::size_t i = h & mask;
    while (slots[i].index != UINT32_MAX) i = (i + 1) & mask;
    return i;
  };
  for (const auto& r : rows) {
    const std::string_view name = name_of(r);
    const std::uint64_t h = hash_bytes(name, kNameSeed);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots.size() - 1;
    std::size_t i = h & mask;
    while (slots[i].index != UINT32_MAX && (slots[i].tag != tag || out[slots[i].index].name != name))
      i = (i + 1) & mask;
    if (slots[i].index == UINT32_MAX) {
      if ((out.size() + 1) * 2 > slots.size()) {  // keep the load under one half
        slots.assign(slots.size() * 2, Slot{});
        for (std::uint32_t k = 0; k < out.size(); ++k)
          slots[place(hashes[k])] = {k, static_cast<std::uint32_t>(hashes[k] >> 32)};
        i = place(h);
      }
      slots[i] = {static_cast<std::uint32_t>(out.size()), tag};
      out.push_back({name, 0});
      hashes.push_back(h);
    }
    ++out[slots[i].index].products;
  }
  return out;
}

template std::vector<NameCount> count_names(std::span<const RowView>);
template std::vector<NameCount> count_names(std::span<const RowRef>);

std::vector<NameCount> sum_counts(std::vector<NameCount> partials) {
  const auto order = sort_by_string(
      partials.size(), [&](std::uint32_t i) { return partials[i].name; },
      [](std::uint32_t, std::uint32_t) { return false; });
  std::vector<NameCount> out;
  for (const std::uint32_t i : order) {
    const auto& c = partials[i];
    if (!out.empty() && out.back().name == c.name)
      out.back().products += c.products;
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace lfp
