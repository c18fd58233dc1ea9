#pragma once
// `lfp_mpi generate`: writes a synthetic products file, each rank producing a slice of the
// records and writing it with MPI-IO at its offset; identical bytes for any rank count.
#include <cstdint>
#include <string>

#include "mpi/comm.hpp"

namespace lfp {

struct GenerateOptions {
  std::uint64_t rows = 0;
  std::string output;
  std::uint64_t seed = 1;
  bool quiet = false;
  bool force = false;  // replace an existing output file
};

int run_generate(const mpi::Comm& comm, const GenerateOptions& options);

}  // namespace lfp
