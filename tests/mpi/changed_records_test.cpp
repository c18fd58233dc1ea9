// A changed file at any rank count: its chunks are cut the same wherever the ranges end, and
// only its new or changed records (the last of their sku) are parsed again.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ingest/byte_partition.hpp"
#include "ingest/changed_records.hpp"
#include "ingest/parse.hpp"
#include "ingest/record_starts.hpp"
#include "records/row_codec.hpp"
#include "store/schema.hpp"
#include "store/source_chunks.hpp"

namespace {

const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

const lfp::csv::ColumnMap kColumns{3, 0, 1, 2};
constexpr std::uint64_t kChunkBytes = 4096;

struct Record {
  std::string name, sku, description;
};

std::string csv_of(const std::vector<Record>& records) {
  std::string out = "name,sku,description\n";
  for (const auto& r : records) out += r.name + "," + r.sku + ",\"" + r.description + "\"\n";
  return out;
}

std::vector<Record> version_one() {
  std::vector<Record> out;
  for (int i = 0; i < 600; ++i)
    out.push_back({"name" + std::to_string(i % 37), "sku" + std::to_string(i % 550),
                   "line one of " + std::to_string(i) + "\nline two, \"\"quoted\"\" " + std::string(i % 90, 'x')});
  return out;
}

// What one ingest pass over `file` at this rank count sees: the narrowed segments when
// `state` reads by chunks, and the rows parsed (in their encoded form), with the whole-file
// hook otherwise.
struct Pass {
  std::vector<std::string> skus, descriptions;  // rank 0: every rank's parsed rows
  std::int64_t unchanged = 0;
};

Pass ingest_pass(const std::string& file, lfp::ChangeState& state, const std::string& db) {
  const auto& comm = world();
  const std::vector<std::uint64_t> sizes{file.size()};
  const auto mine = comm.scatter(comm.root() ? lfp::partition(sizes, comm.size()) : std::vector<lfp::ByteRange>{});
  auto segments = lfp::segments_of(sizes, mine);
  auto bytes = [&](std::uint32_t) { return std::string_view(file); };
  const lfp::RecordStarts starts(comm, segments, bytes);
  std::vector<std::uint8_t> ends_here(1, 0);
  for (const auto& s : segments) ends_here[0] |= s.end == file.size() ? 1 : 0;
  std::vector<lfp::csv::RangeStart> at;
  for (std::size_t i = 0; i < segments.size(); ++i) at.push_back(starts.of(i));
  if (state.by_chunks[0]) lfp::narrow_to_changes(comm, state, segments, at, bytes, {kColumns}, sizes, db, {});
  lfp::PieceBuilder whole(kChunkBytes, true);
  const lfp::ChunkHook hook{&whole, state.whole};
  const auto parsed = lfp::parse_range(
      segments, bytes, [&](std::size_t i) { return at[i]; }, {kColumns}, file.size(), {}, &hook);
  lfp::finish_whole_files(comm, state, whole, ends_here);
  std::vector<char> rows(parsed.rows.begin(), parsed.rows.end());
  const auto all = comm.gather_bytes(rows);
  Pass out;
  out.unchanged = state.unchanged;
  for (const auto& r : lfp::decode_all<lfp::RowView>(all.data(), all.data() + all.size())) {
    out.skus.emplace_back(r.sku);
    out.descriptions.emplace_back(r.description);
  }
  return out;
}

lfp::ChangeState state_for(const std::vector<lfp::store::LedgerChunk>& old) {
  lfp::ChangeState state;
  state.chunk_bytes = kChunkBytes;
  const lfp::store::SourceLayout layout{lfp::layout_columns(kColumns), kChunkBytes};
  if (world().root()) {
    lfp::FileChanges f;
    f.path = "/data/products.csv";
    f.old = old;
    f.layout = layout;
    state.files.push_back(f);
  }
  lfp::decide_by_chunks(world(), state, {layout}, false);
  return state;
}

TEST(ChangedRecords, OnlyNewOrChangedRecordsAreParsedAtEveryRankCount) {
  const auto& comm = world();
  const std::string db =
      (std::filesystem::path(::testing::TempDir()) / ("changed-" + std::to_string(comm.size()) + ".db")).string();
  auto v1 = version_one();

  // Version 1, read whole: its chunks go to the ledger.
  auto first = state_for({});
  ASSERT_FALSE(first.by_chunks[0]);
  const auto read1 = ingest_pass(csv_of(v1), first, db);
  if (comm.root()) {
    EXPECT_EQ(read1.skus.size(), v1.size());
    ASSERT_GT(first.files[0].chunks.size(), 10u);  // many chunks of about 4 KiB
    std::filesystem::remove(db);
    lfp::store::Connection c(db, lfp::store::Connection::Mode::Create);
    lfp::store::create_tables(c);
    lfp::store::replace_chunks(c, first.files[0].path, first.files[0].layout, first.files[0].chunks);
  }

  // Version 2: one description edited, one record deleted, one inserted, and an earlier
  // record of a repeated sku edited (a later unchanged record of that sku overrides it).
  auto v2 = v1;
  v2[100].description += " (rev 2)";
  v2.erase(v2.begin() + 200);
  v2.insert(v2.begin() + 300, Record{"new", "sku-new", "a new product"});
  ASSERT_EQ(v2[10].sku, v2[560].sku);
  v2[10].description = "overridden by a later record";
  std::vector<lfp::store::LedgerChunk> old;
  if (comm.root()) {
    lfp::store::Connection c(db, lfp::store::Connection::Mode::ReadOnly);
    old = lfp::store::read_chunks(c, "/data/products.csv");
  }
  auto second = state_for(old);
  ASSERT_TRUE(second.by_chunks[0]);
  const auto read2 = ingest_pass(csv_of(v2), second, db);
  if (comm.root()) {
    EXPECT_EQ(read2.skus, (std::vector<std::string>{v2[100].sku, "sku-new"}));
    EXPECT_EQ(read2.descriptions[0],
              "line one of 100\nline two, \"quoted\" " + std::string(100 % 90, 'x') + " (rev 2)");
    EXPECT_EQ(read2.unchanged, static_cast<std::int64_t>(v2.size()) - 2);
    const auto& f = second.files[0];
    std::uint64_t records = 0, kept = 0;
    for (const auto& c : f.chunks) {
      records += c.records;
      kept += c.old_seq ? 1 : 0;
    }
    EXPECT_EQ(records, v2.size());
    EXPECT_GE(kept + 8, f.chunks.size());  // four edits: a few new chunks, the rest kept
    EXPECT_LT(second.chunks_read, second.chunks);
    EXPECT_FALSE(f.dropped.empty());
    std::filesystem::remove(db);
  }
}

}  // namespace
