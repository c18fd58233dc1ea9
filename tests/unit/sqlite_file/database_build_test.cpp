// Whole databases written by hand, as the ranks of an ingest would: the four product b-trees
// split into parts (simulated ranks) built independently with part-local page numbers,
// relocated by prefix sums of their page counts, topped by interior levels and page 1. Each
// file is then opened by SQLite, which must find it intact, read back exactly the rows the
// same data gets through SQLite's own inserts, run schema.cpp's statements on it and keep it
// intact under inserts, updates and deletes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sqlite_file/database_file.hpp"
#include "sqlite_file/database_writer.hpp"
#include "sqlite_file/index_leaf_builder.hpp"
#include "sqlite_file/index_leaf_counter.hpp"
#include "sqlite_file/interior_builder.hpp"
#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/product_trees.hpp"
#include "sqlite_file/record.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "tools/reference_db.hpp"
#include "tools/temp_db_path.hpp"

namespace {

using namespace lfp::sqlite_file;
using lfp::store::Connection;
using namespace std::string_literals;

struct Product {
  std::string sku, name, description;
};

// A tree's records in key order, produced on demand (the 1 GiB test never holds them all).
struct TreeSource {
  std::uint64_t count = 0;
  std::function<void(std::uint64_t, Bytes&)> record;
};

using TreeSources = std::array<TreeSource, kProductTreeCount>;

// The four trees' records of `products`, sorted as SQLite orders them.
struct SortedTrees {
  std::vector<Product> by_sku;
  std::vector<const Product*> by_name;
  std::vector<std::pair<std::string, std::int64_t>> counts;  // by name
  std::vector<std::pair<std::string, std::int64_t>> by_products;

  explicit SortedTrees(std::vector<Product> products) : by_sku(std::move(products)) {
    std::sort(by_sku.begin(), by_sku.end(),
              [](const Product& a, const Product& b) { return compare_binary(a.sku, b.sku) < 0; });
    std::map<std::string, std::int64_t> n;
    for (const auto& p : by_sku) {
      by_name.push_back(&p);
      ++n[p.name];  // std::map<std::string> orders by char_traits: bytes as unsigned
    }
    std::sort(by_name.begin(), by_name.end(),
              [](const Product* a, const Product* b) { return name_sku_less(a->name, a->sku, b->name, b->sku); });
    counts.assign(n.begin(), n.end());
    by_products = counts;
    std::sort(by_products.begin(), by_products.end(), [](const auto& a, const auto& b) {
      return products_desc_name_less(a.second, a.first, b.second, b.first);
    });
  }

