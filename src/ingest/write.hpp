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
#include "ingest/page_plan.hpp"
#include "ingest/phase_clock.hpp"
#include "mpi/comm.hpp"
#include "records/row_codec.hpp"
#include "store/import_session.hpp"
#include "store/run_stats.hpp"

namespace lfp {

// What one rank holds for the write, each sorted (rejects by order key, products by sku,
// counts by name).
struct RankResults {
  const std::vector<RejectView>& rejects;
  const std::vector<RowRef>& products;
  const std::vector<NameCount>& counts;
  // A new database built by hand: this rank's parts of its b-trees (else null).
  const PagePlan* pages = nullptr;
  // Frees the rows, counts and rejects (and the buffers they point into) once rank 0 has
  // merged them: the index builds and the snapshot's last chunks then have that memory.
  std::function<void()> release = {};
};

// The rejects named one by one as they are written; the summary counts the rest.
inline constexpr std::int64_t kMaxShownRejects = 10;

// The files the run reads, as rank 0 knows them before writing.
struct ReadFiles {
  std::vector<std::string> paths;            // as named, by order-key file index
  std::vector<store::SourceRecord> sources;  // their ledger rows
};

// Rank 0 only. `stats` holds what the phases before found (started_at, ranks, files,
// records, rejects, distinct skus); returned with the write's figures added (run id,
// inserted, updated, unchanged, totals, fold, every phase's seconds with "total").
// More rejects than options.max_rejects fail the run before the commit (exit 3).
// Throws Error on failure (the database is then unchanged); the other ranks
// are released either way.
RunStats write_on_root(const mpi::Comm& comm, const IngestOptions& options, const ReadFiles& files, RunStats stats,
                       const RankResults& mine, PhaseClock& clock);
// The other ranks: serve rank 0's requests until it is done.
void serve_write(const mpi::Comm& comm, const IngestOptions& options, const RankResults& mine);

}  // namespace lfp
