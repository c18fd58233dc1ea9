#include "ingest/record_chunks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ingest/change_plan.hpp"
#include "util/hash_set_code.hpp"

namespace {

using lfp::ChunkPiece;
using lfp::PieceBuilder;

struct Rec {
  std::string raw, sku;
};

std::vector<Rec> records(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rec> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t len = 20 + rng() % 300;
    std::string raw(len, 'x');
    for (auto& c : raw) c = static_cast<char>('a' + rng() % 26);
    out.push_back({raw, "sku-" + std::to_string(rng() % (n / 2 + 1))});
  }
  return out;
}

// The records as one file fed to `ranks` builders, cut at the given record indices.
std::vector<ChunkPiece> pieces_of(const std::vector<Rec>& recs, const std::vector<std::size_t>& rank_starts,
                                  std::uint64_t target, std::vector<lfp::ChunkHashes>* hashes = nullptr) {
  std::vector<ChunkPiece> all;
  std::uint64_t offset = 0;
  std::vector<std::uint64_t> offsets;
  for (const auto& r : recs) {
    offsets.push_back(offset);
    offset += r.raw.size() + 1;
  }
  for (std::size_t k = 0; k < rank_starts.size(); ++k) {
    const std::size_t from = rank_starts[k], to = k + 1 < rank_starts.size() ? rank_starts[k + 1] : recs.size();
    PieceBuilder b(target, hashes != nullptr);
    for (std::size_t i = from; i < to; ++i)
      b.add(0, offsets[i], offsets[i] + recs[i].raw.size(), i, i + 1, lfp::record_hash(recs[i].raw),
            lfp::sku_hash(recs[i].sku));
    b.close(to == recs.size());
    all.insert(all.end(), b.pieces().begin(), b.pieces().end());
    if (hashes) hashes->insert(hashes->end(), b.hashes().begin(), b.hashes().end());
  }
  return all;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks_of(const lfp::ChunkPlan& plan) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& c : plan.chunks) out.emplace_back(c.digest, c.records);
  return out;
}

TEST(RecordChunks, SameChunksWhateverTheRanksAndWhereTheirRangesEnd) {
  const auto recs = records(5000, 1);
  const auto one = lfp::plan_chunks(pieces_of(recs, {0}, 16384), {});
  ASSERT_GT(one.chunks.size(), 20u);
  std::mt19937_64 rng(7);
  for (int ranks : {2, 3, 4, 8, 50}) {
    std::vector<std::size_t> starts{0};
    for (int r = 1; r < ranks; ++r) starts.push_back(rng() % recs.size());
    std::sort(starts.begin(), starts.end());
    EXPECT_EQ(chunks_of(lfp::plan_chunks(pieces_of(recs, starts, 16384), {})), chunks_of(one)) << ranks << " ranks";
  }
}

TEST(RecordChunks, ChunksAverageTheTargetSize) {
  const auto recs = records(20000, 2);
  std::uint64_t bytes = 0;
  for (const auto& r : recs) bytes += r.raw.size() + 1;
  const auto plan = lfp::plan_chunks(pieces_of(recs, {0}, 32768), {});
  const double mean = static_cast<double>(bytes) / static_cast<double>(plan.chunks.size());
  EXPECT_GT(mean, 32768 * 0.6);
  EXPECT_LT(mean, 32768 * 1.6);
}

TEST(RecordChunks, AnEditInsertOrDeletionChangesOnlyTheChunksAroundIt) {
  const auto recs = records(5000, 3);
  const auto before = lfp::plan_chunks(pieces_of(recs, {0}, 16384), {});
  std::vector<lfp::store::LedgerChunk> old;
  for (std::size_t k = 0; k < before.chunks.size(); ++k)
    old.push_back({static_cast<std::int64_t>(k), before.chunks[k].digest, before.chunks[k].records});
  auto edited = recs;
  edited[2500].raw += "!";
  edited.insert(edited.begin() + 1000, Rec{"a new record", "sku-new"});
  edited.erase(edited.begin() + 4000);
  const auto after = lfp::plan_chunks(pieces_of(edited, {0, 1700, 3900}, 16384), {old});
  std::size_t fresh = 0;
  for (const auto& c : after.chunks) fresh += c.old_seq ? 0 : 1;
  EXPECT_GE(fresh, 3u);  // each change is in a new chunk
  EXPECT_LE(fresh, 6u);  // and the deleted record's cut (if it was one) joins two chunks at most
  std::size_t kept_records = 0;
  for (const auto& c : after.chunks) kept_records += c.old_seq ? c.records : 0;
  EXPECT_GT(kept_records, edited.size() * 3 / 4);
  for (std::size_t p = 0; p < after.piece_new.size(); ++p) {
    bool is_new = false;
    for (const auto& c : after.chunks)
      if (std::find(c.pieces.begin(), c.pieces.end(), p) != c.pieces.end()) is_new = !c.old_seq;
    EXPECT_EQ(after.piece_new[p] != 0, is_new) << "piece " << p;
  }
}