  TreeSources sources() const {
    TreeSources s;
    s[kProductsMain] = {
        by_sku.size(), [this](std::uint64_t i, Bytes& out) {
          const auto& p = by_sku[i];
          const Value v[] = {std::string_view(p.sku), std::string_view(p.name), std::string_view(p.description)};
          encode_record(v, out);
        }};
    s[kProductsByName] = {by_name.size(), [this](std::uint64_t i, Bytes& out) {
                            const Value v[] = {std::string_view(by_name[i]->name), std::string_view(by_name[i]->sku)};
                            encode_record(v, out);
                          }};
    s[kProductCounts] = {counts.size(), [this](std::uint64_t i, Bytes& out) {
                           const Value v[] = {std::string_view(counts[i].first), counts[i].second};
                           encode_record(v, out);
                         }};
    s[kProductCountsByProducts] = {by_products.size(), [this](std::uint64_t i, Bytes& out) {
                                     const Value v[] = {by_products[i].second, std::string_view(by_products[i].first)};
                                     encode_record(v, out);
                                   }};
    return s;
  }
};

// Random part sizes for `n` records over `parts` parts, empty and one-record parts included,
// then made buildable (a lone record joins the previous part).
std::vector<std::uint64_t> random_split(std::uint64_t n, int parts, std::mt19937_64& rng) {
  std::vector<std::uint64_t> cuts;
  for (int k = 1; k < parts; ++k) {
    std::uint64_t c = std::uniform_int_distribution<std::uint64_t>(0, n)(rng);
    if (!cuts.empty() && rng() % 3 == 0) c = std::min(n, cuts.back() + rng() % 2);  // 0 or 1 record
    cuts.push_back(c);
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::uint64_t> sizes;
  std::uint64_t prev = 0;
  for (auto c : cuts) sizes.push_back(c - std::exchange(prev, c));
  sizes.push_back(n - prev);
  return buildable_part_sizes(sizes);
}

enum class Mode {
  InMemory,  // a part keeps its pages, relocates them once its base is known
  TwoPass,   // a part counts its pages first (IndexLeafCounter), then builds them straight to the file
};

struct BuildStats {
  std::uint32_t database_pages = 0;
  std::array<std::uint32_t, kProductTreeCount> roots{};
};

// Writes the database at `path` from the four trees, each split into `parts` parts. Every
// part is built as a rank would build it, knowing only its own records and position.
BuildStats write_database(const std::string& path, const PageNumbering& numbering, const TreeSources& trees, int parts,
                          Mode mode, std::mt19937_64& rng) {
  const std::uint32_t page_size = numbering.page_size();
  struct Part {
    std::uint64_t first = 0, count = 0;
    PartPosition position = PartPosition::First;
    PartSummary summary;
    std::vector<std::pair<PageKind, Bytes>> pages;  // InMemory only
  };
  std::array<std::vector<Part>, kProductTreeCount> built;
  Bytes record;
  auto run = [&](const TreeSource& tree, const Part& part, PartPageSink sink) {
    IndexLeafBuilder builder(page_size, part.position, std::move(sink));
    for (std::uint64_t i = part.first; i < part.first + part.count; ++i) {
      tree.record(i, record);
      builder.add(record);
    }
    return builder.finish();
  };
  // Step 1, on every rank: build (or count) each part's pages with local numbers.
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    const auto sizes = random_split(trees[t].count, parts, rng);
    std::uint64_t first = 0;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      Part p;
      p.first = first;
      p.count = sizes[k];
      first += sizes[k];
      p.position = part_position(sizes, k);
      if (mode == Mode::InMemory) {
        p.summary = run(trees[t], p, [&p](std::uint64_t local, PageKind kind, std::span<const std::uint8_t> page) {
          if (p.pages.size() <= local) p.pages.resize(local + 1);
          p.pages[local] = {kind, Bytes(page.begin(), page.end())};
        });
        EXPECT_EQ(p.summary.page_count, p.pages.size());
      } else {
        // As count_part counts: from the records' sizes, only the separators encoded.
        const std::uint64_t from = p.first;
        IndexLeafCounter counter(page_size, p.position,
                                 [&tree = trees[t], from](std::uint64_t i, Bytes& out) { tree.record(from + i, out); });
        for (std::uint64_t i = p.first; i < p.first + p.count; ++i) {
          trees[t].record(i, record);
          counter.add(record.size());
        }
        p.summary = counter.finish();
      }
      built[t].push_back(std::move(p));
    }
  }
  // Step 2, rank 0: bases by prefix sum (page 1 is sequence index 0), then each part's pages
  // relocated and written at their offsets.
  DatabaseWriter writer(DatabaseWriter::open_file(path), path, numbering);
  auto write = [&writer](std::uint32_t page, std::span<const std::uint8_t> bytes) { writer.write_page(page, bytes); };
  std::uint64_t next = 1;
  std::array<std::vector<PlacedPart>, kProductTreeCount> placed;
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    for (auto& p : built[t]) {
      const std::uint64_t base = next;
      next += p.summary.page_count;
      if (mode == Mode::InMemory) {
        for (std::uint64_t local = 0; local < p.pages.size(); ++local) {
          auto& [kind, bytes] = p.pages[local];
          relocate_page(bytes, kind, numbering, base);
          writer.write_page(numbering.page_of(base + local), bytes);
        }
      } else {
        const auto again = run(trees[t], p, relocating_sink(numbering, base, write));
        EXPECT_EQ(again.page_count, p.summary.page_count);
      }
      placed[t].push_back(place_part(p.summary, numbering, base));
    }
  // Step 3, rank 0: the interior levels, then page 1 naming the roots.
  BuildStats stats;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    const auto top = build_tree_top(numbering, placed[t], next, write);
    stats.roots[t] = top.root;
    next += top.pages_used;
  }
  stats.database_pages = numbering.pages_for(next);
  HeaderFields header;
  header.page_size = page_size;
  header.database_pages = stats.database_pages;
  writer.write_page(1, encode_first_page(header, product_schema(stats.roots)));
  writer.finish(stats.database_pages, false);
  return stats;
}

