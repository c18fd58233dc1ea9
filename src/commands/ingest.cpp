#include "commands/ingest.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>

#include "commands/cli_options.hpp"
#include "commands/command.hpp"
#include "commands/snapshot.hpp"
#include "ingest/byte_partition.hpp"
#include "ingest/changed_records.hpp"
#include "ingest/changes.hpp"
#include "ingest/decompress.hpp"
#include "ingest/dedup.hpp"
#include "ingest/headers.hpp"
#include "ingest/input_files.hpp"
#include "ingest/input_list.hpp"
#include "ingest/key_sample.hpp"
#include "ingest/memory_budget.hpp"
#include "ingest/name_counts.hpp"
#include "ingest/name_index.hpp"
#include "ingest/page_plan.hpp"
#include "ingest/parse.hpp"
#include "ingest/phase_clock.hpp"
#include "ingest/record_starts.hpp"
#include "ingest/report.hpp"
#include "ingest/route.hpp"
#include "ingest/snapshot_chunks.hpp"
#include "ingest/streams.hpp"
#include "ingest/summary.hpp"
#include "ingest/windowed_parse.hpp"
#include "ingest/write.hpp"
#include "mpi/agree.hpp"
#include "mpi/node.hpp"
#include "mpi/shuffle.hpp"
#include "sqlite_file/product_trees.hpp"
#include "sqlite_file/record.hpp"
#include "store/schema.hpp"
#include "store/snapshot_path.hpp"
#include "util/byte_size.hpp"
#include "util/clock.hpp"
#include "util/hash.hpp"
#include "util/log.hpp"
#include "util/progress.hpp"
#include "util/temp_files.hpp"

