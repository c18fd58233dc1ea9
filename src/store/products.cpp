#include "store/products.hpp"

#include <algorithm>
#include <vector>

#include "store/bulk_insert.hpp"
#include "util/error.hpp"

namespace lfp::store {

void NameDeltas::add(std::string_view name, std::int64_t delta) {
  auto it = deltas_.find(name);
  if (it == deltas_.end())
    deltas_.emplace(std::string(name), delta);
  else
    it->second += delta;
}

void NameDeltas::apply(Connection& db) {
  std::vector<const std::pair<const std::string, std::int64_t>*> order;
  order.reserve(deltas_.size());
  for (const auto& d : deltas_)
    if (d.second != 0) order.push_back(&d);
  // Name order: neighbouring updates touch neighbouring B-tree pages.
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  // One set-based upsert: hundreds of thousands of one-row statements cost more than their work.
  db.exec("CREATE TEMP TABLE name_deltas(name TEXT PRIMARY KEY, delta INTEGER NOT NULL) WITHOUT ROWID");
  {
    BulkInsert rows(db, "temp.name_deltas(name, delta)", 2, "name_deltas");
    for (const auto* d : order) {
      rows.text(d->first);
      rows.integer(d->second);
      rows.end_row();
    }
    rows.flush();
  }
  db.exec(
      "INSERT INTO product_counts(name, products) SELECT name, delta FROM temp.name_deltas WHERE true "
      "ON CONFLICT(name) DO UPDATE SET products = products + excluded.products");
  auto negative = db.prepare(
      "SELECT c.name FROM temp.name_deltas AS d JOIN product_counts AS c ON c.name = d.name "
      "WHERE d.delta < 0 AND c.products < 0 LIMIT 1");
  if (negative.step())
    throw Error(kExitOutput, "database " + db.label() + ": product_counts is damaged (the count of '" +
                                 std::string(negative.text(0)) +
                                 "' would fall below zero); run 'lfp_mpi verify' and see the README");
  negative.reset();
  db.exec(
      "DELETE FROM product_counts WHERE name IN (SELECT name FROM temp.name_deltas WHERE delta < 0) "
      "AND products = 0; DROP TABLE temp.name_deltas");
  deltas_.clear();
}

ProductTable::ProductTable(Connection& db)
    : db_(db), find_(db, "SELECT name, description FROM products WHERE sku = ?1") {}

std::optional<Product> ProductTable::find(std::string_view sku) {
  find_.bind(1, sku);
  std::optional<Product> out;
  if (find_.step()) out = Product{std::string(sku), std::string(find_.text(0)), std::string(find_.text(1))};
  find_.reset();
  return out;
}

Change change_of(const Statement* found, std::string_view name, std::string_view description, std::string& old_name) {
  if (!found || found->is_null(0)) return Change::Inserted;
  if (found->text(0) == name && found->text(1) == description) return Change::Unchanged;
  old_name.assign(found->text(0));
  return Change::Updated;
}

bool recent_needs_fold(std::int64_t recent_rows, std::int64_t products) {
  return recent_rows * kFoldWhenRecentExceedsOneIn > products;
}

void fold_recent_into_main(Connection& db, const std::string& cache) {
  // One in-place pass, with the name index rebuilt once afterwards. (Rewriting products_main
  // in order into a new table was tried: dropping the old one and building the index cost as
  // much, and the file kept the old table's pages.)
  db.exec(cache);
  db.exec(
      "DROP INDEX IF EXISTS products_by_name;"
      "DELETE FROM products_main WHERE sku IN (SELECT sku FROM products_recent WHERE name IS NULL);"
      "INSERT INTO products_main(sku, name, description) SELECT sku, name, description FROM products_recent "
      "  WHERE name IS NOT NULL ORDER BY sku "
      "  ON CONFLICT(sku) DO UPDATE SET name = excluded.name, description = excluded.description;"
      "DELETE FROM products_recent;");
}

bool cheaper_to_rebuild_index(std::int64_t changes, std::int64_t entries) {
  return changes * kRebuildIndexWhenChangesExceedOneIn > entries;
}

SplitLookup::SplitLookup(Connection& db, bool recent_may_hold)
    : find_main_(db, "SELECT name, description FROM products_main WHERE sku = ?1") {
  if (recent_may_hold) find_recent_.emplace(db, "SELECT name, description FROM products_recent WHERE sku = ?1");
}

Change SplitLookup::classify(std::string_view sku, std::string_view name, std::string_view description,
                             std::string& old_name, bool& in_recent) {
  Statement* found = nullptr;
  if (find_recent_) {
    find_recent_->bind(1, sku);
    if (find_recent_->step()) found = &*find_recent_;
  }
  if (!found) {
    find_main_.bind(1, sku);
    if (find_main_.step()) found = &find_main_;
  }
  const Change change = change_of(found, name, description, old_name);
  in_recent = found && find_recent_ && found == &*find_recent_;
  if (find_recent_) find_recent_->reset();
  find_main_.reset();
  return change;
}

Change ProductTable::classify(std::string_view sku, std::string_view name, std::string_view description,
                              std::string& old_name) {
  find_.bind(1, sku);
  const Change change = change_of(find_.step() ? &find_ : nullptr, name, description, old_name);
  find_.reset();
  return change;
}

Change ProductTable::put(std::string_view sku, std::string_view name, std::string_view description) {
  std::string old_name;
  const Change change = classify(sku, name, description, old_name);
  if (change == Change::Unchanged) return change;
  // Prepared here, not with find_: the bulk import, which drops the view's triggers, only looks up.
  auto write =
      db_.prepare(change == Change::Inserted ? "INSERT INTO products(sku, name, description) VALUES(?1, ?2, ?3)"
                                             : "UPDATE products SET name = ?2, description = ?3 WHERE sku = ?1");
  write.bind(1, sku).bind(2, name).bind(3, description).run();
  return change;
}

std::optional<std::string> ProductTable::remove(std::string_view sku) {
  auto remove = db_.prepare("DELETE FROM products WHERE sku = ?1 RETURNING name");
  remove.bind(1, sku);
  std::optional<std::string> name;
  if (remove.step()) name.emplace(remove.text(0));
  return name;
}

}  // namespace lfp::store
