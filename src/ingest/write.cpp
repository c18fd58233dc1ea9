#include "ingest/write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <random>

#include "ingest/source_ledger.hpp"
#include "ingest/spilled_rows.hpp"
#include "ingest/tree_parts.hpp"
#include "mpi/agree.hpp"
#include "mpi/gather_stream.hpp"
#include "mpi/node.hpp"
#include "records/order_key.hpp"
#include "records/reject.hpp"
#include "sqlite_file/database_file.hpp"
#include "sqlite_file/database_writer.hpp"
#include "sqlite_file/interior_builder.hpp"
#include "sqlite_file/product_trees.hpp"
#include "store/h5_slice.hpp"
#include "store/h5_snapshot.hpp"
#include "store/products.hpp"
#include "store/schema.hpp"
#include "store/snapshot_path.hpp"
#include "util/error.hpp"
#include "util/kway_merge.hpp"
#include "util/log.hpp"
#include "util/progress.hpp"

namespace lfp {
namespace {

using sqlite_file::kProductTreeCount;

// The streams every rank serves, in the order rank 0 reads them (sources_of): with a
// database built by hand, the pages of each tree (kProductTreeCount streams) unless the ranks
// wrote them, the rejects, and the snapshot's finished chunks (unless --no-h5); otherwise the
// rejects, products and counts that rank 0 merges into SQLite.
struct Streams {
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t pages = 0;  // the first page stream (the trees follow)
  std::size_t rejects, products = kNone, counts = kNone, chunks = kNone, count;
  explicit Streams(const RankResults& mine) : rejects(mine.pages && !mine.parts_written ? kProductTreeCount : 0) {
    count = rejects + 1;
    if (mine.snapshot) chunks = count++;
    if (!mine.pages) {
      products = count++;
      counts = count++;
    }
  }
};

// A batch source over a sorted vector of items.
template <class Item>
mpi::BatchSource batches_of(const std::vector<Item>& items, std::size_t limit) {
  return [&items, limit, i = std::size_t{0}](Buffer& out) mutable {
    while (i < items.size() && out.size() < limit) encode(out, items[i++]);
  };
}

// A batch source of one tree part's pages, built as rank 0 asks for them.
mpi::BatchSource pages_of(const PagePlan& plan, std::size_t tree, std::size_t limit) {
  auto part = std::make_shared<std::optional<PartPages>>();
  return [&plan, tree, limit, part](Buffer& out) {
    if (!*part) part->emplace(plan.slices[tree], plan.numbering, plan.base[tree]);
    if (!(*part)->done()) (*part)->next_batch(out, limit);
  };
}

// A batch source of whole chunk records (store::append_chunk) from `records`.
mpi::BatchSource chunks_of(const Buffer& records, std::size_t limit) {
  return [&records, limit, at = std::size_t{0}](Buffer& out) mutable {
    std::size_t end = at;
    while (end < records.size() && end - at < limit) {
      std::uint64_t n = 0;
      std::memcpy(&n, records.data() + end + 9, 8);
      end += 17 + n;
    }
    out.assign(records.data() + at, records.data() + end);
    at = end;
  };
}

// A spilled run that cannot be read back (a disk error). Rank 0 reads its own runs in its
// write, whose error path stops the job cleanly; another rank is serving rank 0, which waits
// for its batch: it names the file, removes it and ends the job with its exit code (nothing
// was committed; the signal handlers remove the other ranks' files).
template <class Step>
void read_back_or_abort(const SpillFile& file, Step&& step) {
  try {
    step();
  } catch (const Error& e) {
    const auto comm = mpi::world();
    if (comm.root()) throw;
    log::error(comm.rank(), std::string(e.what()) + "; nothing was committed");
    ::unlink(file.path().c_str());
    mpi::abort(e.code());
  }
}

// A batch source of a merge of spilled runs, opened at the first batch.
template <class Merge, class Item>
mpi::BatchSource merged_batches(const SpillFile& file, const std::vector<Run>& runs, std::size_t readers,
                                std::size_t limit) {
  struct State {
    std::unique_ptr<Merge> merge;
    bool done = false;
  };
  auto state = std::make_shared<State>();
  return [&file, &runs, readers, limit, state](Buffer& out) {
    read_back_or_abort(file, [&] {
      if (state->done) return;
      if (!state->merge) state->merge = std::make_unique<Merge>(file, runs, readers);
      Item item;
      while (out.size() < limit) {
        if (!state->merge->next(item)) {
          state->merge.reset();  // its read buffers go before the next stream's merge opens
          state->done = true;
          return;
        }
        encode(out, item);
      }
    });
  };
}

// A batch source of the encoded items of one spilled run, copied as they are.
mpi::BatchSource run_batches(const SpillFile& file, const Run& run, std::size_t limit) {
  auto reader = std::make_shared<RunReader>(file, run, limit);
  return [&file, reader, limit](Buffer& out) {
    read_back_or_abort(file, [&] {
      std::string_view item;
      while (out.size() < limit && reader->next(item)) out.insert(out.end(), item.begin(), item.end());
    });
  };
}

std::vector<mpi::BatchSource> sources_of(const RankResults& mine, std::size_t batch_bytes) {
  std::vector<mpi::BatchSource> out;
  if (const SpilledShare* s = mine.spilled) {
    out.push_back(run_batches(*s->rejects, s->reject_run, batch_bytes));
    out.push_back(merged_batches<LatestRows, RowView>(*s->runs, s->row_runs, s->readers, batch_bytes));
    out.push_back(merged_batches<SummedCounts, NameCount>(*s->runs, s->count_runs, s->readers, batch_bytes));
    return out;
  }
  if (mine.pages && !mine.parts_written)
    for (std::size_t t = 0; t < kProductTreeCount; ++t) out.push_back(pages_of(*mine.pages, t, batch_bytes));
  out.push_back(batches_of(mine.rejects, batch_bytes));
  if (mine.snapshot) out.push_back(chunks_of(mine.snapshot->chunks, batch_bytes));
  if (!mine.pages) {
    out.push_back(batches_of(mine.products, batch_bytes));
    out.push_back(batches_of(mine.counts, batch_bytes));
  }
  return out;
}

// Rank 0: the file of a new database built by hand (page_plan.hpp), in a temporary file
// beside `db`: every part's pages as they arrive, then the interior pages and page 1.
// With `parts_written`, the ranks wrote their parts already: only the tops and page 1 remain.
void assemble_database(const std::string& db, const PagePlan& plan, int ranks, bool parts_written,
                       const std::string& path, const std::function<void(int, std::size_t, Buffer&)>& fetch) {
  const auto& numbering = plan.numbering;
  const std::uint32_t page_size = numbering.page_size();
  sqlite_file::DatabaseWriter writer(sqlite_file::DatabaseWriter::open_existing(path), db, numbering);
  auto write = [&](std::uint32_t page, std::span<const std::uint8_t> bytes) { writer.write_page(page, bytes); };
  // A batch from each rank in turn (each rank's trees in order): the other ranks build their
  // next batches while rank 0 builds its own and writes.
  Buffer batch;
  std::vector<std::size_t> tree(ranks, parts_written ? kProductTreeCount : 0);
  for (int busy = parts_written ? 0 : ranks; busy > 0;)
    for (int r = 0; r < ranks; ++r) {
      if (tree[r] == kProductTreeCount) continue;
      fetch(r, tree[r], batch);
      const auto records = for_each_page(batch, page_size, write);
      if (tree[r] == 0) progress_counters().records.fetch_add(records, std::memory_order_relaxed);  // products
      if (batch.empty() && ++tree[r] == kProductTreeCount) --busy;
    }
  std::uint64_t next = plan.part_pages + 1;  // sequence indices after page 1 and the parts
  std::array<std::uint32_t, kProductTreeCount> roots{};
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    const auto top = sqlite_file::build_tree_top(numbering, plan.placed[t], next, write);
    roots[t] = top.root;
    next += top.pages_used;
  }
  // Page 1 lists the whole schema as SQLite would have stored it; the tables not written by
  // hand get empty roots, and SQLite fills them later like any other table.
  std::vector<sqlite_file::SchemaEntry> schema;
  const auto hand_written = sqlite_file::product_schema(roots);
  for (const auto& o : store::new_database_schema()) {
    std::uint32_t root = 0;
    const auto hand = std::find_if(hand_written.begin(), hand_written.end(),
                                   [&](const sqlite_file::SchemaEntry& e) { return e.name == o.name; });
    if (hand != hand_written.end()) {
      if (hand->sql != o.sql) throw Error(kExitInternal, "the hand-written schema of " + o.name + " is out of date");
      root = hand->root;
    } else if (o.has_tree) {
      root = numbering.page_of(next++);
      writer.write_page(root, sqlite_file::encode_empty_leaf(page_size, !o.without_rowid));
    }
    schema.push_back({o.type, o.name, o.table, root, o.sql});
  }
  sqlite_file::HeaderFields header;
  header.page_size = page_size;
  header.database_pages = numbering.pages_for(next);
  writer.write_page(1, sqlite_file::encode_first_page(header, schema));
  writer.finish(header.database_pages, /*sync=*/false);  // TempFile::publish syncs
}

}  // namespace

