#include "sqlite_file/index_leaf_counter.hpp"

#include <string>
#include <utility>

#include "util/error.hpp"

namespace lfp::sqlite_file {

IndexLeafCounter::IndexLeafCounter(std::uint32_t page_size, PartPosition position, Encode encode)
    : layout_(page_size, position), encode_(std::move(encode)) {}

void IndexLeafCounter::separator(LeafLayout::Which, const IndexCell& cell, CellList& out) {
  encode_(cell.record, record_);
  // A size that disagrees with the bytes would number every later page wrong.
  if (record_.size() != cell.payload)
    throw Error(kExitInternal, "sqlite file: record " + std::to_string(cell.record) + " encodes to " +
                                   std::to_string(record_.size()) + " bytes, counted as " +
                                   std::to_string(cell.payload));
  cell_.clear();
  append_cell(cell_, record_, cell);
  out.append(cell_);
}

}  // namespace lfp::sqlite_file
