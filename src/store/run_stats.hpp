#pragma once
// The figures of one ingest run, filled in by its phases (rank 0's copy is the whole run's).
// The runs row, the JSON report and the summary are renderings of this one record, so that
// all three agree. Header-only and free of ingest/: the store writes the runs row from it.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace lfp {

// The phases of an ingest, as the runs table, the JSON report and the summary name them.
namespace phase {
inline constexpr const char* kDigest = "digest";
inline constexpr const char* kDecompress = "decompress";
inline constexpr const char* kScan = "scan";
// a changed file: its chunks, and which of its records are new or changed (issue 20)
inline constexpr const char* kChanges = "changes";
inline constexpr const char* kParse = "parse";
inline constexpr const char* kShuffle = "shuffle";
inline constexpr const char* kDedup = "dedup";
inline constexpr const char* kCount = "count";
inline constexpr const char* kPages = "pages";  // a new database built by hand: every rank lays out its parts
// a new database's snapshot: every rank compresses the chunks of its slice
inline constexpr const char* kH5Chunks = "h5_chunks";
inline constexpr const char* kWriteDb = "write_db";
inline constexpr const char* kWriteH5 = "write_h5";
inline constexpr const char* kTotal = "total";  // the whole run, the last entry
}  // namespace phase

using PhaseSeconds = std::vector<std::pair<std::string, double>>;

struct RunStats {
  std::string started_at;  // ISO 8601, UTC
  int ranks = 0;
  // Inputs: read, and skipped as unchanged since their last ingest.
  std::int64_t files_read = 0, files_skipped = 0;
  std::int64_t records_read = 0, rejected = 0;
  // Records of changed files not applied again (in kept chunks, or unchanged in new ones);
  // chunks of those files, and how many were new and read.
  std::int64_t records_unchanged = 0, chunks = 0, chunks_read = 0;
  // Skus that vanished from a file read, and how many of them --prune deleted.
  std::int64_t vanished = 0, pruned = 0;
  std::int64_t distinct_skus = 0;  // rows written: the last record of each sku
  // The write (rank 0, once committed).
  std::int64_t run_id = 0;
  std::int64_t inserted = 0, updated = 0, unchanged = 0;
  std::int64_t products = 0, names = 0;  // totals in the database after the run
  bool folded = false;                   // products_recent was folded into products_main
  PhaseSeconds phase_seconds;            // in order, phase::kTotal last
};

// {"parse": 0.250000, "total": 1.500000}: the phase names are plain words, the seconds have
// six decimals (as the runs table stores them and the JSON report prints them).
inline std::string phase_seconds_json(const PhaseSeconds& phases) {
  std::string out = "{";
  for (const auto& [name, secs] : phases) {
    char num[64];
    std::snprintf(num, sizeof num, "%.6f", secs);
    if (out.size() > 1) out += ", ";
    out += "\"" + name + "\": " + num;
  }
  return out + "}";
}

}  // namespace lfp
