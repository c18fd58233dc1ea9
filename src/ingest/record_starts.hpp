#pragma once
// Phase 3: record boundaries. RecordStarts is the automaton state in which each of a rank's
// segments starts. Each rank summarizes its range for every automaton start state; an
// allgather and a fold of the lower ranks' summaries give each rank its true start state,
// line number and record index.
#include <functional>
#include <string_view>
#include <vector>

#include "csv/automaton.hpp"
#include "ingest/byte_partition.hpp"
#include "mpi/comm.hpp"

namespace lfp {

class RecordStarts {
 public:
  // Collective.
  RecordStarts(const mpi::Comm& comm, const std::vector<Segment>& segments,
               const std::function<std::string_view(std::uint32_t)>& bytes);
  // The automaton state where segment i begins. A segment that starts a file starts clean,
  // whatever the previous file left open.
  csv::RangeStart of(std::size_t i) const {
    return i == 0 && !segments_.empty() && segments_[0].begin != 0 ? start_ : csv::RangeStart{};
  }

 private:
  const std::vector<Segment>& segments_;
  csv::RangeStart start_;
};

}  // namespace lfp