// What the ingest does after writing the file: SQLite adds the rest of the schema.
void finish_with_sqlite(const std::string& path) {
  Connection db(path, Connection::Mode::ReadWrite);
  db.exec("PRAGMA synchronous = OFF");  // tests only: no fsync waits
  lfp::store::create_tables(db);
  lfp::store::create_indexes(db);
  lfp::store::create_triggers(db);
  db.close();
}

// The same rows through SQLite's own path, into a fresh database with the same schema.
void write_reference(const std::string& path, const std::vector<Product>& products, std::uint32_t page_size) {
  ::unlink(path.c_str());
  Connection db(path, Connection::Mode::Create);
  db.exec("PRAGMA page_size = " + std::to_string(page_size) + "; PRAGMA synchronous = OFF");
  lfp::test::insert_reference_products(db, products);
  lfp::store::refresh_totals(db);
  lfp::store::create_triggers(db);
  db.close();
}

using lfp::test::kScans;
using lfp::test::query;
using lfp::test::Rows;

Rows expected_scan(const SortedTrees& trees, std::size_t t) {
  Rows out;
  switch (t) {
    case kProductsMain:
      for (const auto& p : trees.by_sku) out.push_back({"t" + p.sku, "t" + p.name, "t" + p.description});
      break;
    case kProductsByName:
      for (const auto* p : trees.by_name) out.push_back({"t" + p->name, "t" + p->sku});
      break;
    case kProductCounts:
      for (const auto& [name, n] : trees.counts) out.push_back({"t" + name, "i" + std::to_string(n)});
      break;
    default:
      for (const auto& [name, n] : trees.by_products) out.push_back({"i" + std::to_string(n), "t" + name});
  }
  return out;
}

using lfp::test::integrity;

// Rows sampled for point lookups through the b-trees' interior pages.
void check_lookups(Connection& db, const SortedTrees& trees, std::mt19937_64& rng) {
  if (trees.by_sku.empty()) return;
  auto by_sku = db.prepare("SELECT name, description FROM products_main WHERE sku = ?1");
  auto by_name = db.prepare("SELECT count(*) FROM products_main WHERE name = ?1");
  auto count = db.prepare("SELECT products FROM product_counts WHERE name = ?1");
  auto by_n = db.prepare("SELECT count(*) FROM product_counts WHERE products = ?1");
  std::map<std::int64_t, std::int64_t> names_with;
  for (const auto& [name, n] : trees.counts) ++names_with[n];
  for (int i = 0; i < 200; ++i) {
    const auto& p = trees.by_sku[rng() % trees.by_sku.size()];
    by_sku.bind(1, p.sku);
    ASSERT_TRUE(by_sku.step());
    EXPECT_EQ(by_sku.text(0), p.name);
    EXPECT_EQ(by_sku.text(1), p.description);
    by_sku.reset();
    const auto& [name, n] = trees.counts[rng() % trees.counts.size()];
    by_name.bind(1, name);
    ASSERT_TRUE(by_name.step());
    EXPECT_EQ(by_name.integer(0), n);
    by_name.reset();
    count.bind(1, name);
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.integer(0), n);
    count.reset();
    by_n.bind(1, n);
    ASSERT_TRUE(by_n.step());
    EXPECT_EQ(by_n.integer(0), names_with[n]);
    by_n.reset();
  }
}

