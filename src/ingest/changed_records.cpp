#include "ingest/changed_records.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <unordered_map>

#include "csv/range_scan.hpp"
#include "ingest/change_plan.hpp"
#include "mpi/agree.hpp"
#include "records/reject.hpp"
#include "store/sqlite.hpp"
#include "util/error.hpp"
#include "util/hash_set_code.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kRecordMask = (std::uint64_t{1} << kRecordHashBits) - 1;

template <class T>
std::vector<char> bytes_of(const std::vector<T>& v) {
  std::vector<char> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

template <class T>
std::vector<T> values_of(const std::vector<char>& bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

// Every rank's pieces on rank 0, rank after rank; returns this rank's first index among them.
std::vector<ChunkPiece> gather_pieces(const mpi::Comm& comm, const std::vector<ChunkPiece>& mine,
                                      std::uint64_t& first) {
  first = comm.exclusive_prefix_sum(mine.size());
  return values_of<ChunkPiece>(comm.gather_bytes(bytes_of(mine)));
}

// Every rank's coded hashes of its pieces (those with `send[i]`), keyed by global piece index.
std::vector<std::pair<std::uint64_t, ChunkHashes>> gather_hashes(const mpi::Comm& comm,
                                                                 std::vector<ChunkHashes>& hashes,
                                                                 const std::vector<std::uint8_t>& send,
                                                                 std::uint64_t first) {
  std::vector<char> out;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (!send[i]) continue;
    const std::string blob = hashes[i].blob();
    const std::uint64_t head[2] = {first + i, blob.size()};
    out.insert(out.end(), reinterpret_cast<const char*>(head), reinterpret_cast<const char*>(head) + sizeof head);
    out.insert(out.end(), blob.begin(), blob.end());
    ChunkHashes().records.swap(hashes[i].records);  // sent: its memory goes
    std::string().swap(hashes[i].skus);
  }
  const auto all = comm.gather_bytes(out);
  std::vector<std::pair<std::uint64_t, ChunkHashes>> got;
  for (std::size_t at = 0; at + 16 <= all.size();) {
    std::uint64_t head[2];
    std::memcpy(head, all.data() + at, sizeof head);
    at += sizeof head;
    got.emplace_back(head[0], ChunkHashes::from_blob(std::string_view(all.data() + at, head[1])));
    at += head[1];
  }
  return got;
}

// Rank 0: the new version's chunk list of each file in `plan`, with the new chunks' hashes.
void record_plan(ChangeState& state, const ChunkPlan& plan, std::vector<std::pair<std::uint64_t, ChunkHashes>> hashes) {
  std::sort(hashes.begin(), hashes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto of_piece = [&](std::uint64_t p) -> const ChunkHashes* {
    const auto it = std::lower_bound(hashes.begin(), hashes.end(), p,
                                     [](const auto& h, std::uint64_t key) { return h.first < key; });
    return it != hashes.end() && it->first == p ? &it->second : nullptr;
  };
  for (const auto& c : plan.chunks) {
    auto& f = state.files[c.file];
    f.records += c.records;
    store::NewChunk n{c.digest, c.records, c.old_seq, {}};
    if (!c.old_seq) {
      std::vector<const ChunkHashes*> parts;
      for (const auto p : c.pieces)
        if (const auto* h = of_piece(p)) parts.push_back(h);
      n.hashes = parts.size() == c.pieces.size() ? merge_hashes(parts).blob() : std::string();
    }
    f.chunks.push_back(std::move(n));
  }
  for (auto& f : state.files) {
    std::vector<std::int64_t> kept;
    for (const auto& c : f.chunks)
      if (c.old_seq) kept.push_back(*c.old_seq);
    std::sort(kept.begin(), kept.end());
    f.dropped.clear();
    for (const auto& o : f.old)
      if (!std::binary_search(kept.begin(), kept.end(), o.seq)) f.dropped.push_back(o.seq);
  }
}

// A record of a new chunk, to look up in its file's old version.
struct Probe {
  std::uint64_t file, hash, sku, index;  // sku: masked sku hash, 0 for a reject; index: in its file
};

constexpr std::uint64_t kSkuMask = (std::uint64_t{1} << kSkuHashBits) - 1;

// Rank 0: which probes are not applied: records the file's old version had, and records a
// later record of the same sku overrides in the new version (as an ingest of the file alone
// would keep only that later one). `plan` orders the new version's chunks.
void look_up_old(const ChangeState& state, const ChunkPlan& plan, const std::vector<Probe>& every,
                 const std::string& db, std::vector<std::uint8_t>& skip) {
  skip.assign(every.size(), 0);
  store::Connection ledger(db, store::Connection::Mode::ReadOnly);
  for (std::uint32_t f = 0; f < state.files.size(); ++f) {
    if (!state.by_chunks[f]) continue;
    std::vector<std::uint64_t> of_file;
    std::vector<std::size_t> where;
    for (std::size_t k = 0; k < every.size(); ++k)
      if (every[k].file == f) {
        of_file.push_back(every[k].hash);
        where.push_back(k);
      }
    if (of_file.empty()) continue;
    OccurrenceCheck check(std::move(of_file));
    std::uint64_t old_records = 0;
    for (const auto& c : state.files[f].old) old_records += c.records;
    // Many records to look up (most chunks new): the old version's hashes sorted once and
    // merged; a few: searched chunk by chunk, holding one chunk's set at a time.
    const bool whole_file = check.size() * 64 > old_records;
    std::vector<std::uint64_t> all_old;
    store::for_each_chunk_blob(ledger, state.files[f].path, [&](std::int64_t, std::string_view blob) {
      auto set = decode_hash_set(ChunkHashes::from_blob(blob).records);
      if (whole_file)
        all_old.insert(all_old.end(), set.begin(), set.end());
      else
        check.look_in(set);
    });
    if (whole_file) {
      std::sort(all_old.begin(), all_old.end());
      check.look_in(all_old);
    }
    const auto found = check.flags();
    // The last index of each changed record's sku among the new chunks' records, and among
    // the kept chunks (a chunk's first index: any of its records is at or after it).
    std::unordered_map<std::uint64_t, std::uint64_t> last;
    for (std::size_t k = 0; k < where.size(); ++k)
      if (!found[k] && every[where[k]].sku != 0) last.emplace(every[where[k]].sku, 0);
    if (last.empty()) {
      for (std::size_t k = 0; k < where.size(); ++k) skip[where[k]] = 1;
      continue;
    }
    for (const auto k : where) {
      const auto it = last.find(every[k].sku);
      if (it != last.end()) it->second = std::max(it->second, every[k].index);
    }
    std::map<std::int64_t, std::uint64_t> kept_at;  // old chunk -> its last first index in the new version
    std::uint64_t index = 1;                        // the header is record 0
    for (const auto& c : plan.chunks) {
      if (c.file != f) continue;
      if (c.old_seq) kept_at[*c.old_seq] = index;
      index += c.records;
    }
    store::for_each_chunk_blob(ledger, state.files[f].path, [&](std::int64_t seq, std::string_view blob) {
      const auto at = kept_at.find(seq);
      if (at == kept_at.end()) return;
      for (const auto h : decode_hash_set(ChunkHashes::from_blob(blob).skus)) {
        const auto it = last.find(h);
        if (it != last.end()) it->second = std::max(it->second, at->second);
      }
    });
    for (std::size_t k = 0; k < where.size(); ++k) {
      const auto& p = every[where[k]];
      const bool overridden = !found[k] && p.sku != 0 && last.at(p.sku) > p.index;
      skip[where[k]] = found[k] || overridden ? 1 : 0;
    }
  }
}

}  // namespace

std::string layout_columns(const csv::ColumnMap& c) {
  return std::to_string(c.fields) + "," + std::to_string(c.name) + "," + std::to_string(c.sku) + "," +
         std::to_string(c.description);
}

void decide_by_chunks(const mpi::Comm& comm, ChangeState& state, const std::vector<store::SourceLayout>& was,
                      bool force) {
  if (comm.root()) {
    state.by_chunks.assign(state.files.size(), 0);
    state.whole.assign(state.files.size(), 0);
    for (std::size_t f = 0; f < state.files.size(); ++f) {
      const auto& file = state.files[f];
      // Another chunk size cuts elsewhere: the chunks are all new, but the records are still
      // looked up in the old version (the result does not depend on the chunk size).
      state.by_chunks[f] = !force && file.chunked && !file.old.empty() && was[f].columns == file.layout.columns ? 1 : 0;
      state.whole[f] = file.chunked && !state.by_chunks[f] ? 1 : 0;
    }
  }
  comm.bcast(state.by_chunks);
  comm.bcast(state.whole);
}

void narrow_to_changes(const mpi::Comm& comm, ChangeState& state, std::vector<Segment>& segments,
                       std::vector<csv::RangeStart>& starts,
                       const std::function<std::string_view(std::uint32_t)>& bytes,
                       const std::vector<csv::ColumnMap>& columns, const std::vector<std::uint64_t>& sizes,
                       const std::string& db, const ReleaseFn& release) {
  // Pass 1: the chunks of this rank's records of the files read by chunks.
  PieceBuilder cutter(state.chunk_bytes, false);
  bool ends_file = false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    if (!state.by_chunks[s.file]) continue;
    const auto file = bytes(s.file);
    csv::for_each_owned_record(
        file, s.begin, s.end, starts[i],
        [&](std::uint64_t index, const csv::Record& r) {
          if (index == 0) return;  // the header
          cutter.add(s.file, r.offset, r.end, r.line - 1, index, record_hash(file.substr(r.offset, r.end - r.offset)),
                     0);
        },
        0);
    if (release) release(s.file, s.begin, s.end);
    ends_file = s.end == sizes[s.file];
  }
  cutter.close(ends_file);
  std::uint64_t first = 0;
  const auto all = gather_pieces(comm, cutter.pieces(), first);
  std::vector<std::uint8_t> piece_new;
  ChunkPlan plan;
  if (comm.root()) {
    std::vector<std::vector<store::LedgerChunk>> old(state.files.size());
    for (std::size_t f = 0; f < state.files.size(); ++f)
      if (state.by_chunks[f]) old[f] = state.files[f].old;
    plan = plan_chunks(all, old);
    piece_new = plan.piece_new;
    for (const auto& c : plan.chunks) {
      ++state.chunks;
      state.chunks_read += c.old_seq ? 0 : 1;
    }
  }
  comm.bcast(piece_new);
  const auto& mine = cutter.pieces();

  // Pass 2: the new chunks' records: where they are, their hashes, and their skus.
  std::vector<ChunkRecord> records;
  std::uint64_t in_new = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) in_new += piece_new[first + i] ? mine[i].records : 0;
  records.reserve(in_new);
  std::vector<ChunkHashes> hashes(mine.size());
  std::vector<std::uint8_t> send(mine.size(), 0);
  std::int64_t in_files = 0;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    const auto& p = mine[i];
    in_files += static_cast<std::int64_t>(p.records);
    if (!piece_new[first + i]) continue;
    send[i] = 1;
    const auto file = bytes(p.file);
    const auto& cols = columns[p.file];
    std::vector<std::uint64_t> record_set, sku_set;
    csv::for_each_owned_record(
        file, p.begin, p.end, csv::RangeStart{csv::State::RecordStart, p.records_before, p.lines_before},
        [&](std::uint64_t index, const csv::Record& r) {
          const std::uint64_t h = record_hash(file.substr(r.offset, r.end - r.offset));
          record_set.push_back(h);
          const std::size_t before = sku_set.size();
          if (!check_record(r, cols)) sku_set.push_back(sku_hash(r.fields[cols.sku]));
          records.push_back({p.file, r.offset, r.end, r.line - 1, index, h & kRecordMask,
                             sku_set.size() > before ? sku_set.back() & kSkuMask : 0});
        },
        cols.fields);
    hashes[i] = {encode_hash_set(std::move(record_set), kRecordHashBits),
                 encode_hash_set(std::move(sku_set), kSkuHashBits)};
    if (release) release(p.file, p.begin, p.end);
  }

  // Rank 0 looks the new chunks' records up in each file's old version.
  std::vector<Probe> probes;
  probes.reserve(records.size());
  for (const auto& r : records) probes.push_back({r.file, r.hash, r.sku, r.records_before});
  const std::uint64_t probe_first = comm.exclusive_prefix_sum(probes.size());
  const auto every = values_of<Probe>(comm.gather_bytes(bytes_of(probes)));
  std::vector<Probe>().swap(probes);
  std::vector<std::uint8_t> old_flags;
  if (const int code = mpi::agree(comm, [&] {
        if (comm.root()) look_up_old(state, plan, every, db, old_flags);
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  comm.bcast(old_flags);

  // What to parse: each run of consecutive new or changed records, with its exact start.
  std::vector<Segment> narrowed;
  std::vector<csv::RangeStart> narrowed_starts;
  std::int64_t applied = 0;
  for (std::size_t k = 0; k < records.size(); ++k) {
    if (old_flags[probe_first + k]) continue;
    const auto& r = records[k];
    ++applied;
    const bool joins = !narrowed.empty() && k > 0 && !old_flags[probe_first + k - 1] && records[k - 1].file == r.file &&
                       records[k - 1].records_before + 1 == r.records_before;
    if (joins) {
      narrowed.back().end = r.end;
    } else {
      narrowed.push_back({r.file, r.offset, r.end});
      narrowed_starts.push_back({csv::State::RecordStart, r.records_before, r.lines_before});
    }
  }
  std::vector<ChunkRecord>().swap(records);
  for (std::size_t i = 0; i < segments.size(); ++i)
    if (!state.by_chunks[segments[i].file]) {
      narrowed.push_back(segments[i]);
      narrowed_starts.push_back(starts[i]);
    }
  std::vector<std::size_t> order(narrowed.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return narrowed[a].file != narrowed[b].file ? narrowed[a].file < narrowed[b].file
                                                : narrowed[a].begin < narrowed[b].begin;
  });
  segments.clear();
  starts.clear();
  for (const auto k : order) {
    segments.push_back(narrowed[k]);
    starts.push_back(narrowed_starts[k]);
  }
  state.unchanged = comm.sum(in_files - applied);

  // The new chunks' hashes go to rank 0, for the ledger.
  auto got = gather_hashes(comm, hashes, send, first);
  if (comm.root()) record_plan(state, plan, std::move(got));
}

void finish_whole_files(const mpi::Comm& comm, ChangeState& state, PieceBuilder& builder,
                        const std::vector<std::uint8_t>& ends_here) {
  if (const auto open = builder.open_file()) builder.close(ends_here[*open] != 0);
  std::uint64_t first = 0;
  const auto all = gather_pieces(comm, builder.pieces(), first);
  const std::vector<std::uint8_t> send(builder.pieces().size(), 1);
  auto hashes = gather_hashes(comm, builder.hashes(), send, first);
  if (!comm.root()) return;
  const ChunkPlan plan = plan_chunks(all, {});
  record_plan(state, plan, std::move(hashes));
}

}  // namespace lfp
