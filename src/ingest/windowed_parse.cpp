#include "ingest/windowed_parse.hpp"

#include <algorithm>
#include <optional>

#include "csv/range_scan.hpp"
#include "ingest/key_sample.hpp"
#include "ingest/parse.hpp"
#include "ingest/route.hpp"
#include "ingest/spilled_rows.hpp"
#include "mpi/agree.hpp"
#include "mpi/shuffle.hpp"
#include "records/reject.hpp"
#include "util/error.hpp"

namespace lfp {
namespace {

// Skus of the first kPerPiece valid records that start in the first kProbeBytes of every
// piece, at most kSampleTarget of them (the parse's sample size on the in-memory path).
// A fault on a mapped file maps the whole large folio the page cache read ahead (2 MiB here,
// Linux 6.18, ext4): one probe per piece would keep half the range mapped, 4 GiB of rank 0's
// 8.5 GB at 100M records. So what has been probed is given back at once, from the file's
// first piece on, since a folio may reach behind its piece (madvise skips unmapped tables).
std::vector<std::string> probe_skus(const std::vector<Segment>& pieces,
                                    const std::function<std::string_view(std::uint32_t)>& bytes,
                                    const RecordStarts& starts, const std::vector<csv::ColumnMap>& columns,
                                    const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release) {
  constexpr std::uint64_t kProbeBytes = 16 << 10;
  constexpr std::size_t kSampleTarget = 4096, kPerPiece = 4;
  std::vector<std::string> found;
  std::vector<std::optional<std::uint64_t>> first_byte(columns.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto& p = pieces[i];
    auto& from = first_byte[p.file];
    if (!from) from = p.begin;
    const auto& cols = columns[p.file];
    std::size_t taken = 0;
    csv::for_each_owned_record(
        bytes(p.file), p.begin, std::min(p.end, p.begin + kProbeBytes), starts.of(i),
        [&](std::uint64_t index, const csv::Record& r) {
          if (taken < kPerPiece && index > 0 && !check_record(r, cols)) {
            found.emplace_back(r.fields[cols.sku]);
            ++taken;
          }
        },
        cols.fields);
    if (release) release(p.file, *from, p.end);
  }
  if (found.size() <= kSampleTarget) return found;
  std::vector<std::string> out;
  out.reserve(kSampleTarget);
  for (std::size_t k = 0; k < kSampleTarget; ++k) out.push_back(std::move(found[k * found.size() / kSampleTarget]));
  return out;
}

// Consecutive pieces of about `window` bytes: the first piece of each window.
std::vector<std::size_t> window_starts(const std::vector<Segment>& pieces, std::uint64_t window) {
  std::vector<std::size_t> out;
  std::uint64_t held = window;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (held >= window) {
      out.push_back(i);
      held = 0;
    }
    held += pieces[i].end - pieces[i].begin;
  }
  return out;
}

std::string_view sku_of_row(const RowRef& r) { return r.sku(); }

}  // namespace

