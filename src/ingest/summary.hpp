#pragma once
// The lines rank 0 prints after a run: what was read and skipped, what changed, where it
// went and how long each phase took: the run's figures (RunStats), the same the runs table
// and the JSON report hold, so that all three agree.
#include <cstddef>
#include <string>
#include <vector>

#include "store/run_stats.hpp"

namespace lfp {

// `files`: how many inputs were named; `h5` empty: no snapshot written.
std::vector<std::string> summary_lines(const RunStats& s, std::size_t files, const std::string& db,
                                       const std::string& h5);

}  // namespace lfp
