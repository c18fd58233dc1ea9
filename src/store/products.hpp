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

// The tables under the products view. products_main holds the bulk of the products, in sku
// order as an ingest of a new database wrote them; an ingest of an existing database writes
// the products it brings (new, changed) to products_recent, so that it writes about what it
// brings and not what the database holds. The view reads products_recent first (a NULL name
// there: a deleted product), then products_main. These functions own that layout: the
// direct lookups, when the two tables are merged, and when an index is rebuilt instead.

// products_recent is folded into products_main once it holds more rows than a quarter
// (1/kFoldWhenRecentExceedsOneIn) of the products: so many changes touch nearly every page
// of products_main and its name index anyway, and every lookup pays for a large
// products_recent. The summary's "reached a quarter of the products" says this number.
inline constexpr std::int64_t kFoldWhenRecentExceedsOneIn = 4;
bool recent_needs_fold(std::int64_t recent_rows, std::int64_t products);
// Moves products_recent into products_main in one in-place pass (deleted products leave
// it), the name index rebuilt once afterwards (create_indexes); products_recent is left empty.
// `cache`: the PRAGMA that sizes the page cache for the pass.
void fold_recent_into_main(Connection& db, const std::string& cache);

// Changing more than an eighth (1/kRebuildIndexWhenChangesExceedOneIn) of an index's entries
// one by one costs more than dropping the index and building it once at the end.
inline constexpr std::int64_t kRebuildIndexWhenChangesExceedOneIn = 8;
bool cheaper_to_rebuild_index(std::int64_t changes, std::int64_t entries);

// A product looked up as the products view would find it, without the view's per-query
// cost: in products_recent (unless `recent_may_hold` is false: it started empty and the
// import's own rows come in sku order, so it never holds the sku looked up), then in
// products_main.
class SplitLookup {
 public:
  SplitLookup(Connection& db, bool recent_may_hold);
  // As change_of(); `in_recent` tells whether the stored row is in products_recent.
  Change classify(std::string_view sku, std::string_view name, std::string_view description, std::string& old_name,
                  bool& in_recent);

 private:
  std::optional<Statement> find_recent_;
  Statement find_main_;
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
