#pragma once
// The parse and shuffle of a run under --mem-per-rank whose shares do not fit in memory
// (ingest/memory_budget): each rank parses its share a window at a time, every window's rows
// go to their sku range's rank at once (MPI_Alltoallv), and each rank spills what it receives
// as sorted runs (ingest/spilled_rows). Rejects go to a scratch file of their own, in order.
// The sku ranges come from a probe of a few records at the start of every piece of the input
// (not from the first window alone: a file sorted by sku would send every later window to
// one rank).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csv/header.hpp"
#include "ingest/byte_partition.hpp"
#include "ingest/memory_budget.hpp"
#include "ingest/parse.hpp"
#include "ingest/record_starts.hpp"
#include "ingest/spill_file.hpp"
#include "mpi/comm.hpp"

namespace lfp {

// A rank's share after the windows: its rows as sorted runs, its rejects, and per file the
// records and rejects it read; after tally_products, its product count and count runs.
struct SpilledShare {
  std::unique_ptr<SpillFile> runs;     // the row runs, then the count runs
  std::unique_ptr<SpillFile> rejects;  // encoded rejects in file order (one run)
  std::vector<Run> row_runs, count_runs;
  Run reject_run;
  std::vector<std::int64_t> records, rejected;  // per file
  std::int64_t products = 0;
  std::uint64_t readers = 0;        // read buffers for one merge (SpillSizes::readers)
  std::uint64_t cache = 0;          // rank 0's SQLite page cache (SpillSizes::cache)
  std::uint64_t split_windows = 0;  // windows too skewed to exchange at once (the same on every rank)
};

// The pieces a rank's range is cut into: windows are made of them, and the sku ranges
// probed at their starts.
inline constexpr std::uint64_t kPieceBytes = std::uint64_t{4} << 20;

// Collective. `pieces` are the rank's segments cut by cut_segments(.., min(kPieceBytes,
// sizes.window)), `starts` their record starts; `release(file, begin, end)` gives input pages
// back once a window is parsed.
SpilledShare parse_in_windows(const mpi::Comm& comm, const std::vector<Segment>& pieces,
                              const std::function<std::string_view(std::uint32_t)>& bytes, const RecordStarts& starts,
                              const std::vector<csv::ColumnMap>& columns, const SpillSizes& sizes,
                              const std::string& scratch_dir,
                              const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release,
                              const ChunkHook* chunks = nullptr);

// One merge of the row runs: the rank's distinct products, and their names tallied into
// count runs. Plain C++.
void tally_products(SpilledShare& share, const SpillSizes& sizes);

}  // namespace lfp
