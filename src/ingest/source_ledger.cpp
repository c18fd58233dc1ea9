#include "ingest/source_ledger.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "ingest/record_chunks.hpp"
#include "store/products.hpp"
#include "store/source_chunks.hpp"
#include "util/hash_set_code.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kSkuMask = (std::uint64_t{1} << kSkuHashBits) - 1;

void sort_unique(std::vector<std::uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Removes from `candidates` (sorted) every value of `set` (sorted).
void remove_all(std::vector<std::uint64_t>& candidates, const std::vector<std::uint64_t>& set) {
  std::vector<std::uint64_t> left;
  std::set_difference(candidates.begin(), candidates.end(), set.begin(), set.end(), std::back_inserter(left));
  candidates.swap(left);
}

// The sku hashes file `f`'s old version held and its new one does not (before its chunks are
// replaced: the old ones are read from the ledger).
std::vector<std::uint64_t> vanished_hashes(store::Connection& db, const FileChanges& f) {
  if (f.dropped.empty()) return {};
  std::vector<std::uint64_t> candidates;
  std::vector<std::int64_t> kept;
  for (const auto& c : f.chunks)
    if (c.old_seq) kept.push_back(*c.old_seq);
  std::sort(kept.begin(), kept.end());
  store::for_each_chunk_blob(db, f.path, [&](std::int64_t seq, std::string_view blob) {
    if (std::binary_search(f.dropped.begin(), f.dropped.end(), seq)) {
      const auto skus = decode_hash_set(ChunkHashes::from_blob(blob).skus);
      candidates.insert(candidates.end(), skus.begin(), skus.end());
    }
  });
  sort_unique(candidates);
  if (candidates.empty()) return {};
  // Most candidates are in the new chunks (a record edited in place keeps its sku): those
  // chunks' skus together, one pass over the candidates.
  std::vector<std::uint64_t> held;
  for (const auto& c : f.chunks)
    if (!c.old_seq) {
      const auto skus = decode_hash_set(ChunkHashes::from_blob(c.hashes).skus);
      held.insert(held.end(), skus.begin(), skus.end());
    }
  sort_unique(held);
  remove_all(candidates, held);
  std::vector<std::uint64_t>().swap(held);
  if (candidates.empty()) return {};
  // The rest are looked up in the kept chunks.
  std::vector<std::uint8_t> kept_sku(candidates.size(), 0);
  store::for_each_chunk_blob(db, f.path, [&](std::int64_t seq, std::string_view blob) {
    if (!std::binary_search(kept.begin(), kept.end(), seq)) return;
    for (const auto h : decode_hash_set(ChunkHashes::from_blob(blob).skus)) {
      const auto it = std::lower_bound(candidates.begin(), candidates.end(), h);
      if (it != candidates.end() && *it == h) kept_sku[static_cast<std::size_t>(it - candidates.begin())] = 1;
    }
  });
  std::vector<std::uint64_t> left;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (!kept_sku[i]) left.push_back(candidates[i]);
  candidates.swap(left);
  return candidates;
}

}  // namespace

LedgerOutcome update_source_ledger(store::Connection& db, const std::vector<FileChanges>& files, std::int64_t run_id,
                                   bool prune) {
  // By sku hash: the files each vanished from.
  std::map<std::uint64_t, std::set<std::string>> gone;
  for (const auto& f : files) {
    if (!f.chunked) continue;
    for (const auto h : vanished_hashes(db, f)) gone[h].insert(f.path);
  }
  // A file named twice in one run was read twice with the same old version: once is enough
  // (its kept chunks name the old list's numbers, which the first replacement renumbers).
  std::set<std::string> replaced;
  for (const auto& f : files)
    if (f.chunked && replaced.insert(f.path).second) store::replace_chunks(db, f.path, f.layout, f.chunks);
  LedgerOutcome out;
  if (gone.empty()) return out;
  // Their names: a look through the products (only when some sku vanished).
  std::vector<std::pair<std::string, std::uint64_t>> named;
  {
    auto s = db.prepare("SELECT sku FROM products");
    while (s.step()) {
      const auto h = sku_hash(s.text(0)) & kSkuMask;
      if (gone.count(h)) named.emplace_back(std::string(s.text(0)), h);
    }
  }
  std::set<std::uint64_t> held;
  if (prune && !named.empty()) {
    // Held by a file of the ledger (any: the files read hold them no more).
    std::vector<std::uint64_t> wanted;
    for (const auto& [sku, h] : named) wanted.push_back(h);
    sort_unique(wanted);
    store::for_each_blob(db, [&](std::string_view blob) {
      for (const auto h : decode_hash_set(ChunkHashes::from_blob(blob).skus))
        if (std::binary_search(wanted.begin(), wanted.end(), h)) held.insert(h);
    });
  }
  std::sort(named.begin(), named.end());
  store::ProductTable products(db);
  auto add = db.prepare("INSERT INTO vanished(run_id, path, sku, pruned) VALUES(?1, ?2, ?3, ?4)");
  for (const auto& [sku, h] : named) {
    const bool deleted = prune && !held.count(h) && products.remove(sku).has_value();
    out.pruned += deleted ? 1 : 0;
    for (const auto& path : gone.at(h)) {
      add.bind(1, run_id);
      store::bind_path(add, 2, path);
      add.bind(3, sku).bind(4, std::int64_t{deleted ? 1 : 0}).run();
      ++out.vanished;
    }
  }
  return out;
}

}  // namespace lfp
