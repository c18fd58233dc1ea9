// IndexLeafCounter (a part's summary from record sizes) against IndexLeafBuilder (the pages
// themselves): the same page count, leaves and separator bytes for records on both sides of
// every rule that places a cell: the local-size boundaries, exact leaf fills, a full leaf at
// the end, records of several overflow pages, 1-byte records, 0 to 3 records, at every
// position and page sizes 512 to 65536.
#include "sqlite_file/index_leaf_counter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sqlite_file/index_leaf_builder.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/payload.hpp"
#include "sqlite_file/record.hpp"
#include "util/error.hpp"

namespace {

using namespace lfp::sqlite_file;

constexpr std::uint32_t kPageSizes[] = {512, 1024, 4096, 16384, 65536};
constexpr PartPosition kPositions[] = {PartPosition::First, PartPosition::Following};

// Records of the given sizes whose bytes differ from record to record (so a separator taken
// from the wrong record shows).
std::vector<Bytes> records_of(const std::vector<std::uint64_t>& sizes) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    Bytes r(sizes[i]);
    for (std::size_t j = 0; j < r.size(); ++j) r[j] = static_cast<std::uint8_t>(i * 131 + j * 7);
    out.push_back(std::move(r));
  }
  return out;
}

struct Outcome {
  bool threw = false;
  PartSummary summary;
};

Outcome built(const std::vector<Bytes>& records, std::uint32_t page_size, PartPosition position) {
  Outcome o;
  try {
    IndexLeafBuilder builder(page_size, position, [](std::uint64_t, PageKind, std::span<const std::uint8_t>) {});
    for (const auto& r : records) builder.add(r);
    o.summary = builder.finish();
  } catch (const lfp::Error&) {
    o.threw = true;
  }
  return o;
}

Outcome counted(const std::vector<Bytes>& records, std::uint32_t page_size, PartPosition position,
                std::set<std::uint64_t>& encoded) {
  Outcome o;
  try {
    IndexLeafCounter counter(page_size, position, [&](std::uint64_t i, Bytes& out) {
      encoded.insert(i);
      out = records.at(i);
    });
    for (const auto& r : records) counter.add(r.size());
    o.summary = counter.finish();
  } catch (const lfp::Error&) {
    o.threw = true;
  }
  return o;
}

std::string show(const std::vector<std::uint64_t>& sizes) {
  std::string s;
  for (std::size_t i = 0; i < sizes.size() && i < 12; ++i) s += (i ? "," : "") + std::to_string(sizes[i]);
  if (sizes.size() > 12) s += ",... (" + std::to_string(sizes.size()) + " records)";
  return "[" + s + "]";
}

// The counter's summary equals the builder's exactly (or both refuse), and it encoded no more
// records than there are separators.
void expect_same(const std::vector<std::uint64_t>& sizes, std::uint32_t page_size, PartPosition position) {
  SCOPED_TRACE("page size " + std::to_string(page_size) +
               (position == PartPosition::First ? ", first part" : ", following part") + ", sizes " + show(sizes));
  const auto records = records_of(sizes);
  const Outcome want = built(records, page_size, position);
  std::set<std::uint64_t> encoded;
  const Outcome got = counted(records, page_size, position, encoded);
  ASSERT_EQ(got.threw, want.threw);
  if (want.threw) return;
  EXPECT_EQ(got.summary.page_count, want.summary.page_count);
  EXPECT_EQ(got.summary.leaves, want.summary.leaves);
  EXPECT_EQ(got.summary.leading_separator, want.summary.leading_separator);
  EXPECT_EQ(got.summary.separators.ends(), want.summary.separators.ends());
  EXPECT_TRUE(got.summary.separators.bytes() == want.summary.separators.bytes()) << "separator bytes differ";
  EXPECT_EQ(encoded.size(), want.summary.separators.size()) << "records encoded besides the separators";
}

// Payload sizes on both sides of every boundary of the index rule: X (the largest local
// payload), and for one and two overflow pages where the local part K = M + (P - M) % (U - 4)
// switches between K and M (P = M + j(U - 4), P = X + j(U - 4)).
std::vector<std::uint64_t> payload_edges(std::uint32_t page_size) {
  const PayloadRule rule(page_size, PayloadTree::Index);
  std::vector<std::uint64_t> edges = {rule.max_local(), rule.min_local()};
  for (std::uint64_t j = 1; j <= 2; ++j) {
    edges.push_back(rule.min_local() + j * (page_size - 4));
    edges.push_back(rule.max_local() + j * (page_size - 4));
  }
  std::vector<std::uint64_t> out;
  for (const auto e : edges)
    for (std::uint64_t d = e - 3; d <= e + 3; ++d) out.push_back(d);
  return out;
}

std::uint64_t cells_per_leaf(std::uint32_t page_size, std::uint64_t payload) {
  const PayloadRule rule(page_size, PayloadTree::Index);
  const std::uint32_t local = rule.local_size(payload);
  const std::uint64_t cell = varint_size(payload) + local + (local < payload ? 4 : 0);
  return (page_size - 8) / (cell + 2);
}