SpilledShare parse_in_windows(const mpi::Comm& comm, const std::vector<Segment>& pieces,
                              const std::function<std::string_view(std::uint32_t)>& bytes, const RecordStarts& starts,
                              const std::vector<csv::ColumnMap>& columns, const SpillSizes& sizes,
                              const std::string& scratch_dir,
                              const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release,
                              const ChunkHook* chunks) {
  const int ranks = comm.size();
  SpilledShare share;
  share.readers = sizes.readers;
  share.cache = sizes.cache;
  share.records.assign(columns.size(), 0);
  share.rejected.assign(columns.size(), 0);
  const KeyRanges sku_ranges = agree_key_ranges(comm, probe_skus(pieces, bytes, starts, columns, release));
  // A failure on one rank (a full scratch disk) is agreed on before the next collective step,
  // so that no rank waits in an exchange another has left.
  auto agreed = [&comm](auto&& step) {
    if (const int code = mpi::agree(comm, step)) throw Error::reported(static_cast<ExitCode>(code));
  };
  agreed([&] {
    share.runs = std::make_unique<SpillFile>(scratch_dir, "lfp_mpi-runs", sizes.writer);
    share.rejects = std::make_unique<SpillFile>(scratch_dir, "lfp_mpi-rejects", sizes.writer);
  });
  RowRuns runs(*share.runs, sizes.run);

  const auto firsts = window_starts(pieces, sizes.window);
  // Every rank takes part in every window's exchange, with nothing to send after its own last.
  const auto windows = static_cast<std::size_t>(comm.max(static_cast<int>(firsts.size())));
  for (std::size_t w = 0; w < windows; ++w) {
    std::vector<Buffer> outgoing;
    agreed([&] {
      std::vector<Segment> window;
      std::size_t first = 0;
      if (w < firsts.size()) {
        first = firsts[w];
        const std::size_t end = w + 1 < firsts.size() ? firsts[w + 1] : pieces.size();
        window.assign(pieces.begin() + static_cast<std::ptrdiff_t>(first),
                      pieces.begin() + static_cast<std::ptrdiff_t>(end));
      }
      std::uint64_t window_bytes = 0;
      for (const auto& s : window) window_bytes += s.end - s.begin;
      ParsedRange parsed = parse_range(
          window, bytes, [&](std::size_t i) { return starts.of(first + i); }, columns, window_bytes, {}, chunks);
      if (release)
        for (const auto& s : window) release(s.file, s.begin, s.end);
      for (std::size_t f = 0; f < columns.size(); ++f) {
        share.records[f] += parsed.records[f];
        share.rejected[f] += parsed.rejected[f];
      }
      // Rejects arrive in file order on each rank; rank 0 merges the ranks by order key.
      for (const char* p = parsed.rejects.data(); p < parsed.rejects.data() + parsed.rejects.size();) {
        RejectView r;
        const char* next = decode(p, r);
        share.rejects->add({p, static_cast<std::size_t>(next - p)});
        p = next;
      }
      outgoing = route_encoded<RowRef>(std::move(parsed.rows), sku_ranges, ranks, sku_of_row);
    });
    // A skew the probes missed could send every rank's window to one rank: what a rank takes
    // in at once stays under two windows, in as many exchanges as that takes.
    std::vector<std::int64_t> into(static_cast<std::size_t>(ranks));
    for (int d = 0; d < ranks; ++d) into[d] = static_cast<std::int64_t>(outgoing[d].size());
    comm.sum_in_place(into);
    const auto most = static_cast<std::uint64_t>(*std::max_element(into.begin(), into.end()));
    const std::size_t parts = std::max<std::uint64_t>(1, (most + 2 * sizes.window - 1) / (2 * sizes.window));
    std::vector<std::vector<Buffer>> sends(parts, std::vector<Buffer>(static_cast<std::size_t>(ranks)));
    if (parts == 1) {
      sends[0] = std::move(outgoing);
    } else {
      ++share.split_windows;
      for (int d = 0; d < ranks; ++d) {
        auto cut = split_encoded<RowRef>(std::move(outgoing[d]), parts);
        for (std::size_t k = 0; k < parts; ++k) sends[k][d] = std::move(cut[k]);
      }
    }
    for (auto& send : sends) {
      std::vector<Buffer> incoming = mpi::exchange(comm, std::move(send), sizes.round);
      agreed([&] { runs.add(std::move(incoming)); });
    }
  }
  agreed([&] {
    runs.finish();
    share.reject_run = share.rejects->end_run();
  });
  share.row_runs = runs.runs();
  return share;
}

void tally_products(SpilledShare& share, const SpillSizes& sizes) {
  share.row_runs = merge_down<RowView, BySku, KeepLatest>(*share.runs, std::move(share.row_runs), sizes.readers);
  NameTally tally(*share.runs, sizes.table);
  std::int64_t products = 0;
  {
    LatestRows rows(*share.runs, share.row_runs, sizes.readers);
    RowView row;
    while (rows.next(row)) {
      ++products;
      tally.add(row.name);
    }
  }
  tally.finish();
  share.products = products;
  // Rank 0 pulls each rank's counts through one merge of its count runs.
  share.count_runs = merge_down<NameCount, ByName, AddCounts>(*share.runs, tally.runs(), sizes.readers);
}

}  // namespace lfp
