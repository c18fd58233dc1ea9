#include "mpi/node.hpp"

#include <unistd.h>

#include <cstring>

namespace lfp::mpi {

NodeComm::NodeComm(const Comm& world) {
  if (world.get() == MPI_COMM_NULL) {
    comm_.emplace(Comm::solo());
    return;
  }
  MPI_Comm_split_type(world.get(), MPI_COMM_TYPE_SHARED, world.rank(), MPI_INFO_NULL, &raw_);
  comm_.emplace(raw_);
}

NodeComm::~NodeComm() {
  if (raw_ != MPI_COMM_NULL) MPI_Comm_free(&raw_);
}

namespace {

// What each rank says of itself: the world rank of its node's first rank, and its host name.
struct Self {
  int node_first;
  char host[MPI_MAX_PROCESSOR_NAME + 1];
};

}  // namespace

std::vector<NodeRanks> nodes_of(const Comm& world) {
  Self me{};
  if (world.get() == MPI_COMM_NULL) {
    if (::gethostname(me.host, sizeof me.host - 1) != 0) std::strcpy(me.host, "localhost");
    return {{me.host, {0}}};
  }
  int length = 0;
  MPI_Get_processor_name(me.host, &length);
  const NodeComm node(world);
  me.node_first = world.rank();
  MPI_Bcast(&me.node_first, 1, MPI_INT, 0, node.comm().get());  // split key = world rank
  const std::vector<Self> all = world.allgather(me);
  std::vector<NodeRanks> nodes;
  std::vector<int> index(world.size(), -1);  // node index of a node's first rank
  for (int r = 0; r < world.size(); ++r) {
    const int first = all[r].node_first;
    if (first == r) {
      index[r] = static_cast<int>(nodes.size());
      nodes.push_back({all[r].host, {}});
    }
    nodes[index[first]].ranks.push_back(r);
  }
  return nodes;
}

}  // namespace lfp::mpi
