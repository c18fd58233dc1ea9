#pragma once
// The ranks that share this rank's node (MPI_COMM_TYPE_SHARED): they see the same node-local
// files, such as decompressed inputs in a scratch directory.
#include <mpi.h>

#include <optional>
#include <string>
#include <vector>

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

// One node of the job: its host name (MPI_Get_processor_name of its lowest rank) and the
// world ranks that run there (those that share memory, MPI_COMM_TYPE_SHARED).
struct NodeRanks {
  std::string host;
  std::vector<int> ranks;
};

// Collective over `world`: every node of the job, in order of their lowest rank (so rank 0's
// node first). The same on every rank.
std::vector<NodeRanks> nodes_of(const Comm& world);

}  // namespace lfp::mpi
