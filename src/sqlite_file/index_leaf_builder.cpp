#include "sqlite_file/index_leaf_builder.hpp"

#include <algorithm>
#include <cstring>

namespace lfp::sqlite_file {
namespace {

constexpr std::uint32_t kLeafHeader = 8;

void clear_leaf(Bytes& leaf) {
  std::fill(leaf.begin(), leaf.end(), 0);
  leaf[0] = 0x0a;
}

}  // namespace

IndexLeafBuilder::IndexLeafBuilder(std::uint32_t page_size, PartPosition position, PartPageSink sink)
    : layout_(page_size, position), sink_(std::move(sink)), leaf_(page_size) {
  clear_leaf(leaf_);
}

void IndexLeafBuilder::write_overflow(std::span<const std::uint8_t> record, const IndexCell& cell) {
  // Consecutive local pages, each naming the next (local index + 1).
  const std::uint32_t page_size = layout_.page_size();
  const std::size_t chunk = page_size - 4;
  overflow_.resize(page_size);
  std::size_t from = cell.local;
  for (std::uint64_t j = 0; j < cell.overflow_pages; ++j) {
    std::fill(overflow_.begin(), overflow_.end(), 0);
    const std::uint64_t next = cell.first_overflow + j + 2;
    put_u32(overflow_.data(), j + 1 < cell.overflow_pages ? static_cast<std::uint32_t>(next) : 0);
    const std::size_t n = std::min<std::size_t>(chunk, record.size() - from);
    std::memcpy(overflow_.data() + 4, record.data() + from, n);
    from += n;
    sink_(cell.first_overflow + j, PageKind::Overflow, overflow_);
  }
}

void IndexLeafBuilder::add(std::span<const std::uint8_t> record) {
  const IndexCell cell = layout_.next_cell(record.size());
  write_overflow(record, cell);
  cell_.clear();
  append_cell(cell_, record, cell);
  layout_.place(cell, *this);
}

void IndexLeafBuilder::separator(LeafLayout::Which which, const IndexCell& cell, CellList& out) {
  switch (which) {
    case LeafLayout::Which::New: out.append(cell_); return;
    case LeafLayout::Which::Held: out.append(held_); return;
    case LeafLayout::Which::Last: break;
  }
  std::uint8_t* at = leaf_.data() + cell.offset;
  out.append(std::span<const std::uint8_t>(at, cell.size));
  std::fill(at, at + cell.size, 0);
  put_u16(leaf_.data() + kLeafHeader + 2 * cell.slot, 0);
}

void IndexLeafBuilder::put(LeafLayout::Which which, const IndexCell& cell) {
  const Bytes& bytes = which == LeafLayout::Which::Held ? held_ : cell_;
  std::memcpy(leaf_.data() + cell.offset, bytes.data(), bytes.size());
  put_u16(leaf_.data() + kLeafHeader + 2 * cell.slot, cell.offset);
}

void IndexLeafBuilder::hold() { held_.swap(cell_); }

void IndexLeafBuilder::leaf_done(std::uint64_t index, std::uint32_t cells, std::uint32_t content) {
  put_u16(leaf_.data() + 3, cells);
  // 65536 (an empty leaf of the largest page size) is written as 0.
  put_u16(leaf_.data() + 5, content == 65536 ? 0 : content);
  sink_(index, PageKind::IndexLeaf, leaf_);
  clear_leaf(leaf_);
}

PartSummary IndexLeafBuilder::finish() { return layout_.finish(*this); }

}  // namespace lfp::sqlite_file