// The same edits on both databases: through the products view (its triggers), and straight
// on the hand-built b-trees (range delete, inserts with overflow, updates that move keys).
void apply_edits(Connection& db, const SortedTrees& trees) {
  lfp::store::Transaction tx(db);
  auto ins = db.prepare("INSERT INTO products(sku, name, description) VALUES(?1, ?2, ?3)");
  auto ins_main = db.prepare("INSERT OR REPLACE INTO products_main(sku, name, description) VALUES(?1, ?2, ?3)");
  for (int i = 0; i < 60; ++i) {
    // The view refuses NUL bytes, as an ingest does; those go straight into products_main below.
    const std::string sku = "new\xff" + std::to_string(i * 7919 % 1000) + std::string(i % 5, '\x01');
    ins.bind(1, sku).bind(2, "edit" + std::to_string(i % 4)).bind(3, std::string(i * 997 % 9000, 'd')).run();
    ins_main.bind(1, std::string(i % 3 + 1, static_cast<char>(i * 37)) + "m")
        .bind(2, std::string(i % 2, '\0') + "main")
        .bind(3, std::string(i * 1777 % 20000, 'e'))
        .run();
  }
  const auto& skus = trees.by_sku;
  if (!skus.empty()) {
    auto del = db.prepare("DELETE FROM products WHERE sku = ?1");
    for (std::size_t i = 0; i < skus.size(); i += 1 + skus.size() / 40) del.bind(1, skus[i].sku).run();
    auto del_range = db.prepare("DELETE FROM products_main WHERE sku >= ?1 AND sku < ?2");
    del_range.bind(1, skus[skus.size() / 3].sku).bind(2, skus[skus.size() / 2].sku).run();
    auto upd = db.prepare("UPDATE products_main SET name = name || 'x', description = ?2 WHERE sku = ?1");
    for (std::size_t i = skus.size() / 2; i < skus.size(); i += 1 + skus.size() / 30)
      upd.bind(1, skus[i].sku).bind(2, std::string(i % 7000, 'u')).run();
  }
  db.exec("UPDATE product_counts SET products = products + 1 WHERE name < 'm'");
  db.exec("DELETE FROM product_counts WHERE products % 3 = 0");
  tx.commit();
}

// A database path of this file's tests.
struct TempPath : lfp::test::TempDbPath {
  explicit TempPath(const std::string& name) : TempDbPath("sqlite_file", name) {}
};

// Builds `products` in `parts` parts and checks the file against the reference database.
// With `pending_byte` moved (SQLite's side moved too) the file must reach past the lock page.
void check_build(const std::vector<Product>& products, std::uint32_t page_size, std::initializer_list<int> part_counts,
                 std::uint64_t seed, bool edits = true, std::uint64_t pending_byte = kPendingByte) {
  std::mt19937_64 rng(seed);
  const SortedTrees trees(products);
  TempPath ref("reference");
  write_reference(ref.path(), products, page_size);
  Connection reference(ref.path(), Connection::Mode::ReadWrite);
  reference.exec("PRAGMA synchronous = OFF");
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    ASSERT_EQ(query(reference, kScans[t]), expected_scan(trees, t)) << "SQLite's own order differs, tree " << t;
  const PageNumbering numbering(page_size, pending_byte);
  for (int parts : part_counts) {
    for (Mode mode : {Mode::InMemory, Mode::TwoPass}) {
      SCOPED_TRACE("page size " + std::to_string(page_size) + ", " + std::to_string(parts) + " parts, " +
                   (mode == Mode::InMemory ? "in memory" : "two passes"));
      TempPath built("built");
      const auto stats = write_database(built.path(), numbering, trees.sources(), parts, mode, rng);
      if (pending_byte != kPendingByte) {
        ASSERT_GT(stats.database_pages, numbering.lock_page());
      }
      {
        // The hand-written file alone, before SQLite adds anything.
        Connection raw(built.path(), Connection::Mode::ReadOnly);
        ASSERT_EQ(integrity(raw), "ok\n");
        for (std::size_t t = 0; t < kProductTreeCount; ++t)
          ASSERT_EQ(query(raw, kScans[t]), expected_scan(trees, t)) << "tree " << t;
      }
      finish_with_sqlite(built.path());
      Connection db(built.path(), Connection::Mode::ReadWrite);
      db.exec("PRAGMA synchronous = OFF");
      ASSERT_EQ(integrity(db), "ok\n");
      const char* schema = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name";
      EXPECT_EQ(query(db, schema), query(reference, schema));
      for (std::size_t t = 0; t < kProductTreeCount; ++t)
        ASSERT_EQ(query(db, kScans[t]), expected_scan(trees, t)) << "tree " << t;
      check_lookups(db, trees, rng);
      if (!edits || mode == Mode::TwoPass) continue;
      apply_edits(db, trees);
      ASSERT_EQ(integrity(db), "ok\n");
      // The reference gets the same edits once (on a copy), and both must agree.
      TempPath edited("reference_edited");
      {
        reference.exec("VACUUM INTO '" + edited.path() + "'");
        Connection e(edited.path(), Connection::Mode::ReadWrite);
        e.exec("PRAGMA synchronous = OFF");
        apply_edits(e, trees);
        for (const char* scan : kScans) EXPECT_EQ(query(db, scan), query(e, scan)) << scan;
        const char* view = "SELECT sku, name, description FROM products ORDER BY sku";
        EXPECT_EQ(query(db, view), query(e, view));
      }
      db.exec("VACUUM");
      EXPECT_EQ(integrity(db), "ok\n");
    }
  }
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) {
    const auto r = rng() % 10;
    c = static_cast<char>(r < 2 ? 0x00 : r < 4 ? 0xff : r < 6 ? 'a' + rng() % 3 : rng() % 256);
  }
  return s;
}

