#include "ingest/write.hpp"

#include <optional>

#include "mpi/gather_stream.hpp"
#include "records/order_key.hpp"
#include "records/reject.hpp"
#include "store/h5_snapshot.hpp"
#include "store/products.hpp"
#include "util/kway_merge.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/progress.hpp"

namespace lfp {
namespace {

constexpr std::int64_t kMaxShownRejects = 10;
enum Stream : std::size_t { kRejects, kProducts, kCounts, kStreams };

// A batch source over a sorted vector of items.
template <class Item>
mpi::BatchSource batches_of(const std::vector<Item>& items, std::size_t limit) {
  return [&items, limit, i = std::size_t{0}](Buffer& out) mutable {
    while (i < items.size() && out.size() < limit) encode(out, items[i++]);
  };
}

std::vector<mpi::BatchSource> sources_of(const RankResults& mine, std::size_t batch_bytes) {
  return {batches_of(mine.rejects, batch_bytes), batches_of(mine.products, batch_bytes),
          batches_of(mine.counts, batch_bytes)};
}

}  // namespace

void serve_write(const mpi::Comm& comm, const IngestOptions& opt, const RankResults& mine) {
  mpi::serve_streams(comm, sources_of(mine, opt.batch_bytes));
}

WriteOutcome write_on_root(const mpi::Comm& comm, const IngestOptions& opt, const RunFacts& facts,
                           const RankResults& mine, PhaseClock& clock) {
  WriteOutcome out;
  const int ranks = comm.size();
  mpi::StreamClient client(comm, sources_of(mine, opt.batch_bytes), kStreams);
  auto from = [&](Stream s) { return [&client, s](int rank, Buffer& batch) { client.fetch(rank, s, batch); }; };
  store::ImportSession session(opt.db);
  session.expect(facts.distinct_skus);
  out.run_id = session.run_id();

  kway_merge<RejectView>(
      ranks, from(kRejects), [](const RejectView& a, const RejectView& b) { return a.order < b.order; },
      [&](const RejectView& r) {
        const auto& file = facts.read_paths[key_file(r.order)];
        if (!opt.quiet && out.rejects_total < kMaxShownRejects)
          log::note(file + ":" + std::to_string(r.line) + ": rejected (" +
                    std::string(reason_code(static_cast<RejectReason>(r.reason))) + ")");
        ++out.rejects_total;
        session.add_reject(file, r);
      });
  if (opt.max_rejects >= 0 && out.rejects_total > opt.max_rejects)
    throw Error(kExitInput, log::count(out.rejects_total, "record") + " rejected, more than --max-rejects " +
                                std::to_string(opt.max_rejects) + ": " + opt.db + " is unchanged");

  // A new (or empty) database holds exactly the merged stream, so the snapshot is written
  // from it as it passes; an updated one is read back after the upserts.
  std::optional<store::H5Snapshot> snapshot;
  if (!opt.no_h5) snapshot.emplace(snapshot_path(opt));
  const bool stream_h5 = snapshot && session.direct();
  kway_merge<RowView>(
      ranks, from(kProducts), [](const RowView& a, const RowView& b) { return a.sku < b.sku; },
      [&](const RowView& r) {
        session.add_product(r);
        progress_counters().records.fetch_add(1, std::memory_order_relaxed);
        if (stream_h5) snapshot->add_product(r.sku, r.name, r.description);
      });
  if (session.direct()) {
    kway_merge<NameCount>(
        ranks, from(kCounts), [](const NameCount& a, const NameCount& b) { return a.name < b.name; },
        [&](const NameCount& c) {
          session.add_count(c);
          if (stream_h5) snapshot->add_count(c.name, c.products);
        });
  }  // else the product rules derived the count changes from the rows; the ranks are released
  if (mine.release) mine.release();
  if (stream_h5) snapshot->seal();  // its last chunks compress while SQLite builds its indexes
  const std::string state = session.finish_import();
  clock.lap_local("write_db");
  if (snapshot) {
    clock.start("write_h5");
    if (!stream_h5) {
      store::for_each_product(session.connection(),
                              [&](auto sku, auto name, auto desc) { snapshot->add_product(sku, name, desc); });
      store::for_each_count(session.connection(), [&](auto name, auto n) { snapshot->add_count(name, n); });
    }
    snapshot->describe({facts.started_at, facts.read_paths, session.run_id(), state, "lfp_mpi ingest"});
    snapshot->finish();  // every byte written before the database commits
    clock.lap_local("write_h5");
  }
  session.record_sources(facts.sources, facts.started_at);
  store::RunRecord run;
  run.started_at = facts.started_at;
  run.command = opt.command;
  run.ranks = ranks;
  run.records_read = facts.records_read;
  run.rows_written = facts.distinct_skus;
  run.rejects = facts.rejected;
  for (const auto& f : opt.files) run.files += (run.files.empty() ? "" : "\n") + f;
  run.files_read = static_cast<std::int64_t>(facts.read_paths.size());
  run.files_skipped = facts.files_skipped;
  run.phase_seconds = clock.phases();
  run.phase_seconds.emplace_back("total", clock.total());
  session.record_run(run);
  out.phase_seconds = run.phase_seconds;
  out.inserted = session.inserted();
  out.updated = session.updated();
  out.unchanged = session.unchanged();
  out.folded = session.folded();
  out.products = session.connection().integer("SELECT products FROM totals");
  out.names = session.connection().integer("SELECT names FROM totals");
  wait_before_commit();
  session.commit();
  clock.set_stop_state(
      "ingest into " + opt.db,
      "run " + std::to_string(out.run_id) + " is committed to " + opt.db +
          (snapshot ? "; the snapshot " + snapshot_path(opt) + " may be missing ('lfp_mpi snapshot' writes it)" : ""));
  if (snapshot) {
    try {
      snapshot->publish();
    } catch (const Error& e) {
      throw Error(kExitSnapshot, "run " + std::to_string(out.run_id) + " is committed to " + opt.db +
                                     ", but the snapshot " + snapshot_path(opt) + " could not be written (" + e.what() +
                                     "); it is stale: 'lfp_mpi snapshot --db " + opt.db + "' writes it");
    }
    out.snapshot_written = true;
  }
  return out;
}

}  // namespace lfp
