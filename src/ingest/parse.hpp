#pragma once
// Phase 5: a rank's owned records become rows (in file order, with a sample of their skus
// from which the ranks agree on sku ranges) or rejects, with per-file record and reject
// counts for the sources ledger. Plain C++.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/automaton.hpp"
#include "csv/header.hpp"
#include "ingest/byte_partition.hpp"
#include "ingest/record_chunks.hpp"
#include "util/buffer.hpp"

namespace lfp {

struct ParsedRange {
  Buffer rows;                                  // encoded RowViews, in file order
  std::vector<std::string> sku_sample;          // every k-th row's sku (the first row's included)
  Buffer rejects;                               // encoded RejectViews, in file order
  std::vector<std::int64_t> records, rejected;  // per file: data records read, rejected
};

// Files read whole are cut into chunks as they are parsed (changed_records.hpp): their
// records go to `builder` too, with their record and sku hashes.
struct ChunkHook {
  PieceBuilder* builder = nullptr;
  std::vector<std::uint8_t> files;  // per file: its records go to the builder
};

// `start_of(i)` is the automaton start of segment i; bytes(file) the whole file.
// `release(file, begin, end)`, when given, is told every so often that bytes [begin, end)
// of that file will not be read again (rows are copies once encoded).
ParsedRange parse_range(const std::vector<Segment>& segments,
                        const std::function<std::string_view(std::uint32_t)>& bytes,
                        const std::function<csv::RangeStart(std::size_t)>& start_of,
                        const std::vector<csv::ColumnMap>& columns, std::uint64_t range_bytes,
                        const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release = {},
                        const ChunkHook* chunks = nullptr);

}  // namespace lfp
