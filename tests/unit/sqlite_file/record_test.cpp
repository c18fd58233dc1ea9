#include "sqlite_file/record.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/payload.hpp"
#include "util/error.hpp"

namespace {

using namespace lfp::sqlite_file;

Bytes varint(std::uint64_t v) {
  Bytes out;
  append_varint(out, v);
  return out;
}

TEST(SqliteVarint, KnownEncodings) {
  EXPECT_EQ(varint(0), (Bytes{0x00}));
  EXPECT_EQ(varint(127), (Bytes{0x7f}));
  EXPECT_EQ(varint(128), (Bytes{0x81, 0x00}));
  EXPECT_EQ(varint(300), (Bytes{0x82, 0x2c}));
  EXPECT_EQ(varint(16383), (Bytes{0xff, 0x7f}));
  EXPECT_EQ(varint(16384), (Bytes{0x81, 0x80, 0x00}));
  EXPECT_EQ(varint((std::uint64_t{1} << 56) - 1), (Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}));
  // From 2^56 on, nine bytes: the last carries 8 bits.
  EXPECT_EQ(varint(std::uint64_t{1} << 56), (Bytes{0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}));
  EXPECT_EQ(varint(std::numeric_limits<std::uint64_t>::max()), Bytes(9, 0xff));
}

TEST(SqliteVarint, RoundTripsAndSizes) {
  for (int bit = 0; bit < 64; ++bit)
    for (std::uint64_t v : {std::uint64_t{1} << bit, (std::uint64_t{1} << bit) - 1, (std::uint64_t{1} << bit) + 1}) {
      const Bytes b = varint(v);
      EXPECT_EQ(static_cast<int>(b.size()), varint_size(v)) << v;
      std::uint64_t back = 0;
      EXPECT_EQ(get_varint(b.data(), back), static_cast<int>(b.size()));
      EXPECT_EQ(back, v);
    }
}

TEST(SqliteRecord, KnownBytes) {
  // Header: its size 8, then 'a' (13 + 2), the constant 1 (9), NULL (0), the constant 0 (8),
  // 200 as int16 (2), -1 as int8 (1), "bc" (17); then the bodies.
  const Bytes r = encode_record({std::string_view("a"), std::int64_t{1}, Null{}, std::int64_t{0}, std::int64_t{200},
                                 std::int64_t{-1}, std::string_view("bc")});
  EXPECT_EQ(r, (Bytes{0x08, 0x0f, 0x09, 0x00, 0x08, 0x02, 0x01, 0x11, 'a', 0x00, 0xc8, 0xff, 'b', 'c'}));
  EXPECT_EQ(encode_record({std::string_view()}), (Bytes{0x02, 0x0d}));
}

TEST(SqliteRecord, IntegerSerialTypesAtTheirLimits) {
  const std::pair<std::int64_t, std::uint64_t> cases[] = {{127, 1},
                                                          {-128, 1},
                                                          {128, 2},
                                                          {-129, 2},
                                                          {32767, 2},
                                                          {32768, 3},
                                                          {-32769, 3},
                                                          {8388607, 3},
                                                          {8388608, 4},
                                                          {-8388609, 4},
                                                          {2147483647, 4},
                                                          {2147483648, 5},
                                                          {-2147483649, 5},
                                                          {(std::int64_t{1} << 47) - 1, 5},
                                                          {std::int64_t{1} << 47, 6},
                                                          {std::numeric_limits<std::int64_t>::min(), 6},
                                                          {2, 1},
                                                          {-1, 1},
                                                          {0, 8},
                                                          {1, 9}};
  for (auto [v, type] : cases) EXPECT_EQ(serial_type(Value{v}), type) << v;
}

TEST(SqliteRecord, HeaderSizeVarintGrowsPastOneByte) {
  // 127 text columns of 1 byte: header of 1 + 127 bytes needs a 2-byte size varint.
  std::vector<Value> values(127, std::string_view("x"));
  Bytes r;
  encode_record(values, r);
  std::uint64_t header = 0;
  EXPECT_EQ(get_varint(r.data(), header), 2);
  EXPECT_EQ(header, 129u);
  EXPECT_EQ(r.size(), 129u + 127u);
  EXPECT_EQ(record_size(values), r.size());
}

