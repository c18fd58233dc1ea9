#pragma once
// The reference for files written by hand: the same products and counts inserted by SQLite
// itself, into the tables and indexes schema.cpp makes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/schema.hpp"
#include "store/sqlite.hpp"

namespace lfp::test {

// `products`: anything with sku, name and description strings.
template <class Product>
void insert_reference_products(store::Connection& db, const std::vector<Product>& products) {
  store::create_tables(db);
  store::create_indexes(db);
  store::Transaction tx(db);
  auto ins = db.prepare("INSERT INTO products_main(sku, name, description) VALUES(?1, ?2, ?3)");
  std::map<std::string, std::int64_t> counts;
  for (const auto& p : products) {
    ins.bind(1, p.sku).bind(2, p.name).bind(3, p.description).run();
    ++counts[p.name];
  }
  auto c = db.prepare("INSERT INTO product_counts(name, products) VALUES(?1, ?2)");
  for (const auto& [name, n] : counts) c.bind(1, name).bind(2, n).run();
  tx.commit();
}

// Rows as (type letter + bytes) per column, so TEXT and BLOB or 1 and '1' never compare equal.
using Rows = std::vector<std::vector<std::string>>;
inline Rows query(store::Connection& db, const std::string& sql) {
  Rows out;
  auto s = db.prepare(sql);
  while (s.step()) {
    std::vector<std::string> row;
    for (int c = 0; c < s.columns(); ++c) {
      sqlite3_stmt* st = s.get();
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER: row.push_back("i" + std::to_string(sqlite3_column_int64(st, c))); break;
        case SQLITE_NULL: row.push_back("n"); break;
        case SQLITE_TEXT: row.push_back("t" + std::string(s.text(c))); break;
        default: row.push_back("?" + std::to_string(sqlite3_column_type(st, c)));
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Full scans in each b-tree's own order (no ORDER BY: the order is the b-tree's). A range on
// the key makes SQLite walk that b-tree (NOT INDEXED does not stop it from scanning a smaller
// covering index of a WITHOUT ROWID table instead).
inline const char* const kScans[] = {
    "SELECT sku, name, description FROM products_main WHERE sku >= ''",
    "SELECT name, sku FROM products_main INDEXED BY products_by_name WHERE name >= ''",
    "SELECT name, products FROM product_counts WHERE name >= ''",
    "SELECT products, name FROM product_counts INDEXED BY product_counts_by_products WHERE products > -1e18",
};

// PRAGMA integrity_check's lines ("ok\n" for a sound file).
inline std::string integrity(store::Connection& db) {
  std::string out;
  for (const auto& row : query(db, "PRAGMA integrity_check")) out += row[0].substr(1) + "\n";
  return out;
}

}  // namespace lfp::test
