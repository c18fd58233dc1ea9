#include "ingest/dedup.hpp"

#include <algorithm>
#include <cstring>

#include "util/error.hpp"
#include "util/pages.hpp"
#include "util/string_sort.hpp"

namespace lfp {

template <class Row>
std::vector<Row> latest_by_sku(std::vector<Row> rows) {
  // Sort once by (sku, newest first): the sku order is also the order rank 0 writes in.
  const auto order = sort_by_string(
      rows.size(), [&](std::uint32_t i) { return sku_of(rows[i]); },
      [&](std::uint32_t a, std::uint32_t b) { return order_of(rows[a]) > order_of(rows[b]); });
  std::vector<Row> out;
  out.reserve(order.size());
  for (const std::uint32_t i : order) {
    const Row& r = rows[i];
    if (out.empty() || sku_of(out.back()) != sku_of(r)) out.push_back(r);
  }
  return out;
}

template std::vector<RowView> latest_by_sku(std::vector<RowView>);
template std::vector<RowRef> latest_by_sku(std::vector<RowRef>);

TextBytes compact_survivors(std::vector<Buffer>& buffers, std::vector<RowRef>& survivors) {
  TextBytes text;
  // Survivors in address order: within a buffer each one moves left (or stays), never over a
  // survivor not yet moved.
  std::vector<std::pair<const char*, std::uint32_t>> at(survivors.size());
  for (std::uint32_t i = 0; i < at.size(); ++i) at[i] = {survivors[i].bytes().data(), i};
  std::sort(at.begin(), at.end());
  std::vector<Buffer*> by_address;
  for (auto& b : buffers)
    if (!b.empty()) by_address.push_back(&b);
  std::sort(by_address.begin(), by_address.end(),
            [](const Buffer* a, const Buffer* b) { return a->data() < b->data(); });
  std::size_t next = 0;
  for (Buffer* each : by_address) {
    Buffer& buffer = *each;
    const char* const begin = buffer.data();
    const char* const end = begin + buffer.size();
    char* out = buffer.data();
    for (; next < at.size(); ++next) {
      RowRef& row = survivors[at[next].second];
      const auto bytes = row.bytes();
      if (bytes.data() < begin || bytes.data() >= end) break;  // in a later buffer
      if (out != bytes.data()) std::memmove(out, bytes.data(), bytes.size());
      row = RowRef(out);
      out += bytes.size();
      text.sku += row.sku().size();
      text.name += row.name().size();
      text.description += row.description().size();
    }
    const auto kept = static_cast<std::size_t>(out - buffer.data());
    release_pages(buffer.data() + kept, buffer.size() - kept);
    buffer.resize(kept);
  }
  if (next != at.size()) throw Error(kExitInternal, "a surviving row outside the buffers it was decoded from");
  return text;
}

}  // namespace lfp
