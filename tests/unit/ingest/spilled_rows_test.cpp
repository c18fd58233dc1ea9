#include "ingest/spilled_rows.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "ingest/byte_partition.hpp"

namespace {

std::string scratch() { return std::filesystem::temp_directory_path().string(); }

lfp::Buffer encoded(const std::vector<lfp::RowView>& rows) {
  lfp::Buffer b;
  for (const auto& r : rows) encode(b, r);
  return b;
}

TEST(SpillFile, RunsReadBackAsWrittenWhateverTheItemAndBufferSizes) {
  lfp::SpillFile file(scratch(), "lfp_mpi-unit", 64 << 10);
  const std::vector<std::string> first = {"", "a", std::string(200000, 'x'), std::string(1, '\0')};
  for (const auto& s : first) file.add(s);
  const auto one = file.end_run();
  file.add("second");
  const auto two = file.end_run();
  EXPECT_EQ(one.items, 4u);
  EXPECT_EQ(two.items, 1u);
  lfp::RunReader a(file, one, 1024);  // smaller than an item: the buffer grows for it
  std::string_view item;
  for (const auto& s : first) {
    ASSERT_TRUE(a.next(item));
    EXPECT_EQ(item, s);
  }
  EXPECT_FALSE(a.next(item));
  lfp::RunReader b(file, two, 1024);
  ASSERT_TRUE(b.next(item));
  EXPECT_EQ(item, "second");
  EXPECT_FALSE(b.next(item));
}

TEST(SpillFile, TheFileIsGoneWithItsOwner) {
  std::string path;
  {
    lfp::SpillFile file(scratch(), "lfp_mpi-unit", 4096);
    file.add("x");
    file.end_run();
    path = file.path();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

using Latest = std::map<std::string, std::pair<std::uint64_t, std::string>>;

// Rows of random skus with repeats, in windows of keys in any order, spilled in many small
// runs; returns each sku's row with the greatest order key.
Latest spill_random_rows(lfp::RowRuns& runs) {
  std::mt19937 random(5);
  Latest want;
  std::vector<std::uint64_t> orders(3000);
  for (std::uint64_t i = 0; i < orders.size(); ++i) orders[i] = i;
  std::shuffle(orders.begin(), orders.end(), random);
  for (std::size_t at = 0; at < orders.size();) {
    std::vector<lfp::RowView> batch;
    std::vector<std::string> keep;
    keep.reserve(64);
    for (int k = 0; k < 30 && at < orders.size(); ++k, ++at) {
      const std::string sku = "s" + std::to_string(random() % 400);
      const std::string name = "n" + std::to_string(orders[at] % 7);
      auto& w = want[sku];
      if (orders[at] >= w.first) w = {orders[at], name};
      keep.push_back(sku);
      keep.push_back(name);
      batch.push_back({orders[at], keep[keep.size() - 2], keep.back(), ""});
    }
    std::vector<lfp::Buffer> received;
    received.push_back(encoded(batch));
    runs.add(std::move(received));
  }
  runs.finish();
  return want;
}

void expect_latest(lfp::LatestRows& merged, const Latest& want) {
  lfp::RowView row;
  auto expect = want.begin();
  while (merged.next(row)) {
    ASSERT_NE(expect, want.end());
    EXPECT_EQ(row.sku, expect->first);
    EXPECT_EQ(row.order, expect->second.first);
    EXPECT_EQ(row.name, expect->second.second);
    ++expect;
  }
  EXPECT_EQ(expect, want.end());
}

// The merge gives each sku's row with the greatest order key, in sku order, as a map over
// all rows would.
TEST(RowRuns, TheMergeKeepsTheLatestRowOfEachSkuAcrossRuns) {
  lfp::SpillFile file(scratch(), "lfp_mpi-unit", 4096);
  lfp::RowRuns runs(file, 2000);  // a few dozen rows per run
  const auto want = spill_random_rows(runs);
  EXPECT_GT(runs.runs().size(), 10u);
  lfp::LatestRows merged(file, runs.runs(), 8192);
  expect_latest(merged, want);
}

// More runs than one merge's buffers can read at once are merged a group at a time first;
// the final merge gives the same products.
TEST(RowRuns, MergingDownManyRunsKeepsTheLatestRows) {
  lfp::SpillFile file(scratch(), "lfp_mpi-unit", 4096);
  lfp::RowRuns runs(file, 2000);
  const auto want = spill_random_rows(runs);
  const std::size_t buffers = 3 * lfp::kRunReaderBytes;  // three runs at a time
  ASSERT_GT(runs.runs().size(), 9u);                     // so that it takes two passes
  const auto fewer = lfp::merge_down<lfp::RowView, lfp::BySku, lfp::KeepLatest>(file, runs.runs(), buffers);
  EXPECT_LE(fewer.size(), 3u);
  std::uint64_t items = 0;
  for (const auto& r : fewer) items += r.items;
  EXPECT_GE(items, want.size());
  lfp::LatestRows merged(file, fewer, buffers);
  expect_latest(merged, want);
  // Few runs are left as they are.
  const auto same = lfp::merge_down<lfp::RowView, lfp::BySku, lfp::KeepLatest>(file, fewer, buffers);
  ASSERT_EQ(same.size(), fewer.size());
  EXPECT_EQ(same.front().begin, fewer.front().begin);
}

TEST(NameTally, SpilledTalliesSumToTheExactCountsInNameOrder) {
  lfp::SpillFile file(scratch(), "lfp_mpi-unit", 4096);
  lfp::NameTally tally(file, 700);  // ten names per table at most
  std::map<std::string, std::int64_t> want;
  std::mt19937 random(9);
  for (int i = 0; i < 5000; ++i) {
    const std::string name = i % 1000 == 0 ? std::string() : "name " + std::to_string(random() % 97);
    tally.add(name);
    ++want[name];
  }
  tally.finish();
  EXPECT_GT(tally.runs().size(), 9u);
  // Two runs at a time, in passes, then the final merge: the sums do not change.
  const auto runs = lfp::merge_down<lfp::NameCount, lfp::ByName, lfp::AddCounts>(file, tally.runs(), 4096);
  EXPECT_EQ(runs.size(), 2u);
  lfp::SummedCounts counts(file, runs, 4096);
  lfp::NameCount c;
  std::map<std::string, std::int64_t> got;
  std::string last;
  while (counts.next(c)) {
    EXPECT_TRUE(got.empty() || last < c.name);
    last = std::string(c.name);
    got[last] = c.products;
  }
  EXPECT_EQ(got, want);
}

TEST(CutSegments, PiecesCoverTheSegmentsInOrder) {
  const auto pieces = lfp::cut_segments({{0, 5, 25}, {2, 0, 7}}, 8);
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> want = {{5, 13}, {13, 21}, {21, 25}, {0, 7}};
  ASSERT_EQ(pieces.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(pieces[i].begin, want[i].first);
    EXPECT_EQ(pieces[i].end, want[i].second);
    EXPECT_EQ(pieces[i].file, i < 3 ? 0u : 2u);
  }
}

}  // namespace