namespace lfp {
namespace {

// Rank 0's view of the run before any file is read.
struct Plan {
  std::vector<InputFile> inputs;
  std::map<std::string, store::LedgerEntry> ledger;
  std::vector<store::SourceLayout> was;  // per file read: the layout its ledger chunks were cut with
};

// Phase 0: rank 0 expands directories and --files-from (the list never passes through the
// command line, which Open MPI limits to 128 KiB); every rank gets the list.
std::vector<std::string> resolve_inputs(const mpi::Comm& comm, const IngestOptions& opt) {
  std::vector<char> packed;
  if (const int code = mpi::agree(comm, [&] {
        if (!comm.root()) return;
        const auto files = expand_inputs(opt.files, opt.files_from);
        if (files.empty())
          throw Error(kExitUsage, "no input files: name CSV files or directories, or --files-from FILE");
        const auto dashes = std::count(files.begin(), files.end(), std::string("-"));
        if (dashes > 1 || (dashes == 1 && opt.files_from == "-"))
          throw Error(kExitUsage, "standard input can be read once: name '-' once, and not with --files-from -");
        packed = pack_paths(files);
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  comm.bcast(packed);
  return unpack_paths(packed);
}

// Rank 0: what the ledger holds of each file to read as chunks (a file read from standard
// input has no identity to keep them under).
void read_old_chunks(const std::string& db, Plan& plan, const std::vector<std::uint32_t>& read, ReadFiles& files) {
  std::error_code ec;
  std::optional<store::Connection> ledger;
  std::map<std::string, store::SourceLayout> layouts;
  if (std::filesystem::exists(db, ec)) {
    ledger.emplace(db, store::Connection::Mode::ReadOnly);
    layouts = store::read_layouts(*ledger);
  }
  for (const auto i : read) {
    FileChanges f;
    f.path = plan.inputs[i].absolute;
    f.chunked = !plan.inputs[i].stream;
    const auto it = layouts.find(f.path);
    if (f.chunked && ledger && it != layouts.end()) {
      f.old = store::read_chunks(*ledger, f.path);
      plan.was.push_back(it->second);
    } else {
      plan.was.emplace_back();
    }
    files.changes.push_back(std::move(f));
  }
}

// Phases 1-2: rank 0 checks the outputs, stats the inputs and reads the ledger; all ranks
// digest the inputs (compressed ones as they are on disk); rank 0 decides what to read.
// Returns the indices to read (all ranks).
std::vector<std::uint32_t> plan_reads(const mpi::Comm& comm, const IngestOptions& opt, const SpooledStreams& streams,
                                      Plan& plan, ReadFiles& files, RunStats& stats, RunReport& report) {
  std::vector<std::uint64_t> sizes;
  if (const int code = mpi::agree(comm, [&] {
        if (!comm.root()) return;
        check_output_paths(opt);
        store::check_before_write(opt.db);
        std::vector<bool> stream(opt.files.size());
        for (std::size_t f = 0; f < stream.size(); ++f) stream[f] = streams.stream(f);
        plan.inputs = stat_inputs(opt.files, streams.open_paths(), stream);
        plan.ledger = store::read_ledger(opt.db);
        for (const auto& in : plan.inputs) sizes.push_back(in.size);
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  comm.bcast(sizes);
  const auto digests = digest_inputs(comm, streams.open_paths(), sizes);
  std::vector<std::uint32_t> read;
  if (comm.root()) {
    const auto decision = decide_reads(plan.inputs, digests, plan.ledger, opt.force);
    read = decision.read;
    stats.files_skipped = static_cast<std::int64_t>(decision.skipped.size());
    stats.files_read = static_cast<std::int64_t>(read.size());
    for (const auto& f : opt.files) report.files.push_back({f, "", 0, 0});
    for (const auto i : decision.skipped) report.files[i].status = "skipped";
    for (const auto i : decision.skipped)
      if (!opt.quiet)
        log::note("skipped " + opt.files[i] + ": unchanged since run " +
                  std::to_string(plan.ledger.at(plan.inputs[i].absolute).run_id) + " (--force reads it again)");
    for (const auto i : read) {
      report.files[i].status = "read";
      files.paths.push_back(opt.files[i]);
      files.sources.push_back({plan.inputs[i].absolute, plan.inputs[i].size, plan.inputs[i].mtime_ns, digests[i]});
    }
    read_old_chunks(opt.db, plan, read, files);
  }
  comm.bcast(read);
  return read;
}

// Rank 0's end of the write phase: `stats` gets the write's figures once it succeeded; an
// Error leaves the database (and `stats`) unchanged. Returns the exit code.
int write_or_report(const mpi::Comm& comm, const IngestOptions& opt, const ReadFiles& files, RunStats& stats,
                    const RankResults& mine, PhaseClock& clock, BuiltFile& built) {
  int code = kExitOk;
  try {
    stats = write_on_root(comm, opt, files, stats, mine, clock, built);
  } catch (const Error& e) {
    log::error(0, e.what());
    code = e.code();
    if (code == kExitOutput) store::note_unfinished_write(opt.db);
  } catch (const std::bad_alloc&) {
    log::error(0, "out of memory while writing (exit 1): " + opt.db + " is unchanged");
    code = kExitInternal;
  } catch (const std::exception& e) {
    // Still a clean, collective stop: the stream client has released the other ranks.
    log::error(0, std::string("internal error while writing: ") + e.what());
    code = kExitInternal;
  }
  return code;
}

// With -v: each rank's share of the bytes, records and rejects (collective).
void report_ranks(const mpi::Comm& comm, Progress& progress, const ByteRange& mine, const ParsedRange& parsed) {
  struct Share {
    std::uint64_t bytes;
    std::int64_t records, rejected;
  };
  Share s{mine.end - mine.begin, 0, 0};
  for (const auto n : parsed.records) s.records += n;
  for (const auto n : parsed.rejected) s.rejected += n;
  const auto all = comm.allgather(s);
  for (std::size_t r = 0; r < all.size(); ++r)
    progress.detail(log::format("parse: rank %zu read %.1f MB, %s, %lld rejected", r,
                                static_cast<double>(all[r].bytes) / 1e6, log::count(all[r].records, "record").c_str(),
                                static_cast<long long>(all[r].rejected)));
}

// Under the budget: what the ranks spilled (collective; rank 0 says it).
void report_spill(const mpi::Comm& comm, const SpilledShare& share, bool quiet) {
  struct Spill {
    std::uint64_t bytes, runs;
  };
  const auto all = comm.allgather(Spill{share.runs->bytes(), share.row_runs.size()});
  Spill sum{0, 0};
  int spilling = 0;
  for (const auto& s : all) {
    sum.bytes += s.bytes;
    sum.runs += s.runs;
    spilling += s.runs > 0 ? 1 : 0;
  }
  if (comm.root() && !quiet)
    log::note("memory: " + log::count(static_cast<std::int64_t>(sum.runs), "sorted run") + " of rows, " +
              format_byte_size(sum.bytes) + ", spilled to scratch on " + log::count(spilling, "rank") + " (rank 0: " +
              log::count(static_cast<std::int64_t>(all[0].runs), "run") + ", " + format_byte_size(all[0].bytes) + ")" +
              (share.split_windows > 0 ? "; " + log::count(static_cast<std::int64_t>(share.split_windows), "window") +
                                             " sent most rows to one rank and were exchanged in parts"
                                       : ""));
}

// The compression of each file to read, from rank 0's look at its first bytes.
std::vector<Compression> compressions(const mpi::Comm& comm, const std::vector<std::string>& paths) {
  std::vector<std::uint8_t> kinds;
  if (comm.root())
    for (const auto& p : paths) kinds.push_back(static_cast<std::uint8_t>(compression_of(p)));
  comm.bcast(kinds);
  std::vector<Compression> out;
  for (const auto k : kinds) out.push_back(static_cast<Compression>(k));
  return out;
}

// The totals of the database as it is (a run that failed or read nothing left them so).
void database_totals(const std::string& db, RunStats& stats) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) return;
  try {
    store::Connection c(db, store::Connection::Mode::ReadOnly);
    stats.products = c.integer("SELECT products FROM totals");
    stats.names = c.integer("SELECT names FROM totals");
  } catch (const Error&) {
    // An old or damaged database: the report says 0, the error (if any) was reported.
  }
}

// Whether this run builds a new database's file by hand (--db-writer pages and no database
// yet): rank 0 decides for all.
bool builds_pages(const mpi::Comm& comm, const IngestOptions& opt) {
  std::vector<std::uint8_t> yes(1, 0);
  if (comm.root()) {
    std::error_code ec;
    yes[0] = opt.db_writer == "pages" && !std::filesystem::exists(opt.db, ec) && !ec;
  }
  comm.bcast(yes);
  return yes[0] != 0;
}

std::string_view sku_of_ref(const RowRef& r) { return r.sku(); }

// This rank's records of the four hand-written trees (sqlite_file::ProductTree order).
std::array<TreeSlice, sqlite_file::kProductTreeCount> tree_slices(const std::vector<RowRef>& products,
                                                                  const NameIndex& names) {
  using sqlite_file::Value;
  using Values2 = std::array<Value, 2>;
  std::array<TreeSlice, sqlite_file::kProductTreeCount> out;
  out[sqlite_file::kProductsMain] = slice_of_values(products.size(), [&products](std::uint64_t i) {
    // Both passes read the products in order, and the rows lie scattered: fetch a few ahead.
    if (i + 16 < products.size()) __builtin_prefetch(products[i + 16].address());
    const auto& p = products[i];
    return std::array<Value, 3>{p.sku(), p.name(), p.description()};
  });
  out[sqlite_file::kProductsByName] = slice_of_values(names.entries.size(), [&names](std::uint64_t i) {
    const auto& e = names.entries[i];
    return Values2{e.name(), e.sku()};
  });
  out[sqlite_file::kProductCounts] = slice_of_values(names.counts.size(), [&names](std::uint64_t i) {
    const auto& c = names.counts[i];
    return Values2{c.name, c.products};
  });
  out[sqlite_file::kProductCountsByProducts] = slice_of_values(names.by_products.size(), [&names](std::uint64_t i) {
    const auto& c = names.by_products[i];
    return Values2{c.products, c.name};
  });
  return out;
}

int ingest(const mpi::Comm& comm, const IngestOptions& opt, const SpooledStreams& streams, Progress& progress,
           RunStats& stats, RunReport& report) {
  const int ranks = comm.size();
  PhaseClock clock(comm.root() ? &progress : nullptr, opt.verbose);
  if (comm.root()) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(opt.db, ec);
    clock.set_stop_state("ingest into " + opt.db,
                         exists
                             ? opt.db +
                                   " is unchanged (the run had not committed; the next lfp_mpi command rolls "
                                   "back its unfinished write, if any)"
                             : opt.db + " was not created (the run had not committed; its partial files are removed)");
  }
  clock.start(phase::kDigest);
  stats.started_at = utc_now();
  stats.ranks = ranks;
  ReadFiles files;
  Plan plan;
  const std::vector<std::uint32_t> read = plan_reads(comm, opt, streams, plan, files, stats, report);
  if (read.empty()) {
    // Nothing to read, but a kill after the last run's commit may have left its snapshot behind.
    if (const int code = mpi::agree(comm, [&] {
          const std::string h5 = store::snapshot_path(opt.db, opt.h5);
          if (comm.root() && !opt.no_h5 && refresh_stale_snapshot(opt.db, h5) && !opt.quiet)
            log::info("the snapshot " + h5 + " did not mirror the database: written again");
        }))
      return code;
    if (comm.root() && !opt.quiet)
      log::info((opt.files.size() == 1
                     ? "the 1 input file is unchanged since its last ingest: "
                     : "all " + log::count(static_cast<std::int64_t>(opt.files.size()), "input file") +
                           " are unchanged since their last ingest: ") +
                opt.db + " is up to date (--force reads " + (opt.files.size() == 1 ? "it" : "them") + " again)");
    if (comm.root()) database_totals(opt.db, stats);
    stats.phase_seconds = {{phase::kTotal, clock.total()}};
    return kExitOk;
  }
  std::vector<std::string> paths, open;  // as named (messages), and what to open (a stream's copy)
  for (const auto i : read) {
    paths.push_back(opt.files[i]);
    open.push_back(streams.open_paths()[i]);
  }
  std::vector<std::uint64_t> sizes(read.size());
  if (comm.root())
    for (std::size_t k = 0; k < read.size(); ++k) sizes[k] = plan.inputs[read[k]].size;
  comm.bcast(sizes);
  const auto kinds = compressions(comm, open);
  clock.lap_collective(comm, phase::kDigest);

  // Phase 2b: compressed inputs are decompressed whole, once per node, then read as plain.
  std::optional<DecompressedInputs> decompressed;
  if (std::any_of(kinds.begin(), kinds.end(), [](Compression c) { return c != Compression::None; })) {
    decompressed.emplace(comm, open, kinds, sizes, opt.scratch.empty() ? default_scratch_dir() : opt.scratch, clock);
    sizes = decompressed->sizes();
    clock.lap_collective(comm, phase::kDecompress);
  }

  // Phases 3-4: each rank maps its range, finds record boundaries and checks headers.
  const std::vector<ByteRange> ranges = comm.root() ? partition(sizes, ranks) : std::vector<ByteRange>{};
  const ByteRange mine = comm.scatter(ranges);
  std::uint64_t total_bytes = 0;
  for (const auto s : sizes) total_bytes += s;
  const PhaseWork work{total_bytes, mine.end - mine.begin, 0};
  MemoryPlan memory =
      plan_memory(comm, estimated_rank_peak(mine.end - mine.begin), rank_budget(comm, opt.mem_per_rank));
  const std::string scratch = opt.scratch.empty() ? default_scratch_dir() : opt.scratch;
  if (memory.spill && comm.root() && !opt.quiet)
    log::note("memory: a rank's share of the input needs about " + format_byte_size(memory.need) +
              " in memory, more than its budget (" + format_byte_size(memory.budget.bytes) + ", " +
              memory.budget.source + "): every rank reads its share in windows of " +
              format_byte_size(memory.sizes.window) + " and spills sorted runs to " + scratch);
  clock.start(phase::kScan, work);
  std::vector<Segment> segments = segments_of(sizes, mine);
  // Under the budget a rank's range is cut into pieces, parsed a window of them at a time.
  if (memory.spill) segments = cut_segments(segments, std::min(kPieceBytes, memory.sizes.window));
  std::vector<Segment> plain;
  for (const auto& s : segments)
    if (!decompressed || !decompressed->compressed(s.file)) plain.push_back(s);
  std::optional<MappedInputs> inputs;
  if (const int code = mpi::agree(comm, [&] {
        inputs.emplace(open, sizes, plain);
        if (decompressed) decompressed->map(segments);
      }))
    return code;
  auto bytes = [&](std::uint32_t f) {
    return decompressed && decompressed->compressed(f) ? decompressed->bytes(f) : inputs->bytes(f);
  };
  auto release = [&](std::uint32_t f, std::uint64_t begin, std::uint64_t end) {
    if (decompressed && decompressed->compressed(f))
      decompressed->release(f, begin, end);
    else
      inputs->release(f, begin, end);
  };
  const RecordStarts starts(
      comm, segments, bytes,
      memory.spill ? std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>(release) : nullptr);
  std::vector<bool> bad_header;
  std::vector<csv::ColumnMap> columns;
  try {
    columns = check_headers(comm, paths, segments, bytes, starts, bad_header);
  } catch (const Error&) {
    if (comm.root())
      for (std::size_t k = 0; k < read.size(); ++k)
        if (bad_header[k]) report.files[read[k]].status = "rejected header";
    throw;
  }
  clock.lap_collective(comm, phase::kScan);

  // Phase 4b: a file the ledger holds as chunks is read only where it changed (issue 20).
  ChangeState changes;
  changes.chunk_bytes = opt.chunk_bytes;
  if (comm.root()) {
    changes.files = std::move(files.changes);
    for (std::size_t k = 0; k < read.size(); ++k)
      changes.files[k].layout = {layout_columns(columns[k]), opt.chunk_bytes};
  }
  decide_by_chunks(comm, changes, plan.was, opt.force);
  std::vector<std::uint8_t> ends_here(read.size(), 0);  // a file ends in this rank's range
  for (const auto& s : segments)
    if (s.end == sizes[s.file]) ends_here[s.file] = 1;
  std::optional<RecordStarts> narrowed;
  std::uint64_t parse_bytes = mine.end - mine.begin;
  if (std::any_of(changes.by_chunks.begin(), changes.by_chunks.end(), [](std::uint8_t b) { return b != 0; })) {
    clock.start(phase::kChanges, work);
    std::vector<csv::RangeStart> at(segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) at[i] = starts.of(i);
    narrow_to_changes(comm, changes, segments, at, bytes, columns, sizes, opt.db,
                      memory.spill ? ReleaseFn(release) : ReleaseFn());
    parse_bytes = 0;
    for (const auto& s : segments) parse_bytes += s.end - s.begin;
    // What is left to read may fit where the whole file did not.
    memory = plan_memory(comm, estimated_rank_peak(parse_bytes), memory.budget);
    if (memory.spill) cut_with_starts(segments, at, std::min(kPieceBytes, memory.sizes.window), bytes);
    narrowed.emplace(std::move(at));
    clock.lap_collective(comm, phase::kChanges);
  }
  const RecordStarts& record_starts = narrowed ? *narrowed : starts;
  PieceBuilder whole_chunks(opt.chunk_bytes, true);
  const ChunkHook hook{&whole_chunks, changes.whole};

  // Phase 5: owned records become rows (and a sample of their skus), or rejects. Under the
  // budget: a window at a time, each window shuffled at once and its rows spilled as runs.
  clock.start(phase::kParse, work);
  ParsedRange parsed;
  std::optional<SpilledShare> spilled;
  if (memory.spill)
    spilled.emplace(
        parse_in_windows(comm, segments, bytes, record_starts, columns, memory.sizes, scratch, release, &hook));
  else
    parsed = parse_range(
        segments, bytes, [&](std::size_t i) { return record_starts.of(i); }, columns, parse_bytes, release, &hook);
  finish_whole_files(comm, changes, whole_chunks, ends_here);
  inputs.reset();        // rows and rejects are copies now: the input pages leave the rank's memory
  decompressed.reset();  // and the scratch copies of compressed inputs go
  clock.lap_collective(comm, phase::kParse);
  if (spilled) report_spill(comm, *spilled, opt.quiet);
  if (opt.verbose && !spilled) report_ranks(comm, progress, mine, parsed);

  // Phase 6: shuffle rows by sku range (from a sample of the skus); keep the last record of
  // each sku. Each rank then holds one contiguous slice of the products, sorted. Under the
  // budget the windows were shuffled already: the merge of the runs keeps the last records.
  std::vector<Buffer> incoming;
  std::vector<RowRef> products;
  TextBytes product_text;
  if (spilled) {
    clock.start(phase::kDedup);
    if (const int code = mpi::agree(comm, [&] { tally_products(*spilled, memory.sizes); })) return code;
    clock.lap_collective(comm, phase::kDedup);
  } else {
    clock.start(phase::kShuffle);
    const KeyRanges sku_ranges = agree_key_ranges(comm, parsed.sku_sample);
    std::vector<std::string>().swap(parsed.sku_sample);
    incoming = mpi::exchange(comm, route_encoded<RowRef>(std::move(parsed.rows), sku_ranges, ranks, sku_of_ref),
                             opt.exchange_round_bytes);
    clock.lap_collective(comm, phase::kShuffle);
    clock.start(phase::kDedup);
    products = latest_by_sku(decode_all<RowRef>(incoming));
    product_text = compact_survivors(incoming, products);
    clock.lap_collective(comm, phase::kDedup);
  }

  auto& records = spilled ? spilled->records : parsed.records;
  auto& rejected = spilled ? spilled->rejected : parsed.rejected;
  comm.sum_in_place(records);  // per file, over all ranks
  comm.sum_in_place(rejected);
  stats.records_unchanged = changes.unchanged;
  stats.chunks = static_cast<std::int64_t>(changes.chunks);
  stats.chunks_read = static_cast<std::int64_t>(changes.chunks_read);
  for (std::size_t k = 0; k < read.size(); ++k) {
    stats.records_read += records[k];
    stats.rejected += rejected[k];
    if (comm.root()) {
      // The ledger counts a file's records; a file read by chunks had only its changes parsed.
      files.sources[k].records =
          changes.by_chunks[k] ? static_cast<std::int64_t>(changes.files[k].records) : records[k];
      files.sources[k].rejects = rejected[k];
      report.files[read[k]].records = records[k];
      report.files[read[k]].rejects = rejected[k];
    }
  }
  if (comm.root()) files.changes = std::move(changes.files);

  // Phase 7: products per name. A new database built by hand also needs the name index's
  // entries and the counts in both orders as key-range slices (name_index.hpp); otherwise
  // partial counts are shuffled by name hash and summed.
  if (!spilled) clock.start(phase::kCount);
  // A run that will fail on --max-rejects takes SQLite's path, which fails before it writes a
  // product, rather than writing a whole file first.
  const bool too_many_rejects = opt.max_rejects >= 0 && stats.rejected > opt.max_rejects;
  // Under the budget, rank 0 writes through SQLite from the ranks' merged runs.
  const bool build_pages = !too_many_rejects && !spilled && builds_pages(comm, opt);
  NameIndex names;
  std::vector<Buffer> count_bytes;
  std::vector<NameCount> counts;
  if (build_pages) {
    names = build_name_index(comm, products, opt.exchange_round_bytes);
  } else if (!spilled) {
    std::vector<Buffer> partials(ranks);
    for (const auto& c : count_names(products)) encode(partials[owner_of(hash_bytes(c.name, kNameSeed), ranks)], c);
    count_bytes = mpi::exchange(comm, std::move(partials), opt.exchange_round_bytes);
    counts = sum_counts(decode_all<NameCount>(count_bytes));
  }
  if (!spilled) clock.lap_collective(comm, phase::kCount);

  stats.distinct_skus = comm.sum(spilled ? spilled->products : static_cast<std::int64_t>(products.size()));

  // Phase 8a (a new database): every rank counts the pages of its parts (prefix sums place them
  // in the file) and, where the ranks share the output's file system, writes them at once.
  std::optional<PagePlan> pages;
  BuiltFile built;
  bool parts_written = false;
  if (build_pages) {
    clock.start(phase::kPages, {0, 0, static_cast<std::uint64_t>(stats.distinct_skus)});
    pages.emplace(plan_pages(comm, tree_slices(products, names)));
    parts_written = write_parts_in_place(comm, opt, *pages, built);
    clock.lap_collective(comm, phase::kPages);
  }
  // Phase 8b (a new database's snapshot): every rank compresses the chunks of its slices.
  std::optional<SnapshotChunks> h5_chunks;
  if (build_pages && !opt.no_h5) {
    clock.start(phase::kH5Chunks, {0, 0, static_cast<std::uint64_t>(stats.distinct_skus)});
    h5_chunks.emplace(build_snapshot_chunks(comm, products, product_text, names.counts, opt.exchange_round_bytes));
    clock.lap_collective(comm, phase::kH5Chunks);
  }
  // Phase 8c: rank 0 finishes the file (or pulls every rank's pages and writes them), or merges
  // every rank's sorted rows into SQLite; then the small tables and the snapshot.
  clock.start(phase::kWriteDb, {0, 0, static_cast<std::uint64_t>(stats.distinct_skus)});
  auto rejects = decode_all<RejectView>(parsed.rejects.data(), parsed.rejects.data() + parsed.rejects.size());
  const RankResults results{rejects,
                            products,
                            build_pages ? names.counts : counts,
                            pages ? &*pages : nullptr,
                            parts_written,
                            h5_chunks ? &*h5_chunks : nullptr,
                            spilled ? &*spilled : nullptr,
                            [&] {
                              std::vector<RejectView>().swap(rejects);
                              std::vector<RowRef>().swap(products);
                              std::vector<NameCount>().swap(counts);
                              std::vector<Buffer>().swap(incoming);
                              std::vector<Buffer>().swap(count_bytes);
                              h5_chunks.reset();  // rank 0 has copied them
                              names = NameIndex{};
                              Buffer().swap(parsed.rejects);
                            }};
  // Rank 0 merges a batch from every rank at once: under the budget, all of them together
  // take at most the merge buffers' share (the same size on every rank: it frames the batches).
  IngestOptions write_opt = opt;
  if (spilled)
    write_opt.batch_bytes = std::clamp<std::size_t>(memory.sizes.readers / static_cast<std::size_t>(ranks),
                                                    std::size_t{64} << 10, opt.batch_bytes);
  int code = kExitOk;
  if (comm.root())
    code = write_or_report(comm, write_opt, files, stats, results, clock, built);
  else
    serve_write(comm, write_opt, results);
  code = comm.max(code);
  if (code != kExitOk || !comm.root()) return code;
  progress.stop();

  const std::string h5 = store::snapshot_path(opt.db, opt.h5);
  if (!opt.quiet) {
    if (stats.rejected > kMaxShownRejects)
      log::note("... " + log::count(stats.rejected - kMaxShownRejects, "more reject") + ": see the rejects table");
    for (const auto& line : summary_lines(stats, opt.files.size(), opt.db, opt.no_h5 ? "" : h5)) log::info(line);
  }
  std::error_code ec;
  if (opt.no_h5 && stats.inserted + stats.updated > 0 && std::filesystem::exists(h5, ec))
    log::warning("the snapshot " + h5 +
                 " no longer mirrors the database (--no-h5): 'lfp_mpi verify' reports it "
                 "stale; 'lfp_mpi snapshot --db " +
                 opt.db + "' refreshes it");
  return kExitOk;
}

}  // namespace

int run_ingest(const mpi::Comm& comm, const IngestOptions& options) {
  IngestOptions opt = options;
  Progress progress(comm.root() && !opt.quiet ? progress_mode_for_stderr() : ProgressMode::Off, opt.verbose,
                    progress_interval());
  RunStats stats;
  RunReport report;
  // The nodes and their ranks: in the JSON report, and with -v one line per node.
  for (auto& n : mpi::nodes_of(comm)) {
    std::string ranks;
    for (const int r : n.ranks) ranks += (ranks.empty() ? "" : ",") + std::to_string(r);
    progress.detail("node " + n.host + ": rank" + (n.ranks.size() > 1 ? "s " : " ") + ranks);
    report.nodes.push_back({std::move(n.host), std::move(n.ranks)});
  }
  int code = kExitOk;
  if (opt.json_report == "-") log::results_to_stderr();  // stdout: the JSON alone
  try {
    opt.files = resolve_inputs(comm, opt);
    if (const int bad = mpi::agree(comm, [&] {
          if (comm.root()) check_report_path(opt);
        })) {
      opt.json_report.clear();  // a report there would be the harm the check prevents
      throw Error::reported(static_cast<ExitCode>(bad));
    }
    const SpooledStreams streams(comm, opt.files, opt.scratch.empty() ? default_scratch_dir() : opt.scratch);
    code = ingest(comm, opt, streams, progress, stats, report);
  } catch (const Error& e) {
    // Thrown by every rank together (a collective phase failed); the failing rank has
    // printed it unless rank 0 speaks for all.
    if (!e.already_reported() && comm.root()) log::error(0, e.what());
    code = e.code();
  }
  progress.stop();
  set_stop_message("");
  if (opt.json_report.empty()) return code;
  // Rank 0 writes the report, also for a failed run (its exit_code says so).
  int report_code = kExitOk;
  if (comm.root()) {
    report.exit_code = code;
    if (code != kExitOk) {
      database_totals(opt.db, stats);
      report.error = log::first_error();
      if (report.error.empty()) report.error = "failed on another rank (its message is on standard error)";
      if (report.files.empty())
        for (const auto& f : opt.files) report.files.push_back({f, "", 0, 0});
      settle_file_statuses(report);
    }
    try {
      write_report(opt.json_report, stats, report);
    } catch (const Error& e) {
      log::error(0, e.what());
      report_code = e.code();
    }
  }
  return comm.max(std::max(code, report_code));
}

}  // namespace lfp

namespace lfp {

Command add_ingest(CLI::App& app, const std::string& command_line) {
  auto opt = std::make_shared<IngestOptions>();
  auto batch_mb = std::make_shared<std::size_t>(4), round_mb = std::make_shared<std::size_t>(64);
  opt->command = command_line;
  auto* in = app.add_subcommand("ingest", "Import CSV files (name,sku,description) into the database");
  in->add_option("files", opt->files,
                 "CSV files (plain, .gz or .zst), applied in this order; a directory stands for its .csv, .csv.gz "
                 "and .csv.zst files in name order");
  in->add_option("--files-from", opt->files_from,
                 "read more input paths from FILE, one per line ('-': standard input); no limit on their number "
                 "(arguments are limited to 128 KiB under Open MPI)");
  in->add_option("--db", opt->db, "SQLite database to create or update")->capture_default_str();
  auto* h5 = in->add_option("--h5", opt->h5, "HDF5 snapshot path (default: the database path with .h5)")
                 ->check(non_empty_path("snapshot"));
  in->add_flag("--no-h5", opt->no_h5, "do not write the HDF5 snapshot")->excludes(h5);
  in->add_flag("--force", opt->force,
               "read files whole and apply every record, even records or files unchanged since their last ingest");
  in->add_flag("--prune", opt->prune,
               "delete the products whose skus vanished from a file read (query --vanished lists them) when no "
               "other file in the ledger holds them");
  add_whole_number(in, "--chunk-bytes", opt->chunk_bytes,
                   "target size of the chunks a file is kept as in the ledger (a changed file is read again only "
                   "in its changed chunks)",
                   4096, std::uint64_t{1} << 30)
      ->capture_default_str();
  in->add_option("--db-writer", opt->db_writer,
                 "how a new database is written: 'pages' (every rank builds its part of the file) or 'sqlite' "
                 "(rank 0 inserts the rows through SQLite; an existing database is always updated so)")
      ->check(CLI::IsMember({"pages", "sqlite"}))
      ->capture_default_str();
  add_whole_number(in, "--max-rejects", opt->max_rejects,
                   "fail the run (exit 3, database unchanged) when more than N records are rejected");
  in->add_option("--json-report", opt->json_report,
                 "write the run's figures as JSON to FILE ('-': standard output), also when the run fails")
      ->check(non_empty_path("JSON report"));
  in->add_option("--scratch", opt->scratch,
                 "directory for decompressed .gz/.zst inputs, copies of streams and the runs spilled under "
                 "--mem-per-rank, best node-local (default: $TMPDIR, else /tmp; /dev/shm: memory)");
  in->add_option_function<std::string>(
        "--mem-per-rank",
        [opt](const std::string& text) {
          const auto bytes = parse_byte_size(text);
          if (!bytes) throw CLI::ValidationError("--mem-per-rank", "'" + text + "' is not a size such as 4G or 512M");
          opt->mem_per_rank = *bytes;
        },
        "memory each rank may use, e.g. 4G, 512M (a bare number: MiB; at least 16M, else exit 9). A rank whose "
        "share of the input does not fit reads it in windows and spills sorted runs to --scratch. Default: 1G, or "
        "less when the node's memory or its cgroup limit (a Slurm allocation), shared by its ranks, is less")
      ->type_name("SIZE");
  add_whole_number(in, "--batch-mb", *batch_mb, "MiB per batch when rank 0 gathers results (1 to 1024)", 1, 1024)
      ->capture_default_str();
  add_whole_number(in, "--round-mb", *round_mb, "MiB each rank sends per all-to-all round (1 to 1024)", 1, 1024)
      ->capture_default_str();
  auto* quiet = in->add_flag("-q,--quiet", opt->quiet, "print errors only (no progress, no summary)");
  in->add_flag("-v,--verbose", opt->verbose, "progress with per-rank detail (seconds, bytes, records per rank)")
      ->excludes(quiet);
  return {in, [opt, batch_mb, round_mb](const mpi::Comm& comm) {
            opt->batch_bytes = *batch_mb << 20;
            opt->exchange_round_bytes = *round_mb << 20;
            return run_ingest(comm, *opt);
          }};
}

}  // namespace lfp
