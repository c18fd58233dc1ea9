#include "ingest/record_starts.hpp"

#include "csv/range_scan.hpp"

namespace lfp {

RecordStarts::RecordStarts(const mpi::Comm& comm, const std::vector<Segment>& segments,
                           const std::function<std::string_view(std::uint32_t)>& bytes)
    : segments_(segments) {
  csv::RangeSummary summary = csv::RangeSummary::identity();
  for (const auto& s : segments) summary = summary.then(csv::summarize(bytes(s.file), s.begin, s.end));
  const auto all = comm.allgather(summary);
  start_ = csv::fold_prefix(all.data(), comm.rank());
}

}  // namespace lfp
