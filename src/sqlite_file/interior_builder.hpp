#pragma once
// The interior levels of an index b-tree (pages of type 0x02) above its leaves, built on one
// process from the leaves' page numbers and the separators between them. Each interior cell
// is a left child pointer followed by a separator cell as the parts made it (overflow chains
// included, so nothing is re-encoded here); the separator between two interior pages moves up
// to the next level, until one page, the root, remains. Small: the separators are one entry
// per leaf.
#include <cstdint>
#include <span>
#include <vector>

#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/part.hpp"

namespace lfp::sqlite_file {

struct TreeRoot {
  std::uint32_t root = 0;        // the root page number (for sqlite_schema.rootpage)
  std::uint64_t pages_used = 0;  // sequence indices taken from `first_sequence` on
};

// Builds the levels above `children` (leaf page numbers in key order; separators.size() must
// be children.size() - 1), numbering new pages from sequence index `first_sequence` and
// sending each to `sink`. One child: it is the root and no page is written. No child: an empty
// leaf page is written as the root of an empty tree.
TreeRoot build_interior(const PageNumbering& numbering, std::vector<std::uint32_t> children, CellList separators,
                        std::uint64_t first_sequence, const PageSink& sink);

// The same for a tree made of parts in key order: joins their leaves and separators (a part
// with a leading separator puts it between the previous part's last leaf and its first) and
// checks that they alternate.
TreeRoot build_tree_top(const PageNumbering& numbering, std::span<const PlacedPart> parts, std::uint64_t first_sequence,
                        const PageSink& sink);

}  // namespace lfp::sqlite_file