// Runs of `payload`-byte records: 0 to 3 of them, and around one, two and three leaves' worth
// (a leaf filled exactly, then one more record: the held one at the end, and so on), at both
// positions. Returns false once a comparison failed.
bool expect_same_runs(std::uint64_t payload, std::uint32_t page_size) {
  const std::uint64_t per_leaf = cells_per_leaf(page_size, payload);
  std::vector<std::uint64_t> counts = {0, 1, 2, 3};
  for (std::uint64_t leaves = 1; leaves <= 3; ++leaves)
    for (std::uint64_t n = leaves * per_leaf; n <= leaves * per_leaf + 3; ++n)
      if (n > 3) counts.push_back(n - 1);
  for (const auto n : counts)
    for (const auto position : kPositions) {
      expect_same(std::vector<std::uint64_t>(n, payload), page_size, position);
      if (::testing::Test::HasFailure()) return false;
    }
  return true;
}

TEST(IndexLeafCounter, SameSizeRecordsAtEveryLocalSizeBoundary) {
  for (const auto page_size : kPageSizes)
    for (const auto payload : payload_edges(page_size))
      if (!expect_same_runs(payload, page_size)) return;
}

// Cells of (P - 8) / k - 2 bytes fill a leaf exactly with k cells: one byte more leaves the
// k-th out, one less leaves room unused.
TEST(IndexLeafCounter, LeavesFilledExactlyAndByOneByteTooMuch) {
  for (const auto page_size : kPageSizes)
    for (const std::uint64_t k : {4u, 5u, 6u, 7u, 8u, 9u, 10u, 13u, 17u, 25u, 40u}) {
      const std::uint64_t cell = (page_size - 8) / k - 2;
      for (std::uint64_t payload = cell - 5; payload <= cell; ++payload)
        if (!expect_same_runs(payload, page_size)) return;
    }
}

TEST(IndexLeafCounter, OneByteRecords) {
  for (const auto page_size : kPageSizes)
    if (!expect_same_runs(1, page_size)) return;
}

TEST(IndexLeafCounter, RecordsOfSeveralOverflowPages) {
  for (const auto page_size : kPageSizes)
    for (const std::uint64_t pages : {2u, 3u, 7u})
      for (const std::int64_t d : {-1, 0, 1, 300})
        for (const std::uint64_t n : {1u, 2u, 3u, 5u, 9u})
          for (const auto position : kPositions) {
            const std::uint64_t payload = pages * (page_size - 4) + static_cast<std::uint64_t>(100 + d);
            expect_same(std::vector<std::uint64_t>(n, payload), page_size, position);
          }
}

TEST(IndexLeafCounter, ZeroToThreeRecordsOfEveryKind) {
  for (const auto page_size : kPageSizes) {
    const PayloadRule rule(page_size, PayloadTree::Index);
    const std::vector<std::uint64_t> kinds = {1, 2, 40, rule.max_local(), rule.max_local() + 1, 3 * page_size + 17};
    for (const auto position : kPositions) {
      expect_same({}, page_size, position);
      for (const auto a : kinds) {
        expect_same({a}, page_size, position);
        for (const auto b : kinds) {
          expect_same({a, b}, page_size, position);
          for (const auto c : kinds) expect_same({a, b, c}, page_size, position);
        }
      }
    }
  }
}

// Random mixtures: 1-byte records, small ones, sizes at the local boundaries and records of
// several overflow pages, in runs so that leaves fill in every way.
TEST(IndexLeafCounter, RandomMixtures) {
  std::mt19937_64 rng(16);
  for (int round = 0; round < 200; ++round) {
    const std::uint32_t page_size = kPageSizes[rng() % std::size(kPageSizes)];
    const auto edges = payload_edges(page_size);
    std::vector<std::uint64_t> sizes;
    const std::uint64_t n = rng() % 4 == 0 ? rng() % 4 : rng() % 400;
    while (sizes.size() < n) {
      const auto pick = rng() % 10;
      const std::uint64_t size = pick < 2   ? 1
                                 : pick < 6 ? 1 + rng() % 300
                                 : pick < 9 ? edges[rng() % edges.size()]
                                            : (2 + rng() % 4) * page_size + rng() % page_size;
      for (std::uint64_t run = 1 + rng() % 8; run > 0 && sizes.size() < n; --run) sizes.push_back(size);
    }
    expect_same(sizes, page_size, kPositions[rng() % 2]);
    if (::testing::Test::HasFailure()) return;
  }
}

// A size that disagrees with the record's bytes would misnumber every later page: refused when
// the record turns out to be a separator.
TEST(IndexLeafCounter, RefusesARecordWhoseBytesDisagreeWithItsSize) {
  IndexLeafCounter counter(4096, PartPosition::Following, [](std::uint64_t, Bytes& out) { out.assign(10, 1); });
  EXPECT_THROW(counter.add(11), lfp::Error);  // the leading separator is encoded at once
}

}  // namespace
