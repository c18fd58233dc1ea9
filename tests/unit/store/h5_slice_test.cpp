// Ranks simulated in one process: each builds the snapshot chunks of its slice, heads are
// handed over as the ingest's exchange would, and the chunks of all ranks, put together by
// index, must be exactly the columns written from the whole rows in order.
#include "store/h5_slice.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <string>

namespace {

using lfp::store::H5Column;
using lfp::store::kH5ChunkBytes;
using lfp::store::kH5Columns;

struct Product {
  std::string sku, name, description;
};
struct Count {
  std::string name;
  std::int64_t products;
};
struct Slice {
  std::vector<Product> products;
  std::vector<Count> counts;
};

template <class T>
void put(std::vector<std::uint8_t>& out, T v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

// The columns as a single writer lays them out from all rows in order.
std::vector<std::vector<std::uint8_t>> expected_columns(const std::vector<Slice>& ranks) {
  std::vector<std::vector<std::uint8_t>> col(kH5Columns);
  auto string_column = [&](std::size_t offsets, auto&& values) {
    std::uint64_t end = 0;
    put(col[offsets], end);
    for (const std::string& v : values) {
      end += v.size();
      put(col[offsets], end);
      col[offsets + 1].insert(col[offsets + 1].end(), v.begin(), v.end());
    }
  };
  std::vector<std::string> sku, name, description, count_name;
  for (const auto& r : ranks) {
    for (const auto& p : r.products) {
      sku.push_back(p.sku);
      name.push_back(p.name);
      description.push_back(p.description);
    }
    for (const auto& c : r.counts) {
      count_name.push_back(c.name);
      put(col[8], c.products);
    }
  }
  string_column(0, sku);
  string_column(2, name);
  string_column(4, description);
  string_column(6, count_name);
  return col;
}

// Runs the slice protocol over simulated ranks and checks every column.
void check_ranks(const std::vector<Slice>& ranks) {
  const int n = static_cast<int>(ranks.size());
  std::vector<lfp::store::H5ColumnSizes> sizes;
  for (int r = 0; r < n; ++r) {
    lfp::store::SliceTexts t{ranks[r].products.size(), ranks[r].counts.size()};
    for (const auto& p : ranks[r].products) {
      t.sku_bytes += p.sku.size();
      t.name_bytes += p.name.size();
      t.description_bytes += p.description.size();
    }
    for (const auto& c : ranks[r].counts) t.count_name_bytes += c.name.size();
    sizes.push_back(lfp::store::slice_sizes(t, r == 0));
  }
  std::vector<std::map<std::uint64_t, std::vector<std::uint8_t>>> chunks(kH5Columns);
  auto sink = [&](lfp::store::RawChunk&& c) {
    ASSERT_EQ(c.bytes.size(), kH5ChunkBytes);
    const bool fresh = chunks[static_cast<std::size_t>(c.column)].emplace(c.index, std::move(c.bytes)).second;
    ASSERT_TRUE(fresh) << "chunk " << c.index << " of column " << int(c.column) << " made twice";
  };
  std::vector<std::unique_ptr<lfp::store::SliceChunks>> slices;
  std::vector<std::vector<lfp::Buffer>> incoming(n, std::vector<lfp::Buffer>(n));
  for (int r = 0; r < n; ++r) {
    slices.push_back(std::make_unique<lfp::store::SliceChunks>(sizes, r, sink));
    // Counts first on odd ranks: the columns do not depend on each other.
    if (r % 2)
      for (const auto& c : ranks[r].counts) slices[r]->add_count(c.name, c.products);
    for (const auto& p : ranks[r].products) slices[r]->add_product(p.sku, p.name, p.description);
    if (r % 2 == 0)
      for (const auto& c : ranks[r].counts) slices[r]->add_count(c.name, c.products);
    auto heads = slices[r]->take_heads();
    ASSERT_EQ(heads.size(), static_cast<std::size_t>(n));
    for (int to = 0; to < n; ++to) {
      if (!heads[to].empty()) {
        EXPECT_LT(to, r) << "a head goes to an earlier rank";
      }
      incoming[to][r] = std::move(heads[to]);
    }
  }
  for (int r = 0; r < n; ++r) slices[r]->receive_heads(incoming[r]);
  const auto expected = expected_columns(ranks);
  for (std::size_t k = 0; k < kH5Columns; ++k) {
    const auto column = static_cast<H5Column>(k);
    EXPECT_EQ(slices[0]->totals()[k] * lfp::store::element_size(column), expected[k].size()) << "column " << k;
    const std::size_t want = (expected[k].size() + kH5ChunkBytes - 1) / kH5ChunkBytes;
    ASSERT_EQ(chunks[k].size(), want) << "column " << k;
    std::vector<std::uint8_t> got;
    std::uint64_t next = 0;
    for (const auto& [index, bytes] : chunks[k]) {
      ASSERT_EQ(index, next++) << "column " << k;
      got.insert(got.end(), bytes.begin(), bytes.end());
    }
    ASSERT_GE(got.size(), expected[k].size());
    EXPECT_TRUE(std::all_of(got.begin() + static_cast<std::ptrdiff_t>(expected[k].size()), got.end(),
                            [](std::uint8_t b) { return b == 0; }))
        << "the last chunk is zero-padded";
    got.resize(expected[k].size());
    EXPECT_TRUE(got == expected[k]) << "column " << k;
  }
}

TEST(H5Slice, MissingRowsAreAnInternalErrorNotAShortFile) {
  // Sizes promised more than the rows gave: the heads cannot be complete.
  lfp::store::SliceTexts t{3, 0, 300, 3, 3, 0};
  std::vector<lfp::store::H5ColumnSizes> sizes = {lfp::store::slice_sizes(t, true), lfp::store::slice_sizes(t, false)};
  lfp::store::SliceChunks second(sizes, 1, [](lfp::store::RawChunk&&) {});
  second.add_product("a", "b", "c");
  EXPECT_THROW(second.take_heads(), std::exception);
  // The first rank has no head: a shortfall past it would otherwise end as zero padding.
  lfp::store::SliceChunks first(sizes, 0, [](lfp::store::RawChunk&&) {});
  first.add_product("a", "b", "c");
  EXPECT_THROW(first.take_heads(), std::exception);
}

std::string text(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& ch : s) ch = static_cast<char>(rng());  // any bytes, NUL and 0xFF included
  return s;
}

Slice random_slice(std::mt19937_64& rng, std::size_t products, std::size_t max_description, std::size_t counts) {
  Slice s;
  for (std::size_t i = 0; i < products; ++i)
    s.products.push_back({text(rng, 1 + rng() % 20), text(rng, rng() % 12), text(rng, rng() % (max_description + 1))});
  for (std::size_t i = 0; i < counts; ++i)
    s.counts.push_back({text(rng, rng() % 30), static_cast<std::int64_t>(rng() % 100000)});
  return s;
}

TEST(H5Slice, OneRankMakesEveryChunk) {
  std::mt19937_64 rng(1);
  check_ranks({random_slice(rng, 3000, 2000, 500)});
}

TEST(H5Slice, ChunksStraddlingRanksAreCompletedFromLaterRanksHeads) {
  // About 3 MiB of descriptions per rank and 200k offsets per rank (1.5 chunks): boundaries
  // fall inside every rank.
  std::mt19937_64 rng(2);
  for (int n : {2, 3, 4}) {
    std::vector<Slice> ranks;
    for (int r = 0; r < n; ++r) ranks.push_back(random_slice(rng, 20000 + rng() % 200000 / 10, 300, 70000));
    check_ranks(ranks);
  }
}

TEST(H5Slice, EmptyAndTinyRanksBetweenLargeOnes) {
  // Ranks with nothing, or a few elements inside a chunk another rank owns, hand everything on:
  // several heads in a row complete one chunk.
  std::mt19937_64 rng(3);
  std::vector<Slice> ranks = {random_slice(rng, 5000, 400, 10), Slice{}, random_slice(rng, 1, 5, 1),
                              random_slice(rng, 2, 5, 0),       Slice{}, random_slice(rng, 9000, 400, 140000),
                              random_slice(rng, 3, 3, 3),       Slice{}};
  check_ranks(ranks);
}

TEST(H5Slice, RankZeroEmptyStillHoldsTheLeadingOffset) {
  std::mt19937_64 rng(4);
  check_ranks({Slice{}, random_slice(rng, 10, 10, 4), Slice{}});
  check_ranks({Slice{}, Slice{}});
}

TEST(H5Slice, SliceEndingExactlyOnAChunkBoundarySendsNoHead) {
  // One rank with exactly one chunk of description bytes (and of counts), then another.
  Slice a, b;
  a.products.push_back({"a", "n", std::string(kH5ChunkBytes, 'x')});
  for (std::size_t i = 0; i < kH5ChunkBytes / 8; ++i) a.counts.push_back({"", static_cast<std::int64_t>(i)});
  b.products.push_back({"b", "n", std::string(10, 'y')});
  b.counts.push_back({"z", 7});
  check_ranks({a, b});
}

TEST(H5Slice, ChunkRecordsRoundTripAndRejectCutRecords) {
  lfp::Buffer b;
  const std::vector<std::uint8_t> one = {1, 2, 3}, none;
  lfp::store::append_chunk(b, H5Column::NameData, 7, one);
  lfp::store::append_chunk(b, H5Column::CountProducts, 0, none);
  std::vector<std::pair<H5Column, std::uint64_t>> seen;
  lfp::store::for_each_chunk({b.data(), b.size()}, [&](H5Column c, std::uint64_t i, std::span<const std::uint8_t> x) {
    seen.emplace_back(c, i);
    EXPECT_EQ(x.size(), i == 7 ? 3u : 0u);
  });
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_THROW(lfp::store::for_each_chunk({b.data(), b.size() - 1}, [](auto, auto, auto) {}), std::exception);
}

}  // namespace
