// A rank's parts of the hand-built b-trees (tree_parts.hpp): which lone records move where,
// the records' sizes that counting reads instead of their bytes, and the flat forms that
// travel to rank 0 (placed parts, page batches).
#include "ingest/tree_parts.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sqlite_file/part.hpp"
#include "sqlite_file/record.hpp"

namespace {

using lfp::lone_record_receivers;
using lfp::sqlite_file::buildable_part_sizes;

std::string show(const std::vector<std::uint64_t>& counts) {
  std::string s;
  for (auto c : counts) s += (s.empty() ? "" : ",") + std::to_string(c);
  return "[" + s + "]";
}

// Applies the receivers to `counts` and checks them against buildable_part_sizes: the same
// sizes, each lone record going to the nearest earlier part that holds records (so the key
// order of the whole is kept: every part between them ends up empty), only lone records moving.
void check_receivers(const std::vector<std::uint64_t>& counts) {
  SCOPED_TRACE("counts " + show(counts));
  const auto receivers = lone_record_receivers(counts);
  const auto expected = buildable_part_sizes(counts);
  ASSERT_EQ(receivers.size(), counts.size());
  std::vector<std::uint64_t> sizes = counts;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const int to = receivers[k];
    if (to < 0) continue;
    ASSERT_EQ(counts[k], 1u) << "part " << k << " gives records but holds " << counts[k];
    ASSERT_LT(static_cast<std::size_t>(to), k) << "part " << k << " gives to a later part";
    ASSERT_EQ(receivers[to], -1) << "part " << k << " gives to part " << to << ", which gave its own away";
    --sizes[k];
    ++sizes[to];
  }
  EXPECT_EQ(sizes, expected);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (receivers[k] < 0) continue;
    for (std::size_t j = static_cast<std::size_t>(receivers[k]) + 1; j < k; ++j)
      EXPECT_EQ(sizes[j], 0u) << "part " << j << " lies between giver " << k << " and receiver " << receivers[k];
  }
  // Every part after the first non-empty one is buildable (0 or at least 2 records).
  bool seen = false;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    if (seen) {
      EXPECT_NE(sizes[k], 1u) << "part " << k;
    }
    seen = seen || sizes[k] > 0;
  }
  // A part keeps its records unless it held exactly one after an earlier non-empty part.
  bool earlier = false;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    EXPECT_EQ(receivers[k] >= 0, earlier && counts[k] == 1) << "part " << k;
    earlier = earlier || counts[k] > 0;
  }
}

TEST(LoneRecordReceivers, HandPickedChains) {
  check_receivers({});
  check_receivers({0});
  check_receivers({1});
  check_receivers({1, 1});
  check_receivers({1, 1, 1, 1, 1, 1, 1, 1});
  check_receivers({0, 1, 1, 0, 1});
  check_receivers({0, 0, 0, 1});
  check_receivers({2, 0, 1, 1, 0, 0, 1});
  check_receivers({5, 1, 3, 1, 0, 1, 2});
  check_receivers({1, 0, 0, 0, 0, 0, 0, 1});
  // Exact receivers of a chain: all lone parts after part 0 go to it.
  const std::vector<std::uint64_t> chain = {1, 1, 1, 0, 1};
  EXPECT_EQ(lone_record_receivers(chain), (std::vector<int>{-1, 0, 0, -1, 0}));
  const std::vector<std::uint64_t> mixed = {0, 3, 1, 0, 2, 1, 1};
  EXPECT_EQ(lone_record_receivers(mixed), (std::vector<int>{-1, -1, 1, -1, -1, 4, 4}));
}

TEST(LoneRecordReceivers, MatchBuildablePartSizesOnEveryVectorOfSmallCounts) {
  // Every vector of 1 to 7 parts with 0..3 records each.
  for (std::size_t parts = 1; parts <= 7; ++parts) {
    std::vector<std::uint64_t> counts(parts, 0);
    for (;;) {
      check_receivers(counts);
      if (::testing::Test::HasFailure()) return;
      std::size_t k = 0;
      while (k < parts && counts[k] == 3) counts[k++] = 0;
      if (k == parts) break;
      ++counts[k];
    }
  }
}

TEST(LoneRecordReceivers, MatchBuildablePartSizesOnRandomVectors) {
  std::mt19937_64 rng(21);
  for (int round = 0; round < 5000; ++round) {
    std::vector<std::uint64_t> counts(1 + rng() % 64);
    for (auto& c : counts) {
      const auto pick = rng() % 10;
      c = pick < 4 ? 1 : pick < 7 ? 0 : pick < 9 ? 2 : rng() % 1000;
    }
    check_receivers(counts);
    if (::testing::Test::HasFailure()) return;
  }
}

// A record's size, read without encoding it, is what encoding writes: texts and integers on both
// sides of every length where a serial type's varint or an integer's body grows, NULL.
TEST(SliceOfValues, SizesAreTheEncodedSizes) {
  using lfp::sqlite_file::Value;
  std::vector<std::string> texts;
  for (std::size_t n : {0, 1, 56, 57, 58, 63, 64, 127, 128, 8184, 8185, 8186, 100000})
    texts.push_back(std::string(n, 't'));
  std::vector<Value> values = {lfp::sqlite_file::Null{}};
  for (const auto& t : texts) values.push_back(std::string_view(t));
  for (std::int64_t bits : {7, 8, 15, 16, 23, 24, 31, 32, 47, 48, 62})
    for (std::int64_t d : {-1, 0}) {
      values.push_back((std::int64_t{1} << bits) + d);
      values.push_back(-(std::int64_t{1} << bits) + d);
    }
  for (std::int64_t i : {std::int64_t{0}, std::int64_t{1}, std::int64_t{2}, std::int64_t{-1},
                         std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()})
    values.push_back(i);
  std::vector<std::array<Value, 3>> rows;
  std::mt19937_64 rng(3);
  for (std::size_t i = 0; i < 2000; ++i)
    rows.push_back({values[rng() % values.size()], values[rng() % values.size()], values[rng() % values.size()]});
  const auto slice = lfp::slice_of_values(rows.size(), [&rows](std::uint64_t i) { return rows[i]; });
  lfp::sqlite_file::Bytes bytes;
  for (std::uint64_t i = 0; i < slice.size; ++i) {
    slice.record(i, bytes);
    ASSERT_EQ(slice.record_size(i), bytes.size()) << "row " << i;
  }
}

