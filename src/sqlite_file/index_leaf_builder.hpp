#pragma once
// Fills index b-tree leaf pages (type 0x0A) with records given in final key order, for one
// part of a tree (see part.hpp for the numbering and the separators), as LeafLayout places
// their cells; a payload larger than the index rule's X keeps its local prefix in the cell and
// the rest in a chain of overflow pages.
// Memory: one leaf page and one held-back cell, whatever the part's size.
#include <cstdint>
#include <span>

#include "sqlite_file/leaf_layout.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/record.hpp"

namespace lfp::sqlite_file {

class IndexLeafBuilder : private LeafLayout::Pages {
 public:
  // Pages go to `sink` as they are complete. The usable size is the page size (no reserved
  // bytes).
  IndexLeafBuilder(std::uint32_t page_size, PartPosition position, PartPageSink sink);

  // The next record (encode_record's bytes), in key order.
  void add(std::span<const std::uint8_t> record);
  // Writes the last leaf and returns the part's summary. Throws Error for a Following part
  // that got exactly one record (it would have a separator and no leaf; see
  // buildable_part_sizes).
  PartSummary finish();

 private:
  void write_overflow(std::span<const std::uint8_t> record, const IndexCell& cell);
  void separator(LeafLayout::Which which, const IndexCell& cell, CellList& out) override;
  void put(LeafLayout::Which which, const IndexCell& cell) override;
  void hold() override;
  void leaf_done(std::uint64_t index, std::uint32_t cells, std::uint32_t content) override;

  LeafLayout layout_;
  PartPageSink sink_;
  Bytes cell_, held_, overflow_;  // the new record's cell, the held one's, an overflow page
  Bytes leaf_;
};

}  // namespace lfp::sqlite_file
