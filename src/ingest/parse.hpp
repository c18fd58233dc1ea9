#pragma once
// Phase 5: a rank's owned records become rows (bucketed by the rank that owns their sku) or
// rejects, with per-file record and reject counts for the sources ledger. Plain C++.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "csv/automaton.hpp"
#include "csv/header.hpp"
#include "ingest/byte_partition.hpp"
#include "util/buffer.hpp"

namespace lfp {

struct ParsedRange {
  std::vector<Buffer> outgoing;                 // encoded RowViews, one buffer per destination rank
  Buffer rejects;                               // encoded RejectViews, in file order
  std::vector<std::int64_t> records, rejected;  // per file: data records read, rejected
};

// `start_of(i)` is the automaton start of segment i; bytes(file) the whole file.
// `release(file, begin, end)`, when given, is told every so often that bytes [begin, end)
// of that file will not be read again (rows are copies once encoded).
ParsedRange parse_range(const std::vector<Segment>& segments,
                        const std::function<std::string_view(std::uint32_t)>& bytes,
                        const std::function<csv::RangeStart(std::size_t)>& start_of,
                        const std::vector<csv::ColumnMap>& columns, int ranks, std::uint64_t range_bytes,
                        const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release = {});

}  // namespace lfp
