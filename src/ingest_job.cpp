#include "ingest_job.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "csv/header.hpp"
#include "csv/range_scan.hpp"
#include "dedup.hpp"
#include "error.hpp"
#include "hash.hpp"
#include "mapped_file.hpp"
#include "mpi/gather_stream.hpp"
#include "mpi/shuffle.hpp"
#include "name_counts.hpp"
#include "partition.hpp"
#include "records.hpp"
#include "store/h5_snapshot.hpp"
#include "store/sqlite_store.hpp"

namespace lfp {
namespace {

constexpr std::size_t kMaxShownRejects = 10;

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Every rank learns the worst error code any rank hit; the rank that hit it has printed it.
int agree(const mpi::Comm& comm, int code) { return comm.max(code); }

void report(const mpi::Comm& comm, const std::string& message) {
  if (!comm.root())
    std::fprintf(stderr, "lfp_mpi: rank %d: error: %s\n", comm.rank(), message.c_str());
  else
    std::fprintf(stderr, "lfp_mpi: error: %s\n", message.c_str());
}

// Phase 1 (rank 0): sizes of the input files, or an input error.
std::vector<std::uint64_t> stat_inputs(const std::vector<std::string>& files) {
  if (files.size() > kMaxFiles) throw Error(kExitInput, "too many input files (at most 65536)");
  std::vector<std::uint64_t> sizes;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) throw Error(kExitInput, f + ": cannot open: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw Error(kExitInput, f + ": not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) >= kMaxFileBytes) throw Error(kExitInput, f + ": larger than 256 TiB");
    sizes.push_back(static_cast<std::uint64_t>(st.st_size));
  }
  return sizes;
}

// The outputs must be distinct files, and neither may be an input.
void check_output_paths(const IngestOptions& opt) {
  namespace fs = std::filesystem;
  auto same = [](const std::string& a, const std::string& b) {
    std::error_code e1, e2;
    const auto ca = fs::weakly_canonical(a, e1), cb = fs::weakly_canonical(b, e2);
    return !e1 && !e2 && ca == cb;
  };
  const std::string h5 = snapshot_path(opt);
  if (!opt.no_h5 && same(h5, opt.db))
    throw Error(kExitUsage, "the snapshot path " + h5 + " is the database path: choose another with --h5, or --no-h5");
  for (const auto& f : opt.files) {
    if (same(f, opt.db)) throw Error(kExitUsage, "the database path " + opt.db + " is also an input file");
    if (!opt.no_h5 && same(f, h5)) throw Error(kExitUsage, "the snapshot path " + h5 + " is also an input file");
  }
}

// Per-file header facts, laid out for an element-wise MAX reduction: the rank that owns a
// file's first record fills its slot, every other rank leaves -1.
struct HeaderSlot {
  enum : std::size_t { kProblem, kFields, kName, kSku, kDescription, kLine, kColumn, kTimes, kSize };
};

// A batch source over a sorted vector of items.
template <class Item>
mpi::BatchSource batches_of(const std::vector<Item>& items, std::size_t limit) {
  return [&items, limit, i = std::size_t{0}](Buffer& out) mutable {
    while (i < items.size() && out.size() < limit) encode(out, items[i++]);
  };
}

class PhaseClock {
 public:
  explicit PhaseClock(const mpi::Comm& comm) : comm_(comm), last_(MPI_Wtime()) {}
  // Ends a phase; its time is the slowest rank's.
  void lap(const char* name) {
    const double now = MPI_Wtime();
    phases_.emplace_back(name, comm_.max(now - last_));
    last_ = now;
  }
  void lap_local(const char* name) {
    const double now = MPI_Wtime();
    phases_.emplace_back(name, now - last_);
    last_ = now;
  }
  const std::vector<std::pair<std::string, double>>& phases() const { return phases_; }

 private:
  const mpi::Comm& comm_;
  double last_;
  std::vector<std::pair<std::string, double>> phases_;
};

}  // namespace

std::string default_h5_path(const std::string& db) {
  std::filesystem::path p(db);
  p.replace_extension(".h5");
  return p.string();
}

