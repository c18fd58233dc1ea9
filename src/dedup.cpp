#include "dedup.hpp"

#include <algorithm>

namespace lfp {

std::vector<RowView> latest_by_sku(std::vector<RowView> rows) {
  // Sort once by (sku, newest first): the sku order is also the order rank 0 writes in.
  std::sort(rows.begin(), rows.end(), [](const RowView& a, const RowView& b) {
    const int c = a.sku.compare(b.sku);
    return c != 0 ? c < 0 : a.order > b.order;
  });
  auto last = std::unique(rows.begin(), rows.end(), [](const RowView& a, const RowView& b) { return a.sku == b.sku; });
  rows.erase(last, rows.end());
  return rows;
}

}  // namespace lfp
