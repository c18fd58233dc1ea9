// Hand edits of the products view under every conflict clause and with values an ingest
// would reject: after each statement, products, product_counts, totals and the state token
// must be exactly what a table would give, and a statement that fails or is ignored must
// change nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/schema.hpp"
#include "util/error.hpp"

namespace {

using lfp::store::Connection;

struct State {
  std::vector<std::string> products;  // quote(sku)|quote(name)|quote(description), in order
  std::map<std::string, std::int64_t> counts;
  std::int64_t products_total = 0, names_total = 0, product_rows = 0;
  std::string token;
  bool operator==(const State&) const = default;
};

// Readable failure messages.
void PrintTo(const State& s, std::ostream* os) {
  for (const auto& p : s.products) *os << p << "; ";
  for (const auto& [name, n] : s.counts) *os << name << "=" << n << " ";
  *os << "totals " << s.products_total << "/" << s.names_total << "/" << s.product_rows << " state " << s.token;
}

// Products in both tables under the view: a, b, c, f in products_main (f deleted, so a
// NULL row in products_recent hides it), d and e in products_recent.
class HandEditsTest : public ::testing::Test {
 protected:
  HandEditsTest() : path_(::testing::TempDir() + "hand_edits_test_" + std::to_string(::getpid()) + ".db") {
    ::unlink(path_.c_str());
    db_.emplace(path_, Connection::Mode::Create);
    db_->exec("PRAGMA synchronous=OFF");  // nothing here needs to survive a crash
    lfp::store::create_tables(*db_);
    lfp::store::create_indexes(*db_);
    db_->exec(
        "INSERT INTO products_main VALUES('a', 'Ann', '1'), ('b', 'Ann', '2'), ('c', 'Bob', '3'), ('f', 'Fay', '6');"
        "INSERT INTO product_counts SELECT name, count(*) FROM products GROUP BY name;"
        "UPDATE totals SET product_rows = (SELECT count(*) FROM products)");
    lfp::store::refresh_totals(*db_);
    lfp::store::create_triggers(*db_);
    db_->exec("INSERT INTO products VALUES('d', 'Cy', '4'), ('e', 'Ann', '5'); DELETE FROM products WHERE sku = 'f'");
  }
  ~HandEditsTest() override {
    db_.reset();
    ::unlink(path_.c_str());
  }

  State state() {
    State s;
    auto p = db_->prepare(
        "SELECT quote(sku) || '|' || quote(name) || '|' || quote(description) FROM products "
        "ORDER BY sku, typeof(sku)");
    while (p.step()) s.products.emplace_back(p.text(0));
    auto c = db_->prepare("SELECT name, products FROM product_counts ORDER BY name");
    while (c.step()) s.counts[std::string(c.text(0))] = c.integer(1);
    s.products_total = db_->integer("SELECT products FROM totals");
    s.names_total = db_->integer("SELECT names FROM totals");
    s.product_rows = db_->integer("SELECT product_rows FROM totals");
    s.token = lfp::store::state_token(*db_);
    return s;
  }

  // product_counts is the GROUP BY of products, the totals follow both, one row per sku.
  void expect_consistent() {
    const State s = state();
    std::map<std::string, std::int64_t> grouped;
    auto g = db_->prepare("SELECT name, count(*) FROM products GROUP BY name");
    while (g.step()) grouped[std::string(g.text(0))] = g.integer(1);
    EXPECT_EQ(s.counts, grouped);
    std::int64_t sum = 0;
    for (const auto& [name, n] : s.counts) sum += n;
    EXPECT_EQ(s.products_total, sum);
    EXPECT_EQ(s.names_total, static_cast<std::int64_t>(s.counts.size()));
    EXPECT_EQ(s.product_rows, static_cast<std::int64_t>(s.products.size()));
    EXPECT_EQ(db_->integer("SELECT count(*) - count(DISTINCT CAST(sku AS BLOB)) FROM products"), 0);
  }

  std::string product(const std::string& sku) {
    auto s = db_->prepare("SELECT name || '/' || description FROM products WHERE sku = ?1");
    s.bind(1, sku);
    return s.step() ? std::string(s.text(0)) : std::string("(none)");
  }