// The records SQLite itself writes: one row per table, read back from the file's page 2.
TEST(SqliteRecord, MatchesWhatSqliteWrites) {
  const std::string path = ::testing::TempDir() + "record_test_" + std::to_string(::getpid()) + ".db";
  ::unlink(path.c_str());
  const std::string text_with_nul(
      "a\0\xff\xfe"
      "b",
      5);
  const std::string long_text(900, 'q');
  const std::vector<std::vector<Value>> rows = {
      {std::string_view("k"), std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{255}},
      {std::string_view(text_with_nul), std::string_view(""), Null{}, std::int64_t{-32769}, std::int64_t{1} << 40},
      {std::string_view(long_text), std::numeric_limits<std::int64_t>::min(), std::int64_t{8388608},
       std::int64_t{(std::int64_t{1} << 47) - 1}, std::numeric_limits<std::int64_t>::max()},
  };
  for (const auto& row : rows) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA page_size=4096; CREATE TABLE t(a PRIMARY KEY, b, c, d, e) WITHOUT ROWID",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1, ?2, ?3, ?4, ?5)", -1, &s, nullptr), SQLITE_OK);
    for (int i = 0; i < 5; ++i) {
      const Value& v = row[i];
      if (const auto* t = std::get_if<std::string_view>(&v))
        sqlite3_bind_text64(s, i + 1, t->data(), t->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      else if (const auto* n = std::get_if<std::int64_t>(&v))
        sqlite3_bind_int64(s, i + 1, *n);
      else
        sqlite3_bind_null(s, i + 1);
    }
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    sqlite3_close(db);

    std::ifstream in(path, std::ios::binary);
    const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ::unlink(path.c_str());
    ASSERT_GE(file.size(), 8192u);
    const std::uint8_t* page = file.data() + 4096;
    ASSERT_EQ(page[0], 0x0a);
    ASSERT_EQ(get_u16(page + 3), 1u);
    const std::uint8_t* cell = page + get_u16(page + 8);
    std::uint64_t payload = 0;
    const int n = get_varint(cell, payload);
    Bytes mine;
    encode_record(row, mine);
    ASSERT_EQ(payload, mine.size());
    EXPECT_EQ(Bytes(cell + n, cell + n + payload), mine);
  }
}

TEST(SqlitePayloadRule, IndexAndTableLeafLimits) {
  const PayloadRule index(4096, PayloadTree::Index), table(4096, PayloadTree::TableLeaf);
  EXPECT_EQ(index.max_local(), 1002u);  // (4084 * 64 / 255) - 23
  EXPECT_EQ(index.min_local(), 489u);   // (4084 * 32 / 255) - 23
  EXPECT_EQ(table.max_local(), 4061u);
  EXPECT_EQ(index.local_size(1002), 1002u);
  // K = M + (P - M) % (U - 4): 489 + (1003 - 489) % 4092 = 1003 > X, so M stays local.
  EXPECT_EQ(index.local_size(1003), 489u);
  // 489 + (5000 - 489) % 4092 = 908 <= X.
  EXPECT_EQ(index.local_size(5000), 908u);
  EXPECT_EQ(index.overflow_pages(5000), 1u);
  // K exactly X keeps K: 489 + (5094 - 489) % 4092 = 1002; one byte more and M stays.
  EXPECT_EQ(index.local_size(5094), 1002u);
  EXPECT_EQ(index.local_size(5095), 489u);
  EXPECT_EQ(index.overflow_pages(100000), (100000 - index.local_size(100000) + 4091) / 4092);
}

TEST(SqlitePageNumbering, SkipsTheLockPage) {
  const PageNumbering n4k(4096);
  EXPECT_EQ(n4k.lock_page(), 262145u);  // 0x40000000 / 4096 + 1
  EXPECT_EQ(n4k.page_of(0), 1u);
  EXPECT_EQ(n4k.page_of(262143), 262144u);
  EXPECT_EQ(n4k.page_of(262144), 262146u);
  EXPECT_EQ(n4k.sequence_of(262146), 262144u);
  EXPECT_EQ(n4k.pages_for(262145), 262146u);
  const PageNumbering n64k(65536);
  EXPECT_EQ(n64k.lock_page(), 16385u);
  EXPECT_THROW(n4k.page_of(std::uint64_t{1} << 32), lfp::Error);
  EXPECT_THROW(PageNumbering(1000), lfp::Error);
}

TEST(SqliteParts, LoneRecordsMoveToThePreviousPart) {
  const std::uint64_t counts[] = {0, 1, 1, 0, 5, 1, 0, 1};
  const auto adjusted = buildable_part_sizes(counts);
  EXPECT_EQ(adjusted, (std::vector<std::uint64_t>{0, 2, 0, 0, 7, 0, 0, 0}));
  EXPECT_EQ(part_position(adjusted, 1), PartPosition::First);
  EXPECT_EQ(part_position(adjusted, 4), PartPosition::Following);
  EXPECT_EQ(part_position(adjusted, 0), PartPosition::First);
}

}  // namespace
