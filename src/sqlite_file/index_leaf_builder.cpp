#include "sqlite_file/index_leaf_builder.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/error.hpp"

namespace lfp::sqlite_file {
namespace {

constexpr std::uint32_t kLeafHeader = 8;

}  // namespace

IndexLeafBuilder::IndexLeafBuilder(std::uint32_t page_size, PartPosition position, PartPageSink sink)
    : page_size_(page_size),
      rule_(page_size, PayloadTree::Index),
      position_(position),
      sink_(std::move(sink)),
      leaf_(page_size) {
  check_page_size(page_size);
}

void IndexLeafBuilder::make_cell(std::span<const std::uint8_t> record) {
  const std::uint64_t payload = record.size();
  const std::uint32_t local = rule_.local_size(payload);
  cell_.clear();
  append_varint(cell_, payload);
  cell_.insert(cell_.end(), record.begin(), record.begin() + local);
  if (local == payload) return;
  // The rest goes to consecutive local pages, each naming the next (local index + 1).
  const std::uint64_t pages = rule_.overflow_pages(payload);
  const std::uint64_t first = next_local_;
  next_local_ += pages;
  const std::size_t chunk = page_size_ - 4;
  overflow_.resize(page_size_);
  std::size_t from = local;
  for (std::uint64_t j = 0; j < pages; ++j) {
    std::fill(overflow_.begin(), overflow_.end(), 0);
    put_u32(overflow_.data(), j + 1 < pages ? static_cast<std::uint32_t>(first + j + 2) : 0);
    const std::size_t n = std::min<std::size_t>(chunk, payload - from);
    std::memcpy(overflow_.data() + 4, record.data() + from, n);
    from += n;
    sink_(first + j, PageKind::Overflow, overflow_);
  }
  if (first + 1 > 0xffffffffull) throw Error(kExitInternal, "sqlite file: a part has more than 2^32 pages");
  std::uint8_t ptr[4];
  put_u32(ptr, static_cast<std::uint32_t>(first + 1));
  cell_.insert(cell_.end(), ptr, ptr + 4);
}

void IndexLeafBuilder::start_leaf() {
  std::fill(leaf_.begin(), leaf_.end(), 0);
  leaf_[0] = 0x0a;
  leaf_index_ = next_local_++;
  leaf_cells_ = 0;
  leaf_content_ = page_size_;
  leaf_open_ = true;
}

bool IndexLeafBuilder::fits(std::size_t cell_size) const {
  return kLeafHeader + 2 * (leaf_cells_ + 1) + cell_size <= leaf_content_;
}

void IndexLeafBuilder::put_cell(std::span<const std::uint8_t> cell) {
  leaf_content_ -= static_cast<std::uint32_t>(cell.size());
  std::memcpy(leaf_.data() + leaf_content_, cell.data(), cell.size());
  put_u16(leaf_.data() + kLeafHeader + 2 * leaf_cells_, leaf_content_);
  ++leaf_cells_;
}

void IndexLeafBuilder::emit_leaf() {
  put_u16(leaf_.data() + 3, leaf_cells_);
  // 65536 (an empty leaf of the largest page size) is written as 0.
  put_u16(leaf_.data() + 5, leaf_content_ == 65536 ? 0 : leaf_content_);
  sink_(leaf_index_, PageKind::IndexLeaf, leaf_);
  summary_.leaves.push_back(leaf_index_);
  leaf_open_ = false;
}

void IndexLeafBuilder::add(std::span<const std::uint8_t> record) {
  if (finished_) throw Error(kExitInternal, "sqlite file: a record added to a finished leaf builder");
  make_cell(record);
  if (records_++ == 0 && position_ == PartPosition::Following) {
    summary_.separators.append(cell_);
    summary_.leading_separator = true;
    return;
  }
  if (leaf_full_) {
    // The held entry separates the full leaf from the next one, which starts here.
    summary_.separators.append(held_);
    emit_leaf();
    leaf_full_ = false;
    start_leaf();
    put_cell(cell_);
    return;
  }
  if (!leaf_open_) start_leaf();
  if (fits(cell_.size())) {
    put_cell(cell_);
  } else {
    held_.swap(cell_);
    leaf_full_ = true;
  }
}

PartSummary IndexLeafBuilder::finish() {
  if (finished_) throw Error(kExitInternal, "sqlite file: a leaf builder finished twice");
  finished_ = true;
  if (leaf_full_) {
    // The held entry has nothing after it: it becomes the last leaf on its own, and the full
    // leaf's last entry moves up as the separator before it. A full leaf holds at least four
    // cells (the index rule's X guarantees it), so it keeps some.
    if (leaf_cells_ < 2) throw Error(kExitInternal, "sqlite file: a full index leaf with fewer than two cells");
    const std::uint32_t last = get_u16(leaf_.data() + kLeafHeader + 2 * (leaf_cells_ - 1));
    const std::uint32_t end =
        leaf_cells_ >= 2 ? get_u16(leaf_.data() + kLeafHeader + 2 * (leaf_cells_ - 2)) : page_size_;
    summary_.separators.append(std::span<const std::uint8_t>(leaf_.data() + last, end - last));
    std::fill(leaf_.begin() + last, leaf_.begin() + end, 0);
    --leaf_cells_;
    put_u16(leaf_.data() + kLeafHeader + 2 * leaf_cells_, 0);
    leaf_content_ = end;
    emit_leaf();
    start_leaf();
    put_cell(held_);
    leaf_full_ = false;
  }
  if (leaf_open_) emit_leaf();
  if (summary_.leading_separator && summary_.leaves.empty())
    throw Error(kExitInternal,
                "sqlite file: a following part got one record only (it needs a leaf after its leading separator; "
                "give the record to the previous part, see buildable_part_sizes)");
  summary_.page_count = next_local_;
  return std::move(summary_);
}

}  // namespace lfp::sqlite_file
