// The collective steps of a new database's parallel write, under mpirun: the ranks agree on
// key ranges, rows reach the rank owning their sku, the name index is one sorted slice per
// rank with exact counts, and plan_pages moves lone records, numbers every part's pages and
// gives rank 0 what it needs to write a file SQLite accepts. Every rank can regenerate every
// rank's input (seeded by rank), so each checks its result against the exact expectation.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ingest/key_sample.hpp"
#include "ingest/name_index.hpp"
#include "ingest/page_plan.hpp"
#include "ingest/route.hpp"
#include "ingest/tree_parts.hpp"
#include "mpi/comm.hpp"
#include "mpi/shuffle.hpp"
#include "records/key_ranges.hpp"
#include "records/order_key.hpp"
#include "records/row_codec.hpp"
#include "sqlite_file/database_file.hpp"
#include "sqlite_file/database_writer.hpp"
#include "sqlite_file/interior_builder.hpp"
#include "sqlite_file/product_trees.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "tools/tree_records.hpp"

namespace {

namespace sf = lfp::sqlite_file;
using lfp::Buffer;
using lfp::KeyRanges;
using lfp::NameCount;
using lfp::RowRef;
using lfp::RowView;
using sf::kProductTreeCount;
using namespace std::string_literals;

const lfp::mpi::Comm& world() {
  static const lfp::mpi::Comm comm(MPI_COMM_WORLD);
  return comm;
}

bool binary_less(std::string_view a, std::string_view b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c != 0 ? c < 0 : a.size() < b.size();
}

// Every rank's bytes, split by rank, on every rank.
std::vector<std::vector<char>> allgather_split(const lfp::mpi::Comm& comm, const std::vector<char>& mine) {
  const auto sizes = comm.allgather(static_cast<std::uint64_t>(mine.size()));
  const auto all = comm.allgather_bytes(mine);
  std::vector<std::vector<char>> out;
  std::size_t at = 0;
  for (const auto n : sizes) {
    out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  EXPECT_EQ(at, all.size());
  return out;
}

std::vector<char> pack(const std::vector<std::string>& keys) {
  std::vector<char> out;
  lfp::pack_keys(keys, out);
  return out;
}

// A rank's sample of keys: tricky bytes, a rank-dependent size (rank 1 samples nothing).
std::vector<std::string> sample_of(int rank) {
  std::mt19937_64 rng(1000 + rank);
  std::vector<std::string> out;
  const std::size_t n = rank == 1 ? 0 : 50 + 37 * static_cast<std::size_t>(rank);
  const std::string alphabet = "\x00\x01"s + "09AZaz" + "\x7f\x80\xC3\xFE\xFF"s;
  for (std::size_t i = 0; i < n; ++i) {
    std::string k(rng() % 10, '\0');
    for (auto& c : k) c = alphabet[rng() % alphabet.size()];
    out.push_back(std::move(k));
  }
  if (rank == 0) out.insert(out.end(), {"", "", "same", "same", "same"});
  return out;
}

TEST(AgreeKeyRanges, EveryRankGetsTheSameSplittersFromAllSamples) {
  const auto& comm = world();
  const auto ranges = lfp::agree_key_ranges(comm, sample_of(comm.rank()));
  EXPECT_EQ(ranges.splitters().size(), static_cast<std::size_t>(comm.size() - 1));
  for (std::size_t i = 1; i < ranges.splitters().size(); ++i)
    EXPECT_FALSE(binary_less(ranges.splitters()[i], ranges.splitters()[i - 1])) << "splitter " << i;
  const auto all = allgather_split(comm, pack(ranges.splitters()));
  for (int r = 0; r < comm.size(); ++r)
    EXPECT_EQ(all[r], all[0]) << "rank " << r << "'s splitters differ from rank 0's";
  // They are the quantiles of all samples together.
  std::vector<std::string> every;
  for (int r = 0; r < comm.size(); ++r)
    for (auto& k : sample_of(r)) every.push_back(std::move(k));
  EXPECT_EQ(ranges.splitters(), KeyRanges::from_sample({every.begin(), every.end()}, comm.size()).splitters());
}

TEST(AgreeKeyRanges, EmptySamplesEverywhereStillGiveOneOwnerPerKey) {
  const auto& comm = world();
  const auto ranges = lfp::agree_key_ranges(comm, {});
  EXPECT_EQ(ranges.splitters().size(), static_cast<std::size_t>(comm.size() - 1));
  int prev = 0;
  for (const auto* k : {"", "a", "b", "\xFF"}) {
    const int o = ranges.owner(k);
    EXPECT_GE(o, prev);
    EXPECT_LT(o, comm.size());
    prev = o;
  }
}

// Rank `rank`'s parsed rows: skus that other ranks also hold (the same sku from several ranks
// must meet on one rank), 0xFF bytes, long and empty skus.
std::vector<RowView> rows_of(int rank, std::vector<std::string>& storage) {
  std::mt19937_64 rng(77 + rank);
  const std::size_t n = rank == 2 ? 0 : 3000 + 500 * static_cast<std::size_t>(rank);
  storage.clear();
  storage.reserve(3 * n + 3);
  std::vector<RowView> out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto kind = rng() % 10;
    std::string sku = kind == 0   ? "\xFF" + std::to_string(rng() % 300)
                      : kind == 1 ? std::string(500 + rng() % 500, 'L') + std::to_string(rng() % 50)
                      : kind == 2 ? ""s
                                  : "sku-" + std::to_string(rng() % 20000);
    storage.push_back(std::move(sku));
    const std::string_view s = storage.back();
    storage.push_back("name " + std::to_string(rng() % 100));
    const std::string_view nm = storage.back();
    storage.push_back(std::string(rng() % 200, 'd'));
    out.push_back({lfp::order_key(static_cast<std::uint32_t>(rank), i), s, nm, storage.back()});
  }
  return out;
}

std::string row_string(const RowView& r) {
  return std::to_string(r.order) + "|" + std::string(r.sku) + "|" + std::string(r.name) + "|" +
         std::string(r.description);
}

TEST(RouteEncoded, EveryRowReachesTheOwnerOfItsSkuAndNoneIsLost) {
  const auto& comm = world();
  std::vector<std::string> storage;
  const auto mine = rows_of(comm.rank(), storage);
  std::vector<std::string> sample;
  for (std::size_t i = 0; i < mine.size(); i += 10) sample.emplace_back(mine[i].sku);
  const auto ranges = lfp::agree_key_ranges(comm, sample);

  Buffer encoded;
  for (const auto& r : mine) lfp::encode(encoded, r);
  // route() over the views gives the same buffers as route_encoded() over the bytes.
  const auto by_view = lfp::route(mine, ranges, comm.size(), [](const RowView& r) { return r.sku; });
  auto outgoing =
      lfp::route_encoded<RowRef>(std::move(encoded), ranges, comm.size(), [](const RowRef& r) { return r.sku(); });
  EXPECT_EQ(outgoing.size(), static_cast<std::size_t>(comm.size()));
  for (int d = 0; d < comm.size() && d < static_cast<int>(outgoing.size()); ++d)
    EXPECT_TRUE(outgoing[d] == by_view[d]) << "buffer for rank " << d;
  EXPECT_TRUE(encoded.empty());  // consumed

  const auto incoming = lfp::mpi::exchange(comm, std::move(outgoing), 4096);
  const auto got = lfp::decode_all<RowView>(incoming);
  std::size_t misplaced = 0;
  for (const auto& r : got) misplaced += ranges.owner(r.sku) != comm.rank();
  EXPECT_EQ(misplaced, 0u) << "rows on a rank that does not own their sku";
  // Exactly the rows of every rank whose sku this rank owns, none twice, none lost.
  std::vector<std::string> expected, actual;
  for (int r = 0; r < comm.size(); ++r) {
    std::vector<std::string> st;
    for (const auto& row : rows_of(r, st))
      if (ranges.owner(row.sku) == comm.rank()) expected.push_back(row_string(row));
  }
  for (const auto& r : got) actual.push_back(row_string(r));
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  EXPECT_EQ(actual.size(), expected.size());
  EXPECT_TRUE(actual == expected);
  EXPECT_EQ(comm.sum(static_cast<std::uint64_t>(got.size())), comm.sum(static_cast<std::uint64_t>(mine.size())));
}

// The products of the whole job (distinct skus), with adversarial names: one huge group,
// names that are prefixes of others, 0xFF bytes, the empty name. Product i lives on rank
// owner_of(i, ranks); rank 1 holds none.
std::vector<std::pair<std::string, std::string>> all_products() {  // (sku, name)
  std::mt19937_64 rng(5);
  const std::vector<std::string> names = {
      "",  "a",    "a\xFF", "ab", "abcdefgh", "abcdefgh\xFF", "abcdefghi", "\xFF", "\xFF\xFF", std::string(9, '\xFF'),
      "Z", "\x7f", "\x80"};
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < 12000; ++i) {
    std::string sku = "sku\xFF" + std::to_string(i);
    const auto pick = rng() % 10;
    std::string name = pick < 4   ? "Huge Group"s
                       : pick < 7 ? names[rng() % names.size()]
                                  : "name " + std::to_string(rng() % 700) + std::string(rng() % 3, '\xFF');
    out.emplace_back(std::move(sku), std::move(name));
  }
  return out;
}

