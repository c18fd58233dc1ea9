#include "ingest/parse.hpp"

#include <algorithm>

#include "csv/range_scan.hpp"
#include "records/order_key.hpp"
#include "records/reject.hpp"
#include "records/row_codec.hpp"
#include "util/progress.hpp"

namespace lfp {

ParsedRange parse_range(const std::vector<Segment>& segments,
                        const std::function<std::string_view(std::uint32_t)>& bytes,
                        const std::function<csv::RangeStart(std::size_t)>& start_of,
                        const std::vector<csv::ColumnMap>& columns, std::uint64_t range_bytes,
                        const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release,
                        const ChunkHook* chunks) {
  // Input pages go every 64 MiB parsed: a rank then never holds its whole input range and
  // all the rows encoded from it at once.
  constexpr std::uint64_t kReleaseEvery = std::uint64_t{64} << 20;
  // About kSampleTarget skus per rank for records of 64 bytes or more: enough for ranges
  // within a few percent of even at hundreds of ranks, a few hundred KB to allgather.
  constexpr std::uint64_t kSampleTarget = 4096;
  const std::uint64_t sample_every = std::max<std::uint64_t>(1, range_bytes / 64 / kSampleTarget);
  std::uint64_t rows = 0;
  ParsedRange out;
  out.records.assign(columns.size(), 0);
  out.rejected.assign(columns.size(), 0);
  // Rows encode to about the size of their CSV bytes: reserving that up front avoids
  // regrowing (and recopying) the buffer.
  out.rows.reserve(range_bytes + range_bytes / 8 + 4096);
  // Progress: published every 1024 records (plain stores; the reporter only reads them),
  // counted on from what earlier calls in the same phase published (windows under a budget).
  auto& progress = progress_counters();
  std::uint64_t done_bytes = progress.bytes.load(std::memory_order_relaxed),
                done_records = progress.records.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    const auto file = bytes(s.file);
    const auto& cols = columns[s.file];
    auto& records = out.records[s.file];
    auto& rejected = out.rejected[s.file];
    std::uint64_t released = s.begin;
    PieceBuilder* builder = chunks && chunks->files[s.file] ? chunks->builder : nullptr;
    csv::for_each_owned_record(
        file, s.begin, s.end, start_of(i),
        [&](std::uint64_t index, const csv::Record& r) {
          if (index == 0) return;  // the header
          done_bytes += r.end - r.offset;
          if (++done_records % 1024 == 0) {
            progress.bytes.store(done_bytes, std::memory_order_relaxed);
            progress.records.store(done_records, std::memory_order_relaxed);
          }
          ++records;
          if (release && r.offset >= released + kReleaseEvery) {
            release(s.file, released, r.offset);  // this record and later ones are still read
            released = r.offset;
          }
          const std::uint64_t key = order_key(s.file, r.offset);
          const auto why = check_record(r, cols);
          if (builder)
            builder->add(s.file, r.offset, r.end, r.line - 1, index,
                         record_hash(file.substr(r.offset, r.end - r.offset)), why ? 0 : sku_hash(r.fields[cols.sku]));
          if (why) {
            ++rejected;
            encode(out.rejects,
                   RejectView{key, r.line, static_cast<std::uint8_t>(*why), static_cast<std::uint32_t>(r.field_count()),
                              cols.fields, file.substr(r.offset, r.end - r.offset)});
            return;
          }
          const RowView row{key, r.fields[cols.sku], r.fields[cols.name], r.fields[cols.description]};
          if (rows++ % sample_every == 0) out.sku_sample.emplace_back(row.sku);
          encode(out.rows, row);
        },
        cols.fields);  // past the header's field count, fields are only counted
  }
  progress.bytes.store(done_bytes, std::memory_order_relaxed);
  progress.records.store(done_records, std::memory_order_relaxed);
  return out;
}

}  // namespace lfp
