#include "ingest/record_starts.hpp"

#include "csv/range_scan.hpp"

namespace lfp {

RecordStarts::RecordStarts(const mpi::Comm& comm, const std::vector<Segment>& segments,
                           const std::function<std::string_view(std::uint32_t)>& bytes,
                           const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release) {
  std::vector<csv::RangeSummary> parts;
  parts.reserve(segments.size());
  csv::RangeSummary summary = csv::RangeSummary::identity();
  for (const auto& s : segments) {
    parts.push_back(csv::summarize(bytes(s.file), s.begin, s.end));
    summary = summary.then(parts.back());
    if (release) release(s.file, s.begin, s.end);
  }
  const auto all = comm.allgather(summary);
  csv::RangeSummary before = csv::RangeSummary::identity();
  for (int r = 0; r < comm.rank(); ++r) before = before.then(all[r]);
  starts_.reserve(segments.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    starts_.push_back(segments[i].begin == 0 ? csv::RangeStart{} : csv::fold_prefix(&before, 1));
    before = before.then(parts[i]);
  }
}

}  // namespace lfp
