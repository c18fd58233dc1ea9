#pragma once
// Phase 8a (a new database): every rank lays out its parts of the four hand-written b-trees.
// Collective: lone records move to an earlier rank, each rank counts its parts' pages, the
// page counts give every part its first page (tree by tree, rank by rank: the file's order),
// and rank 0 receives every part's leaves and separators for the interior pages it builds.
//
//   page 1 | products_main: rank 0's part, rank 1's, ... | products_by_name: ... |
//          product_counts: ... | product_counts_by_products: ... | interior pages, tree by tree
#include <array>
#include <cstdint>
#include <vector>

#include "ingest/tree_parts.hpp"
#include "mpi/comm.hpp"
#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/product_trees.hpp"

namespace lfp {

// The page size of a database built by hand: as the SQLite path's PRAGMA page_size.
inline constexpr std::uint32_t kBuiltPageSize = 16384;

struct PagePlan {
  explicit PagePlan(std::uint32_t page_size) : numbering(page_size) {}
  sqlite_file::PageNumbering numbering;
  std::array<BuildableSlice, sqlite_file::kProductTreeCount> slices;
  std::array<std::uint64_t, sqlite_file::kProductTreeCount> base{};  // this rank's parts' first sequence index
  std::uint64_t part_pages = 0;  // all parts' pages of all ranks (page 1 not included)
  // Rank 0 only: every rank's placed part, by tree, in rank order.
  std::array<std::vector<sqlite_file::PlacedPart>, sqlite_file::kProductTreeCount> placed;
};

// Collective. `slices`: this rank's sorted records of each tree (sqlite_file::ProductTree
// order); their record functions must stay valid while the plan is used.
PagePlan plan_pages(const mpi::Comm& comm, std::array<TreeSlice, sqlite_file::kProductTreeCount> slices,
                    std::uint32_t page_size = kBuiltPageSize);

}  // namespace lfp
