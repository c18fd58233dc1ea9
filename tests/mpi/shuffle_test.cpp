#include "mpi/shuffle.hpp"

#include <gtest/gtest.h>

namespace {

using lfp::Buffer;
const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

// The byte a sender puts at position i of its buffer for receiver d.
char pattern(int sender, int receiver, std::size_t i) {
  return static_cast<char>(sender * 31 + receiver * 7 + i % 251);
}
std::size_t size_for(int sender, int receiver) { return 1000 * (sender + 1) + 37 * receiver; }

TEST(Exchange, EveryRankGetsExactlyWhatEachRankSentItOverManyRounds) {
  const auto& comm = world();
  std::vector<Buffer> out(comm.size());
  for (int d = 0; d < comm.size(); ++d)
    for (std::size_t i = 0; i < size_for(comm.rank(), d); ++i) out[d].push_back(pattern(comm.rank(), d, i));
  // 256 bytes per round: the largest buffer needs dozens of rounds.
  const auto in = lfp::mpi::exchange(comm, std::move(out), 256);
  ASSERT_EQ(in.size(), static_cast<std::size_t>(comm.size()));
  for (int s = 0; s < comm.size(); ++s) {
    ASSERT_EQ(in[s].size(), size_for(s, comm.rank())) << "from rank " << s;
    for (std::size_t i = 0; i < in[s].size(); ++i) ASSERT_EQ(in[s][i], pattern(s, comm.rank(), i)) << "byte " << i;
  }
}

TEST(Exchange, EmptyBuffersAndOneSidedTrafficWork) {
  const auto& comm = world();
  std::vector<Buffer> out(comm.size());
  if (comm.rank() == comm.size() - 1) out[0].assign(5000, 'x');  // only the last rank sends, only to rank 0
  const auto in = lfp::mpi::exchange(comm, std::move(out), 1024);
  for (int s = 0; s < comm.size(); ++s) {
    const bool expect = comm.rank() == 0 && s == comm.size() - 1;
    EXPECT_EQ(in[s].size(), expect ? 5000u : 0u);
  }
}

}  // namespace
