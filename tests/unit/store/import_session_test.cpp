#include "store/import_session.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <vector>

#include "store/schema.hpp"
#include "util/error.hpp"

namespace {

std::string temp_db(const char* name) {
  const std::string p = ::testing::TempDir() + name + std::to_string(::getpid()) + ".db";
  std::filesystem::remove(p);
  return p;
}

std::int64_t count(const std::string& path, const char* sql) {
  lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadOnly);
  return db.integer(sql);
}

TEST(ImportSession, ANewDatabaseAppearsOnlyAtCommit) {
  const auto path = temp_db("import_new");
  {
    lfp::store::ImportSession s(path);
    EXPECT_TRUE(s.started_empty());
    s.add_product({1, "a", "Ann", "x"});
    s.add_product({2, "b", "Ann", "y"});
    s.add_count({"Ann", 2});
    s.finish_import();
    EXPECT_FALSE(std::filesystem::exists(path));  // still the temporary file
    s.record_run({});
    s.commit();
  }
  EXPECT_EQ(count(path, "SELECT count(*) FROM products"), 2);
  EXPECT_EQ(count(path, "SELECT products FROM product_counts WHERE name = 'Ann'"), 2);
  std::filesystem::remove(path);
}

TEST(ImportSession, AnUpdateCountsChangesAndAFailedOneChangesNothing) {
  const auto path = temp_db("import_update");
  {
    lfp::store::ImportSession s(path);
    s.add_product({1, "a", "Ann", "x"});
    s.add_product({2, "b", "Bob", "y"});
    s.add_count({"Ann", 1});
    s.add_count({"Bob", 1});
    s.finish_import();
    s.record_run({});
    s.commit();
  }
  {
    lfp::store::ImportSession s(path);
    EXPECT_FALSE(s.started_empty());
    s.add_product({3, "a", "Ann", "x"});  // unchanged
    s.add_product({4, "b", "Ann", "y"});  // renamed
    s.add_product({5, "c", "Cy", "z"});   // new
    s.finish_import();
    EXPECT_EQ(s.inserted(), 1);
    EXPECT_EQ(s.updated(), 1);
    EXPECT_EQ(s.unchanged(), 1);
    // destroyed without commit: rolled back
  }
  EXPECT_EQ(count(path, "SELECT count(*) FROM products"), 2);
  EXPECT_EQ(count(path, "SELECT products FROM product_counts WHERE name = 'Bob'"), 1);
  EXPECT_EQ(count(path, "SELECT count(*) FROM runs"), 1);
  std::filesystem::remove(path);
}

// Products written straight into a new database (products_main).
void build(const std::string& path, const std::vector<std::array<std::string, 3>>& rows) {
  lfp::store::ImportSession s(path);
  std::map<std::string, std::int64_t> names;
  std::uint64_t order = 0;
  for (const auto& r : rows) {
    s.add_product({++order, r[0], r[1], r[2]});
    ++names[r[1]];
  }
  for (const auto& [name, n] : names) s.add_count({name, n});
  s.finish_import();
  s.record_run({});
  s.commit();
}

struct Outcome {
  std::int64_t inserted, updated, unchanged;
  bool folded;
};

Outcome ingest(const std::string& path, const std::vector<std::array<std::string, 3>>& rows) {
  lfp::store::ImportSession s(path);
  std::uint64_t order = 0;
  for (const auto& r : rows) s.add_product({++order, r[0], r[1], r[2]});
  s.finish_import();
  s.record_run({});
  s.commit();
  return {s.inserted(), s.updated(), s.unchanged(), s.folded()};
}

std::map<std::string, std::string> products(const std::string& path) {
  lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadOnly);
  std::map<std::string, std::string> out;
  auto s = db.prepare("SELECT sku, name || '/' || description FROM products ORDER BY sku");
  while (s.step()) out[std::string(s.text(0))] = std::string(s.text(1));
  return out;
}

// product_counts equals the GROUP BY, and the totals follow both.
void expect_counts_right(const std::string& path) {
  lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadOnly);
  EXPECT_EQ(db.integer("SELECT count(*) FROM (SELECT name, count(*) AS n FROM products GROUP BY name "
                       "EXCEPT SELECT name, products FROM product_counts)"),
            0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM (SELECT name, products FROM product_counts "
                       "EXCEPT SELECT name, count(*) FROM products GROUP BY name)"),
            0);
  EXPECT_EQ(db.integer("SELECT product_rows FROM totals"), db.integer("SELECT count(*) FROM products"));
  EXPECT_EQ(db.integer("SELECT products FROM totals"), db.integer("SELECT count(*) FROM products"));
  EXPECT_EQ(db.integer("SELECT names FROM totals"), db.integer("SELECT count(*) FROM product_counts"));
}

