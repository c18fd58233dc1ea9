#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ingest/dedup.hpp"
#include "ingest/name_counts.hpp"
#include "records/order_key.hpp"
#include "records/reject.hpp"
#include "records/row_codec.hpp"

using lfp::RowView;

TEST(Dedup, LastRecordWinsRegardlessOfArrivalOrder) {
  std::vector<RowView> rows{{lfp::order_key(1, 5), "b", "new name", "d2"},
                            {lfp::order_key(0, 900), "b", "old name", "d1"},
                            {lfp::order_key(0, 10), "a", "x", "y"},
                            {lfp::order_key(1, 0), "b", "middle", "d3"}};
  const auto out = lfp::latest_by_sku(rows);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].sku, "a");
  EXPECT_EQ(out[1].sku, "b");
  EXPECT_EQ(out[1].name, "new name");
}

TEST(Dedup, SkuOrderIsByteOrder) {
  std::vector<RowView> rows{{1, "\xC3\xA9", "n", ""}, {2, "Z", "n", ""}, {3, "a", "n", ""}};
  const auto out = lfp::latest_by_sku(rows);
  EXPECT_EQ(out[0].sku, "Z");
  EXPECT_EQ(out[1].sku, "a");
  EXPECT_EQ(out[2].sku, "\xC3\xA9");
}

TEST(NameCounts, PartialCountsFromRanksSum) {
  std::vector<RowView> rows{{1, "s1", "Ann", ""}, {2, "s2", "Bob", ""}, {3, "s3", "Ann", ""}};
  auto local = lfp::count_names(rows);
  ASSERT_EQ(local.size(), 2u);
  const auto ann = std::find_if(local.begin(), local.end(), [](const auto& c) { return c.name == "Ann"; });
  ASSERT_NE(ann, local.end());
  EXPECT_EQ(ann->products, 2);
  local.push_back({"Ann", 5});
  local.push_back({"Cy", 1});
  const auto total = lfp::sum_counts(local);
  ASSERT_EQ(total.size(), 3u);
  EXPECT_EQ(total[0].name, "Ann");
  EXPECT_EQ(total[0].products, 7);
}

TEST(NameCounts, ManyDistinctNamesAreCountedExactly) {
  // Enough names to grow the counting table many times, with names that differ only late.
  std::vector<std::string> names;
  for (int i = 0; i < 40000; ++i) names.push_back("a shared product name prefix " + std::to_string(i * 7919 % 40000));
  std::vector<RowView> rows;
  std::map<std::string, std::int64_t> expected;
  for (int i = 0; i < 200000; ++i) {
    const std::string& n = names[(i * 31 + i / 7) % names.size()];
    rows.push_back({lfp::order_key(0, i), "sku", n, ""});
    ++expected[n];
  }
  std::map<std::string, std::int64_t> got;
  for (const auto& c : lfp::count_names(rows)) {
    EXPECT_EQ(got.count(std::string(c.name)), 0u) << c.name << " counted in two entries";
    got[std::string(c.name)] += c.products;
  }
  EXPECT_EQ(got, expected);
}

