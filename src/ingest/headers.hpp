#pragma once
// Phase 4: the rank where a file's first record starts checks that header; every rank
// learns every file's column map (collective). A bad header is exit 4 with FILE:LINE.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/header.hpp"
#include "ingest/record_starts.hpp"
#include "mpi/comm.hpp"

namespace lfp {

// Column maps of all files; throws Error(kExitHeader) on every rank when a header is bad
// (rank 0 has printed every bad file by then, and `bad[f]` says which they are).
std::vector<csv::ColumnMap> check_headers(const mpi::Comm& comm, const std::vector<std::string>& paths,
                                          const std::vector<Segment>& segments,
                                          const std::function<std::string_view(std::uint32_t)>& bytes,
                                          const RecordStarts& starts, std::vector<bool>& bad);

}  // namespace lfp
