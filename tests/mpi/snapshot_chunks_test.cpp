// The snapshot's chunks built by every rank (ingest/snapshot_chunks), under mpirun: the
// chunks of all ranks, decompressed and put together by index, are exactly the columns a
// single writer makes from all products and counts in order. Ranks hold very different
// shares (nothing, one product, megabytes), so chunks straddle ranks in every way.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "ingest/snapshot_chunks.hpp"
#include "mpi/comm.hpp"
#include "records/row_codec.hpp"
#include "store/h5_chunks.hpp"
#include "store/h5_slice.hpp"

namespace {

using lfp::store::H5Column;
using lfp::store::kH5ChunkBytes;
using lfp::store::kH5Columns;

const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

struct Slice {
  std::vector<lfp::RowView> products;
  std::vector<std::string> texts;  // what the views point into
  std::vector<std::pair<std::string, std::int64_t>> counts;
};

// Rank r's share, the same wherever it is generated: rank 1 holds nothing, rank 2 one
// product, the others thousands with descriptions of up to 3 KB (several MiB in all).
Slice slice_of(int rank) {
  Slice s;
  std::mt19937_64 rng(100 + rank);
  const std::size_t n = rank == 1 ? 0 : rank == 2 ? 1 : 2000 + rng() % 3000;
  s.texts.reserve(3 * n);
  for (std::size_t i = 0; i < n; ++i) {
    char sku[32];
    std::snprintf(sku, sizeof sku, "%03d-%06zu", rank, i);  // sorted, and after lower ranks
    s.texts.emplace_back(sku);
    s.texts.emplace_back(rng() % 20, static_cast<char>('a' + rng() % 26));
    std::string description(rng() % 3000, '\0');
    for (auto& c : description) c = static_cast<char>(rng());
    s.texts.push_back(std::move(description));
    s.products.push_back({0, s.texts[3 * i], s.texts[3 * i + 1], s.texts[3 * i + 2]});
  }
  const std::size_t counts = rank == 1 ? 0 : 1000 + rng() % 100000;
  for (std::size_t i = 0; i < counts; ++i)
    s.counts.emplace_back(std::to_string(rank) + "/" + std::to_string(i), static_cast<std::int64_t>(rng() % 1000));
  return s;
}

template <class T>
void put(std::vector<std::uint8_t>& out, T v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

TEST(SnapshotChunks, EveryRanksChunksMakeTheWholeColumns) {
  const auto& comm = world();
  const Slice mine = slice_of(comm.rank());
  lfp::Buffer rows;
  for (const auto& p : mine.products) lfp::encode(rows, p);
  const auto refs = lfp::decode_all<lfp::RowRef>(rows.data(), rows.data() + rows.size());
  lfp::TextBytes text;
  for (const auto& p : mine.products) {
    text.sku += p.sku.size();
    text.name += p.name.size();
    text.description += p.description.size();
  }
  std::vector<lfp::NameCount> counts;
  for (const auto& [name, n] : mine.counts) counts.push_back({name, n});

  const auto built = lfp::build_snapshot_chunks(comm, refs, text, counts, 1 << 20);
  const auto all = comm.gather_bytes(std::vector<char>(built.chunks.begin(), built.chunks.end()));
  if (!comm.root()) return;

  // What one writer makes from everything in order.
  std::vector<std::vector<std::uint8_t>> want(kH5Columns);
  std::uint64_t ends[4] = {};
  for (std::size_t k = 0; k < 8; k += 2) put(want[k], std::uint64_t{0});
  auto add_text = [&](std::size_t k, std::string_view v) {
    ends[k / 2] += v.size();
    put(want[k], ends[k / 2]);
    want[k + 1].insert(want[k + 1].end(), v.begin(), v.end());
  };
  for (int r = 0; r < comm.size(); ++r) {
    const Slice s = slice_of(r);
    for (const auto& p : s.products) {
      add_text(0, p.sku);
      add_text(2, p.name);
      add_text(4, p.description);
    }
    for (const auto& [name, n] : s.counts) {
      add_text(6, name);
      put(want[8], n);
    }
  }

  std::vector<std::map<std::uint64_t, std::vector<unsigned char>>> got(kH5Columns);
  lfp::store::for_each_chunk({all.data(), all.size()}, [&](H5Column c, std::uint64_t index,
                                                           std::span<const std::uint8_t> bytes) {
    const std::vector<unsigned char> stored(bytes.begin(), bytes.end());
    const bool fresh = got[static_cast<std::size_t>(c)]
                           .emplace(index, lfp::store::decode_chunk(stored, kH5ChunkBytes, lfp::store::element_size(c)))
                           .second;
    EXPECT_TRUE(fresh) << "chunk " << index << " of column " << int(c) << " twice";
  });
  for (std::size_t k = 0; k < kH5Columns; ++k) {
    const auto column = static_cast<H5Column>(k);
    EXPECT_EQ(built.totals[k] * lfp::store::element_size(column), want[k].size()) << "column " << k;
    ASSERT_EQ(got[k].size(), (want[k].size() + kH5ChunkBytes - 1) / kH5ChunkBytes) << "column " << k;
    std::vector<std::uint8_t> joined;
    std::uint64_t next = 0;
    for (const auto& [index, bytes] : got[k]) {
      ASSERT_EQ(index, next++);
      joined.insert(joined.end(), bytes.begin(), bytes.end());
    }
    joined.resize(want[k].size());
    EXPECT_TRUE(joined == want[k]) << "column " << k;
  }
}

}  // namespace
