#include "mpi/agree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "mpi/node.hpp"

namespace {

const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

TEST(Agree, EveryRankLearnsTheWorstCodeOfAnyRank) {
  const auto& comm = world();
  const int last = comm.size() - 1;
  testing::internal::CaptureStderr();
  const int code = lfp::mpi::agree(comm, [&] {
    if (comm.rank() == last) throw lfp::Error(lfp::kExitInput, "input gone");
  });
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, lfp::kExitInput);
  // The failing rank said why, naming itself unless it is rank 0.
  if (comm.rank() == last)
    EXPECT_EQ(said, last == 0 ? "lfp_mpi: error: input gone\n"
                              : "lfp_mpi: rank " + std::to_string(last) + ": error: input gone\n");
  else
    EXPECT_EQ(said, "");
}

TEST(Agree, OutOfMemoryOnOneRankIsExitOneOnEveryRank) {
  const auto& comm = world();
  const int last = comm.size() - 1;
  testing::internal::CaptureStderr();
  const int code = lfp::mpi::agree(comm, [&] {
    if (comm.rank() == last) throw std::bad_alloc();
  });
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, lfp::kExitInternal);
  EXPECT_EQ(said.find("out of memory") != std::string::npos, comm.rank() == last) << said;
}

TEST(Agree, AllSucceededThrowsOnEveryRankWhenOneFailed) {
  const auto& comm = world();
  EXPECT_NO_THROW(lfp::mpi::all_succeeded(comm, true, lfp::kExitOutput, "x"));
  EXPECT_THROW(lfp::mpi::all_succeeded(comm, comm.rank() != 0, lfp::kExitOutput, "x"), lfp::Error);
}

TEST(Comm, PrefixSumsAndGatherFollowRankOrder) {
  const auto& comm = world();
  EXPECT_EQ(comm.exclusive_prefix_sum(std::uint64_t{1}), static_cast<std::uint64_t>(comm.rank()));
  std::vector<char> mine(comm.rank() + 1, static_cast<char>('a' + comm.rank()));
  const auto all = comm.gather_bytes(mine);
  if (comm.root()) {
    std::string want;
    for (int r = 0; r < comm.size(); ++r) want += std::string(r + 1, static_cast<char>('a' + r));
    EXPECT_EQ(std::string(all.begin(), all.end()), want);
  } else {
    EXPECT_TRUE(all.empty());
  }
}

TEST(Nodes, OneNodeHoldsEveryRankUnderThisHostName) {
  // Across nodes: scripts/test-multinode.sh checks the JSON report's nodes.
  const auto& comm = world();
  const auto nodes = lfp::mpi::nodes_of(comm);
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  ASSERT_EQ(nodes.size(), 1u);
  const std::string name(host);  // Open MPI may drop the domain of a full name
  EXPECT_TRUE(nodes[0].host == name || nodes[0].host == name.substr(0, name.find('.'))) << nodes[0].host;
  std::vector<int> all(comm.size());
  for (int r = 0; r < comm.size(); ++r) all[r] = r;
  EXPECT_EQ(nodes[0].ranks, all);
  const auto solo = lfp::mpi::nodes_of(lfp::mpi::Comm::solo());
  ASSERT_EQ(solo.size(), 1u);
  EXPECT_EQ(solo[0].host, host);
  EXPECT_EQ(solo[0].ranks, std::vector<int>{0});
}

}  // namespace