  // Runs `sql`, which must fail, and checks that it changed nothing.
  void expect_refused(const std::string& sql) {
    const State before = state();
    EXPECT_THROW(db_->exec(sql), lfp::Error) << sql;
    EXPECT_EQ(state(), before) << sql;
    expect_consistent();
  }

  std::string path_;
  std::optional<Connection> db_;
};

TEST_F(HandEditsTest, UpdateOrIgnoreOntoATakenSkuLeavesBothProductsAsTheyWere) {
  for (const char* sql : {"UPDATE OR IGNORE products SET sku = 'b' WHERE sku = 'a'",  // main onto main
                          "UPDATE OR IGNORE products SET sku = 'd' WHERE sku = 'a'",  // main onto recent
                          "UPDATE OR IGNORE products SET sku = 'a' WHERE sku = 'e'",  // recent onto main
                          "INSERT OR IGNORE INTO products VALUES('a', 'X', 'x')",     // a taken sku
                          "INSERT OR IGNORE INTO products VALUES('d', 'X', 'x')"}) {
    const State before = state();
    db_->exec(sql);
    EXPECT_EQ(state(), before) << sql;  // the token too: nothing changed
    expect_consistent();
  }
  // The rows that do not conflict are still changed.
  db_->exec("UPDATE OR IGNORE products SET sku = 'a' WHERE sku IN ('b', 'c')");
  EXPECT_EQ(product("a"), "Ann/1");
  EXPECT_EQ(product("b"), "Ann/2");
  EXPECT_EQ(product("c"), "Bob/3");
  db_->exec("UPDATE OR IGNORE products SET sku = 'f' WHERE sku = 'c'");  // f was deleted: free
  EXPECT_EQ(product("f"), "Bob/3");
  EXPECT_EQ(product("c"), "(none)");
  expect_consistent();
}

TEST_F(HandEditsTest, AStatementThatFailsOnATakenSkuChangesNothingForThatRow) {
  for (const char* clause : {"", "OR ABORT ", "OR FAIL ", "OR ROLLBACK "}) {
    const std::string c = clause;
    expect_refused("INSERT " + c + "INTO products VALUES('a', 'X', 'x')");
    expect_refused("INSERT " + c + "INTO products VALUES('d', 'X', 'x')");
    expect_refused("UPDATE " + c + "products SET sku = 'b' WHERE sku = 'a'");
    expect_refused("UPDATE " + c + "products SET sku = 'a' WHERE sku = 'd'");
    expect_refused("UPDATE " + c + "products SET sku = 'e', name = 'Zed' WHERE sku = 'c'");
  }
  // In a transaction, OR ROLLBACK undoes the transaction's earlier changes as a table would.
  const State before = state();
  EXPECT_THROW(db_->exec("BEGIN; INSERT INTO products VALUES('g', 'Gus', '7'); "
                         "INSERT OR ROLLBACK INTO products VALUES('a', 'X', 'x')"),
               lfp::Error);
  EXPECT_TRUE(sqlite3_get_autocommit(db_->get()));  // the transaction is gone
  EXPECT_EQ(state(), before);
}

TEST_F(HandEditsTest, OrFailKeepsTheRowsBeforeTheConflictAsATableWould) {
  // Rows in sku order: g is new, a is taken, h would come after the failure.
  EXPECT_THROW(db_->exec("INSERT OR FAIL INTO products VALUES('g', 'Gus', '7'), ('a', 'X', 'x'), ('h', 'Hal', '8')"),
               lfp::Error);
  EXPECT_EQ(product("g"), "Gus/7");
  EXPECT_EQ(product("a"), "Ann/1");
  EXPECT_EQ(product("h"), "(none)");
  expect_consistent();
}

TEST_F(HandEditsTest, UpdateOrReplaceOntoATakenSkuReplacesThatProductAsATableWould) {
  db_->exec("UPDATE OR REPLACE products SET sku = 'd' WHERE sku = 'c'");  // Bob's c replaces Cy's d
  EXPECT_EQ(product("d"), "Bob/3");
  EXPECT_EQ(product("c"), "(none)");
  EXPECT_EQ(state().counts.count("Cy"), 0u);
  expect_consistent();
  db_->exec("UPDATE OR REPLACE products SET sku = 'a' WHERE sku = 'e'");  // recent onto main
  EXPECT_EQ(product("a"), "Ann/5");
  expect_consistent();
  db_->exec("INSERT OR REPLACE INTO products VALUES('b', 'Bo', 'r')");
  EXPECT_EQ(product("b"), "Bo/r");
  expect_consistent();
  EXPECT_EQ(state().products.size(), 3u);
}

TEST_F(HandEditsTest, ValuesAnIngestWouldRejectAreRefused) {
  for (const char* values : {"(x'61', 'N', 'd')", "('g', x'4e', 'd')", "('g', 'N', x'64')",  // BLOBs
                             "('', 'N', 'd')",                                               // empty sku
                             "(CAST(x'670068' AS TEXT), 'N', 'd')", "('g', 'N' || char(0), 'd')",
                             "('g', 'N', 'd' || char(0) || 'e')"}) {  // NUL bytes
    for (const char* verb : {"INSERT", "INSERT OR REPLACE", "INSERT OR IGNORE", "INSERT OR FAIL"})
      expect_refused(std::string(verb) + " INTO products VALUES" + values);
  }
  for (const char* set : {"sku = x'62'", "name = x'4e'", "description = x''", "sku = ''", "name = 'N' || char(0)"}) {
    expect_refused(std::string("UPDATE products SET ") + set + " WHERE sku = 'a'");
    expect_refused(std::string("UPDATE OR IGNORE products SET ") + set + " WHERE sku = 'd'");
  }
  // What an ingest accepts: an empty name or description.
  db_->exec("INSERT INTO products VALUES('g', '', '')");
  EXPECT_EQ(product("g"), "/");
  expect_consistent();
  // A number is stored as its text, as a TEXT column (and an ingest) would store it.
  db_->exec("INSERT INTO products VALUES(5, 6, 1.5); UPDATE products SET description = 7 WHERE sku = 'a'");
  EXPECT_EQ(state().products[0], "'5'|'6'|'1.5'");
  EXPECT_EQ(product("a"), "Ann/7");
  EXPECT_EQ(db_->integer("SELECT count(*) FROM products WHERE typeof(sku) || typeof(name) || typeof(description) "
                         "<> 'texttexttext'"),
            0);
  expect_refused("INSERT INTO products VALUES('5', 'X', 'x')");  // the same sku
  expect_consistent();
}

TEST_F(HandEditsTest, ASchema4DatabaseGetsTheNewTriggersOnItsFirstWrite) {
  // Version 4's triggers had these names; a stand-in for one is enough to see it replaced.
  db_->exec(
      "DROP TRIGGER products_update; CREATE TRIGGER products_update INSTEAD OF UPDATE ON products BEGIN "
      "DELETE FROM products WHERE sku = OLD.sku; INSERT INTO products VALUES(NEW.sku, NEW.name, "
      "NEW.description); END; PRAGMA user_version = 4");
  {
    lfp::store::Transaction t(*db_);
    lfp::store::check_and_upgrade(*db_);
    t.commit();
  }
  EXPECT_EQ(db_->integer("PRAGMA user_version"), lfp::store::kSchemaVersion);
  const State before = state();
  db_->exec("UPDATE OR IGNORE products SET sku = 'b' WHERE sku = 'a'");
  EXPECT_EQ(state(), before);
  expect_consistent();
}

TEST_F(HandEditsTest, TheRefusalNamesTheRealNumbers) {
  // products_main written behind the view's back, then product_counts rebuilt from products:
  // totals.product_rows (5) no longer holds the truth (4), and the message must not repeat it.
  db_->exec(
      "DELETE FROM products_main WHERE sku = 'a'; DELETE FROM product_counts; "
      "INSERT INTO product_counts SELECT name, count(*) FROM products GROUP BY name");
  try {
    lfp::store::check_counts_intact(*db_);
    ADD_FAILURE() << "not refused";
  } catch (const lfp::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("the totals row is damaged"), std::string::npos) << m;
    EXPECT_NE(m.find("both hold 4"), std::string::npos) << m;
  }
  // Counts changed by hand: what they add up to, and what the table holds.
  db_->exec("UPDATE product_counts SET products = 7 WHERE name = 'Bob'");
  try {
    lfp::store::check_counts_intact(*db_);
    ADD_FAILURE() << "not refused";
  } catch (const lfp::Error& e) {
    EXPECT_NE(std::string(e.what()).find("add up to 10 products, the products table holds 4"), std::string::npos)
        << e.what();
  }
}

}  // namespace
