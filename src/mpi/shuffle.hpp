#pragma once
// All-to-all exchange of byte buffers with MPI_Alltoallv, in rounds so that no count or
// displacement reaches 2^31 whatever the data size.
#include <cstddef>
#include <vector>

#include "mpi/comm.hpp"
#include "util/buffer.hpp"

namespace lfp::mpi {

// Sends outgoing[d] to rank d (the buffers are released); returns what each rank sent to
// this one, indexed by source rank (this rank's own buffer is moved, not copied). Each
// round moves at most `round_bytes` out of (and into) every rank.
std::vector<Buffer> exchange(const Comm& comm, std::vector<Buffer>&& outgoing, std::size_t round_bytes);

}  // namespace lfp::mpi