// Skus of 1 to 1,000 bytes with NUL and 0xFF bytes, names shared and prefixes of each other
// (empty included), descriptions empty to 100 KB.
std::vector<Product> adversarial_products(std::size_t n, std::uint64_t seed, bool huge_descriptions) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> names = {"", std::string(1, '\0'), "\xff", "a", "a\0"s, "a\xff", "ab", "b", "\xff\xff"};
  for (int i = 0; i < 40; ++i) names.push_back(random_bytes(rng, 1 + rng() % 30));
  names.push_back(std::string(1500, 'N'));  // a name that overflows in products_by_name and product_counts
  std::set<std::string> seen;
  std::vector<Product> out;
  while (out.size() < n) {
    const auto r = rng() % 100;
    const std::size_t len = r < 5    ? 1
                            : r < 60 ? 2 + rng() % 12
                            : r < 90 ? 14 + rng() % 100
                            : r < 97 ? 200 + rng() % 800
                                     : 1000;
    std::string sku = random_bytes(rng, len);
    if (!seen.insert(sku).second) continue;
    const auto d = rng() % 100;
    const std::size_t dlen = d < 10              ? 0
                             : d < 70            ? rng() % 60
                             : d < 96            ? 100 + rng() % 3000
                             : huge_descriptions ? 100000
                                                 : 5000;
    out.push_back({std::move(sku), names[rng() % names.size()], random_bytes(rng, dlen)});
  }
  return out;
}

TEST(SqliteFileBuild, AdversarialRowsInOneToEightParts) {
  check_build(adversarial_products(2500, 1, true), 4096, {1, 2, 3, 4, 8}, 11);
}

TEST(SqliteFileBuild, SmallAndLargestPageSizes) {
  const auto products = adversarial_products(1500, 2, false);
  check_build(products, 1024, {1, 3, 8}, 12);
  check_build(products, 65536, {2, 4}, 13);
}

TEST(SqliteFileBuild, ThousandByteSkusOverflowInInteriorCells) {
  std::mt19937_64 rng(3);
  std::vector<Product> products;
  std::set<std::string> seen;
  while (products.size() < 700) {
    std::string sku = random_bytes(rng, 1000);
    if (seen.insert(sku).second)
      products.push_back({std::move(sku), random_bytes(rng, 1 + rng() % 4), random_bytes(rng, rng() % 300)});
  }
  // Every products_main record is over X = 1002 bytes, so every separator (interior cell)
  // of that tree carries an overflow chain, and the tree has two interior levels.
  check_build(products, 4096, {1, 2, 4, 8}, 14);
}

TEST(SqliteFileBuild, HundredThousandProductsShareOneName) {
  std::vector<Product> products;
  for (int i = 0; i < 100000; ++i) {
    char sku[16];
    std::snprintf(sku, sizeof sku, "S%09d", i * 7 % 100000);
    products.push_back({sku, "the one name", i % 10 ? "d" : ""});
  }
  products.push_back({"other", "another name", "x"});
  check_build(products, 4096, {1, 3, 8}, 15, false);
}