std::vector<std::array<std::string, 3>> numbered(int from, int to, const std::string& name, const std::string& d) {
  std::vector<std::array<std::string, 3>> rows;
  for (int i = from; i < to; ++i) {
    char sku[16];
    std::snprintf(sku, sizeof sku, "s%05d", i);
    rows.push_back({sku, name + std::to_string(i % 7), d});
  }
  return rows;
}

TEST(ImportSession, ASmallUpdateWritesOnlyItsOwnRowsAndABigOneFoldsThemIn) {
  const auto path = temp_db("import_recent");
  build(path, numbered(0, 100, "n", "old"));
  // 10 changed, 5 new, 5 unchanged: only the 15 go to products_recent.
  auto rows = numbered(90, 105, "m", "new");
  for (const auto& r : numbered(0, 5, "n", "old")) rows.push_back(r);
  std::sort(rows.begin(), rows.end());
  auto o = ingest(path, rows);
  EXPECT_EQ(o.inserted, 5);
  EXPECT_EQ(o.updated, 10);
  EXPECT_EQ(o.unchanged, 5);
  EXPECT_FALSE(o.folded);
  EXPECT_EQ(count(path, "SELECT count(*) FROM products_main"), 100);
  EXPECT_EQ(count(path, "SELECT count(*) FROM products_recent"), 15);
  auto got = products(path);
  EXPECT_EQ(got.size(), 105u);
  EXPECT_EQ(got["s00095"], "m4/new");
  EXPECT_EQ(got["s00003"], "n3/old");
  expect_counts_right(path);

  // Into a products_recent that already holds rows (the upsert path): changes some of them again.
  o = ingest(path, numbered(100, 110, "k", "newer"));
  EXPECT_EQ(o.inserted, 5);
  EXPECT_EQ(o.updated, 5);
  EXPECT_FALSE(o.folded);
  EXPECT_EQ(count(path, "SELECT count(*) FROM products_recent"), 20);
  EXPECT_EQ(products(path)["s00102"], "k4/newer");
  expect_counts_right(path);

  // More than a quarter of the products changed: folded into products_main.
  o = ingest(path, numbered(0, 40, "z", "fold"));
  EXPECT_TRUE(o.folded);
  EXPECT_EQ(count(path, "SELECT count(*) FROM products_recent"), 0);
  EXPECT_EQ(count(path, "SELECT count(*) FROM products_main"), 110);
  got = products(path);
  EXPECT_EQ(got.size(), 110u);
  EXPECT_EQ(got["s00010"], "z3/fold");
  EXPECT_EQ(got["s00095"], "m4/new");
  EXPECT_EQ(got["s00102"], "k4/newer");
  expect_counts_right(path);
  std::filesystem::remove(path);
}

TEST(ImportSession, AFoldKeepsDeletionsAndValuesStoredByHandAsBlobs) {
  const auto path = temp_db("import_blob");
  build(path, numbered(0, 20, "n", "old"));
  {
    lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadWrite);
    db.exec("DELETE FROM products WHERE sku = 's00003'");
    // A BLOB key and value, as a hand edit through version 4's view could store (version 5's
    // refuses them), with the counts that view kept.
    db.exec(
        "INSERT INTO products_recent VALUES(x'00ff', 'Blob', x'01'); INSERT INTO product_counts VALUES('Blob', 1);"
        "UPDATE totals SET product_rows = product_rows + 1");
  }
  const auto o = ingest(path, numbered(10, 20, "z", "new"));
  EXPECT_TRUE(o.folded);
  lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadOnly);
  EXPECT_EQ(db.integer("SELECT count(*) FROM products_recent"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM products"), 20);
  EXPECT_EQ(db.integer("SELECT count(*) FROM products WHERE sku = 's00003'"), 0);
  EXPECT_EQ(db.integer("SELECT typeof(sku) = 'blob' FROM products WHERE name = 'Blob'"), 1);
  expect_counts_right(path);
  std::filesystem::remove(path);
}

TEST(ImportSession, HandEditsThroughTheViewKeepCountsRight) {
  const auto path = temp_db("import_hand");
  build(path, {{"a", "Ann", "1"}, {"b", "Ann", "2"}, {"c", "Bob", "3"}, {"d", "Cy", "4"}});
  auto edit = [&](const char* sql) {
    lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadWrite);
    db.exec(sql);
  };
  edit("DELETE FROM products WHERE sku = 'a'");  // a products_main row: hidden, not removed
  EXPECT_EQ(products(path).count("a"), 0u);
  expect_counts_right(path);
  edit("INSERT INTO products VALUES('a', 'Dee', '5')");  // back, with a new name
  EXPECT_EQ(products(path)["a"], "Dee/5");
  expect_counts_right(path);
  EXPECT_THROW(edit("INSERT INTO products VALUES('b', 'X', 'x')"), lfp::Error);  // as a table: unique sku
  EXPECT_EQ(products(path)["b"], "Ann/2");
  edit("INSERT OR REPLACE INTO products VALUES('b', 'Bob', 'r')");
  EXPECT_EQ(products(path)["b"], "Bob/r");
  expect_counts_right(path);
  edit("INSERT OR IGNORE INTO products VALUES('c', 'X', 'x')");
  EXPECT_EQ(products(path)["c"], "Bob/3");
  expect_counts_right(path);
  edit("UPDATE products SET sku = 'e' WHERE sku = 'd'");  // a new key: d gone, e there
  EXPECT_EQ(products(path).count("d"), 0u);
  EXPECT_EQ(products(path)["e"], "Cy/4");
  EXPECT_THROW(edit("UPDATE products SET sku = 'c' WHERE sku = 'e'"), lfp::Error);  // taken: nothing changes
  EXPECT_EQ(products(path)["e"], "Cy/4");
  edit("UPDATE products SET name = 'Ann'");  // every product, main and recent
  expect_counts_right(path);
  EXPECT_EQ(count(path, "SELECT products FROM product_counts WHERE name = 'Ann'"), 4);
  EXPECT_THROW(edit("INSERT INTO products VALUES('f', NULL, 'x')"), lfp::Error);
  expect_counts_right(path);
  std::filesystem::remove(path);
}

