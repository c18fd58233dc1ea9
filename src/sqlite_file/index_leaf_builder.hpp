#pragma once
// Fills index b-tree leaf pages (type 0x0A) with records given in final key order, for one
// part of a tree (see part.hpp for the numbering and the separators). Cells are packed from
// the end of the page down, leaving no freeblocks and no fragments; a payload larger than the
// index rule's X keeps its local prefix in the cell and the rest in a chain of overflow pages.
// Memory: one leaf page and one held-back cell, whatever the part's size.
#include <cstdint>
#include <span>

#include "sqlite_file/part.hpp"
#include "sqlite_file/payload.hpp"
#include "sqlite_file/record.hpp"

namespace lfp::sqlite_file {

class IndexLeafBuilder {
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
  // Builds cell_ for `record`, writing its overflow pages.
  void make_cell(std::span<const std::uint8_t> record);
  void start_leaf();
  bool fits(std::size_t cell_size) const;
  void put_cell(std::span<const std::uint8_t> cell);
  void emit_leaf();

  std::uint32_t page_size_;
  PayloadRule rule_;
  PartPosition position_;
  PartPageSink sink_;
  PartSummary summary_;
  std::uint64_t next_local_ = 0;
  std::uint64_t records_ = 0;
  Bytes cell_, held_, overflow_;
  Bytes leaf_;
  std::uint64_t leaf_index_ = 0;
  std::uint32_t leaf_cells_ = 0, leaf_content_ = 0;
  bool leaf_open_ = false;
  bool leaf_full_ = false;  // the open leaf is full and held_ is the entry that did not fit
  bool finished_ = false;
};

}  // namespace lfp::sqlite_file
