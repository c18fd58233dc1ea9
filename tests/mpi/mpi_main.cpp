// GoogleTest under mpirun: every rank runs every test; rank 0 prints; the process fails on
// every rank when a test failed on any.
#include <gtest/gtest.h>

#include "mpi/comm.hpp"

int main(int argc, char** argv) {
  lfp::mpi::Environment env(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  if (!comm.root()) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  return comm.max(failed);
}
