#pragma once
// The product rules that ingest and the edit commands share: one row per sku, an upsert
// that tells inserted from updated from unchanged, deletes, and product_counts kept equal
// to the GROUP BY of products. Edits go through the products view, whose triggers keep the
// counts; the bulk import drops them, writes the tables under the view itself and collects
// name deltas here instead.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sqlite.hpp"

namespace lfp::store {

struct Product {
  std::string sku, name, description;
};

enum class Change { Inserted, Updated, Unchanged };

// How a product with `name` and `description` changes the row `found` points at (columns
// 0 and 1: its stored name and description): nullptr, or a NULL name (a deleted product), is
// Inserted. For Updated, `old_name` receives the stored name.
Change change_of(const Statement* found, std::string_view name, std::string_view description, std::string& old_name);

// Changes to product_counts, summed per name in memory and applied once.
class NameDeltas {
 public:
  void add(std::string_view name, std::int64_t delta);
  // Applies the deltas in name order; a count that would fall below zero means the table
  // was damaged (edited by hand): that throws instead of storing a negative count.
  void apply(Connection& db);
  bool empty() const { return deltas_.empty(); }
  std::size_t size() const { return deltas_.size(); }

 private:
  // Transparent hashing: add() looks a name up without building a std::string for it.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> deltas_;
};

class ProductTable {
 public:
  explicit ProductTable(Connection& db);

  std::optional<Product> find(std::string_view sku);
  // What put() would do, without doing it; for Updated, `old_name` receives the stored name.
  Change classify(std::string_view sku, std::string_view name, std::string_view description, std::string& old_name);
  // Inserts or updates one product, through the products view: its triggers keep the counts.
  Change put(std::string_view sku, std::string_view name, std::string_view description);
  // The deleted product's name; nullopt when there was no such sku.
  std::optional<std::string> remove(std::string_view sku);

 private:
  Connection& db_;
  Statement find_;
};

}  // namespace lfp::store

namespace lfp::store {

// Every product in sku order, and every count in name order (for snapshots and checks).
template <class Fn>
void for_each_product(Connection& db, Fn&& fn) {
  auto s = db.prepare("SELECT sku, name, description FROM products ORDER BY sku");
  while (s.step()) fn(s.text(0), s.text(1), s.text(2));
}
template <class Fn>
void for_each_count(Connection& db, Fn&& fn) {
  auto s = db.prepare("SELECT name, products FROM product_counts ORDER BY name");
  while (s.step()) fn(s.text(0), s.integer(1));
}

}  // namespace lfp::store
