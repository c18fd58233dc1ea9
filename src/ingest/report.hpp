#pragma once
// --json-report FILE|-: the run's figures as one JSON object, the same figures the runs table
// holds. Keys: records_read, rejected, inserted, updated, unchanged, products, names (totals
// in the database after the run), phase_seconds (an object, phase name to seconds, with
// "total"), files (objects with path, status, records, rejects), nodes (objects with host
// and ranks, one per node of the job), exit_code and error (the failed run's message, null
// when it succeeded). A file's status: "read", "skipped" (unchanged since its last ingest),
// "missing", "unreadable", "not a regular file", "rejected header", "failed" (the error
// names it) or "not read" (the run failed first).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/run_stats.hpp"

namespace lfp {

struct FileReport {
  std::string path;                       // as given (or as a directory or --files-from expanded it)
  std::string status;                     // as listed above; empty until the run decides
  std::int64_t records = 0, rejects = 0;  // this run's (0 for a skipped file)
};

struct NodeReport {
  std::string host;        // the node's host name
  std::vector<int> ranks;  // the ranks that ran there
};

// What the report says besides the run's figures (RunStats).
struct RunReport {
  std::vector<FileReport> files;
  std::vector<NodeReport> nodes;
  int exit_code = 0;
  std::string error;  // empty when the run succeeded
};

// Rank 0, after a failed run: the status of each file the run had not settled, from the
// error and a look at the file itself.
void settle_file_statuses(RunReport& report);

// The figures from `stats` (records_read to phase_seconds), the rest from `report`.
std::string report_json(const RunStats& stats, const RunReport& report);
// Writes the report to `target` ("-": standard output), a file through a temporary name so
// that no reader sees half of it. Throws Error(kExitOutput).
void write_report(const std::string& target, const RunStats& stats, const RunReport& report);

}  // namespace lfp
