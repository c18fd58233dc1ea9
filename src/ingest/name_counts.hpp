#pragma once
// Products per name: local counts over a rank's surviving rows, and the sum of partial
// counts that different ranks report for the same name.
#include <span>
#include <vector>

#include "records/row_codec.hpp"

namespace lfp {

// One entry per distinct name, in no particular order.
template <class Row>
std::vector<NameCount> count_names(std::span<const Row> rows);
extern template std::vector<NameCount> count_names(std::span<const RowView>);
extern template std::vector<NameCount> count_names(std::span<const RowRef>);
template <class Row>
std::vector<NameCount> count_names(const std::vector<Row>& rows) {
  return count_names(std::span<const Row>(rows));
}

// Sums entries with equal names; result sorted by name.
std::vector<NameCount> sum_counts(std::vector<NameCount> partials);

}  // namespace lfp