int product_rank(std::size_t i, int ranks) {
  if (ranks == 1) return 0;
  const int r = static_cast<int>((i * 2654435761u) % static_cast<std::size_t>(ranks));
  return r == 1 ? 0 : r;
}

// Every rank's items of one kind (as encoded), in rank order.
template <class Item>
std::vector<std::vector<std::string>> gathered(const lfp::mpi::Comm& comm, const std::vector<Item>& items,
                                               std::string (*show)(const Item&)) {
  std::vector<char> mine;
  std::vector<std::string> shown;
  for (const auto& it : items) shown.push_back(show(it));
  lfp::pack_keys(shown, mine);
  std::vector<std::vector<std::string>> out;
  for (const auto& bytes : allgather_split(comm, mine)) {
    std::vector<std::string> v;
    for (const auto k : lfp::unpack_keys(bytes)) v.emplace_back(k);
    out.push_back(std::move(v));
  }
  return out;
}

std::string show_entry(const RowRef& e) {
  std::vector<char> b;
  lfp::pack_keys({std::string(e.name()), std::string(e.sku())}, b);
  return {b.begin(), b.end()};
}
std::string show_count(const NameCount& c) {
  std::vector<char> b;
  lfp::pack_keys({std::string(c.name), std::to_string(c.products)}, b);
  return {b.begin(), b.end()};
}

