#include "ingest/change_plan.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace lfp {

ChunkPlan plan_chunks(const std::vector<ChunkPiece>& pieces, const std::vector<std::vector<store::LedgerChunk>>& old) {
  ChunkPlan plan;
  plan.piece_new.assign(pieces.size(), 1);
  // The ranks' pieces of one file follow each other in rank order, which is file order; a
  // piece starts at a record, so (file, first record) orders them.
  std::vector<std::size_t> order(pieces.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return pieces[a].file != pieces[b].file ? pieces[a].file < pieces[b].file : pieces[a].begin < pieces[b].begin;
  });
  std::vector<std::multimap<std::pair<std::uint64_t, std::uint64_t>, std::int64_t>> known(old.size());
  for (std::size_t f = 0; f < old.size(); ++f)
    for (const auto& c : old[f]) known[f].emplace(std::pair{c.digest, c.records}, c.seq);
  PlannedChunk chunk;
  bool open = false;
  SequenceDigest digest;
  auto close = [&] {
    if (!open) return;
    chunk.digest = digest.value;
    chunk.records = digest.count;
    if (chunk.file < known.size()) {
      const auto it = known[chunk.file].find({chunk.digest, chunk.records});
      if (it != known[chunk.file].end()) {
        chunk.old_seq = it->second;
        for (const auto p : chunk.pieces) plan.piece_new[p] = 0;
      }
    }
    plan.chunks.push_back(std::move(chunk));
    chunk = PlannedChunk{};
    open = false;
  };
  for (const auto p : order) {
    const auto& piece = pieces[p];
    if (open && chunk.file != piece.file) close();  // a chunk never spans files
    if (!open) {
      chunk.file = piece.file;
      digest = {};
      open = true;
    }
    chunk.pieces.push_back(p);
    digest = digest.then({piece.digest, piece.records});
    if (piece.cut) close();
  }
  close();
  return plan;
}

OccurrenceCheck::OccurrenceCheck(std::vector<std::uint64_t> hashes) {
  // The hashes in order, with where each came from: flags() then needs no search. (Pairs
  // sort faster than indices compared through the hashes: no cache miss per comparison.)
  std::vector<std::pair<std::uint64_t, std::uint32_t>> pairs(hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i) pairs[i] = {hashes[i], static_cast<std::uint32_t>(i)};
  std::vector<std::uint64_t>().swap(hashes);
  std::sort(pairs.begin(), pairs.end());
  sorted_.reserve(pairs.size());
  order_.reserve(pairs.size());
  for (const auto& [h, i] : pairs) {
    sorted_.push_back(h);
    order_.push_back(i);
  }
  seen_.assign(sorted_.size(), 0);
}

void OccurrenceCheck::mark(std::size_t at, std::uint64_t h) {
  for (; at < sorted_.size() && sorted_[at] == h; ++at) seen_[at] = 1;
}

void OccurrenceCheck::look_in(const std::vector<std::uint64_t>& old_set) {
  if (sorted_.empty() || old_set.empty()) return;
  // Both sorted. A search per value of the much shorter list (a chunk's few thousand hashes
  // against a file's millions), else one merge.
  if (sorted_.size() > old_set.size() * 16) {
    for (const auto h : old_set)
      mark(static_cast<std::size_t>(std::lower_bound(sorted_.begin(), sorted_.end(), h) - sorted_.begin()), h);
  } else if (old_set.size() > sorted_.size() * 16) {
    for (std::size_t i = 0; i < sorted_.size(); ++i)
      seen_[i] |= std::binary_search(old_set.begin(), old_set.end(), sorted_[i]) ? 1 : 0;
  } else {
    std::size_t i = 0;
    for (const auto h : old_set) {
      while (i < sorted_.size() && sorted_[i] < h) ++i;
      if (i == sorted_.size()) return;
      mark(i, h);
    }
  }
}

std::vector<std::uint8_t> OccurrenceCheck::flags() const {
  std::vector<std::uint8_t> out(sorted_.size());
  for (std::size_t i = 0; i < order_.size(); ++i) out[order_[i]] = seen_[i];
  return out;
}

}  // namespace lfp
