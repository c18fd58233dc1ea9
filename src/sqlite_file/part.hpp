#pragma once
// One part of an index b-tree's leaf level: a contiguous slice of the sorted entries (one
// rank's), encoded on its own with part-local page numbers and placed in the file later.
//
// A part numbers its pages 0, 1, 2, ... in the order it allocates them; a page number stored
// inside its pages (a cell's first overflow page, an overflow page's next page) holds the
// local index + 1, so that 0 still ends a chain. Once every part has reported its page count,
// a prefix sum gives each part its base sequence index (PageNumbering maps sequence indices
// to page numbers around the lock page), and relocate_page() rewrites those numbers in place.
//
// In an index b-tree every entry appears exactly once, interior cells included, so N leaves
// need N - 1 entries held back as separators for the level above. Within a part the builder
// holds back the entry that did not fit on a full leaf. Between parts, a part that is not the
// first holds back its own first entry (the leading separator): parts never need each other's
// data, and the parent level is the parts' leaves with all their separators in order.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/payload.hpp"
#include "sqlite_file/record.hpp"

namespace lfp::sqlite_file {

enum class PageKind : std::uint8_t { IndexLeaf, Overflow, IndexInterior, TableLeaf };

// Receives a part's pages by local index (not necessarily in index order: a leaf is complete
// after the overflow pages of its cells).
using PartPageSink = std::function<void(std::uint64_t local_index, PageKind kind, std::span<const std::uint8_t> page)>;
// Receives pages by their final page number.
using PageSink = std::function<void(std::uint32_t page, std::span<const std::uint8_t> bytes)>;

// Byte strings back to back (the separators' cells), easy to send as two arrays.
class CellList {
 public:
  std::size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::span<const std::uint8_t> operator[](std::size_t i) const {
    const std::uint64_t begin = i == 0 ? 0 : ends_[i - 1];
    return {bytes_.data() + begin, static_cast<std::size_t>(ends_[i] - begin)};
  }
  void append(std::span<const std::uint8_t> cell) {
    bytes_.insert(bytes_.end(), cell.begin(), cell.end());
    ends_.push_back(bytes_.size());
  }
  void append(const CellList& other) {
    for (std::size_t i = 0; i < other.size(); ++i) append(other[i]);
  }
  // The flat form: all bytes, and where each cell ends.
  const Bytes& bytes() const { return bytes_; }
  const std::vector<std::uint64_t>& ends() const { return ends_; }
  // Rebuilds a list from its flat form (as received); throws Error if `ends` does not fit.
  static CellList from_flat(Bytes bytes, std::vector<std::uint64_t> ends);
  std::span<std::uint8_t> mutable_cell(std::size_t i) {
    const std::uint64_t begin = i == 0 ? 0 : ends_[i - 1];
    return {bytes_.data() + begin, static_cast<std::size_t>(ends_[i] - begin)};
  }

 private:
  Bytes bytes_;
  std::vector<std::uint64_t> ends_;
};

// Whether a part holds back its first entry (every part after the first non-empty one).
enum class PartPosition { First, Following };

// What a part reports once built, in part-local numbers. Separator cells are index cells
// without the 4-byte left child pointer: payload size varint, local payload, and the first
// overflow page when the payload spills.
struct PartSummary {
  std::uint64_t page_count = 0;
  std::vector<std::uint64_t> leaves;  // local indices of the leaf pages, in key order
  CellList separators;                // the leading separator first (if any), then one between each two leaves
  bool leading_separator = false;
};

// The same in final page numbers, as the interior builder takes it.
struct PlacedPart {
  std::vector<std::uint32_t> leaves;
  CellList separators;
  bool leading_separator = false;
};

// Rewrites the part-local page numbers inside one of a part's pages for a part whose first
// page has sequence index `base`.
void relocate_page(std::span<std::uint8_t> page, PageKind kind, const PageNumbering& numbering, std::uint64_t base);
// The summary in final page numbers.
PlacedPart place_part(const PartSummary& part, const PageNumbering& numbering, std::uint64_t base);

// A PartPageSink that relocates each page for a known base and passes it on by page number
// (for a part built after a counting pass, or replayed from a spill file).
// `numbering` must outlive the sink.
PartPageSink relocating_sink(const PageNumbering& numbering, std::uint64_t base, PageSink out);

// Record counts per part as they should be built: a part after the first non-empty one needs
// at least two entries (its leading separator and one leaf entry), so a part holding exactly
// one gives it to the previous non-empty part. Returns the adjusted counts (same total).
std::vector<std::uint64_t> buildable_part_sizes(std::span<const std::uint64_t> counts);
// The position of part `k` given every part's (adjusted) record count.
PartPosition part_position(std::span<const std::uint64_t> counts, std::size_t k);

}  // namespace lfp::sqlite_file
