// The memory plan is agreed by every rank: one rank whose share does not fit its budget makes
// every rank spill, with the sizes of the smallest budget, and one rank under the minimum
// stops them all (exit 9) before anything is parsed.
#include <gtest/gtest.h>

#include <algorithm>

#include "ingest/memory_budget.hpp"
#include "mpi/node.hpp"
#include "util/error.hpp"
#include "util/memory_limit.hpp"

namespace {

const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

TEST(MemoryPlan, DefaultBudgetIsOneGibUnlessTheNodeSharedByItsRanksHasLess) {
  const auto& comm = world();
  std::size_t on_node = 1;
  for (const auto& node : lfp::mpi::nodes_of(comm))
    if (std::find(node.ranks.begin(), node.ranks.end(), comm.rank()) != node.ranks.end()) on_node = node.ranks.size();
  const std::uint64_t share = lfp::node_memory_limit().bytes / on_node;
  const auto budget = lfp::rank_budget(comm, 0);
  EXPECT_EQ(budget.bytes, std::min(lfp::kDefaultBudget, share));
  EXPECT_EQ(budget.source == "the default", share >= lfp::kDefaultBudget) << budget.source;
  const auto given = lfp::rank_budget(comm, 300 * kMiB);
  EXPECT_EQ(given.bytes, 300 * kMiB);
  EXPECT_EQ(given.source, "--mem-per-rank");
}

TEST(MemoryPlan, EveryRankSpillsWhenOneShareDoesNotFit) {
  const auto& comm = world();
  const lfp::RankBudget budget{512 * kMiB, "--mem-per-rank"};
  const auto fits = lfp::plan_memory(comm, 200 * kMiB, budget);
  EXPECT_FALSE(fits.spill);

  const int last = comm.size() - 1;
  const auto plan = lfp::plan_memory(comm, comm.rank() == last ? 900 * kMiB : 200 * kMiB, budget);
  EXPECT_TRUE(plan.spill);
  EXPECT_EQ(plan.need, 900 * kMiB);  // the note names the share that does not fit
  EXPECT_EQ(plan.sizes.window, lfp::spill_sizes(512 * kMiB).window);
}

TEST(MemoryPlan, SizesComeFromTheSmallestBudget) {
  const auto& comm = world();
  // The shuffle's rounds must be the same on every rank: the smallest budget sets them.
  const lfp::RankBudget budget{comm.rank() == 0 ? 64 * kMiB : 2048 * kMiB, "--mem-per-rank"};
  const auto plan = lfp::plan_memory(comm, 1024 * kMiB, budget);
  EXPECT_TRUE(plan.spill);
  EXPECT_EQ(plan.sizes.round, lfp::spill_sizes(64 * kMiB).round);
  EXPECT_EQ(plan.sizes.cache, lfp::spill_sizes(64 * kMiB).cache);
}

TEST(MemoryPlan, ABudgetUnderTheMinimumOnOneRankStopsEveryRank) {
  const auto& comm = world();
  const int last = comm.size() - 1;
  const lfp::RankBudget budget{comm.rank() == last ? 8 * kMiB : 1024 * kMiB, "--mem-per-rank"};
  testing::internal::CaptureStderr();
  try {
    lfp::plan_memory(comm, 10 * kMiB, budget);
    ADD_FAILURE() << "no error on rank " << comm.rank();
  } catch (const lfp::Error& e) {
    EXPECT_EQ(e.code(), lfp::kExitMemory);
  }
  const std::string said = testing::internal::GetCapturedStderr();
  // Only the rank short of memory says why.
  if (comm.rank() == last)
    EXPECT_NE(said.find("the minimum is 16 MiB"), std::string::npos) << said;
  else
    EXPECT_EQ(said, "");
}

}  // namespace