TEST(RecordChunks, TheDigestOfASequenceComposesFromItsParts) {
  lfp::SequenceDigest whole, a, b;
  for (std::uint64_t h = 1; h <= 100; ++h) {
    whole.add(h * 0x9E3779B97F4A7C15ULL);
    (h <= 37 ? a : b).add(h * 0x9E3779B97F4A7C15ULL);
  }
  const auto joined = a.then(b);
  EXPECT_EQ(joined.value, whole.value);
  EXPECT_EQ(joined.count, whole.count);
  lfp::SequenceDigest swapped = b.then(a);
  EXPECT_NE(swapped.value, whole.value);  // order matters: a moved block is a change
}

TEST(RecordChunks, ARecordOfTheTargetSizeAlwaysEndsItsChunk) {
  EXPECT_TRUE(lfp::cuts_after(~std::uint64_t{0}, 4096, 4096));
  EXPECT_FALSE(lfp::cuts_after(~std::uint64_t{0}, 4095, 4096));
  EXPECT_TRUE(lfp::cuts_after(0, 1, 4096));
  int cuts = 0;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) cuts += lfp::cuts_after(rng(), 100, 4096) ? 1 : 0;
  EXPECT_NEAR(cuts / 100000.0, 100.0 / 4096, 0.004);
}

TEST(RecordChunks, ThePiecesOfAChunkHoldItsRecordsAndSkus) {
  const auto recs = records(3000, 4);
  std::vector<lfp::ChunkHashes> hashes;
  const auto pieces = pieces_of(recs, {0, 1234, 2000}, 8192, &hashes);
  ASSERT_EQ(hashes.size(), pieces.size());
  const auto plan = lfp::plan_chunks(pieces, {});
  std::vector<std::uint64_t> all_records, all_skus;
  for (const auto& c : plan.chunks) {
    std::vector<const lfp::ChunkHashes*> parts;
    for (const auto p : c.pieces) parts.push_back(&hashes[p]);
    const auto merged = lfp::ChunkHashes::from_blob(lfp::merge_hashes(parts).blob());
    const auto r = lfp::decode_hash_set(merged.records);
    EXPECT_EQ(r.size(), c.records);
    all_records.insert(all_records.end(), r.begin(), r.end());
    const auto s = lfp::decode_hash_set(merged.skus);
    all_skus.insert(all_skus.end(), s.begin(), s.end());
  }
  std::vector<std::uint64_t> want_records, want_skus;
  const std::uint64_t mask = (std::uint64_t{1} << lfp::kRecordHashBits) - 1;
  for (const auto& r : recs) {
    want_records.push_back(lfp::record_hash(r.raw) & mask);
    want_skus.push_back(lfp::sku_hash(r.sku) & ((std::uint64_t{1} << lfp::kSkuHashBits) - 1));
  }
  for (auto* v : {&all_records, &all_skus, &want_records, &want_skus}) std::sort(v->begin(), v->end());
  EXPECT_EQ(all_records, want_records);
  EXPECT_EQ(all_skus, want_skus);
}

TEST(RecordChunks, ALookupFindsExactlyTheHashesTheOldVersionHad) {
  std::mt19937_64 rng(9);
  std::vector<std::uint64_t> old_a, old_b, probes;
  for (int i = 0; i < 5000; ++i) (i % 2 ? old_a : old_b).push_back(rng() & 0xFFFFFFFFFFULL);
  std::sort(old_a.begin(), old_a.end());
  std::sort(old_b.begin(), old_b.end());
  std::vector<std::uint8_t> want;
  for (int i = 0; i < 300; ++i) {
    const bool in = i % 3 == 0;
    probes.push_back(in ? (i % 2 ? old_a[static_cast<std::size_t>(i)] : old_b[static_cast<std::size_t>(i)])
                        : (rng() & 0xFFFFFFFFFFULL) | (std::uint64_t{1} << 41));
    want.push_back(in ? 1 : 0);
  }
  probes.push_back(probes[0]);  // the same record twice
  want.push_back(1);
  for (const bool few : {true, false}) {
    // A short list searches each value; a long one merges (both kinds of old sets).
    auto list = probes;
    auto expect = want;
    if (!few)
      for (int i = 0; i < 4000; ++i) {
        list.push_back((rng() & 0xFFFFFFFFFFULL) | (std::uint64_t{1} << 42));
        expect.push_back(0);
      }
    lfp::OccurrenceCheck check(list);
    check.look_in(old_a);
    check.look_in(old_b);
    EXPECT_EQ(check.flags(), expect) << (few ? "few" : "many");
  }
}

}  // namespace
