// The page path of a new database, P ranks simulated in one process (no MPI): each of the four
// b-trees' sorted records is cut into P parts (empty and one-record parts included), lone
// records move as plan_pages moves them (lone_record_receivers), every part is counted
// (count_part), bases come from a prefix sum in file order (tree by tree, rank by rank), each
// part's pages are built again with final numbers in small batches (PartPages) and written by
// page number (for_each_page, DatabaseWriter); the placed parts travel in their flat form
// (pack_placed/unpack_placed) to the tops (build_tree_top) and page 1. SQLite then opens the
// file: it must be intact and hold exactly what SQLite's own inserts of the same rows give.
//
// Page 1 lists only the four hand-written trees (sqlite_file::product_schema): the ingest's
// rank-0 assembly (write.cpp's assemble_database, which also lists the rest of the schema with
// empty roots) is private to write.cpp and is not repeated here.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ingest/page_plan.hpp"
#include "ingest/tree_parts.hpp"
#include "sqlite_file/database_file.hpp"
#include "sqlite_file/database_writer.hpp"
#include "sqlite_file/interior_builder.hpp"
#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/product_trees.hpp"
#include "sqlite_file/record.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "tools/reference_db.hpp"
#include "tools/temp_db_path.hpp"
#include "tools/tree_records.hpp"

namespace {

namespace sf = lfp::sqlite_file;
using lfp::store::Connection;
using sf::Bytes;
using sf::kProductTreeCount;

using lfp::testing::Product;
using lfp::testing::TreeRecords;

// Random record counts for `parts` ranks summing to `n`, with many empty and one-record parts
// (not made buildable: moving lone records is what is tested).
std::vector<std::uint64_t> random_counts(std::uint64_t n, int parts, std::mt19937_64& rng) {
  std::vector<std::uint64_t> counts(parts, 0);
  std::uint64_t left = n;
  for (int k = 0; k + 1 < parts && left > 0; ++k) {
    const auto pick = rng() % 6;
    std::uint64_t c = pick == 0 ? 0 : pick <= 2 ? 1 : std::uniform_int_distribution<std::uint64_t>(0, left)(rng);
    c = std::min(c, left);
    counts[k] = c;
    left -= c;
  }
  counts[parts - 1] += left;
  return counts;
}

struct Built {
  std::uint32_t database_pages = 0;
  std::uint64_t batches = 0;  // page batches read (more than the parts when batches split)
};

// Builds the file at `path` as P ranks and rank 0 would, each tree cut by `counts[tree]`.
Built build_file(const std::string& path, const sf::PageNumbering& numbering, const TreeRecords& trees,
                 const std::array<std::vector<std::uint64_t>, kProductTreeCount>& counts, std::size_t batch_limit) {
  const std::uint32_t page_size = numbering.page_size();
  const std::size_t parts = counts[0].size();
  // Each rank's slices, after the lone records moved.
  std::array<std::vector<lfp::BuildableSlice>, kProductTreeCount> slices;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    const auto& recs = trees[t];
    const auto receivers = lfp::lone_record_receivers(counts[t]);
    const auto sizes = sf::buildable_part_sizes(counts[t]);
    std::vector<std::uint64_t> first(parts);
    std::uint64_t at = 0;
    for (std::size_t k = 0; k < parts; ++k) {
      first[k] = at;
      at += counts[t][k];
    }
    EXPECT_EQ(at, recs.size());
    slices[t].resize(parts);
    for (std::size_t k = 0; k < parts; ++k) {
      auto& s = slices[t][k];
      const std::uint64_t from = first[k];
      s.own = {counts[t][k], [&recs, from](std::uint64_t i, Bytes& out) { out = recs.at(from + i); },
               [&recs, from](std::uint64_t i) -> std::uint64_t { return recs.at(from + i).size(); }};
      s.gives_own = receivers[k] >= 0;
      s.position = sf::part_position(sizes, k);
    }
    for (std::size_t k = 0; k < parts; ++k)  // in rank order, as plan_pages receives them
      if (receivers[k] >= 0) slices[t][static_cast<std::size_t>(receivers[k])].received.push_back(recs.at(first[k]));
    for (std::size_t k = 0; k < parts; ++k) EXPECT_EQ(slices[t][k].size(), sizes[k]) << "tree " << t << " part " << k;
  }
  // Pass 1 on every rank; bases by prefix sum in file order (page 1 is sequence index 0).
  std::array<std::vector<sf::PartSummary>, kProductTreeCount> summaries;
  std::array<std::vector<std::uint64_t>, kProductTreeCount> base;
  std::uint64_t next = 1;
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    for (std::size_t k = 0; k < parts; ++k) {
      summaries[t].push_back(lfp::count_part(slices[t][k], page_size));
      base[t].push_back(next);
      next += summaries[t][k].page_count;
    }
  const std::uint64_t part_pages = next - 1;
  // The placed parts, through their flat form as rank 0 gathers them.
  std::vector<char> gathered;
  for (std::size_t k = 0; k < parts; ++k)
    for (std::size_t t = 0; t < kProductTreeCount; ++t)
      lfp::pack_placed(sf::place_part(summaries[t][k], numbering, base[t][k]), gathered);
  std::array<std::vector<sf::PlacedPart>, kProductTreeCount> placed;
  std::size_t at = 0;
  for (std::size_t k = 0; k < parts; ++k)
    for (std::size_t t = 0; t < kProductTreeCount; ++t) placed[t].push_back(lfp::unpack_placed(gathered, at));
  EXPECT_EQ(at, gathered.size());

