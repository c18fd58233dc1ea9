#include "csv/header.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include "csv/record_parser.hpp"
#include "records/reject.hpp"

namespace {
lfp::csv::HeaderCheck check(const std::string& text) {
  lfp::csv::Cursor c(text, 0, lfp::csv::State::RecordStart, 0);
  c.seek_record_start(text.size());
  lfp::csv::Record r;
  c.parse(r);
  return lfp::csv::check_header(r);
}
}  // namespace

TEST(Header, AnyOrderTrimmedCaseInsensitiveExtraColumnsIgnored) {
  const auto h = check(" SKU ,price,\tDescription,Name\r\n");
  ASSERT_EQ(h.problem, lfp::csv::HeaderProblem::None);
  EXPECT_EQ(h.columns.fields, 4u);
  EXPECT_EQ(h.columns.sku, 0u);
  EXPECT_EQ(h.columns.description, 2u);
  EXPECT_EQ(h.columns.name, 3u);
}

TEST(Header, MissingOrRepeatedColumnIsNamed) {
  auto h = check("name,description\n");
  EXPECT_EQ(h.problem, lfp::csv::HeaderProblem::ColumnCount);
  EXPECT_EQ(lfp::csv::describe(h),
            "header must name 'sku' exactly once, it names it 0 times (columns needed: name, sku, description)");
  h = check("name,sku,description,Name\n");
  EXPECT_EQ(h.problem, lfp::csv::HeaderProblem::ColumnCount);
  EXPECT_EQ(h.times, 2);
}

TEST(Records, RejectReasonsInOrder) {
  lfp::csv::ColumnMap cols{3, 0, 1, 2};
  lfp::csv::Record r;
  r.fields = {"n", "s", "d"};
  EXPECT_FALSE(lfp::check_record(r, cols));
  r.fields = {"n", "", "d"};
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::EmptySku);
  r.fields = {"n", "s"};
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::FieldCount);
  r.fields = {"\xFF", "s"};
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::InvalidUtf8);
  r.fields = {"\xFF", std::string_view("\0", 1)};
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::NulByte);
  r.offset = 10;
  r.end = 10 + lfp::kMaxRecordBytes + 1;
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::TooLong);
  r.open_quote = true;
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::OpenQuote);
}

// SQLite's limit of 1,000,000,000 bytes applies to a whole row: the three values plus the
// row's header. A record of exactly that length with three large fields must be a reject,
// not a failed job.
TEST(Records, ARecordThatWouldMakeARowOverSqlitesLimitIsTooLong) {
  constexpr std::size_t kSqliteLimit = 1000000000;
  // Zero pages, never touched for real: nothing is allocated.
  void* zeros = ::mmap(nullptr, kSqliteLimit, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(zeros, MAP_FAILED);
  const char* b = static_cast<const char*>(zeros);
  lfp::csv::ColumnMap cols{3, 0, 1, 2};
  lfp::csv::Record r;
  r.offset = 0;
  r.end = kSqliteLimit;
  const std::size_t third = (kSqliteLimit - 2) / 3;
  r.fields = {std::string_view(b, third), std::string_view(b, third),
              std::string_view(b, kSqliteLimit - 2 - 2 * third)};
  EXPECT_EQ(lfp::check_record(r, cols), lfp::RejectReason::TooLong);
  ::munmap(zeros, kSqliteLimit);
}
