#pragma once
// Phase 8: rank 0 writes the database and the snapshot from what every rank serves in
// bounded batches: for a new database built by hand, the ranks' pages (unless they wrote them
// in place), rejects and finished snapshot chunks; otherwise their sorted rejects, products
// and counts, which rank 0 merges into SQLite. The other ranks serve until rank 0 is done.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ingest/changed_records.hpp"
#include "ingest/name_counts.hpp"
#include "ingest/options.hpp"
#include "ingest/page_plan.hpp"
#include "ingest/phase_clock.hpp"
#include "ingest/snapshot_chunks.hpp"
#include "ingest/windowed_parse.hpp"
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
  // A new database built by hand: this rank's parts of its b-trees (else null), and whether
  // every rank has written its own parts into the file already (write_parts_in_place); if
  // not, rank 0 pulls them.
  const PagePlan* pages = nullptr;
  bool parts_written = false;
  // A new database's snapshot: every rank's finished chunks (else null: rank 0 writes the
  // snapshot from the rows).
  const SnapshotChunks* snapshot = nullptr;
  // Under --mem-per-rank with spilling: the rank's rejects, products and counts are read back
  // from its runs (the vectors above are then empty).
  const SpilledShare* spilled = nullptr;
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
  std::vector<FileChanges> changes;          // their chunks, old and new (changed_records.hpp)
};

// A new database's file while it is built: rank 0's temporary file beside the target.
struct BuiltFile {
  std::unique_ptr<TempFile> temp;
};

// Collective, for a new database built by hand, before the write: rank 0 creates the
// temporary file; when every rank can open that very file (a shared file system: a token rank
// 0 wrote there reads back on every rank), every rank writes its own parts at their offsets,
// at once. Returns true when the parts are written; false when rank 0 must pull them (the
// ranks do not share the file system). Throws the same Error on every rank when a write failed.
bool write_parts_in_place(const mpi::Comm& comm, const IngestOptions& options, const PagePlan& plan, BuiltFile& file);

// Rank 0 only. `stats` holds what the phases before found (started_at, ranks, files,
// records, rejects, distinct skus); returned with the write's figures added (run id,
// inserted, updated, unchanged, totals, fold, every phase's seconds with "total").
// More rejects than options.max_rejects fail the run before the commit (exit 3).
// Throws Error on failure (the database is then unchanged); the other ranks
// are released either way.
// `file`: from write_parts_in_place for a database built by hand.
RunStats write_on_root(const mpi::Comm& comm, const IngestOptions& options, const ReadFiles& files, RunStats stats,
                       const RankResults& mine, PhaseClock& clock, BuiltFile& file);
// The other ranks: serve rank 0's requests until it is done.
void serve_write(const mpi::Comm& comm, const IngestOptions& options, const RankResults& mine);

}  // namespace lfp
