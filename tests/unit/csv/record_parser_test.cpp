#include "csv/record_parser.hpp"

#include <gtest/gtest.h>

using lfp::csv::OwnedRecord;
using lfp::csv::parse_all;
using Fields = std::vector<std::string>;

TEST(RecordParser, QuotedDescriptionWithLineBreaksIsOneField) {
  const auto recs = parse_all("name,sku,description\r\nA,s,\"x\ny\r\nz\"\r\nB,t,u\r\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields, (Fields{"A", "s", "x\ny\r\nz"}));
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_EQ(recs[2].line, 5u);  // the quoted field spanned lines 2 to 4
  EXPECT_EQ(recs[2].offset, 36u);
}

TEST(RecordParser, EscapedQuotesAndTrailingText) {
  const auto recs = parse_all("\"a\"\"b\",\"c\"d,e\"f\n");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, (Fields{"a\"b", "cd", "e\"f"}));
}

TEST(RecordParser, LineEndingsAndBlankLines) {
  const auto recs = parse_all("a\rb\n\r\n\r\nc\r\r\nd");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].line, 1u);
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_EQ(recs[2].line, 5u);
  EXPECT_EQ(recs[3].line, 7u);
  EXPECT_EQ(recs[3].fields, (Fields{"d"}));
}

TEST(RecordParser, TrailingCommaGivesEmptyField) {
  EXPECT_EQ(parse_all("a,\r\n")[0].fields, (Fields{"a", ""}));
  EXPECT_EQ(parse_all("a,")[0].fields, (Fields{"a", ""}));
}

TEST(RecordParser, OpenQuoteAtEndOfFileIsFlagged) {
  const auto recs = parse_all("a,b\r\nc,\"d\r\ne");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_FALSE(recs[0].open_quote);
  EXPECT_TRUE(recs[1].open_quote);
  EXPECT_EQ(recs[1].fields, (Fields{"c", "d\r\ne"}));
}

TEST(RecordParser, ByteOrderMarkIsSkippedOnlyAtFileStart) {
  const auto recs = parse_all("\xEF\xBB\xBF\"name\",x\n\xEF\xBB\xBFy\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"name", "x"}));
  EXPECT_EQ(recs[0].offset, 3u);
  EXPECT_EQ(recs[1].fields, (Fields{"\xEF\xBB\xBFy"}));
}

TEST(RecordParser, RealSampleHas2001Records) {
  // The sample's shape: header + 2,000 records, descriptions with bare LF inside quotes.
  FILE* f = std::fopen(LFP_TEST_DATA "/products-head-2000.csv", "rb");
  ASSERT_NE(f, nullptr);
  std::string data;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) data.append(buf, n);
  std::fclose(f);
  const auto recs = parse_all(data);
  ASSERT_EQ(recs.size(), 2001u);
  for (const auto& r : recs) EXPECT_EQ(r.fields.size(), 3u);
  EXPECT_EQ(recs[0].fields, (Fields{"name", "sku", "description"}));
  EXPECT_EQ(recs[1].fields[1], "lay-raise-best-end");
}

TEST(RecordParser, FieldsPastTheLimitAreCountedAndCheckedNotStored) {
  using namespace std::string_literals;
  const std::string text = "a,b,c,\"d\"\"\xFF\",e\r\nx,\"y\",z,\"w\0\",v\n"s;
  lfp::csv::Cursor cursor(text, 0, lfp::csv::State::RecordStart, 0);
  cursor.keep_fields(3);
  lfp::csv::Record r;
  cursor.seek_record_start(text.size());
  cursor.parse(r);
  EXPECT_EQ(r.fields, (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(r.field_count(), 5u);
  EXPECT_EQ(r.dropped_text, lfp::csv::TextCheck::InvalidUtf8);
  cursor.seek_record_start(text.size());
  cursor.parse(r);
  EXPECT_EQ(r.fields, (std::vector<std::string_view>{"x", "y", "z"}));
  EXPECT_EQ(r.field_count(), 5u);
  EXPECT_EQ(r.dropped_text, lfp::csv::TextCheck::HasNul);
}
