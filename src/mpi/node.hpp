#pragma once
// The ranks that share this rank's node (MPI_COMM_TYPE_SHARED): they see the same node-local
// files, such as decompressed inputs in a scratch directory.
#include <mpi.h>

#include <optional>

#include "mpi/comm.hpp"

namespace lfp::mpi {

class NodeComm {
 public:
  // Collective over `world`.
  explicit NodeComm(const Comm& world);
  ~NodeComm();
  NodeComm(const NodeComm&) = delete;
  NodeComm& operator=(const NodeComm&) = delete;
  const Comm& comm() const { return *comm_; }

 private:
  MPI_Comm raw_ = MPI_COMM_NULL;
  std::optional<Comm> comm_;
};

}  // namespace lfp::mpi
