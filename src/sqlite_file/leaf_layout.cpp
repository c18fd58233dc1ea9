#include "sqlite_file/leaf_layout.hpp"

#include <utility>

#include "sqlite_file/page_numbering.hpp"
#include "util/error.hpp"

namespace lfp::sqlite_file {
namespace {

constexpr std::uint32_t kLeafHeader = 8;

}  // namespace

void append_cell(Bytes& out, std::span<const std::uint8_t> record, const IndexCell& cell) {
  append_varint(out, cell.payload);
  out.insert(out.end(), record.begin(), record.begin() + cell.local);
  if (cell.overflow_pages == 0) return;
  // Page numbers inside a part are local index + 1, so that 0 still ends a chain.
  std::uint8_t ptr[4];
  put_u32(ptr, static_cast<std::uint32_t>(cell.first_overflow + 1));
  out.insert(out.end(), ptr, ptr + 4);
}

LeafLayout::LeafLayout(std::uint32_t page_size, PartPosition position)
    : page_size_(page_size), rule_(page_size, PayloadTree::Index), position_(position) {
  check_page_size(page_size);
}

IndexCell LeafLayout::next_cell(std::uint64_t payload) {
  if (finished_) throw Error(kExitInternal, "sqlite file: a record added to a finished leaf builder");
  IndexCell cell;
  cell.record = records_++;
  cell.payload = payload;
  cell.local = rule_.local_size(payload);
  cell.size = static_cast<std::uint32_t>(varint_size(payload)) + cell.local;
  if (cell.local == payload) return cell;
  // The rest goes to consecutive local pages, numbered before the leaf that holds the cell.
  cell.overflow_pages = rule_.overflow_pages(payload);
  cell.first_overflow = next_local_;
  next_local_ += cell.overflow_pages;
  if (cell.first_overflow + 1 > 0xffffffffull)
    throw Error(kExitInternal, "sqlite file: a part has more than 2^32 pages");
  cell.size += 4;
  return cell;
}

void LeafLayout::start_leaf() {
  leaf_index_ = next_local_++;
  leaf_cells_ = 0;
  leaf_content_ = page_size_;
  leaf_open_ = true;
}

bool LeafLayout::fits(std::uint32_t cell_size) const {
  return kLeafHeader + 2 * (leaf_cells_ + 1) + cell_size <= leaf_content_;
}

void LeafLayout::put(Which which, IndexCell cell, Pages& pages) {
  leaf_content_ -= cell.size;
  cell.offset = leaf_content_;
  cell.slot = leaf_cells_++;
  pages.put(which, cell);
  last_ = cell;
}

void LeafLayout::end_leaf(Pages& pages) {
  pages.leaf_done(leaf_index_, leaf_cells_, leaf_content_);
  summary_.leaves.push_back(leaf_index_);
  leaf_open_ = false;
}

void LeafLayout::place(IndexCell cell, Pages& pages) {
  if (cell.record == 0 && position_ == PartPosition::Following) {
    pages.separator(Which::New, cell, summary_.separators);
    summary_.leading_separator = true;
    return;
  }
  if (leaf_full_) {
    // The held entry separates the full leaf from the next one, which starts here.
    pages.separator(Which::Held, held_, summary_.separators);
    end_leaf(pages);
    leaf_full_ = false;
    start_leaf();
    put(Which::New, cell, pages);
    return;
  }
  if (!leaf_open_) start_leaf();
  if (fits(cell.size)) {
    put(Which::New, cell, pages);
  } else {
    held_ = cell;
    leaf_full_ = true;
    pages.hold();
  }
}

PartSummary LeafLayout::finish(Pages& pages) {
  if (finished_) throw Error(kExitInternal, "sqlite file: a leaf builder finished twice");
  finished_ = true;
  if (leaf_full_) {
    // The held entry has nothing after it: it becomes the last leaf on its own, and the full
    // leaf's last entry moves up as the separator before it. A full leaf holds at least four
    // cells (the index rule's X guarantees it), so it keeps some.
    if (leaf_cells_ < 2) throw Error(kExitInternal, "sqlite file: a full index leaf with fewer than two cells");
    pages.separator(Which::Last, last_, summary_.separators);
    --leaf_cells_;
    leaf_content_ += last_.size;
    end_leaf(pages);
    start_leaf();
    put(Which::Held, held_, pages);
    leaf_full_ = false;
  }
  if (leaf_open_) end_leaf(pages);
  if (summary_.leading_separator && summary_.leaves.empty())
    throw Error(kExitInternal,
                "sqlite file: a following part got one record only (it needs a leaf after its leading separator; "
                "give the record to the previous part, see buildable_part_sizes)");
  summary_.page_count = next_local_;
  return std::move(summary_);
}

}  // namespace lfp::sqlite_file
