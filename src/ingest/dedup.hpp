#pragma once
// Resolving updates: of all rows with the same sku, the one with the greatest order key
// (the last record in command-line and file order) survives.
#include <vector>

#include "records/row_codec.hpp"
#include "util/buffer.hpp"

namespace lfp {

// Survivors sorted by sku (byte order, as SQLite's BINARY collation sorts TEXT); for
// RowView and RowRef alike.
template <class Row>
std::vector<Row> latest_by_sku(std::vector<Row> rows);
extern template std::vector<RowView> latest_by_sku(std::vector<RowView>);
extern template std::vector<RowRef> latest_by_sku(std::vector<RowRef>);

// Moves the survivors' bytes to the front of the buffers they lie in, in place, and gives the
// rest back to the system: the rows that lost to a later record of their sku (a third of a
// typical file) no longer hold memory while the name index and the pages are built.
// `survivors` must point into `buffers`; they are updated, their order kept. Returns their
// text bytes (read here, in address order, where it costs no cache misses).
TextBytes compact_survivors(std::vector<Buffer>& buffers, std::vector<RowRef>& survivors);

}  // namespace lfp
