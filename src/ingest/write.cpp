#include "ingest/write.hpp"

#include <optional>

#include "mpi/gather_stream.hpp"
#include "records/order_key.hpp"
#include "records/reject.hpp"
#include "store/h5_snapshot.hpp"
#include "store/products.hpp"
#include "store/snapshot_path.hpp"
#include "util/error.hpp"
#include "util/kway_merge.hpp"
#include "util/log.hpp"
#include "util/progress.hpp"

namespace lfp {
namespace {

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

RunStats write_on_root(const mpi::Comm& comm, const IngestOptions& opt, const ReadFiles& files, RunStats stats,
                       const RankResults& mine, PhaseClock& clock) {
  const int ranks = comm.size();
  mpi::StreamClient client(comm, sources_of(mine, opt.batch_bytes), kStreams);
  auto from = [&](Stream s) { return [&client, s](int rank, Buffer& batch) { client.fetch(rank, s, batch); }; };
  store::ImportSession session(opt.db);
  session.expect(stats.distinct_skus);
  stats.run_id = session.run_id();
  std::int64_t rejects = 0;

  kway_merge<RejectView>(
      ranks, from(kRejects), [](const RejectView& a, const RejectView& b) { return a.order < b.order; },
      [&](const RejectView& r) {
        const auto& file = files.paths[key_file(r.order)];
        if (!opt.quiet && rejects < kMaxShownRejects)
          log::note(file + ":" + std::to_string(r.line) + ": rejected (" +
                    std::string(reason_code(static_cast<RejectReason>(r.reason))) + ")");
        ++rejects;
        session.add_reject(file, r);
      });
  if (opt.max_rejects >= 0 && rejects > opt.max_rejects)
    throw Error(kExitInput, log::count(rejects, "record") + " rejected, more than --max-rejects " +
                                std::to_string(opt.max_rejects) + ": " + opt.db + " is unchanged");

  // A new (or empty) database holds exactly the merged stream, so the snapshot is written
  // from it as it passes; an updated one is read back after the upserts.
  std::optional<store::H5Snapshot> snapshot;
  const std::string h5 = store::snapshot_path(opt.db, opt.h5);
  if (!opt.no_h5) snapshot.emplace(h5);
  const bool stream_h5 = snapshot && session.started_empty();
  kway_merge<RowView>(
      ranks, from(kProducts), [](const RowView& a, const RowView& b) { return a.sku < b.sku; },
      [&](const RowView& r) {
        session.add_product(r);
        progress_counters().records.fetch_add(1, std::memory_order_relaxed);
        if (stream_h5) snapshot->add_product(r.sku, r.name, r.description);
      });
  if (session.started_empty()) {
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
  clock.lap_local(phase::kWriteDb);
  if (snapshot) {
    clock.start(phase::kWriteH5);
    if (!stream_h5) {
      store::for_each_product(session.connection(),
                              [&](auto sku, auto name, auto desc) { snapshot->add_product(sku, name, desc); });
      store::for_each_count(session.connection(), [&](auto name, auto n) { snapshot->add_count(name, n); });
    }
    snapshot->describe({stats.started_at, files.paths, session.run_id(), state, "lfp_mpi ingest"});
    snapshot->finish();  // every byte written before the database commits
    clock.lap_local(phase::kWriteH5);
  }
  session.record_sources(files.sources, stats.started_at);
  stats.inserted = session.inserted();
  stats.updated = session.updated();
  stats.unchanged = session.unchanged();
  stats.folded = session.folded();
  stats.phase_seconds = clock.phases();
  stats.phase_seconds.emplace_back(phase::kTotal, clock.total());
  std::string given;
  for (const auto& f : opt.files) given += (given.empty() ? "" : "\n") + f;
  session.record_run(stats, opt.command, given);
  stats.products = session.connection().integer("SELECT products FROM totals");
  stats.names = session.connection().integer("SELECT names FROM totals");
  wait_before_commit();
  session.commit();
  clock.set_stop_state("ingest into " + opt.db,
                       "run " + std::to_string(stats.run_id) + " is committed to " + opt.db +
                           (snapshot ? "; the snapshot " + h5 + " may be missing ('lfp_mpi snapshot' writes it)" : ""));
  if (snapshot) {
    try {
      snapshot->publish();
    } catch (const Error& e) {
      throw Error(kExitSnapshot, "run " + std::to_string(stats.run_id) + " is committed to " + opt.db +
                                     ", but the snapshot " + h5 + " could not be written (" + e.what() +
                                     "); it is stale: 'lfp_mpi snapshot --db " + opt.db + "' writes it");
    }
  }
  return stats;
}

}  // namespace lfp
