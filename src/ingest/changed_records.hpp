#pragma once
// Phase `changes` of ingest (issue 20): a changed file costs what changed in it. A file the
// ledger holds as chunks, cut with the same columns and chunk size, is read for its changes:
// every rank hashes its records and cuts them into chunks (pass 1, no parsing into rows);
// rank 0 keeps the chunks the ledger knows; the ranks hash the new chunks' records and skus
// (pass 2); rank 0 looks each record up in the file's old version; only the records that
// are new or changed are parsed into rows. Files read whole (new, --force, standard input,
// another layout) are chunked as the parse goes (parse.hpp's ChunkHook). Rank 0 ends with
// each file's new chunk list for the ledger.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "csv/automaton.hpp"
#include "csv/header.hpp"
#include "ingest/byte_partition.hpp"
#include "ingest/record_chunks.hpp"
#include "mpi/comm.hpp"
#include "store/source_chunks.hpp"

namespace lfp {

// Rank 0's view of one file read in this run.
struct FileChanges {
  std::string path;                     // absolute: the ledger's key
  bool chunked = true;                  // false: not kept as chunks (standard input)
  std::vector<store::LedgerChunk> old;  // the ledger's chunks of this path (empty: none)
  bool by_chunks = false;               // read for its changes only
  store::SourceLayout layout;           // what its chunks are cut with now
  std::vector<store::NewChunk> chunks;  // the new version's chunks
  std::vector<std::int64_t> dropped;    // old chunks the new version does not have
  std::uint64_t records = 0;            // records in the new version
};

struct ChangeState {
  std::vector<FileChanges> files;       // rank 0: per file read
  std::vector<std::uint8_t> by_chunks;  // every rank: per file read: read for its changes only
  std::vector<std::uint8_t> whole;      // every rank: per file read: read whole and cut as parsed
  std::uint64_t chunk_bytes = kDefaultChunkBytes;
  std::int64_t unchanged = 0;                 // every rank: records of files read by chunks that were not applied
  std::uint64_t chunks = 0, chunks_read = 0;  // rank 0: chunks of the files read by chunks, and new ones
};

using ReleaseFn = std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>;

// Rank 0 fills `state.files` (chunked, old, layout); every rank gets which files are read by
// chunks: those with old chunks of the same layout, unless `force`.
void decide_by_chunks(const mpi::Comm& comm, ChangeState& state, const std::vector<store::SourceLayout>& was,
                      bool force);

// Collective. For the files read by chunks, the records to parse: `segments` and `starts`
// (their automaton starts) become those files' changed records, other files' segments kept.
// `db`: the database (rank 0 reads the old versions' hashes from it).
void narrow_to_changes(const mpi::Comm& comm, ChangeState& state, std::vector<Segment>& segments,
                       std::vector<csv::RangeStart>& starts,
                       const std::function<std::string_view(std::uint32_t)>& bytes,
                       const std::vector<csv::ColumnMap>& columns, const std::vector<std::uint64_t>& sizes,
                       const std::string& db, const ReleaseFn& release);

// Collective, after the parse: the chunks of the files read whole (their records went to
// `builder`) reach rank 0's state. `ends_here[f]`: file f ends within this rank's range.
void finish_whole_files(const mpi::Comm& comm, ChangeState& state, PieceBuilder& builder,
                        const std::vector<std::uint8_t>& ends_here);

// The column layout of a file's header, as the ledger keeps it.
std::string layout_columns(const csv::ColumnMap& columns);

}  // namespace lfp
