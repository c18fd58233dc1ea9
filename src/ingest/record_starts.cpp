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

void cut_with_starts(std::vector<Segment>& segments, std::vector<csv::RangeStart>& starts, std::uint64_t piece,
                     const std::function<std::string_view(std::uint32_t)>& bytes) {
  std::vector<Segment> cut_segments;
  std::vector<csv::RangeStart> cut_starts;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    csv::RangeStart at = starts[i];
    for (std::uint64_t begin = s.begin; begin < s.end;) {
      const std::uint64_t end = s.end - begin > piece ? begin + piece : s.end;
      cut_segments.push_back({s.file, begin, end});
      cut_starts.push_back(at);
      if (end < s.end) {
        // Within a file (a segment that starts one is never cut before its first record).
        const auto summary = csv::summarize(bytes(s.file), begin, end);
        const auto from = static_cast<std::size_t>(at.state);
        at = summary.resets ? csv::RangeStart{summary.end[from], summary.records[from], summary.lines}
                            : csv::RangeStart{summary.end[from], at.records_before + summary.records[from],
                                              at.lines_before + summary.lines};
      }
      begin = end;
    }
  }
  segments = std::move(cut_segments);
  starts = std::move(cut_starts);
}

}  // namespace lfp
