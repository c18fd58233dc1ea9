#pragma once
// `lfp_mpi ingest`: the MPI driver that runs the pipeline phases in order. The logic of
// each phase lives in its own plain C++ file; this one only sequences and communicates.
#include <cstddef>
#include <string>
#include <vector>

#include "mpi/comm.hpp"

namespace lfp {

struct IngestOptions {
  std::vector<std::string> files;
  std::string db = "products.db";
  std::string h5;  // empty: the database path with its extension replaced by .h5
  bool no_h5 = false;
  std::size_t batch_bytes = std::size_t{4} << 20;          // gather batch per rank
  std::size_t exchange_round_bytes = std::size_t{256} << 20;  // shuffle round per rank
  bool quiet = false;
  std::string command;  // the command line, for the runs table
};

std::string default_h5_path(const std::string& db);
// --h5, or the default beside the database.
std::string snapshot_path(const IngestOptions& options);

// Returns the process exit code (the same on every rank).
int run_ingest(const mpi::Comm& comm, const IngestOptions& options);

}  // namespace lfp