bool write_parts_in_place(const mpi::Comm& comm, const IngestOptions& opt, const PagePlan& plan, BuiltFile& file) {
  // Rank 0 creates the file and writes a random token where page 1 will go; a rank that
  // reads the token back through the path has the very file (not a node-local namesake).
  std::vector<char> path;
  std::vector<std::uint8_t> token(16);
  if (const int code = mpi::agree(comm, [&] {
        if (!comm.root()) return;
        file.temp = std::make_unique<TempFile>(opt.db);
        std::random_device random;
        for (auto& b : token) b = static_cast<std::uint8_t>(random());
        const auto fd = sqlite_file::DatabaseWriter::open_existing(file.temp->path());
        if (::pwrite(fd.get(), token.data(), token.size(), 0) != static_cast<ssize_t>(token.size()))
          throw Error(kExitOutput, "database " + opt.db + ": cannot write its temporary file " + file.temp->path() +
                                       ": " + std::strerror(errno));
        path.assign(file.temp->path().begin(), file.temp->path().end());
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  comm.bcast(path);
  comm.bcast(token);
  UniqueFd fd(::open(std::string(path.begin(), path.end()).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  std::vector<std::uint8_t> seen(token.size());
  const bool same =
      fd && ::pread(fd.get(), seen.data(), seen.size(), 0) == static_cast<ssize_t>(seen.size()) && seen == token;
  if (comm.max(same ? 0 : 1) != 0) return false;  // rank 0 pulls the parts instead

  const auto nodes = mpi::nodes_of(comm);
  const bool on_root_node =
      std::find(nodes.front().ranks.begin(), nodes.front().ranks.end(), comm.rank()) != nodes.front().ranks.end();
  // Every rank writes its parts; rank 0 counts the products for the progress line, its own
  // standing for all (the ranks hold about as many).
  const std::uint64_t total = comm.sum(static_cast<std::uint64_t>(plan.slices[sqlite_file::kProductsMain].size()));
  const std::uint64_t own = plan.slices[sqlite_file::kProductsMain].size();
  if (const int code = mpi::agree(comm, [&] {
        sqlite_file::DatabaseWriter writer(std::move(fd), opt.db, plan.numbering);
        Buffer batch;
        for (std::size_t t = 0; t < kProductTreeCount; ++t) {
          PartPages part(plan.slices[t], plan.numbering, plan.base[t]);
          while (!part.done()) {
            batch.clear();
            part.next_batch(batch, opt.batch_bytes);
            const auto records = for_each_page(
                batch, plan.numbering.page_size(),
                [&](std::uint32_t page, std::span<const std::uint8_t> bytes) { writer.write_page(page, bytes); });
            if (comm.root() && t == sqlite_file::kProductsMain && own > 0)
              progress_counters().records.fetch_add(records * total / own, std::memory_order_relaxed);
          }
        }
        // Rank 0's sync before the publish covers the file's pages written on its node (one
        // page cache); a rank on another node syncs its own.
        writer.close(/*sync=*/!on_root_node);
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  return true;
}

void serve_write(const mpi::Comm& comm, const IngestOptions& opt, const RankResults& mine) {
  mpi::serve_streams(comm, sources_of(mine, opt.batch_bytes));
}

RunStats write_on_root(const mpi::Comm& comm, const IngestOptions& opt, const ReadFiles& files, RunStats stats,
                       const RankResults& mine, PhaseClock& clock, BuiltFile& file) {
  const int ranks = comm.size();
  const Streams streams(mine);
  mpi::StreamClient client(comm, sources_of(mine, opt.batch_bytes), streams.count);
  auto from = [&](std::size_t s) { return [&client, s](int rank, Buffer& batch) { client.fetch(rank, s, batch); }; };
  std::optional<store::ImportSession> session;
  if (mine.pages) {
    assemble_database(
        opt.db, *mine.pages, ranks, mine.parts_written, file.temp->path(),
        [&](int rank, std::size_t tree, Buffer& batch) { client.fetch(rank, streams.pages + tree, batch); });
    session.emplace(opt.db, std::move(file.temp), stats.distinct_skus);
  } else {
    session.emplace(opt.db, mine.spilled ? mine.spilled->cache : 0);
    session->expect(stats.distinct_skus);
  }
  stats.run_id = session->run_id();
  std::int64_t rejects = 0;

  kway_merge<RejectView>(
      ranks, from(streams.rejects), [](const RejectView& a, const RejectView& b) { return a.order < b.order; },
      [&](const RejectView& r) {
        const auto& file = files.paths[key_file(r.order)];
        if (!opt.quiet && rejects < kMaxShownRejects)
          log::note(file + ":" + std::to_string(r.line) + ": rejected (" +
                    std::string(reason_code(static_cast<RejectReason>(r.reason))) + ")");
        ++rejects;
        session->add_reject(file, r);
      });
  if (opt.max_rejects >= 0 && rejects > opt.max_rejects)
    throw Error(kExitInput, log::count(rejects, "record") + " rejected, more than --max-rejects " +
                                std::to_string(opt.max_rejects) + ": " + opt.db + " is unchanged");

  // A new (or empty) database holds exactly the merged stream, so the snapshot is written
  // from it as it passes; an updated one is read back after the upserts.
  std::optional<store::H5Snapshot> snapshot;
  const std::string h5 = store::snapshot_path(opt.db, opt.h5);
  if (!opt.no_h5) snapshot.emplace(h5);
  const bool stream_h5 = snapshot && session->started_empty();
  if (mine.snapshot) {
    // The ranks compressed the snapshot's chunks: rank 0 copies them into the file.
    if (snapshot) {
      snapshot->set_sizes(mine.snapshot->totals);
      // Progress counts products in proportion to the chunks copied (when the pages did not
      // pass through rank 0 first: they counted the products then).
      std::uint64_t chunks = 0, done = 0, counted = 0;
      for (std::size_t k = 0; k < store::kH5Columns; ++k) {
        const auto per = store::chunk_elements(static_cast<store::H5Column>(k));
        chunks += (mine.snapshot->totals[k] + per - 1) / per;
      }
      const auto products = static_cast<std::uint64_t>(stats.distinct_skus);
      Buffer batch;
      for (int r = 0; r < ranks; ++r)
        for (client.fetch(r, streams.chunks, batch); !batch.empty(); client.fetch(r, streams.chunks, batch)) {
          store::for_each_chunk({batch.data(), batch.size()},
                                [&](store::H5Column c, std::uint64_t index, std::span<const std::uint8_t> bytes) {
                                  snapshot->add_chunk(c, index, bytes);
                                  ++done;
                                });
          const std::uint64_t now = chunks && mine.parts_written ? products * done / chunks : 0;
          progress_counters().records.fetch_add(now - counted, std::memory_order_relaxed);
          counted = now;
        }
    }
  } else if (!mine.pages) {
    kway_merge<RowView>(
        ranks, from(streams.products), [](const RowView& a, const RowView& b) { return a.sku < b.sku; },
        [&](const RowView& r) {
          session->add_product(r);
          progress_counters().records.fetch_add(1, std::memory_order_relaxed);
          if (stream_h5) snapshot->add_product(r.sku, r.name, r.description);
        });
    if (session->started_empty()) {
      // Each rank's counts are whole per name, except under --mem-per-rank with spilling, where
      // every rank counted its own products: equal names, adjacent in the merge, are summed.
      std::string name;
      std::int64_t sum = 0;
      bool held = false;
      auto add = [&] {
        if (!held) return;
        session->add_count(NameCount{name, sum});
        if (stream_h5) snapshot->add_count(name, sum);
      };
      kway_merge<NameCount>(
          ranks, from(streams.counts), [](const NameCount& a, const NameCount& b) { return a.name < b.name; },
          [&](const NameCount& c) {
            if (held && c.name == name) {
              sum += c.products;
              return;
            }
            add();
            name.assign(c.name);
            sum = c.products;
            held = true;
          });
      add();
    }  // else the product rules derived the count changes from the rows; the ranks are released
  }
  if (mine.release) mine.release();
  if (stream_h5) snapshot->seal();  // its last chunks compress while SQLite builds its indexes
  std::string state = session->finish_import();
  // The ledger's chunks, the skus that vanished from the files read and --prune: before the
  // snapshot is read back, so that it mirrors what was pruned.
  const auto ledger = update_source_ledger(session->connection(), files.changes, session->run_id(), opt.prune);
  stats.vanished = ledger.vanished;
  stats.pruned = ledger.pruned;
  if (ledger.pruned > 0) {
    if (stream_h5) throw Error(kExitInternal, "--prune deleted products from a snapshot written as the rows passed");
    state = store::state_token(session->connection());
  }
  clock.lap_local(phase::kWriteDb);
  if (snapshot) {
    clock.start(phase::kWriteH5);
    if (!stream_h5) {
      store::for_each_product(session->connection(),
                              [&](auto sku, auto name, auto desc) { snapshot->add_product(sku, name, desc); });
      store::for_each_count(session->connection(), [&](auto name, auto n) { snapshot->add_count(name, n); });
    }
    snapshot->describe({stats.started_at, files.paths, session->run_id(), state, "lfp_mpi ingest"});
    snapshot->finish();  // every byte written before the database commits
    clock.lap_local(phase::kWriteH5);
  }
  session->record_sources(files.sources, stats.started_at);
  stats.inserted = session->inserted();
  stats.updated = session->updated();
  stats.unchanged = session->unchanged();
  stats.folded = session->folded();
  stats.phase_seconds = clock.phases();
  stats.phase_seconds.emplace_back(phase::kTotal, clock.total());
  std::string given;
  for (const auto& f : opt.files) given += (given.empty() ? "" : "\n") + f;
  session->record_run(stats, opt.command, given);
  stats.products = session->connection().integer("SELECT products FROM totals");
  stats.names = session->connection().integer("SELECT names FROM totals");
  wait_before_commit();
  session->commit();
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
