#include "store/import_session.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/schema.hpp"

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
    EXPECT_TRUE(s.direct());
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
    EXPECT_FALSE(s.direct());
    s.add_product({3, "a", "Ann", "x"});   // unchanged
    s.add_product({4, "b", "Ann", "y"});   // renamed
    s.add_product({5, "c", "Cy", "z"});    // new
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

}  // namespace
