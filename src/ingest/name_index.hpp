#pragma once
// Phase 7 for a database built by hand (page_plan.hpp): the (name, sku) entries of
// products_by_name go to ranks by name range, so each rank holds a contiguous, sorted slice
// of that index, and counts its names exactly (all of a name's entries reach one rank); the
// counts go once more by (products DESC, name) range for product_counts_by_products.
#include <cstddef>
#include <vector>

#include "mpi/comm.hpp"
#include "records/row_codec.hpp"
#include "util/buffer.hpp"

namespace lfp {

struct NameIndex {
  std::vector<Buffer> entry_bytes;     // what the entries point into
  std::vector<RowRef> entries;         // (name, sku) as rows without description, by name, sku
  std::vector<NameCount> counts;       // by name (names point into entry_bytes)
  std::vector<Buffer> by_count_bytes;  // what by_products points into
  std::vector<NameCount> by_products;  // by products DESC, name
};

// Collective. `products`: this rank's products (any sku range).
NameIndex build_name_index(const mpi::Comm& comm, const std::vector<RowRef>& products, std::size_t round_bytes);

// The pure steps, for tests: entries sorted by (name, sku); a count per run of equal names;
// counts sorted by (products DESC, name).
void sort_name_entries(std::vector<RowRef>& entries);
// Copies `rows` into one buffer in their order and replaces `bytes` with it: every later
// pass over the sorted entries (counting, the index pages twice) then reads memory in order
// instead of taking a cache miss per entry.
void copy_in_order(std::vector<RowRef>& rows, std::vector<Buffer>& bytes);
std::vector<NameCount> count_sorted_names(const std::vector<RowRef>& entries);
void sort_by_products(std::vector<NameCount>& counts);

}  // namespace lfp
