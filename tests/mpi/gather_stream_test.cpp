#include "mpi/gather_stream.hpp"

#include <gtest/gtest.h>

#include <string>

#include "records/row_codec.hpp"
#include "util/kway_merge.hpp"

namespace {

const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

// Each rank owns the names "n<k>" with k = rank mod size, sorted: rank 0 must see them all once, in order.
std::vector<std::string> names_of(int rank, int size, int total) {
  std::vector<std::string> out;
  for (int k = 0; k < total; ++k)
    if (k % size == rank) out.push_back(std::string("n") + std::to_string(100000 + k));
  return out;
}

lfp::mpi::BatchSource source_of(const std::vector<lfp::NameCount>& items, std::size_t limit) {
  return [&items, limit, i = std::size_t{0}](lfp::Buffer& out) mutable {
    while (i < items.size() && out.size() < limit) encode(out, items[i++]);
  };
}

TEST(GatherStream, RankZeroMergesEveryRanksSortedStreamInSmallBatches) {
  const auto& comm = world();
  const int total = 5000;
  const auto names = names_of(comm.rank(), comm.size(), total);
  std::vector<lfp::NameCount> items;
  for (const auto& n : names) items.push_back({n, comm.rank() + 1});
  std::vector<lfp::mpi::BatchSource> sources{source_of(items, 64)};  // ~3 items per batch
  if (comm.root()) {
    lfp::mpi::StreamClient client(comm, sources, 1);
    std::vector<std::string> merged;
    std::int64_t sum = 0;
    lfp::kway_merge<lfp::NameCount>(
        comm.size(), [&](int r, lfp::Buffer& b) { client.fetch(r, 0, b); },
        [](const lfp::NameCount& a, const lfp::NameCount& b) { return a.name < b.name; },
        [&](const lfp::NameCount& c) {
          merged.emplace_back(c.name);
          sum += c.products;
        });
    ASSERT_EQ(merged.size(), static_cast<std::size_t>(total));
    EXPECT_TRUE(std::is_sorted(merged.begin(), merged.end()));
    std::int64_t want = 0;
    for (int k = 0; k < total; ++k) want += k % comm.size() + 1;
    EXPECT_EQ(sum, want);
  } else {
    EXPECT_TRUE(lfp::mpi::serve_streams(comm, sources));
  }
}

TEST(GatherStream, RankZeroStoppingEarlyReleasesTheServingRanks) {
  const auto& comm = world();
  std::vector<lfp::NameCount> items{{"a", 1}, {"b", 2}};
  std::vector<lfp::mpi::BatchSource> sources{source_of(items, 1), source_of(items, 1)};
  if (comm.root()) {
    lfp::mpi::StreamClient client(comm, sources, 2);
    lfp::Buffer b;
    if (comm.size() > 1) client.fetch(1, 0, b);  // one batch, then stop (as after an error)
  } else {
    EXPECT_FALSE(lfp::mpi::serve_streams(comm, sources));
  }
  comm.max(0);  // every rank gets here: nobody hangs
}

}  // namespace
