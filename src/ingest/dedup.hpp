#pragma once
// Resolving updates: of all rows with the same sku, the one with the greatest order key
// (the last record in command-line and file order) survives.
#include <vector>

#include "records/row_codec.hpp"

namespace lfp {

// Survivors sorted by sku (byte order, as SQLite's BINARY collation sorts TEXT); for
// RowView and RowRef alike.
template <class Row>
std::vector<Row> latest_by_sku(std::vector<Row> rows);
extern template std::vector<RowView> latest_by_sku(std::vector<RowView>);
extern template std::vector<RowRef> latest_by_sku(std::vector<RowRef>);

}  // namespace lfp