TEST(BuildNameIndex, SortedContiguousSlicesWithExactCounts) {
  const auto& comm = world();
  const auto products = all_products();
  Buffer bytes;
  for (std::size_t i = 0; i < products.size(); ++i)
    if (product_rank(i, comm.size()) == comm.rank())
      lfp::encode(bytes, RowView{i, products[i].first, products[i].second, "description"});
  const auto mine = lfp::decode_all<RowRef>(bytes.data(), bytes.data() + bytes.size());
  const auto index = lfp::build_name_index(comm, mine, 2048);

  // Locally: entries by (name, sku), counts their runs, by_products by (products DESC, name).
  // (No ASSERT before the collectives below: a rank returning early would leave the others
  // waiting.)
  for (std::size_t i = 1; i < index.entries.size(); ++i)
    if (!sf::name_sku_less(index.entries[i - 1].name(), index.entries[i - 1].sku(), index.entries[i].name(),
                           index.entries[i].sku())) {
      ADD_FAILURE() << "entry " << i << " is not above entry " << i - 1;
      break;
    }
  std::int64_t local = 0;
  for (const auto& c : index.counts) local += c.products;
  EXPECT_EQ(local, static_cast<std::int64_t>(index.entries.size()));
  for (std::size_t i = 1; i < index.by_products.size(); ++i)
    if (!sf::products_desc_name_less(index.by_products[i - 1].products, index.by_products[i - 1].name,
                                     index.by_products[i].products, index.by_products[i].name)) {
      ADD_FAILURE() << "by_products " << i << " is not after " << i - 1;
      break;
    }

  // Across ranks, in rank order: exactly the whole job's index, counts and by-products order.
  std::vector<std::pair<std::string, std::string>> by_name;  // (name, sku)
  std::map<std::string, std::int64_t> counts;
  for (const auto& [sku, name] : products) {
    by_name.emplace_back(name, sku);
    ++counts[name];
  }
  std::sort(by_name.begin(), by_name.end(),
            [](const auto& a, const auto& b) { return sf::name_sku_less(a.first, a.second, b.first, b.second); });
  std::vector<std::pair<std::string, std::int64_t>> by_products(counts.begin(), counts.end());
  std::sort(by_products.begin(), by_products.end(), [](const auto& a, const auto& b) {
    return sf::products_desc_name_less(a.second, a.first, b.second, b.first);
  });
  std::vector<std::string> want_entries, want_counts, want_by_products;
  for (const auto& [name, sku] : by_name) {
    std::vector<char> b;
    lfp::pack_keys({name, sku}, b);
    want_entries.emplace_back(b.begin(), b.end());
  }
  for (const auto& [name, n] : counts) want_counts.push_back(show_count({name, n}));
  for (const auto& [name, n] : by_products) want_by_products.push_back(show_count({name, n}));

  auto joined = [](const std::vector<std::vector<std::string>>& parts) {
    std::vector<std::string> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  };
  const auto entries = gathered<RowRef>(comm, index.entries, show_entry);
  const auto count_parts = gathered<NameCount>(comm, index.counts, show_count);
  const auto product_parts = gathered<NameCount>(comm, index.by_products, show_count);
  EXPECT_TRUE(joined(entries) == want_entries) << "the entries in rank order are not the sorted whole";
  EXPECT_TRUE(joined(count_parts) == want_counts) << "the counts in rank order are not the exact counts by name";
  EXPECT_TRUE(joined(product_parts) == want_by_products) << "by_products in rank order is not (products DESC, name)";
  std::int64_t total = 0;
  for (const auto& c : index.counts) total += c.products;
  EXPECT_EQ(comm.sum(total), static_cast<std::int64_t>(products.size()));

  // Contiguity spelled out: rank r's last name is below the next non-empty rank's first name
  // (a name never spans two ranks), and likewise for by_products.
  std::vector<std::string> first_last;
  if (!index.entries.empty())
    first_last = {std::string(index.entries.front().name()), std::string(index.entries.back().name())};
  const auto ends = allgather_split(comm, pack(first_last));
  std::string prev_last;
  bool any = false;
  for (int r = 0; r < comm.size(); ++r) {
    const auto keys = lfp::unpack_keys(ends[r]);
    if (keys.empty()) continue;
    if (any) {
      EXPECT_TRUE(binary_less(prev_last, keys[0])) << "rank " << r << "'s first name is not above the last "
                                                   << "name of the rank before it";
    }
    prev_last = std::string(keys[1]);
    any = true;
  }
  // Each rank's counts are of its own entries' names.
  for (const auto& c : index.counts) {
    const auto it = std::lower_bound(index.entries.begin(), index.entries.end(), c.name,
                                     [](const RowRef& e, std::string_view n) { return binary_less(e.name(), n); });
    ASSERT_TRUE(it != index.entries.end() && it->name() == c.name);
  }
}

