#pragma once
// What `lfp_mpi ingest` is asked to do (the command line, parsed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lfp {

struct IngestOptions {
  std::vector<std::string> files;
  std::string db = "products.db";
  std::string h5;  // empty: the database path with .h5 (store::snapshot_path)
  bool no_h5 = false;
  bool force = false;                                        // read files even when the ledger says they are unchanged
  bool prune = false;                                        // delete skus that vanished from every source
  std::uint64_t chunk_bytes = std::uint64_t{1} << 20;        // the ledger's target chunk size
  std::size_t batch_bytes = std::size_t{4} << 20;            // gather batch per rank
  std::size_t exchange_round_bytes = std::size_t{64} << 20;  // shuffle round per rank
  bool quiet = false;
  bool verbose = false;            // -v: per-rank detail in the progress lines
  std::string files_from;          // a file listing input paths, "-" for standard input
  std::string json_report;         // where to write the JSON report, "-" for standard output
  std::int64_t max_rejects = -1;   // more rejects than this fail the run; -1: no limit
  std::string scratch;             // decompressed inputs, stream copies, spilled runs (empty: $TMPDIR or /tmp)
  std::uint64_t mem_per_rank = 0;  // --mem-per-rank in bytes; 0: 1 GiB or the node's limit over its ranks
  std::string command;             // the command line, for the runs table
  // How a new database's products and counts are written: "pages" (every rank builds its
  // slice of the b-trees, rank 0 writes the file) or "sqlite" (rank 0 inserts every row
  // through SQLite: the reference). An existing database is always updated through SQLite.
  std::string db_writer = "pages";
};

}  // namespace lfp
