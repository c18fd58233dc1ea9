#pragma once
// Phase 2 of ingest: change detection. The ranks digest all inputs together (the blocks in
// each rank's range), rank 0 compares with the sources ledger and decides which files to
// read: those whose path, size or digest differ from their last ingest, or all with --force.
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/input_files.hpp"
#include "mpi/comm.hpp"
#include "store/sources.hpp"

namespace lfp {

// Collective: every file's digest, on rank 0 (empty elsewhere). Throws Error(kExitInput) on
// the rank that cannot map a file: call through mpi::agree.
std::vector<std::string> digest_inputs(const mpi::Comm& comm, const std::vector<std::string>& paths,
                                       const std::vector<std::uint64_t>& sizes);

struct ReadDecision {
  std::vector<std::uint32_t> read;     // indices into the inputs, in command-line order
  std::vector<std::uint32_t> skipped;  // unchanged since their last ingest
};

// Rank 0: which files to read.
ReadDecision decide_reads(const std::vector<InputFile>& inputs, const std::vector<std::string>& digests,
                          const std::map<std::string, store::LedgerEntry>& ledger, bool force);

}  // namespace lfp
