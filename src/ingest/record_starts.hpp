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
  // Collective. `release(file, begin, end)`, when given, is told after each segment's summary
  // that its bytes are not needed until the parse (under --mem-per-rank: the scan then holds
  // a segment of the input at a time, not the rank's whole range).
  RecordStarts(const mpi::Comm& comm, const std::vector<Segment>& segments,
               const std::function<std::string_view(std::uint32_t)>& bytes,
               const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release = {});
  // The automaton state where segment i begins (a rank's range may be cut into many
  // segments: each gets the fold of everything before it). A segment that starts a file
  // starts clean, whatever the previous file left open.
  csv::RangeStart of(std::size_t i) const { return starts_[i]; }
  // Starts known already (segments that begin at a record whose place is known).
  explicit RecordStarts(std::vector<csv::RangeStart> given) : starts_(std::move(given)) {}

 private:
  std::vector<csv::RangeStart> starts_;
};

// Cuts segments longer than `piece` bytes into pieces, each with its start, from a summary of
// the bytes before it within its segment (plain C++: no other rank is needed).
void cut_with_starts(std::vector<Segment>& segments, std::vector<csv::RangeStart>& starts, std::uint64_t piece,
                     const std::function<std::string_view(std::uint32_t)>& bytes);

}  // namespace lfp
