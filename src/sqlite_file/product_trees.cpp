#include "sqlite_file/product_trees.hpp"

namespace lfp::sqlite_file {

std::vector<SchemaEntry> product_schema(const std::array<std::uint32_t, kProductTreeCount>& roots) {
  return {
      {"table", "products_main", "products_main", roots[kProductsMain],
       "CREATE TABLE products_main(\n"
       "  sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID"},
      {"table", "product_counts", "product_counts", roots[kProductCounts],
       "CREATE TABLE product_counts(\n"
       "  name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID"},
      {"index", "products_by_name", "products_main", roots[kProductsByName],
       "CREATE INDEX products_by_name ON products_main(name)"},
      {"index", "product_counts_by_products", "product_counts", roots[kProductCountsByProducts],
       "CREATE INDEX product_counts_by_products ON product_counts(products DESC, name)"},
  };
}

}  // namespace lfp::sqlite_file
