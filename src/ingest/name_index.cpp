#include "ingest/name_index.hpp"

#include <algorithm>
#include <cstring>

#include "ingest/key_sample.hpp"
#include "mpi/shuffle.hpp"
#include "records/key_ranges.hpp"
#include "util/string_sort.hpp"

namespace lfp {
namespace {

// About this many sampled keys per rank (see parse.cpp).
constexpr std::size_t kSampleTarget = 4096;

std::size_t sample_every(std::size_t count) { return std::max<std::size_t>(1, count / kSampleTarget); }

}  // namespace

void copy_in_order(std::vector<RowRef>& rows, std::vector<Buffer>& bytes) {
  std::size_t total = 0;
  for (const auto& r : rows) total += r.bytes().size();
  Buffer in_order;
  in_order.resize(total);
  char* at = in_order.data();
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + kAhead < rows.size()) __builtin_prefetch(rows[i + kAhead].address());
    const auto b = rows[i].bytes();
    std::memcpy(at, b.data(), b.size());
    rows[i] = RowRef(at);
    at += b.size();
  }
  bytes.clear();
  bytes.push_back(std::move(in_order));
}

void sort_name_entries(std::vector<RowRef>& entries) {
  const auto order = sort_by_string(
      entries.size(), [&](std::uint32_t i) { return entries[i].name(); },
      [&](std::uint32_t a, std::uint32_t b) { return entries[a].sku() < entries[b].sku(); });
  std::vector<RowRef> sorted;
  sorted.reserve(order.size());
  for (const auto i : order) sorted.push_back(entries[i]);
  entries.swap(sorted);
}

std::vector<NameCount> count_sorted_names(const std::vector<RowRef>& entries) {
  std::vector<NameCount> out;
  for (const auto& e : entries) {
    if (out.empty() || out.back().name != e.name())
      out.push_back({e.name(), 1});
    else
      ++out.back().products;
  }
  return out;
}

void sort_by_products(std::vector<NameCount>& counts) {
  std::sort(counts.begin(), counts.end(), [](const NameCount& a, const NameCount& b) {
    return a.products != b.products ? a.products > b.products : a.name < b.name;
  });
}

NameIndex build_name_index(const mpi::Comm& comm, const std::vector<RowRef>& products, std::size_t round_bytes) {
  const int ranks = comm.size();
  NameIndex out;
  {
    const auto ranges = agree_key_ranges(comm, sample_keys(products.size(), sample_every(products.size()),
                                                           [&](std::size_t i) { return products[i].name(); }));
    std::vector<Buffer> outgoing(ranks);
    constexpr std::size_t kAhead = 16;  // rows lie scattered in memory: fetch one ahead
    for (std::size_t i = 0; i < products.size(); ++i) {
      if (i + kAhead < products.size()) __builtin_prefetch(products[i + kAhead].address());
      const RowRef& p = products[i];
      encode(outgoing[ranges.owner(p.name())], RowView{0, p.sku(), p.name(), {}});
    }
    out.entry_bytes = mpi::exchange(comm, std::move(outgoing), round_bytes);
  }
  out.entries = decode_all<RowRef>(out.entry_bytes);
  sort_name_entries(out.entries);
  copy_in_order(out.entries, out.entry_bytes);
  out.counts = count_sorted_names(out.entries);

  const auto key_of = [](const NameCount& c) { return count_order_key(c.products, c.name); };
  const auto ranges = agree_key_ranges(comm, sample_keys(out.counts.size(), sample_every(out.counts.size()),
                                                         [&](std::size_t i) { return key_of(out.counts[i]); }));
  std::vector<Buffer> outgoing(ranks);
  for (const auto& c : out.counts) encode(outgoing[ranges.owner(key_of(c))], c);
  out.by_count_bytes = mpi::exchange(comm, std::move(outgoing), round_bytes);
  out.by_products = decode_all<NameCount>(out.by_count_bytes);
  sort_by_products(out.by_products);
  return out;
}

}  // namespace lfp
