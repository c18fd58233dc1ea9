#include "sqlite_file/interior_builder.hpp"

#include "sqlite_file/database_file.hpp"

#include <cstring>
#include <string>

#include "util/error.hpp"

namespace lfp::sqlite_file {
namespace {

constexpr std::uint32_t kInteriorHeader = 12;

// One interior page: children [first, last], the separators between them as its cells.
struct Group {
  std::size_t first, last;
};

// Splits one level into pages, greedily filling each. Every page gets at least one cell: an
// interior page without cells is corrupt to SQLite.
std::vector<Group> group_level(const std::vector<std::uint32_t>& children, const CellList& separators,
                               std::uint32_t usable) {
  std::vector<Group> groups;
  const std::size_t n = children.size();
  std::size_t s = 0;
  while (s < n) {
    std::size_t used = kInteriorHeader, j = s;
    while (j + 1 < n && used + 2 + 4 + separators[j].size() <= usable) {
      used += 2 + 4 + separators[j].size();
      ++j;
    }
    if (j == s && j + 1 < n)
      throw Error(kExitInternal, "sqlite file: a separator cell of " + std::to_string(separators[j].size()) +
                                     " bytes does not fit an interior page");
    groups.push_back({s, j});
    s = j + 1;  // separator j (if any) goes up
  }
  if (groups.size() > 1 && groups.back().first == groups.back().last) {
    // A lone last child: the previous page gives up its last child and the separator before it
    // (it holds at least three cells, a page fits four of the largest).
    auto& prev = groups[groups.size() - 2];
    if (prev.last - prev.first < 2) throw Error(kExitInternal, "sqlite file: an interior page with too few cells");
    --prev.last;
    groups.back().first = prev.last + 1;
  }
  return groups;
}

}  // namespace

TreeRoot build_interior(const PageNumbering& numbering, std::vector<std::uint32_t> children, CellList separators,
                        std::uint64_t first_sequence, const PageSink& sink) {
  const std::uint32_t usable = numbering.page_size();
  Bytes page(usable);
  std::uint64_t next = first_sequence;
  if (children.empty()) {
    if (!separators.empty()) throw Error(kExitInternal, "sqlite file: separators without leaves");
    const auto root = numbering.page_of(next++);
    sink(root, encode_empty_leaf(usable, /*table=*/false));
    return {root, next - first_sequence};
  }
  while (children.size() > 1) {
    if (separators.size() + 1 != children.size())
      throw Error(kExitInternal, "sqlite file: " + std::to_string(children.size()) + " children need " +
                                     std::to_string(children.size() - 1) + " separators, got " +
                                     std::to_string(separators.size()));
    std::vector<std::uint32_t> parents;
    CellList promoted;
    for (const auto& g : group_level(children, separators, usable)) {
      std::fill(page.begin(), page.end(), 0);
      page[0] = 0x02;
      std::uint32_t content = usable;
      const std::uint32_t cells = static_cast<std::uint32_t>(g.last - g.first);
      for (std::size_t c = g.first; c < g.last; ++c) {
        const auto sep = separators[c];
        content -= static_cast<std::uint32_t>(4 + sep.size());
        put_u32(page.data() + content, children[c]);
        std::memcpy(page.data() + content + 4, sep.data(), sep.size());
        put_u16(page.data() + kInteriorHeader + 2 * (c - g.first), content);
      }
      put_u16(page.data() + 3, cells);
      put_u16(page.data() + 5, content);
      put_u32(page.data() + 8, children[g.last]);
      parents.push_back(numbering.page_of(next++));
      sink(parents.back(), page);
      if (g.last + 1 < children.size()) promoted.append(separators[g.last]);
    }
    children = std::move(parents);
    separators = std::move(promoted);
  }
  return {children[0], next - first_sequence};
}

TreeRoot build_tree_top(const PageNumbering& numbering, std::span<const PlacedPart> parts, std::uint64_t first_sequence,
                        const PageSink& sink) {
  std::vector<std::uint32_t> children;
  CellList separators;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto& p = parts[k];
    if (p.leaves.empty() && p.separators.empty()) continue;  // an empty part
    const bool lead = !children.empty();
    if (lead != p.leading_separator)
      throw Error(kExitInternal, "sqlite file: part " + std::to_string(k) +
                                     (lead ? " follows another part but has no leading separator"
                                           : " is the first non-empty part but has a leading separator"));
    if (p.separators.size() + (lead ? 0 : 1) != p.leaves.size())
      throw Error(kExitInternal, "sqlite file: part " + std::to_string(k) + " has " + std::to_string(p.leaves.size()) +
                                     " leaves and " + std::to_string(p.separators.size()) + " separators");
    children.insert(children.end(), p.leaves.begin(), p.leaves.end());
    separators.append(p.separators);
  }
  return build_interior(numbering, std::move(children), std::move(separators), first_sequence, sink);
}

}  // namespace lfp::sqlite_file