TEST(Dedup, RowsReadInPlaceFromTheirBuffersGiveTheSameSurvivors) {
  // The ingest dedups 8-byte references into the shuffle's buffers, not views: same result.
  std::vector<RowView> views;
  std::vector<std::string> skus, names;
  for (int i = 0; i < 3000; ++i) {
    skus.push_back("sku-" + std::to_string(i * 7 % 1000));
    names.push_back("name " + std::to_string(i % 37));
  }
  for (int i = 0; i < 3000; ++i)
    views.push_back({lfp::order_key(i % 3, 1000 - i), skus[i], names[i], i % 2 ? "" : "a description,\n\"quoted\""});
  lfp::Buffer buffer;
  for (const auto& v : views) lfp::encode(buffer, v);
  const auto refs = lfp::decode_all<lfp::RowRef>(buffer.data(), buffer.data() + buffer.size());
  ASSERT_EQ(refs.size(), views.size());
  const auto want = lfp::latest_by_sku(views);
  const auto got = lfp::latest_by_sku(refs);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].order(), want[i].order);
    EXPECT_EQ(got[i].sku(), want[i].sku);
    EXPECT_EQ(got[i].name(), want[i].name);
    EXPECT_EQ(got[i].description(), want[i].description);
    lfp::Buffer again;
    lfp::encode(again, got[i]);  // a reference re-encodes to the bytes a view encodes to
    lfp::Buffer expected;
    lfp::encode(expected, want[i]);
    EXPECT_EQ(std::string(again.begin(), again.end()), std::string(expected.begin(), expected.end()));
  }
  const auto by_view = lfp::sum_counts(lfp::count_names(want));
  const auto by_ref = lfp::sum_counts(lfp::count_names(got));
  ASSERT_EQ(by_ref.size(), by_view.size());
  for (std::size_t i = 0; i < by_ref.size(); ++i) {
    EXPECT_EQ(by_ref[i].name, by_view[i].name);
    EXPECT_EQ(by_ref[i].products, by_view[i].products);
  }
}

TEST(RowCodec, RoundTripsRowsCountsAndRejects) {
  lfp::Buffer buf;
  lfp::encode(buf, RowView{42, "sku", "name", std::string_view("d\0esc", 5)});
  lfp::encode(buf, RowView{43, "", "", ""});
  const auto rows = lfp::decode_all<RowView>(buf.data(), buf.data() + buf.size());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].order, 42u);
  EXPECT_EQ(rows[0].description, std::string_view("d\0esc", 5));
  EXPECT_EQ(rows[1].sku, "");

  lfp::Buffer rb;
  const std::string big(5000, 'x');
  lfp::encode(rb, lfp::RejectView{7, 9, 4, 2, 3, big});
  lfp::RejectView r;
  lfp::decode(rb.data(), r);
  EXPECT_EQ(r.line, 9u);
  EXPECT_EQ(r.record.size(), lfp::kRejectRecordBytes);  // raw record kept, cut
}

namespace {

TEST(CompactSurvivors, KeepsExactlyTheSurvivorsBytesInOrderAndShrinksTheBuffers) {
  // Three buffers (as from three ranks), rows of many sizes, most skus repeated.
  std::vector<lfp::Buffer> buffers(3);
  std::mt19937 random(7);
  std::size_t before = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string sku = "sku" + std::to_string(random() % 700);
    const std::string name(random() % 40, 'n'), description(random() % 3000, static_cast<char>('a' + i % 26));
    lfp::encode(buffers[random() % 3], lfp::RowView{static_cast<std::uint64_t>(i), sku, name, description});
  }
  for (const auto& b : buffers) before += b.size();
  auto survivors = lfp::latest_by_sku(lfp::decode_all<lfp::RowRef>(buffers));
  std::vector<std::string> want;
  for (const auto& r : survivors) want.emplace_back(r.bytes());
  const auto text = lfp::compact_survivors(buffers, survivors);
  ASSERT_EQ(survivors.size(), want.size());
  std::uint64_t description = 0;
  for (const auto& r : survivors) description += r.description().size();
  EXPECT_EQ(text.description, description);
  std::size_t after = 0, kept = 0;
  for (const auto& b : buffers) after += b.size();
  for (std::size_t i = 0; i < survivors.size(); ++i) {
    EXPECT_EQ(survivors[i].bytes(), want[i]) << "survivor " << i;
    kept += want[i].size();
    const char* at = survivors[i].bytes().data();
    EXPECT_TRUE(std::any_of(buffers.begin(), buffers.end(), [&](const lfp::Buffer& b) {
      return at >= b.data() && at + want[i].size() <= b.data() + b.size();
    }));
  }
  EXPECT_EQ(after, kept);  // nothing but the survivors is left
  EXPECT_LT(after, before);
}

}  // namespace