TEST(SqliteFileBuild, EmptyTables) { check_build({}, 4096, {1, 4}, 16); }

TEST(SqliteFileBuild, SingleRow) {
  check_build({{"k", "n", "d"}}, 4096, {1, 4}, 17);
  check_build({{std::string(1, '\0'), "", ""}}, 4096, {1, 8}, 18);
}

TEST(SqliteFileBuild, FewRowsOverManyParts) {
  for (std::size_t n : {2, 3, 5, 9, 17}) check_build(adversarial_products(n, 100 + n, false), 4096, {8}, 19 + n);
}

// SQLite's pending byte moved to 1 MiB (SQLITE_TESTCTRL_PENDING_BYTE, the hook SQLite's own
// tests use), so that small files cross it: lock page 257 at 4 KiB pages, 17 at 64 KiB.
TEST(SqliteFileBuild, LockPageAtAnInjectedOffset) {
  constexpr unsigned kAt = 0x100000;
  const int previous = sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, kAt);
  ASSERT_EQ(static_cast<std::uint64_t>(previous), kPendingByte) << "this SQLite has no test control";
  struct Restore {
    ~Restore() { sqlite3_test_control(SQLITE_TESTCTRL_PENDING_BYTE, static_cast<unsigned>(kPendingByte)); }
  } restore;
  const auto products = adversarial_products(2500, 6, false);
  check_build(products, 4096, {1, 3, 8}, 21, true, kAt);
  check_build(products, 65536, {2}, 22, true, kAt);
}