  // Pass 2: rank 0 pulls each part's pages in batches and writes them where they belong.
  Built built;
  sf::DatabaseWriter writer(sf::DatabaseWriter::open_file(path), path, numbering);
  auto write = [&writer](std::uint32_t page, std::span<const std::uint8_t> bytes) { writer.write_page(page, bytes); };
  std::set<std::uint32_t> written;
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    for (std::size_t k = 0; k < parts; ++k) {
      SCOPED_TRACE("tree " + std::to_string(t) + " part " + std::to_string(k));
      lfp::PartPages pages(slices[t][k], numbering, base[t][k]);
      std::uint64_t count = 0, records = 0;
      while (!pages.done()) {
        lfp::Buffer batch;
        pages.next_batch(batch, batch_limit);
        ++built.batches;
        // A batch stops at the limit or at the part's end, and holds whole pages.
        if (!pages.done()) {
          EXPECT_GE(batch.size(), batch_limit);
        }
        // The record count (8 bytes), then whole pages; an empty batch ends the part.
        if (!batch.empty()) {
          EXPECT_EQ((batch.size() - 8) % (4 + page_size), 0u);
        }
        records += lfp::for_each_page(batch, page_size, [&](std::uint32_t page, std::span<const std::uint8_t> bytes) {
          const auto seq = numbering.sequence_of(page);
          EXPECT_GE(seq, base[t][k]);
          EXPECT_LT(seq, base[t][k] + summaries[t][k].page_count);
          EXPECT_TRUE(written.insert(page).second) << "page " << page << " written twice";
          ++count;
          write(page, bytes);
        });
      }
      EXPECT_EQ(count, summaries[t][k].page_count);
      EXPECT_EQ(records, slices[t][k].size());  // each record counted once, for progress
    }
  EXPECT_EQ(written.size(), part_pages);
  // The tops, then page 1 naming the roots.
  std::array<std::uint32_t, kProductTreeCount> roots{};
  next = part_pages + 1;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    const auto top = sf::build_tree_top(numbering, placed[t], next, write);
    roots[t] = top.root;
    next += top.pages_used;
  }
  sf::HeaderFields header;
  header.page_size = page_size;
  header.database_pages = numbering.pages_for(next);
  writer.write_page(1, sf::encode_first_page(header, sf::product_schema(roots)));
  writer.finish(header.database_pages, false);
  built.database_pages = header.database_pages;
  return built;
}

// A database path of this file's tests.
struct TempPath : lfp::test::TempDbPath {
  explicit TempPath(const std::string& name) : TempDbPath("page_path", name) {}
};

// The same rows through SQLite's own inserts.
void write_reference(const std::string& path, const std::vector<Product>& products, std::uint32_t page_size) {
  Connection db(path, Connection::Mode::Create);
  db.exec("PRAGMA page_size = " + std::to_string(page_size) + "; PRAGMA synchronous = OFF");
  lfp::test::insert_reference_products(db, products);
}

using lfp::test::integrity;
using lfp::test::kScans;
using lfp::test::query;
using lfp::test::Rows;

// Products with what breaks page layouts: 20-100 KB descriptions (overflow chains), 1,000-byte
// skus, empty skus, names and descriptions, 0xFF bytes, names that are prefixes, a big group.
std::vector<Product> tricky_products(std::size_t n, std::mt19937_64& rng) {
  std::vector<Product> out;
  std::set<std::string> skus;
  const std::vector<std::string> names = {"",  "a",         "ab",   "abc",      "\xFF",   "\xFF\xFF", "\xC3\xA9",
                                          "Z", "big group", "name", "name\xFF", "name 1", "\x7f"};
  for (std::size_t i = 0; out.size() < n; ++i) {
    Product p;
    const auto kind = rng() % 20;
    if (i == 0)
      p.sku = "";
    else if (kind == 0)
      p.sku = std::string(1000, static_cast<char>('a' + rng() % 3)) + std::to_string(i);
    else if (kind == 1)
      p.sku = "\xFF" + std::to_string(rng() % 100000);
    else
      p.sku = "sku-" + std::to_string(rng() % 1000000);
    if (!skus.insert(p.sku).second) continue;
    p.name = rng() % 3 == 0 ? "big group" : names[rng() % names.size()];
    if (rng() % 5 == 0) p.name += std::to_string(rng() % 50);
    const auto d = rng() % 100;
    if (d < 2)
      p.description.assign(20000 + rng() % 80001, static_cast<char>(rng()));  // 20-100 KB
    else if (d < 10)
      p.description = "";
    else
      p.description = "desc \xFF " + std::string(rng() % 300, 'x');
    out.push_back(std::move(p));
  }
  return out;
}