// A buildable slice's sizes follow its records: its own (unless given away), then the received.
TEST(BuildableSlice, RecordSizesOfOwnAndReceivedRecords) {
  using lfp::sqlite_file::Bytes;
  const std::vector<Bytes> own = {Bytes(3, 1), Bytes(700, 2), Bytes(1, 3)};
  lfp::BuildableSlice slice;
  slice.own = {own.size(), [&own](std::uint64_t i, Bytes& out) { out = own.at(i); },
               [&own](std::uint64_t i) -> std::uint64_t { return own.at(i).size(); }};
  slice.received = {Bytes(5, 4), Bytes(9000, 5)};
  for (const bool gives : {false, true}) {
    slice.gives_own = gives;
    ASSERT_EQ(slice.size(), gives ? 2u : 5u);
    Bytes bytes;
    for (std::uint64_t i = 0; i < slice.size(); ++i) {
      slice.record(i, bytes);
      EXPECT_EQ(slice.record_size(i), bytes.size()) << "record " << i << (gives ? " (own given away)" : "");
    }
  }
}

lfp::sqlite_file::PlacedPart sample_part(std::mt19937_64& rng, bool leading) {
  lfp::sqlite_file::PlacedPart p;
  p.leading_separator = leading;
  const auto leaves = rng() % 5;
  for (std::uint64_t i = 0; i < leaves; ++i) p.leaves.push_back(static_cast<std::uint32_t>(rng()));
  const auto cells = rng() % 5;  // the flat form does not care how they alternate
  for (std::uint64_t i = 0; i < cells; ++i) {
    lfp::sqlite_file::Bytes cell(rng() % 300);
    for (auto& b : cell) b = static_cast<std::uint8_t>(rng());
    p.separators.append(cell);
  }
  return p;
}

TEST(PackPlaced, RoundTripOfSeveralPartsBackToBack) {
  std::mt19937_64 rng(2);
  std::vector<lfp::sqlite_file::PlacedPart> parts;
  for (int i = 0; i < 12; ++i) parts.push_back(sample_part(rng, i % 3 == 1));
  parts.push_back({});  // an empty part: no leaves, no separators
  std::vector<char> flat;
  std::vector<std::size_t> ends;  // where each part's flat form ends
  for (const auto& p : parts) {
    lfp::pack_placed(p, flat);
    ends.push_back(flat.size());
  }
  std::size_t at = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto back = lfp::unpack_placed(flat, at);
    EXPECT_EQ(back.leading_separator, parts[i].leading_separator) << "part " << i;
    EXPECT_EQ(back.leaves, parts[i].leaves) << "part " << i;
    EXPECT_EQ(back.separators.bytes(), parts[i].separators.bytes()) << "part " << i;
    EXPECT_EQ(back.separators.ends(), parts[i].separators.ends()) << "part " << i;
  }
  EXPECT_EQ(at, flat.size());
  // Cut inside a part: the whole parts before the cut read back, the cut one is refused
  // rather than read past the end.
  for (std::size_t cut = 1; cut < flat.size(); cut += 3) {
    const std::vector<char> part(flat.begin(), flat.begin() + static_cast<std::ptrdiff_t>(cut));
    std::size_t pos = 0, whole = 0;
    while (ends[whole] <= cut) {
      EXPECT_NO_THROW(lfp::unpack_placed(part, pos)) << "cut at " << cut;
      ++whole;
    }
    EXPECT_ANY_THROW(lfp::unpack_placed(part, pos)) << "cut at " << cut << " inside part " << whole;
  }
}

TEST(ForEachPage, ReadsPagesBackAndRefusesATruncatedBatch) {
  const std::uint32_t page_size = 1024;
  lfp::Buffer batch(8);
  const std::uint64_t records = 17;  // the batch's record count comes first
  std::memcpy(batch.data(), &records, 8);
  for (std::uint32_t page = 2; page < 6; ++page) {
    const auto at = batch.size();
    batch.resize(at + 4 + page_size);
    std::memcpy(batch.data() + at, &page, 4);
    std::memset(batch.data() + at + 4, static_cast<int>(page), page_size);
  }
  std::vector<std::uint32_t> seen;
  const auto counted =
      lfp::for_each_page(batch, page_size, [&](std::uint32_t page, std::span<const std::uint8_t> bytes) {
        seen.push_back(page);
        ASSERT_EQ(bytes.size(), page_size);
        EXPECT_EQ(bytes[0], page);
        EXPECT_EQ(bytes[page_size - 1], page);
      });
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{2, 3, 4, 5}));
  EXPECT_EQ(counted, records);
  EXPECT_EQ(lfp::for_each_page(lfp::Buffer{}, page_size, [](std::uint32_t, std::span<const std::uint8_t>) {}), 0u);
  batch.resize(batch.size() - 1);
  EXPECT_ANY_THROW(lfp::for_each_page(batch, page_size, [](std::uint32_t, std::span<const std::uint8_t>) {}));
}

}  // namespace
