#include "ingest/dedup.hpp"

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

}  // namespace lfp