// A file past 1 GiB with SQLite's real pending byte: 10,900 products with 100 KB
// descriptions, 4 parts built in two passes straight to the file (as ranks streaming to rank
// 0 would), checked row by row against the generator and edited by SQLite.
TEST(SqliteFileBuild, CrossesTheRealOneGibLockPage) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  constexpr std::uint64_t kProducts = 10900, kDescription = 100000, kNames = 97;
  auto sku = [](std::uint64_t i) {
    char b[16];
    std::snprintf(b, sizeof b, "P%010llu", static_cast<unsigned long long>(i));
    return std::string(b);
  };
  auto name = [](std::uint64_t i) { return "name" + std::to_string(i % kNames); };
  auto description = [](std::uint64_t i) {
    std::string d(kDescription, static_cast<char>('a' + i % 26));
    d[0] = '\0';
    d[kDescription / 2] = static_cast<char>(0xff);
    d[kDescription - 1] = static_cast<char>(i);
    std::memcpy(d.data() + 1, &i, sizeof i);
    return d;
  };
  std::vector<std::uint64_t> by_name(kProducts);
  for (std::uint64_t i = 0; i < kProducts; ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&](auto a, auto b) { return name_sku_less(name(a), sku(a), name(b), sku(b)); });
  std::map<std::string, std::int64_t> count_map;
  for (std::uint64_t i = 0; i < kProducts; ++i) ++count_map[name(i)];
  const std::vector<std::pair<std::string, std::int64_t>> counts(count_map.begin(), count_map.end());
  auto by_products = counts;
  std::sort(by_products.begin(), by_products.end(),
            [](const auto& a, const auto& b) { return products_desc_name_less(a.second, a.first, b.second, b.first); });

  TreeSources trees;
  trees[kProductsMain] = {kProducts, [&](std::uint64_t i, Bytes& out) {
                            const std::string s = sku(i), n = name(i), d = description(i);
                            const Value v[] = {std::string_view(s), std::string_view(n), std::string_view(d)};
                            encode_record(v, out);
                          }};
  trees[kProductsByName] = {kProducts, [&](std::uint64_t i, Bytes& out) {
                              const std::string n = name(by_name[i]), s = sku(by_name[i]);
                              const Value v[] = {std::string_view(n), std::string_view(s)};
                              encode_record(v, out);
                            }};
  trees[kProductCounts] = {counts.size(), [&](std::uint64_t i, Bytes& out) {
                             const Value v[] = {std::string_view(counts[i].first), counts[i].second};
                             encode_record(v, out);
                           }};
  trees[kProductCountsByProducts] = {
      by_products.size(), [&](std::uint64_t i, Bytes& out) {
        const Value v[] = {by_products[i].second, std::string_view(by_products[i].first)};
        encode_record(v, out);
      }};
  TempPath built("one_gib");
  const PageNumbering numbering(4096);
  std::mt19937_64 rng(23);
  const auto stats = write_database(built.path(), numbering, trees, 4, Mode::TwoPass, rng);
  const auto written = Clock::now();
  ASSERT_GT(stats.database_pages, numbering.lock_page());
  struct stat st {};
  ASSERT_EQ(::stat(built.path().c_str(), &st), 0);
  EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), std::uint64_t{stats.database_pages} * 4096);
  EXPECT_GT(static_cast<std::uint64_t>(st.st_size), kPendingByte);
  {
    Connection raw(built.path(), Connection::Mode::ReadOnly);
    ASSERT_EQ(integrity(raw), "ok\n");
    auto s = raw.prepare("SELECT sku, name, description FROM products_main WHERE sku >= ''");
    std::uint64_t i = 0;
    for (; s.step(); ++i) {
      ASSERT_EQ(s.text(0), sku(i));
      ASSERT_EQ(s.text(1), name(i));
      ASSERT_TRUE(s.text(2) == description(i)) << "description of row " << i;
    }
    EXPECT_EQ(i, kProducts);
    EXPECT_EQ(query(raw, kScans[kProductsByName]).size(), kProducts);
    Rows expected;
    for (const auto& [n, c] : by_products) expected.push_back({"i" + std::to_string(c), "t" + n});
    EXPECT_EQ(query(raw, kScans[kProductCountsByProducts]), expected);
  }
  const auto checked = Clock::now();
  finish_with_sqlite(built.path());
  {
    Connection db(built.path(), Connection::Mode::ReadWrite);
    db.exec("PRAGMA synchronous = OFF");
    lfp::store::Transaction tx(db);
    auto ins = db.prepare("INSERT INTO products_main(sku, name, description) VALUES(?1, ?2, ?3)");
    for (std::uint64_t i = kProducts; i < kProducts + 20; ++i) {
      const std::string s = sku(i * 7919 % kProducts) + "x", n = name(i), d = description(i);
      ins.bind(1, s).bind(2, n).bind(3, d).run();
    }
    db.exec("DELETE FROM products_main WHERE sku >= 'P0000005000' AND sku < 'P0000005100'");
    tx.commit();
    ASSERT_EQ(integrity(db), "ok\n");
    EXPECT_EQ(db.integer("SELECT count(*) FROM products_main"), static_cast<std::int64_t>(kProducts + 20 - 100));
  }
  const auto done = Clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf(
      "1 GiB file: %u pages (lock page %u); written in %.1f s, checked in %.1f s, edited and checked in %.1f s\n",
      stats.database_pages, numbering.lock_page(), secs(started, written), secs(written, checked), secs(checked, done));
}

// Payload sizes on both sides of every local-size boundary: X, and X plus one and two
// overflow pages' worth (where K = M + (P - M) % (U - 4) reaches X), at two page sizes.
TEST(SqliteFileBuild, PayloadSizesAroundEveryLocalBoundary) {
  for (std::uint32_t page_size : {1024u, 4096u}) {
    const PayloadRule rule(page_size, PayloadTree::Index);
    std::vector<Product> products;
    for (std::uint64_t edge : {std::uint64_t{rule.max_local()}, std::uint64_t{rule.max_local()} + page_size - 4,
                               std::uint64_t{rule.max_local()} + 2 * (page_size - 4)})
      for (std::uint64_t d = edge - 40; d <= edge + 40; ++d) {
        char sku[16];
        std::snprintf(sku, sizeof sku, "%08llu", static_cast<unsigned long long>(products.size()));
        products.push_back({sku, std::string(d % 3, 'n'), std::string(d, static_cast<char>(d))});
      }
    check_build(products, page_size, {1, 3}, 24);
  }
}

}  // namespace
