#pragma once
// The four hand-built b-trees' records (sqlite_file::product_trees.hpp) of a set of products,
// each tree in its key order, as the ranks of an ingest hold them between them. For the tests
// of the page path (unit, simulated ranks) and of plan_pages (MPI).
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sqlite_file/product_trees.hpp"
#include "sqlite_file/record.hpp"

namespace lfp::testing {

struct Product {
  std::string sku, name, description;
};

// SQLite records per tree (sqlite_file::ProductTree order), sorted as SQLite orders them.
using TreeRecords = std::array<std::vector<sqlite_file::Bytes>, sqlite_file::kProductTreeCount>;

inline TreeRecords sorted_records(std::vector<Product> products) {
  namespace sf = sqlite_file;
  std::sort(products.begin(), products.end(),
            [](const Product& a, const Product& b) { return sf::compare_binary(a.sku, b.sku) < 0; });
  std::map<std::string, std::int64_t> counts;  // std::string orders bytes as unsigned
  for (const auto& p : products) ++counts[p.name];
  std::vector<const Product*> by_name;
  for (const auto& p : products) by_name.push_back(&p);
  std::sort(by_name.begin(), by_name.end(),
            [](const Product* a, const Product* b) { return sf::name_sku_less(a->name, a->sku, b->name, b->sku); });
  std::vector<std::pair<std::string, std::int64_t>> by_products(counts.begin(), counts.end());
  std::sort(by_products.begin(), by_products.end(), [](const auto& a, const auto& b) {
    return sf::products_desc_name_less(a.second, a.first, b.second, b.first);
  });
  TreeRecords out;
  for (const auto& p : products)
    out[sf::kProductsMain].push_back(
        sf::encode_record({std::string_view(p.sku), std::string_view(p.name), std::string_view(p.description)}));
  for (const auto* p : by_name)
    out[sf::kProductsByName].push_back(sf::encode_record({std::string_view(p->name), std::string_view(p->sku)}));
  for (const auto& [name, n] : counts)
    out[sf::kProductCounts].push_back(sf::encode_record({std::string_view(name), n}));
  for (const auto& [name, n] : by_products)
    out[sf::kProductCountsByProducts].push_back(sf::encode_record({n, std::string_view(name)}));
  return out;
}

}  // namespace lfp::testing
