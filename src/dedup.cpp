#include "dedup.hpp"

#include <algorithm>

#include "byte_order.hpp"

namespace lfp {

std::vector<RowView> latest_by_sku(std::vector<RowView> rows) {
  // Sort once by (sku, newest first): the sku order is also the order rank 0 writes in.
  // Sorting small (prefix, index) pairs keeps most comparisons off the string bytes.
  std::vector<SortKey> keys(rows.size());
  for (std::uint32_t i = 0; i < rows.size(); ++i) keys[i] = {Prefix(rows[i].sku), i};
  std::sort(keys.begin(), keys.end(), [&](const SortKey& a, const SortKey& b) {
    const RowView& x = rows[a.index];
    const RowView& y = rows[b.index];
    const int c = compare_with_prefix(a.prefix, x.sku, b.prefix, y.sku);
    return c != 0 ? c < 0 : x.order > y.order;
  });
  std::vector<RowView> out;
  out.reserve(keys.size());
  for (const SortKey& k : keys) {
    const RowView& r = rows[k.index];
    if (out.empty() || out.back().sku != r.sku) out.push_back(r);
  }
  return out;
}

}  // namespace lfp
