#include "commands/ingest.hpp"

#include <memory>

#include "commands/command.hpp"
#include "commands/snapshot.hpp"

#include <filesystem>
#include <optional>

#include "ingest/changes.hpp"
#include "ingest/dedup.hpp"
#include "ingest/headers.hpp"
#include "ingest/inputs.hpp"
#include "ingest/locate.hpp"
#include "ingest/name_counts.hpp"
#include "ingest/parse.hpp"
#include "ingest/phase_clock.hpp"
#include "ingest/plan.hpp"
#include "ingest/summary.hpp"
#include "ingest/write.hpp"
#include "mpi/agree.hpp"
#include "mpi/shuffle.hpp"
#include "store/schema.hpp"
#include "util/clock.hpp"
#include "util/hash.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

// Rank 0's view of the run before any file is read.
struct Plan {
  std::vector<InputFile> inputs;
  std::map<std::string, store::LedgerEntry> ledger;
};

// Phases 1-2: rank 0 checks the outputs, stats the inputs and reads the ledger; all ranks
// digest the inputs; rank 0 decides what to read. Returns the indices to read (all ranks).
std::vector<std::uint32_t> plan_reads(const mpi::Comm& comm, const IngestOptions& opt, Plan& plan,
                                      RunFacts& facts) {
  std::vector<std::uint64_t> sizes;
  if (const int code = mpi::agree(comm, [&] {
        if (!comm.root()) return;
        check_output_paths(opt);
        store::check_before_write(opt.db);
        plan.inputs = stat_inputs(opt.files);
        plan.ledger = store::read_ledger(opt.db);
        for (const auto& in : plan.inputs) sizes.push_back(in.size);
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  comm.bcast(sizes);
  const auto digests = digest_inputs(comm, opt.files, sizes);
  std::vector<std::uint32_t> read;
  if (comm.root()) {
    const auto decision = decide_reads(plan.inputs, digests, plan.ledger, opt.force);
    read = decision.read;
    facts.files_skipped = static_cast<std::int64_t>(decision.skipped.size());
    for (const auto i : decision.skipped)
      if (!opt.quiet)
        log::note("skipped " + opt.files[i] + ": unchanged since run " +
                  std::to_string(plan.ledger.at(plan.inputs[i].absolute).run_id) + " (--force reads it again)");
    for (const auto i : read) {
      facts.read_paths.push_back(opt.files[i]);
      facts.sources.push_back({plan.inputs[i].absolute, plan.inputs[i].size, plan.inputs[i].mtime_ns, digests[i]});
    }
  }
  comm.bcast(read);
  return read;
}

// Rank 0's end of the write phase: an Error leaves the database unchanged.
std::optional<WriteOutcome> write_or_report(const mpi::Comm& comm, const IngestOptions& opt, const RunFacts& facts,
                                            const RankResults& mine, PhaseClock& clock, int& code) {
  try {
    return write_on_root(comm, opt, facts, mine, clock);
  } catch (const Error& e) {
    log::error(0, e.what());
    code = e.code();
  } catch (const std::exception& e) {
    // Still a clean, collective stop: the stream client has released the other ranks.
    log::error(0, std::string("internal error while writing: ") + e.what());
    code = kExitInternal;
  }
  return std::nullopt;
}

int ingest(const mpi::Comm& comm, const IngestOptions& opt) {
  const int ranks = comm.size();
  PhaseClock clock;
  RunFacts facts;
  facts.started_at = utc_now();
  Plan plan;
  const std::vector<std::uint32_t> read = plan_reads(comm, opt, plan, facts);
  if (read.empty()) {
    // Nothing to read, but a kill after the last run's commit may have left its snapshot behind.
    if (const int code = mpi::agree(comm, [&] {
          if (comm.root() && !opt.no_h5 && refresh_stale_snapshot(opt.db, snapshot_path(opt)) && !opt.quiet)
            log::info("the snapshot " + snapshot_path(opt) + " did not mirror the database: written again");
        }))
      return code;
    if (comm.root() && !opt.quiet)
      log::info("all " + std::to_string(opt.files.size()) + " input files are unchanged since their last ingest: " +
                opt.db + " is up to date (--force reads them again)");
    return kExitOk;
  }
  std::vector<std::string> paths;
  for (const auto i : read) paths.push_back(opt.files[i]);
  std::vector<std::uint64_t> sizes(read.size());
  if (comm.root())
    for (std::size_t k = 0; k < read.size(); ++k) sizes[k] = plan.inputs[read[k]].size;
  comm.bcast(sizes);
  clock.lap_collective(comm, "digest");

  // Phases 3-4: each rank maps its range, finds record boundaries and checks headers.
  const ByteRange mine = comm.scatter(comm.root() ? partition(sizes, ranks) : std::vector<ByteRange>{});
  const std::vector<Segment> segments = segments_of(sizes, mine);
  std::optional<MappedInputs> inputs;
  if (const int code = mpi::agree(comm, [&] { inputs.emplace(paths, sizes, segments); })) return code;
  auto bytes = [&](std::uint32_t f) { return inputs->bytes(f); };
  const RecordStarts starts(comm, segments, bytes);
  const auto columns = check_headers(comm, paths, segments, bytes, starts);
  clock.lap_collective(comm, "scan");

  // Phase 5: owned records become rows bucketed by sku owner, or rejects.
  ParsedRange parsed = parse_range(
      segments, bytes, [&](std::size_t i) { return starts.of(i); }, columns, ranks, mine.end - mine.begin);
  inputs.reset();  // rows and rejects are copies now: the input pages leave the rank's memory
  clock.lap_collective(comm, "parse");

  // Phase 6: shuffle rows by sku; keep the last record of each sku.
  const std::vector<Buffer> incoming = mpi::exchange(comm, std::move(parsed.outgoing), opt.exchange_round_bytes);
  clock.lap_collective(comm, "shuffle");
  const std::vector<RowView> products = latest_by_sku(decode_all<RowView>(incoming));
  clock.lap_collective(comm, "dedup");

  // Phase 7: count products per name locally, shuffle partial counts by name, sum.
  std::vector<Buffer> partials(ranks);
  for (const auto& c : count_names(products)) encode(partials[owner_of(hash_bytes(c.name, kNameSeed), ranks)], c);
  const std::vector<Buffer> count_bytes = mpi::exchange(comm, std::move(partials), opt.exchange_round_bytes);
  const std::vector<NameCount> counts = sum_counts(decode_all<NameCount>(count_bytes));
  clock.lap_collective(comm, "count");

  comm.sum_in_place(parsed.records);  // per file, over all ranks
  comm.sum_in_place(parsed.rejected);
  for (std::size_t k = 0; k < read.size(); ++k) {
    facts.records_read += parsed.records[k];
    facts.rejected += parsed.rejected[k];
    if (comm.root()) {
      facts.sources[k].records = parsed.records[k];
      facts.sources[k].rejects = parsed.rejected[k];
    }
  }
  facts.distinct_skus = comm.sum(static_cast<std::int64_t>(products.size()));

  // Phase 8: rank 0 merges the sorted streams of all ranks into the database and snapshot.
  const auto rejects = decode_all<RejectView>(parsed.rejects.data(), parsed.rejects.data() + parsed.rejects.size());
  const RankResults results{rejects, products, counts};
  int code = kExitOk;
  std::optional<WriteOutcome> outcome;
  if (comm.root())
    outcome = write_or_report(comm, opt, facts, results, clock, code);
  else
    serve_write(comm, opt, results);
  code = comm.max(code);
  if (code != kExitOk || !comm.root()) return code;

  const std::string h5 = snapshot_path(opt);
  if (!opt.quiet) {
    RunSummary s{ranks,         opt.files.size(), read.size(),          facts.records_read, facts.rejected, *outcome,
                 opt.db,        opt.no_h5 ? "" : h5, clock.total(), clock.phases()};
    if (outcome->rejects_total > 10)
      log::note("... " + std::to_string(outcome->rejects_total - 10) + " more rejects: see the rejects table");
    for (const auto& line : summary_lines(s)) log::info(line);
  }
  std::error_code ec;
  if (opt.no_h5 && outcome->inserted + outcome->updated > 0 && std::filesystem::exists(h5, ec))
    log::warning("the snapshot " + h5 + " no longer mirrors the database (--no-h5): 'lfp_mpi verify' reports it "
                 "stale; 'lfp_mpi snapshot --db " + opt.db + "' refreshes it");
  return kExitOk;
}

}  // namespace

int run_ingest(const mpi::Comm& comm, const IngestOptions& opt) {
  try {
    return ingest(comm, opt);
  } catch (const Error& e) {
    // Thrown by every rank together (a collective phase failed); the failing rank has
    // printed it unless rank 0 speaks for all.
    if (!e.already_reported() && comm.root()) log::error(0, e.what());
    return e.code();
  }
}

}  // namespace lfp

namespace lfp {

Command add_ingest(CLI::App& app, const std::string& command_line) {
  auto opt = std::make_shared<IngestOptions>();
  auto batch_mb = std::make_shared<std::size_t>(4), round_mb = std::make_shared<std::size_t>(256);
  opt->command = command_line;
  auto* in = app.add_subcommand("ingest", "Import CSV files (name,sku,description) into the database");
  in->add_option("files", opt->files, "CSV files, applied in this order")->required();
  in->add_option("--db", opt->db, "SQLite database to create or update")->capture_default_str();
  auto* h5 = in->add_option("--h5", opt->h5, "HDF5 snapshot path (default: the database path with .h5)");
  in->add_flag("--no-h5", opt->no_h5, "do not write the HDF5 snapshot")->excludes(h5);
  in->add_flag("--force", opt->force, "read files even when unchanged since their last ingest");
  in->add_option("--batch-mb", *batch_mb, "MiB per batch when rank 0 gathers results")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  in->add_option("--round-mb", *round_mb, "MiB each rank sends per all-to-all round")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  in->add_flag("-q,--quiet", opt->quiet, "print errors only");
  return {in, [opt, batch_mb, round_mb](const mpi::Comm& comm) {
            opt->batch_bytes = *batch_mb << 20;
            opt->exchange_round_bytes = *round_mb << 20;
            return run_ingest(comm, *opt);
          }};
}

}  // namespace lfp
