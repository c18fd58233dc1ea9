#pragma once
// The layout of one part's index leaf level (type 0x0A pages and overflow chains) from cell
// sizes alone: each record's cell shape (PayloadRule), which leaf it goes on (cells packed
// from the end of the page down, no freeblocks), which cells are held back as separators
// (part.hpp), and the part-local page numbers of the leaves and overflow pages.
// IndexLeafBuilder writes the bytes it says; IndexLeafCounter only needs the separators'
// bytes. Both take these rules from here, so a count equals the build by construction.
#include <cstdint>
#include <span>

#include "sqlite_file/part.hpp"
#include "sqlite_file/payload.hpp"
#include "sqlite_file/record.hpp"

namespace lfp::sqlite_file {

// One record's index cell: the payload size varint, the payload's local part, and the first
// overflow page's number (4 bytes) when the payload spills.
struct IndexCell {
  std::uint64_t record = 0;  // its position in the part
  std::uint64_t payload = 0;
  std::uint32_t local = 0;
  std::uint64_t overflow_pages = 0;
  std::uint64_t first_overflow = 0;    // local index of the first overflow page, if any
  std::uint32_t size = 0;              // the cell's bytes
  std::uint32_t offset = 0, slot = 0;  // once on a leaf: its offset and its pointer's index
};

// Appends `cell`'s bytes for `record` (the record's encoded bytes) to `out`.
void append_cell(Bytes& out, std::span<const std::uint8_t> record, const IndexCell& cell);

class LeafLayout {
 public:
  // The cell an event is about: the record being placed, the one a full leaf held back, or
  // the last one on the open leaf.
  enum class Which { New, Held, Last };
  // What the layout's user does with bytes, told as the layout decides.
  class Pages {
   public:
    virtual ~Pages() = default;
    // `cell` is the next separator: append its bytes to `out`. Last: it also leaves the open
    // leaf (the page keeps no trace of it).
    virtual void separator(Which which, const IndexCell& cell, CellList& out) = 0;
    // `cell` (New or Held) goes onto the open leaf at cell.offset, its pointer at cell.slot.
    virtual void put(Which /*which*/, const IndexCell& /*cell*/) {}
    // The new cell did not fit on the open leaf: it waits until the next one (or the end)
    // says whether it separates two leaves.
    virtual void hold() {}
    // The open leaf is complete: `cells` cells, content from offset `content`.
    virtual void leaf_done(std::uint64_t /*index*/, std::uint32_t /*cells*/, std::uint32_t /*content*/) {}
  };

  // The usable size is the page size (no reserved bytes).
  LeafLayout(std::uint32_t page_size, PartPosition position);

  std::uint32_t page_size() const { return page_size_; }
  // The next record's cell, for a `payload`-byte record; numbers its overflow pages.
  IndexCell next_cell(std::uint64_t payload);
  // Places the cell next_cell gave, telling `pages` what becomes of it.
  void place(IndexCell cell, Pages& pages);
  // Completes the last leaf and returns the part's summary. Throws Error for a Following part
  // that got exactly one record (it would have a separator and no leaf; see
  // buildable_part_sizes).
  PartSummary finish(Pages& pages);

 private:
  void start_leaf();
  bool fits(std::uint32_t cell_size) const;
  void put(Which which, IndexCell cell, Pages& pages);
  void end_leaf(Pages& pages);

  std::uint32_t page_size_;
  PayloadRule rule_;
  PartPosition position_;
  PartSummary summary_;
  std::uint64_t next_local_ = 0;
  std::uint64_t records_ = 0;
  IndexCell held_, last_;  // the cell a full leaf held back; the last cell put on the open leaf
  std::uint64_t leaf_index_ = 0;
  std::uint32_t leaf_cells_ = 0, leaf_content_ = 0;
  bool leaf_open_ = false;
  bool leaf_full_ = false;  // the open leaf is full and held_ is the entry that did not fit
  bool finished_ = false;
};

}  // namespace lfp::sqlite_file
