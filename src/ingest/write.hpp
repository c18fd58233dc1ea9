#pragma once
// Phase 8: rank 0 pulls every rank's sorted streams (rejects, products, counts) in bounded
// batches, merges them and writes the database and the snapshot; the other ranks serve
// their streams until rank 0 has what it needs.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ingest/name_counts.hpp"
#include "ingest/options.hpp"
#include "ingest/phase_clock.hpp"
#include "mpi/comm.hpp"
#include "records/row_codec.hpp"
#include "store/import_session.hpp"

namespace lfp {

// What one rank holds for the write, each sorted (rejects by order key, products by sku,
// counts by name).
struct RankResults {
  const std::vector<RejectView>& rejects;
  const std::vector<RowRef>& products;
  const std::vector<NameCount>& counts;
  // Frees the rows, counts and rejects (and the buffers they point into) once rank 0 has
  // merged them: the index builds and the snapshot's last chunks then have that memory.
  std::function<void()> release = {};
};

// What rank 0 knows about the run before writing.
struct RunFacts {
  std::string started_at;
  std::vector<std::string> read_paths;  // the files read, by order-key file index
  std::vector<store::SourceRecord> sources;  // ledger rows of the files read
  std::int64_t records_read = 0, rejected = 0, distinct_skus = 0;
  std::int64_t files_skipped = 0;
};

struct WriteOutcome {
  std::int64_t run_id = 0;
  std::int64_t inserted = 0, updated = 0, unchanged = 0;
  std::int64_t products = 0, names = 0;  // totals in the database after the run
  std::int64_t rejects_shown = 0, rejects_total = 0;
  bool snapshot_written = false;
  bool folded = false;  // products_recent was folded into products_main
  std::vector<std::pair<std::string, double>> phase_seconds;  // as the runs table has them, with "total"
};

// Rank 0 only. More rejects than options.max_rejects fail the run before the commit (exit 3).
// Throws Error on failure (the database is then unchanged); the other ranks
// are released either way.
WriteOutcome write_on_root(const mpi::Comm& comm, const IngestOptions& options, const RunFacts& facts,
                           const RankResults& mine, PhaseClock& clock);
// The other ranks: serve rank 0's requests until it is done.
void serve_write(const mpi::Comm& comm, const IngestOptions& options, const RankResults& mine);

}  // namespace lfp
