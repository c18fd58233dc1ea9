#include "ingest/dedup.hpp"

#include "util/byte_order.hpp"

namespace lfp {

std::vector<RowView> latest_by_sku(std::vector<RowView> rows) {
  // Sort once by (sku, newest first): the sku order is also the order rank 0 writes in.
  const auto order = sort_by_string(
      rows.size(), [&](std::uint32_t i) { return rows[i].sku; },
      [&](std::uint32_t a, std::uint32_t b) { return rows[a].order > rows[b].order; });
  std::vector<RowView> out;
  out.reserve(order.size());
  for (const std::uint32_t i : order) {
    const RowView& r = rows[i];
    if (out.empty() || out.back().sku != r.sku) out.push_back(r);
  }
  return out;
}

}  // namespace lfp