// Builds `products` as 1..8 simulated ranks (and some odd splits) and checks each file.
// With `pending_byte` moved (SQLite's side moved too), the parts must step over the lock page.
void check_paths(const std::vector<Product>& products, std::uint32_t page_size, std::uint64_t seed,
                 std::uint64_t pending_byte = sf::kPendingByte) {
  std::mt19937_64 rng(seed);
  const auto trees = lfp::testing::sorted_records(products);
  TempPath ref("reference");
  write_reference(ref.path(), products, page_size);
  Connection reference(ref.path(), Connection::Mode::ReadOnly);
  std::array<Rows, kProductTreeCount> expected;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) expected[t] = query(reference, kScans[t]);
  const sf::PageNumbering numbering(page_size, pending_byte);
  for (int parts = 1; parts <= 8; ++parts)
    for (int variant = 0; variant < 3; ++variant) {
      std::array<std::vector<std::uint64_t>, kProductTreeCount> counts;
      for (std::size_t t = 0; t < kProductTreeCount; ++t) {
        const std::uint64_t n = trees[t].size();
        if (variant == 0) {  // a chain: every rank but the last holds one record (or none)
          counts[t].assign(parts, 0);
          std::uint64_t left = n;
          for (int k = 0; k + 1 < parts && left > 0; ++k, --left) counts[t][k] = 1;
          counts[t][parts - 1] = left;
        } else {
          counts[t] = random_counts(n, parts, rng);
        }
      }
      std::string shown;
      for (std::size_t t = 0; t < kProductTreeCount; ++t) {
        shown += " tree " + std::to_string(t) + ":";
        for (auto c : counts[t]) shown += " " + std::to_string(c);
      }
      SCOPED_TRACE("page size " + std::to_string(page_size) + ", " + std::to_string(parts) + " ranks," + shown);
      TempPath built("built");
      // Batches of a little more than one page: most parts take many batches.
      const auto b = build_file(built.path(), numbering, trees, counts, page_size + 8);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
      Connection db(built.path(), Connection::Mode::ReadOnly);
      ASSERT_EQ(integrity(db), "ok\n");
      EXPECT_EQ(db.integer("PRAGMA page_count"), b.database_pages);
      if (pending_byte != sf::kPendingByte) {
        EXPECT_GT(b.database_pages, numbering.lock_page());
      }
      for (std::size_t t = 0; t < kProductTreeCount; ++t) ASSERT_EQ(query(db, kScans[t]), expected[t]) << "tree " << t;
      // Point lookups through the interior pages.
      auto by_sku = db.prepare("SELECT name, length(description) FROM products_main WHERE sku = ?1");
      for (int i = 0; i < 50 && !products.empty(); ++i) {
        const auto& p = products[rng() % products.size()];
        by_sku.bind(1, p.sku);
        ASSERT_TRUE(by_sku.step());
        EXPECT_EQ(by_sku.text(0), p.name);
        EXPECT_EQ(by_sku.integer(1), static_cast<std::int64_t>(p.description.size()));
        by_sku.reset();
      }
    }
}

TEST(PagePath, SmallSetsAsOneToEightRanks) {
  std::mt19937_64 rng(1);
  for (std::size_t n : {0u, 1u, 2u, 3u, 5u, 9u}) {
    SCOPED_TRACE(std::to_string(n) + " products");
    check_paths(tricky_products(n, rng), 1024, 100 + n);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(PagePath, TrickyProductsAsOneToEightRanksPageSize1024) {
  std::mt19937_64 rng(2);
  check_paths(tricky_products(1500, rng), 1024, 7);
}

TEST(PagePath, TrickyProductsAsOneToEightRanksBuiltPageSize) {
  std::mt19937_64 rng(3);
  check_paths(tricky_products(4000, rng), lfp::kBuiltPageSize, 8);
}

// SQLite's pending byte moved to 1 MiB (SQLITE_TESTCTRL_PENDING_BYTE), so the parts' pages
// cross the lock page (page 257 at 4 KiB pages) that PageNumbering skips.
TEST(PagePath, PartsStepOverTheLockPage) {
  constexpr unsigned kAt = 0x100000;
  const int previous = sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, kAt);
  ASSERT_EQ(static_cast<std::uint64_t>(previous), sf::kPendingByte) << "this SQLite has no test control";
  struct Restore {
    ~Restore() { sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, static_cast<unsigned>(sf::kPendingByte)); }
  } restore;
  std::mt19937_64 rng(4);
  check_paths(tricky_products(1500, rng), 4096, 9, kAt);
}

}  // namespace
