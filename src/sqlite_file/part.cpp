#include "sqlite_file/part.hpp"

#include <string>

#include "util/error.hpp"

namespace lfp::sqlite_file {
namespace {

// A part-local pointer (local index + 1, 0 for none) as a final page number.
std::uint32_t global_pointer(std::uint32_t local, const PageNumbering& numbering, std::uint64_t base) {
  return local == 0 ? 0 : numbering.page_of(base + local - 1);
}

// The offset of the overflow pointer in an index cell body starting at `cell` (or 0 when the
// payload is all local). `limit` bounds the cell for a sanity check.
std::size_t overflow_pointer_offset(const std::uint8_t* cell, std::size_t limit, const PayloadRule& rule) {
  std::uint64_t payload = 0;
  const int n = get_varint(cell, payload);
  const std::uint32_t local = rule.local_size(payload);
  if (local == payload) return 0;
  const std::size_t at = n + std::size_t{local};
  if (at + 4 > limit) throw Error(kExitInternal, "sqlite file: an index cell runs past its page or buffer");
  return at;
}

}  // namespace

CellList CellList::from_flat(Bytes bytes, std::vector<std::uint64_t> ends) {
  std::uint64_t prev = 0;
  for (auto e : ends) {
    if (e < prev || e > bytes.size())
      throw Error(kExitInternal, "sqlite file: a received separator list is inconsistent (cell end " +
                                     std::to_string(e) + " of " + std::to_string(bytes.size()) + " bytes)");
    prev = e;
  }
  if (prev != bytes.size()) throw Error(kExitInternal, "sqlite file: a received separator list has trailing bytes");
  CellList out;
  out.bytes_ = std::move(bytes);
  out.ends_ = std::move(ends);
  return out;
}

void relocate_page(std::span<std::uint8_t> page, PageKind kind, const PageNumbering& numbering, std::uint64_t base) {
  if (page.size() != numbering.page_size())
    throw Error(kExitInternal, "sqlite file: relocating a page of " + std::to_string(page.size()) +
                                   " bytes with page size " + std::to_string(numbering.page_size()));
  if (kind == PageKind::Overflow) {
    put_u32(page.data(), global_pointer(get_u32(page.data()), numbering, base));
    return;
  }
  if (kind != PageKind::IndexLeaf || page[0] != 0x0a)
    throw Error(kExitInternal, "sqlite file: only index leaf and overflow pages of a part are relocated");
  const PayloadRule rule(numbering.page_size(), PayloadTree::Index);
  const std::uint32_t cells = get_u16(page.data() + 3);
  for (std::uint32_t i = 0; i < cells; ++i) {
    const std::uint32_t offset = get_u16(page.data() + 8 + 2 * i);
    if (const auto at = overflow_pointer_offset(page.data() + offset, page.size() - offset, rule)) {
      std::uint8_t* p = page.data() + offset + at;
      put_u32(p, global_pointer(get_u32(p), numbering, base));
    }
  }
}

PlacedPart place_part(const PartSummary& part, const PageNumbering& numbering, std::uint64_t base) {
  PlacedPart out;
  out.leading_separator = part.leading_separator;
  out.leaves.reserve(part.leaves.size());
  for (auto local : part.leaves) out.leaves.push_back(numbering.page_of(base + local));
  out.separators = part.separators;
  const PayloadRule rule(numbering.page_size(), PayloadTree::Index);
  for (std::size_t i = 0; i < out.separators.size(); ++i) {
    auto cell = out.separators.mutable_cell(i);
    if (const auto at = overflow_pointer_offset(cell.data(), cell.size(), rule))
      put_u32(cell.data() + at, global_pointer(get_u32(cell.data() + at), numbering, base));
  }
  return out;
}

PartPageSink relocating_sink(const PageNumbering& numbering, std::uint64_t base, PageSink out) {
  return [&numbering, base, out = std::move(out), copy = Bytes()](std::uint64_t local, PageKind kind,
                                                                  std::span<const std::uint8_t> page) mutable {
    copy.assign(page.begin(), page.end());
    relocate_page(copy, kind, numbering, base);
    out(numbering.page_of(base + local), copy);
  };
}

std::vector<std::uint64_t> buildable_part_sizes(std::span<const std::uint64_t> counts) {
  std::vector<std::uint64_t> out(counts.begin(), counts.end());
  std::size_t last_nonempty = out.size();
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] == 1 && last_nonempty != out.size()) {
      ++out[last_nonempty];
      out[k] = 0;
    }
    if (out[k] > 0) last_nonempty = k;
  }
  return out;
}

PartPosition part_position(std::span<const std::uint64_t> counts, std::size_t k) {
  for (std::size_t i = 0; i < k && i < counts.size(); ++i)
    if (counts[i] > 0) return PartPosition::Following;
  return PartPosition::First;
}

}  // namespace lfp::sqlite_file
