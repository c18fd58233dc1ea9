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
  // The seconds are outcome.phase_seconds, "total" included: the figures the runs table and
  // the JSON report hold, so that all three agree.
};

std::vector<std::string> summary_lines(const RunSummary& s);

}  // namespace lfp
