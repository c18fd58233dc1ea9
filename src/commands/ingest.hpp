#pragma once
// `lfp_mpi ingest`: the MPI driver that runs the pipeline's phases in order. Each phase
// lives in src/ingest/; this file only sequences them and agrees on errors.
#include "ingest/options.hpp"
#include "mpi/comm.hpp"

namespace lfp {

// Returns the process exit code (the same on every rank).
int run_ingest(const mpi::Comm& comm, const IngestOptions& options);

}  // namespace lfp
