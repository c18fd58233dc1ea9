#pragma once
// The records of a set of files as one sequential parse finds them, and as K simulated ranks
// find them (partition, range summaries, prefix fold, owned records: the ingest job's
// boundary logic without MPI). For the test tools that compare the two.
#include <cstdint>
#include <string>
#include <vector>

#include "csv/range_scan.hpp"
#include "ingest/byte_partition.hpp"

namespace lfp::testing {

// fn(file index, record index in its file, record), file by file.
template <class Fn>
void for_each_record_sequentially(const std::vector<std::string>& files, Fn&& fn) {
  for (std::size_t f = 0; f < files.size(); ++f) {
    csv::Cursor cursor(files[f], csv::bom_length(files[f]), csv::State::RecordStart, 0);
    csv::Record r;
    std::uint64_t index = 0;
    while (cursor.seek_record_start(files[f].size()) < files[f].size()) {
      cursor.parse(r);
      fn(f, index++, r);
    }
  }
}

// The same through `ranks` simulated ranks, in rank order.
template <class Fn>
void for_each_record_as_ranks(const std::vector<std::string>& files, int ranks, Fn&& fn) {
  std::vector<std::uint64_t> sizes;
  for (const auto& f : files) sizes.push_back(f.size());
  const auto ranges = partition(sizes, ranks);
  std::vector<csv::RangeSummary> summaries;
  for (const auto& range : ranges) {
    auto s = csv::RangeSummary::identity();
    for (const auto& seg : segments_of(sizes, range)) s = s.then(csv::summarize(files[seg.file], seg.begin, seg.end));
    summaries.push_back(s);
  }
  for (int r = 0; r < ranks; ++r) {
    const auto start = csv::fold_prefix(summaries.data(), r);
    const auto segs = segments_of(sizes, ranges[r]);
    for (std::size_t i = 0; i < segs.size(); ++i)
      csv::for_each_owned_record(files[segs[i].file], segs[i].begin, segs[i].end, i == 0 ? start : csv::RangeStart{},
                                 [&](std::uint64_t index, const csv::Record& rec) { fn(segs[i].file, index, rec); });
  }
}

}  // namespace lfp::testing
