#pragma once
// The lines rank 0 prints after a run: what was read and skipped, what changed, where it
// went and how long each phase took.
#include <string>
#include <utility>
#include <vector>

#include "ingest/write.hpp"

namespace lfp {

struct RunSummary {
  int ranks = 0;
  std::size_t files = 0, files_read = 0;
  std::int64_t records_read = 0, rejected = 0;
  WriteOutcome outcome;
  std::string db, h5;  // h5 empty: no snapshot written
  double seconds = 0;
  std::vector<std::pair<std::string, double>> phases;
};

std::vector<std::string> summary_lines(const RunSummary& s);

}  // namespace lfp