std::string snapshot_path(const IngestOptions& opt) { return opt.h5.empty() ? default_h5_path(opt.db) : opt.h5; }

int run_ingest(const mpi::Comm& comm, const IngestOptions& opt) {
  const int ranks = comm.size();
  const std::string started_at = utc_now();
  const double t0 = MPI_Wtime();
  PhaseClock clock(comm);

  // 1. Rank 0 stats the inputs and cuts them into one byte range per rank.
  std::vector<std::uint64_t> sizes;
  int code = kExitOk;
  if (comm.root()) {
    try {
      check_output_paths(opt);
      sizes = stat_inputs(opt.files);
    } catch (const Error& e) {
      report(comm, e.what());
      code = e.code();
    }
  }
  if ((code = agree(comm, code)) != kExitOk) return code;
  comm.bcast(sizes);
  const ByteRange mine = comm.scatter(comm.root() ? partition(sizes, ranks) : std::vector<ByteRange>{});
  const std::vector<Segment> segments = segments_of(sizes, mine);

  // 2. Each rank maps the files its range touches.
  std::vector<std::optional<MappedFile>> maps(opt.files.size());
  try {
    for (const auto& s : segments) {
      maps[s.file].emplace(opt.files[s.file]);
      if (maps[s.file]->bytes().size() != sizes[s.file])
        throw Error(kExitInput, opt.files[s.file] + ": file changed size while the job was reading it");
    }
  } catch (const Error& e) {
    report(comm, e.what());
    code = e.code();
  }
  if ((code = agree(comm, code)) != kExitOk) return code;
  auto bytes = [&](std::uint32_t f) { return maps[f]->bytes(); };

  // 3. Record boundaries: summarize the range for every start state, then fold the
  //    summaries of all lower ranks to learn the true start state.
  csv::RangeSummary summary = csv::RangeSummary::identity();
  for (const auto& s : segments) summary = summary.then(csv::summarize(bytes(s.file), s.begin, s.end));
  const auto all_summaries = comm.allgather(summary);
  const csv::RangeStart start = csv::fold_prefix(all_summaries.data(), comm.rank());
  // A segment that starts a file starts clean, whatever the previous file left open.
  auto start_of = [&](std::size_t i) { return i == 0 && segments[0].begin != 0 ? start : csv::RangeStart{}; };

  // 4. Headers: the rank where a file's first record starts checks it; all ranks learn all.
  std::vector<std::int64_t> headers(opt.files.size() * HeaderSlot::kSize, -1);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    const auto st = start_of(i);
    if (s.begin != 0 && st.records_before != 0) continue;
    const auto file = bytes(s.file);
    csv::Cursor cursor(file, s.begin == 0 ? csv::bom_length(file) : s.begin, st.state,
                       s.begin == 0 ? 0 : st.lines_before);
    if (cursor.seek_record_start(s.end) >= s.end) continue;
    csv::Record header;
    cursor.parse(header);
    const auto check = csv::check_header(header);
    std::int64_t* h = &headers[s.file * HeaderSlot::kSize];
    h[HeaderSlot::kProblem] = static_cast<std::int64_t>(check.problem);
    h[HeaderSlot::kFields] = check.columns.fields;
    h[HeaderSlot::kName] = check.columns.name;
    h[HeaderSlot::kSku] = check.columns.sku;
    h[HeaderSlot::kDescription] = check.columns.description;
    h[HeaderSlot::kLine] = static_cast<std::int64_t>(header.line);
    h[HeaderSlot::kColumn] = check.column;
    h[HeaderSlot::kTimes] = check.times;
  }
  comm.max_in_place(headers);
  std::vector<csv::ColumnMap> columns(opt.files.size());
  for (std::size_t f = 0; f < opt.files.size() && code == kExitOk; ++f) {
    const std::int64_t* h = &headers[f * HeaderSlot::kSize];
    csv::HeaderCheck check;
    check.problem = h[HeaderSlot::kProblem] < 0 ? csv::HeaderProblem::NoHeader
                                                 : static_cast<csv::HeaderProblem>(h[HeaderSlot::kProblem]);
    check.column = static_cast<std::int32_t>(h[HeaderSlot::kColumn]);
    check.times = static_cast<std::int32_t>(h[HeaderSlot::kTimes]);
    if (check.problem != csv::HeaderProblem::None) {
      if (comm.root())
        std::fprintf(stderr, "lfp_mpi: error: %s:%lld: %s\n", opt.files[f].c_str(),
                     static_cast<long long>(std::max<std::int64_t>(h[HeaderSlot::kLine], 1)),
                     csv::describe(check).c_str());
      code = kExitHeader;
    }
    columns[f] = {static_cast<std::uint32_t>(h[HeaderSlot::kFields]), static_cast<std::uint32_t>(h[HeaderSlot::kName]),
                  static_cast<std::uint32_t>(h[HeaderSlot::kSku]),
                  static_cast<std::uint32_t>(h[HeaderSlot::kDescription])};
  }
  if (code != kExitOk) return code;
  clock.lap("scan");

  // 5. Parse owned records into rows, bucketed by the rank that owns their sku.
  // Rows encode to about the size of their CSV bytes, spread evenly by the sku hash:
  // reserving that up front avoids regrowing (and recopying) the buffers.
  std::vector<Buffer> outgoing(ranks);
  const std::uint64_t my_bytes = mine.end - mine.begin;
  for (auto& b : outgoing) b.reserve(my_bytes / ranks + my_bytes / ranks / 8 + 4096);
  Buffer reject_bytes;
  std::int64_t records_read = 0, rejected = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    const auto file = bytes(s.file);
    const auto& cols = columns[s.file];
    csv::for_each_owned_record(file, s.begin, s.end, start_of(i), [&](std::uint64_t index, const csv::Record& r) {
      if (index == 0) return;  // the header
      ++records_read;
      const std::uint64_t key = order_key(s.file, r.offset);
      if (const auto why = check_record(r, cols)) {
        ++rejected;
        encode(reject_bytes, RejectView{key, r.line, static_cast<std::uint8_t>(*why),
                                        static_cast<std::uint32_t>(r.fields.size()), cols.fields,
                                        file.substr(r.offset, r.end - r.offset)});
        return;
      }
      const RowView row{key, r.fields[cols.sku], r.fields[cols.name], r.fields[cols.description]};
      encode(outgoing[owner_of(hash_bytes(row.sku, kSkuSeed), ranks)], row);
    });
  }
  clock.lap("parse");

  // 6. Shuffle rows by sku; keep the last record of each sku.
  const std::vector<Buffer> incoming = mpi::exchange(comm, std::move(outgoing), opt.exchange_round_bytes);
  clock.lap("shuffle");
  const std::vector<RowView> products = latest_by_sku(decode_all<RowView>(incoming));
  clock.lap("dedup");

  // 7. Count products per name locally, shuffle partial counts by name, sum.
  std::vector<Buffer> partials(ranks);
  for (const auto& c : count_names(products)) encode(partials[owner_of(hash_bytes(c.name, kNameSeed), ranks)], c);
  const std::vector<Buffer> count_bytes = mpi::exchange(comm, std::move(partials), opt.exchange_round_bytes);
  const std::vector<NameCount> counts = sum_counts(decode_all<NameCount>(count_bytes));
  clock.lap("count");

  const std::int64_t total_read = comm.sum(records_read);
  const std::int64_t total_rejected = comm.sum(rejected);
  const std::int64_t total_products = comm.sum(static_cast<std::int64_t>(products.size()));
  const std::int64_t total_names = comm.sum(static_cast<std::int64_t>(counts.size()));

  // 8. Rank 0 merges the sorted streams of all ranks into the database and snapshot.
  const std::vector<RejectView> rejects = decode_all<RejectView>(reject_bytes.data(), reject_bytes.data() + reject_bytes.size());
  std::vector<mpi::BatchSource> sources{batches_of(rejects, opt.batch_bytes), batches_of(products, opt.batch_bytes),
                                        batches_of(counts, opt.batch_bytes)};
  const std::string h5_path = snapshot_path(opt);
  if (comm.root()) {
    try {
      mpi::StreamClient client(comm, sources, sources.size());
      SqliteStore store(opt.db);
      std::size_t shown = 0;
      mpi::merge_stream<RejectView>(
          client, ranks, 0, [](const RejectView& a, const RejectView& b) { return a.order < b.order; },
          [&](const RejectView& r) {
            const auto& file = opt.files[key_file(r.order)];
            if (!opt.quiet && shown++ < kMaxShownRejects)
              std::fprintf(stderr, "lfp_mpi: %s:%llu: rejected (%s)\n", file.c_str(),
                           static_cast<unsigned long long>(r.line),
                           std::string(reason_code(static_cast<RejectReason>(r.reason))).c_str());
            store.add_reject(file, r);
          });
      // A new (or empty) database holds exactly the merged stream, so the snapshot is
      // written from it as it passes; an updated one is read back after the upserts.
      std::optional<H5Snapshot> snapshot;
      if (!opt.no_h5) snapshot.emplace(h5_path);
      const bool stream_h5 = snapshot && store.direct();
      mpi::merge_stream<RowView>(
          client, ranks, 1, [](const RowView& a, const RowView& b) { return a.sku < b.sku; },
          [&](const RowView& r) {
            store.add_product(r);
            if (stream_h5) snapshot->add_product(r.sku, r.name, r.description);
          });
      mpi::merge_stream<NameCount>(
          client, ranks, 2, [](const NameCount& a, const NameCount& b) { return a.name < b.name; },
          [&](const NameCount& c) {
            store.add_count(c);
            if (stream_h5) snapshot->add_count(c.name, c.products);
          });
      store.finish_import();
      clock.lap_local("write_db");
      if (snapshot) {
        if (!stream_h5) {
          store.for_each_product([&](auto sku, auto name, auto desc) { snapshot->add_product(sku, name, desc); });
          store.for_each_count([&](auto name, auto n) { snapshot->add_count(name, n); });
        }
        snapshot->describe(started_at, opt.files, store.run_id());
        snapshot->finish();  // every byte written before the database commits
        clock.lap_local("write_h5");
      }
      RunRecord run{started_at, opt.command, ranks, "", total_read, total_products, total_rejected,
                    clock.phases()};
      for (const auto& f : opt.files) run.files += (run.files.empty() ? "" : "\n") + f;
      run.phase_seconds.emplace_back("total", MPI_Wtime() - t0);
      store.record_run(run);
      store.commit();
      if (snapshot) snapshot->publish();
      if (shown > kMaxShownRejects && !opt.quiet)
        std::fprintf(stderr, "lfp_mpi: ... %zu more rejects: see the rejects table\n", shown - kMaxShownRejects);
      if (!opt.quiet) {
        std::printf("lfp_mpi: %d rank%s, %zu file%s: %lld records read, %lld rejected, %lld products upserted, "
                    "%lld names\n",
                    ranks, ranks == 1 ? "" : "s", opt.files.size(), opt.files.size() == 1 ? "" : "s",
                    static_cast<long long>(total_read), static_cast<long long>(total_rejected),
                    static_cast<long long>(total_products), static_cast<long long>(total_names));
        std::printf("lfp_mpi: wrote %s%s%s (run %lld) in %.2f s:", opt.db.c_str(), opt.no_h5 ? "" : " and ",
                    opt.no_h5 ? "" : h5_path.c_str(), static_cast<long long>(store.run_id()), MPI_Wtime() - t0);
        for (const auto& [name, secs] : clock.phases()) std::printf(" %s %.3f", name.c_str(), secs);
        std::printf("\n");
      }
    } catch (const Error& e) {
      report(comm, e.what());
      code = e.code();
    } catch (const std::exception& e) {
      // Still a clean, collective stop: the stream client has released the other ranks.
      report(comm, std::string("internal error while writing: ") + e.what());
      code = kExitInternal;
    }
  } else {
    mpi::serve_streams(comm, sources);
    clock.lap_local("write_db");
  }
  return agree(comm, code);
}

}  // namespace lfp
