#pragma once
// The four b-trees of lfp_mpi's schema (src/store/schema.cpp) that are written by hand, their
// sqlite_schema rows and their key orders. The SQL is what SQLite stores for schema.cpp's
// statements ("CREATE TABLE IF NOT EXISTS x" is stored as "CREATE TABLE x"); the unit test
// checks it against a database made by schema.cpp. A WITHOUT ROWID table with a TEXT PRIMARY
// KEY has no sqlite_autoindex: the table's own b-tree is the primary key index.
//
// Records, all index b-trees ordered with the BINARY collation (memcmp, then shorter first):
//   products_main               (sku, name, description)  by sku
//   products_by_name            (name, sku)               by name, sku
//   product_counts              (name, products)          by name
//   product_counts_by_products  (products, name)          by products DESC, name
// (a WITHOUT ROWID table's index holds its columns then the primary key columns it lacks; a
// DESC column is stored as is, only compared the other way).
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sqlite_file/database_file.hpp"

namespace lfp::sqlite_file {

enum ProductTree : std::size_t { kProductsMain, kProductsByName, kProductCounts, kProductCountsByProducts };
inline constexpr std::size_t kProductTreeCount = 4;

// The sqlite_schema rows, in the order SQLite would number them, with the given roots.
std::vector<SchemaEntry> product_schema(const std::array<std::uint32_t, kProductTreeCount>& roots);

// BINARY collation: negative, zero or positive.
// (char_traits<char>::compare compares bytes as unsigned char, like memcmp.)
inline int compare_binary(std::string_view a, std::string_view b) { return a.compare(b); }

// The orders of the four trees, for sorting a slice before building it.
inline bool name_sku_less(std::string_view name_a, std::string_view sku_a, std::string_view name_b,
                          std::string_view sku_b) {
  const int c = compare_binary(name_a, name_b);
  return c != 0 ? c < 0 : compare_binary(sku_a, sku_b) < 0;
}
inline bool products_desc_name_less(std::int64_t products_a, std::string_view name_a, std::int64_t products_b,
                                    std::string_view name_b) {
  return products_a != products_b ? products_a > products_b : compare_binary(name_a, name_b) < 0;
}

}  // namespace lfp::sqlite_file