TEST(BuildNameIndex, NoProductsAnywhereGivesAnEmptyIndex) {
  const auto index = lfp::build_name_index(world(), {}, 1024);
  EXPECT_TRUE(index.entries.empty());
  EXPECT_TRUE(index.counts.empty());
  EXPECT_TRUE(index.by_products.empty());
}

// --- plan_pages -----------------------------------------------------------------------------

// Record counts per rank summing to n, in shapes where ranks hold exactly one record.
std::vector<std::uint64_t> counts_shape(int shape, std::uint64_t n, int ranks) {
  std::vector<std::uint64_t> c(ranks, 0);
  std::uint64_t left = n;
  for (int r = 0; r + 1 < ranks && left > 0; ++r) {
    std::uint64_t want = 0;
    switch (shape) {
      case 0: want = 1; break;                                    // a chain of lone records
      case 1: want = r % 2; break;                                // 0, 1, 0, 1, ...
      case 2: want = r == 0 ? 5 : r % 3 == 1 ? 1 : 2 + r; break;  // big, then some lone ones
      case 3: want = 0; break;                                    // the last rank holds all
      case 4: want = r == ranks - 2 ? 1 : 0; break;               // one record before the rest
      default: want = r == 0 ? 1 : r % 2 == 0 ? 1 : 0;            // first rank lone too
    }
    c[r] = std::min(want, left);
    left -= c[r];
  }
  c[ranks - 1] += left;
  return c;
}

std::vector<lfp::testing::Product> plan_products(std::size_t n, bool big) {
  std::vector<lfp::testing::Product> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({"sku\xFF" + std::to_string(1000 + i), "name " + std::to_string(i % 17) + (i % 5 ? "" : "\xFF"),
                   big && i % 7 == 0 ? std::string(20000 + 1000 * (i % 80), 'o') : std::string(i % 90, 'd')});
  return out;
}