TEST(ImportSession, ADatabaseWithTheOldSingleProductsTableIsUpgradedInPlace) {
  const auto path = temp_db("import_v3");
  {
    // Schema 3: products was one table with AFTER triggers of the same names.
    lfp::store::Connection db(path, lfp::store::Connection::Mode::Create);
    db.exec(
        "CREATE TABLE products(sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE product_counts(name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE INDEX products_by_name ON products(name);"
        "CREATE TRIGGER products_delete AFTER DELETE ON products BEGIN SELECT 1; END;"
        "INSERT INTO products VALUES('a', 'Ann', '1'), ('b', 'Bob', '2');"
        "INSERT INTO product_counts VALUES('Ann', 1), ('Bob', 1);"
        "CREATE TABLE runs(id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, command TEXT NOT NULL, "
        "  ranks INTEGER NOT NULL, files TEXT NOT NULL, records_read INTEGER, rows_written INTEGER, "
        "  rejects INTEGER, phase_seconds TEXT);"
        "CREATE TABLE rejects(run_id INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, "
        "  byte_offset INTEGER NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, record BLOB NOT NULL);"
        "PRAGMA user_version = 3;");
  }
  const auto o = ingest(path, {{"b", "Bob", "2"}, {"c", "Cy", "3"}});
  EXPECT_EQ(o.inserted, 1);
  EXPECT_EQ(o.unchanged, 1);
  EXPECT_TRUE(o.folded);  // 1 new product next to 2: more than a quarter
  EXPECT_EQ(count(path, "SELECT count(*) FROM products_main"), 3);
  EXPECT_EQ(count(path, "SELECT type = 'view' FROM sqlite_master WHERE name = 'products'"), 1);
  EXPECT_EQ(count(path, "PRAGMA user_version"), lfp::store::kSchemaVersion);
  EXPECT_EQ(products(path).size(), 3u);
  {
    lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadWrite);
    db.exec("DELETE FROM products WHERE sku = 'a'");
  }
  expect_counts_right(path);
  std::filesystem::remove(path);
}

}  // namespace

namespace {

// Under --mem-per-rank, rank 0's page cache is a share of its budget; without one, the
// session's own sizes (128 MiB for a new database, 32 MiB for an update).
TEST(ImportSession, APageCacheLimitKeepsSqliteInsideTheBudget) {
  const auto path = temp_db("import_cache");
  {
    lfp::store::ImportSession s(path);
    EXPECT_EQ(s.connection().integer("PRAGMA cache_size"), -131072);
  }
  {
    lfp::store::ImportSession s(path, std::uint64_t{4} << 20);
    EXPECT_EQ(s.connection().integer("PRAGMA cache_size"), -4096);
    s.add_product({1, "a", "Ann", "x"});
    s.add_count({"Ann", 1});
    s.finish_import();
    s.record_run({});
    s.commit();
  }
  {
    lfp::store::ImportSession s(path, std::uint64_t{1} << 30);  // a limit above the size does not raise it
    EXPECT_EQ(s.connection().integer("PRAGMA cache_size"), -32768);
  }
  std::filesystem::remove(path);
}

}  // namespace
