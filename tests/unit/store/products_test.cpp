#include "store/products.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "store/schema.hpp"
#include "util/error.hpp"

namespace {

using lfp::store::Connection;

// A fresh database with the full schema, in a temporary file.
class ProductsTest : public ::testing::Test {
 protected:
  ProductsTest() : path_(::testing::TempDir() + "products_test_" + std::to_string(::getpid()) + ".db") {
    ::unlink(path_.c_str());
    db_.emplace(path_, Connection::Mode::Create);
    lfp::store::create_tables(*db_);
    lfp::store::create_indexes(*db_);
    lfp::store::create_triggers(*db_);
  }
  ~ProductsTest() override {
    db_.reset();
    ::unlink(path_.c_str());
  }
  std::map<std::string, std::int64_t> counts() {
    std::map<std::string, std::int64_t> out;
    lfp::store::for_each_count(*db_, [&](auto name, auto n) { out[std::string(name)] = n; });
    return out;
  }
  std::map<std::string, std::int64_t> grouped() {
    std::map<std::string, std::int64_t> out;
    auto s = db_->prepare("SELECT name, count(*) FROM products GROUP BY name");
    while (s.step()) out[std::string(s.text(0))] = s.integer(1);
    return out;
  }
  std::string path_;
  std::optional<Connection> db_;
};

TEST_F(ProductsTest, PutTellsInsertedUpdatedAndUnchangedApart) {
  lfp::store::ProductTable t(*db_);
  EXPECT_EQ(t.put("s1", "Ann", "d"), lfp::store::Change::Inserted);
  EXPECT_EQ(t.put("s1", "Ann", "d"), lfp::store::Change::Unchanged);
  EXPECT_EQ(t.put("s1", "Ann", "d2"), lfp::store::Change::Updated);
  EXPECT_EQ(t.put("s1", "Bob", "d2"), lfp::store::Change::Updated);
  EXPECT_EQ(t.find("s1")->name, "Bob");
  EXPECT_FALSE(t.find("nope"));
  EXPECT_EQ(counts(), (std::map<std::string, std::int64_t>{{"Bob", 1}}));
}

TEST_F(ProductsTest, TriggersKeepCountsRightUnderHandEdits) {
  db_->exec("INSERT INTO products VALUES('a','Ann',''),('b','Ann',''),('c','Bob',''),('d','Cy','')");
  EXPECT_EQ(counts(), grouped());
  db_->exec("UPDATE products SET name = 'Bob' WHERE sku = 'a'");  // rename
  EXPECT_EQ(counts(), grouped());
  db_->exec("UPDATE products SET sku = 'z' WHERE sku = 'c'");  // a new key, same name
  EXPECT_EQ(counts(), grouped());
  db_->exec("DELETE FROM products WHERE name = 'Cy'");  // the name disappears
  EXPECT_EQ(counts(), grouped());
  EXPECT_EQ(counts().count("Cy"), 0u);
  db_->exec("INSERT OR REPLACE INTO products VALUES('e','Dee','')");
  db_->exec("INSERT OR REPLACE INTO products VALUES('e','Eve','')");
  EXPECT_EQ(counts(), grouped());
  EXPECT_EQ(counts().count("Dee"), 0u);
  // The totals row follows product_counts.
  EXPECT_EQ(db_->integer("SELECT products FROM totals"), db_->integer("SELECT count(*) FROM products"));
  EXPECT_EQ(db_->integer("SELECT names FROM totals"), static_cast<std::int64_t>(counts().size()));
}

TEST_F(ProductsTest, EveryChangeGivesTheDatabaseANewState) {
  const auto before = lfp::store::state_token(*db_);
  db_->exec("INSERT INTO products VALUES('a','Ann','')");
  const auto after_insert = lfp::store::state_token(*db_);
  EXPECT_NE(before, after_insert);
  db_->exec("UPDATE products SET description = 'x'");
  EXPECT_NE(after_insert, lfp::store::state_token(*db_));
}

TEST_F(ProductsTest, NameDeltasSumPerNameAndDropNamesThatReachZero) {
  lfp::store::ProductTable t(*db_);
  t.put("a", "Ann", "");
  t.put("b", "Ann", "");
  lfp::store::NameDeltas deltas;
  deltas.add("Ann", -1);
  deltas.add("Bob", 1);
  deltas.add("Ann", -1);
  deltas.add("Cy", 1);
  deltas.add("Cy", -1);
  deltas.apply(*db_);
  EXPECT_EQ(counts(), (std::map<std::string, std::int64_t>{{"Bob", 1}}));
}

TEST_F(ProductsTest, DamagedCountsAreRefusedNotMadeNegative) {
  lfp::store::ProductTable t(*db_);
  t.put("a", "Ann", "");
  db_->exec("DELETE FROM product_counts");  // damaged by hand
  lfp::store::NameDeltas deltas;
  deltas.add("Ann", -1);
  EXPECT_THROW(deltas.apply(*db_), lfp::Error);
}

}  // namespace
