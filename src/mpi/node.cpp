#include "mpi/node.hpp"

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

}  // namespace lfp::mpi