std::string integrity(lfp::store::Connection& db) {
  std::string out;
  auto s = db.prepare("PRAGMA integrity_check");
  while (s.step()) out += std::string(s.text(0)) + "\n";
  return out;
}

// Runs plan_pages over the products' trees cut by `shapes` (one per tree) and checks the plan,
// then writes the file on rank 0 from every rank's pages and has SQLite check it.
void check_plan(const std::vector<lfp::testing::Product>& products, const std::array<int, kProductTreeCount>& shapes,
                std::uint32_t page_size) {
  const auto& comm = world();
  const int ranks = comm.size();
  const auto me = static_cast<std::size_t>(comm.rank());
  const auto trees = lfp::testing::sorted_records(products);
  std::array<std::vector<std::uint64_t>, kProductTreeCount> counts;
  std::array<lfp::TreeSlice, kProductTreeCount> slices;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    counts[t] = counts_shape(shapes[t], trees[t].size(), ranks);
    std::uint64_t first = 0;
    for (std::size_t r = 0; r < me; ++r) first += counts[t][r];
    const auto& recs = trees[t];
    slices[t] = {counts[t][me], [&recs, first](std::uint64_t i, sf::Bytes& out) { out = recs.at(first + i); },
                 [&recs, first](std::uint64_t i) -> std::uint64_t { return recs.at(first + i).size(); }};
  }
  std::string shown;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    shown += " tree " + std::to_string(t) + ":";
    for (auto c : counts[t]) shown += " " + std::to_string(c);
  }
  SCOPED_TRACE(std::to_string(ranks) + " ranks, page size " + std::to_string(page_size) + "," + shown);

  const auto plan = lfp::plan_pages(comm, slices, page_size);

  // Lone records ended on the right rank: each rank's buildable slice is exactly its share of
  // the tree after buildable_part_sizes, in order. (No ASSERT from here on: a rank returning
  // early would leave the others waiting in a collective.)
  std::array<std::uint64_t, kProductTreeCount> pages{};
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    SCOPED_TRACE("tree " + std::to_string(t));
    const auto sizes = sf::buildable_part_sizes(counts[t]);
    const auto receivers = lfp::lone_record_receivers(counts[t]);
    const auto& s = plan.slices[t];
    EXPECT_EQ(s.gives_own, receivers[me] >= 0);
    EXPECT_EQ(s.size(), sizes[me]);
    EXPECT_TRUE(s.position == sf::part_position(sizes, me));
    std::uint64_t first = 0;
    for (std::size_t r = 0; r < me; ++r) first += sizes[r];
    sf::Bytes rec;
    for (std::uint64_t i = 0; i < std::min(s.size(), sizes[me]); ++i) {
      s.record(i, rec);
      if (rec != trees[t].at(first + i)) {
        ADD_FAILURE() << "record " << i << " of this rank's slice is not record " << first + i << " of the tree";
        break;
      }
    }
    pages[t] = lfp::count_part(s, page_size).page_count;
  }

  // Bases: the prefix sums of every part's pages in file order (tree-major, rank-minor),
  // from sequence index 1; part_pages their total, the same on every rank.
  const auto all_pages = comm.allgather(pages);
  const auto all_bases = comm.allgather(plan.base);
  std::uint64_t next = 1;
  std::uint64_t prev_base = 0;
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    for (int r = 0; r < ranks; ++r) {
      EXPECT_EQ(all_bases[r][t], next) << "tree " << t << " rank " << r;
      if (all_pages[r][t] > 0) {
        EXPECT_GT(all_bases[r][t], prev_base) << "tree " << t << " rank " << r;
        prev_base = all_bases[r][t];
      }
      next += all_pages[r][t];
    }
  EXPECT_EQ(plan.part_pages, next - 1);
  const auto all_totals = comm.allgather(plan.part_pages);
  for (int r = 0; r < ranks; ++r) EXPECT_EQ(all_totals[r], plan.part_pages) << "rank " << r;

  // The file: every rank's pages (built again, final numbers, small batches) to rank 0.
  std::array<std::vector<char>, kProductTreeCount> gathered;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    lfp::PartPages part(plan.slices[t], plan.numbering, plan.base[t]);
    std::vector<char> mine;
    while (!part.done()) {
      Buffer batch;
      part.next_batch(batch, page_size + 1);
      if (batch.empty()) continue;
      // The pages without the batch's record count, which for_each_page reads below.
      mine.insert(mine.end(), batch.begin() + 8, batch.end());
    }
    EXPECT_EQ(mine.size(), pages[t] * (4 + page_size)) << "tree " << t;
    gathered[t] = comm.gather_bytes(mine);
  }
  if (comm.root()) {
    for (std::size_t t = 0; t < kProductTreeCount; ++t) {
      EXPECT_EQ(plan.placed[t].size(), static_cast<std::size_t>(ranks));
      for (int r = 0; r < ranks && r < static_cast<int>(plan.placed[t].size()); ++r)
        for (const auto leaf : plan.placed[t][r].leaves) {
          const auto seq = plan.numbering.sequence_of(leaf);
          EXPECT_GE(seq, all_bases[r][t]);
          EXPECT_LT(seq, all_bases[r][t] + all_pages[r][t]);
        }
    }
    const std::string path = ::testing::TempDir() + "plan_pages_" + std::to_string(::getpid()) + ".db";
    ::unlink(path.c_str());
    {
      sf::DatabaseWriter writer(sf::DatabaseWriter::open_file(path), path, plan.numbering);
      auto write = [&writer](std::uint32_t page, std::span<const std::uint8_t> bytes) {
        writer.write_page(page, bytes);
      };
      for (std::size_t t = 0; t < kProductTreeCount; ++t) {
        Buffer batch(8, 0);  // a record count of 0, then every rank's pages
        batch.insert(batch.end(), gathered[t].begin(), gathered[t].end());
        lfp::for_each_page(batch, page_size, write);
      }
      std::array<std::uint32_t, kProductTreeCount> roots{};
      std::uint64_t seq = plan.part_pages + 1;
      for (std::size_t t = 0; t < kProductTreeCount; ++t) {
        const auto top = sf::build_tree_top(plan.numbering, plan.placed[t], seq, write);
        roots[t] = top.root;
        seq += top.pages_used;
      }
      sf::HeaderFields header;
      header.page_size = page_size;
      header.database_pages = plan.numbering.pages_for(seq);
      writer.write_page(1, sf::encode_first_page(header, sf::product_schema(roots)));
      writer.finish(header.database_pages, false);
    }
    {
      lfp::store::Connection db(path, lfp::store::Connection::Mode::ReadOnly);
      EXPECT_EQ(integrity(db), "ok\n");
      EXPECT_EQ(db.integer("SELECT count(*) FROM products_main WHERE sku >= ''"),
                static_cast<std::int64_t>(products.size()));
      EXPECT_EQ(db.integer("SELECT count(*) FROM product_counts WHERE name >= ''"),
                static_cast<std::int64_t>(trees[sf::kProductCounts].size()));
      auto s = db.prepare("SELECT sku, name, length(description) FROM products_main WHERE sku >= ''");
      auto sorted = products;
      std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return binary_less(a.sku, b.sku); });
      for (const auto& p : sorted) {
        if (!s.step()) {
          ADD_FAILURE() << "products_main ends early";
          break;
        }
        EXPECT_EQ(s.text(0), p.sku);
        EXPECT_EQ(s.text(1), p.name);
        EXPECT_EQ(s.integer(2), static_cast<std::int64_t>(p.description.size()));
      }
    }
    ::unlink(path.c_str());
  }
}

TEST(PlanPages, LoneRecordsMoveAndPartsAreNumberedInFileOrder) {
  for (const std::size_t n : {1u, 2u, 5u, 12u, 40u}) {
    SCOPED_TRACE(std::to_string(n) + " products");
    for (int shape = 0; shape < 6; ++shape)
      check_plan(plan_products(n, false), {shape, (shape + 1) % 6, (shape + 2) % 6, (shape + 3) % 6}, 1024);
  }
}

TEST(PlanPages, OverflowingRecordsAndTheBuiltPageSize) {
  for (int shape = 0; shape < 6; ++shape)
    check_plan(plan_products(60, true), {shape, (shape + 4) % 6, shape, (shape + 5) % 6}, 1024);
  check_plan(plan_products(300, true), {2, 0, 1, 4}, lfp::kBuiltPageSize);
}

TEST(PlanPages, EmptyTreesOnEveryRank) { check_plan({}, {0, 1, 2, 3}, 1024); }

}  // namespace
