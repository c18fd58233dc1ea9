// The pure steps of the name index (name_index.hpp) on adversarial names: a huge group of one
// name, names that are prefixes of others, NULs and 0xFF bytes. The entries' order must be
// SQLite's (name, sku) BINARY order, the counts exact, and the by-products order
// (products DESC, name), since the hand-built b-trees are written in exactly that order.
#include "ingest/name_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "records/key_ranges.hpp"
#include "records/row_codec.hpp"

namespace {

using lfp::NameCount;
using lfp::RowRef;
using namespace std::string_literals;

bool binary_less(std::string_view a, std::string_view b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c != 0 ? c < 0 : a.size() < b.size();
}

// Rows encoded in one buffer, as entries (name, sku) in arrival order.
struct Entries {
  lfp::Buffer bytes;
  std::vector<RowRef> refs;
  explicit Entries(const std::vector<std::pair<std::string, std::string>>& name_sku) {
    for (const auto& [name, sku] : name_sku) lfp::encode(bytes, lfp::RowView{0, sku, name, {}});
    refs = lfp::decode_all<RowRef>(bytes.data(), bytes.data() + bytes.size());
  }
};

// Names built to catch signed bytes, 8-byte word boundaries (the sort reads 8 bytes at a
// time) and prefixes.
std::vector<std::string> adversarial_names() {
  std::vector<std::string> out = {""s,
                                  "a"s,
                                  "a\0"s,
                                  "a\0\0"s,
                                  "ab"s,
                                  "abcdefg"s,
                                  "abcdefgh"s,
                                  "abcdefgh\0"s,
                                  "abcdefghi"s,
                                  "abcdefgh\xFF"s,
                                  "\x7f"s,
                                  "\x80"s,
                                  "\xFF"s,
                                  "\xFF\xFF"s,
                                  std::string(8, '\xFF'),
                                  std::string(9, '\xFF'),
                                  std::string(16, '\xFF'),
                                  std::string(17, '\xFF'),
                                  "\xC3\xA9t\xC3\xA9"s,
                                  "Z"s,
                                  "z"s};
  for (int len = 0; len < 26; ++len) out.push_back("prefix" + std::string(len, 'p'));
  return out;
}

std::vector<std::pair<std::string, std::string>> adversarial_entries(std::mt19937_64& rng) {
  const auto names = adversarial_names();
  std::vector<std::pair<std::string, std::string>> out;
  // A huge group: one name for 30,000 skus (the skus share long prefixes and 0xFF bytes too).
  for (int i = 0; i < 30000; ++i)
    out.emplace_back("Huge Group Name", "sku\xFF" + std::to_string(rng() % 1000000000) + "-" + std::to_string(i));
  for (std::size_t k = 0; k < names.size(); ++k) {
    const int n = 1 + static_cast<int>(k * 37 % 50);
    for (int i = 0; i < n; ++i) out.emplace_back(names[k], std::string(i % 3, '\xFF') + std::to_string(i) + "s");
  }
  // Entries of different names with the same sku, and same-name entries whose skus are prefixes.
  for (const auto& name : names) out.emplace_back(name, "shared");
  out.emplace_back("ab", "s");
  out.emplace_back("ab", "s\0"s);
  out.emplace_back("ab", "");
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

TEST(NameIndex, SortedEntriesCopiedInOrderKeepTheirBytesAndLieBackToBack) {
  std::mt19937_64 rng(5);
  Entries e(adversarial_entries(rng));
  lfp::sort_name_entries(e.refs);
  std::vector<std::string> before;
  for (const auto& r : e.refs) before.emplace_back(r.bytes());
  std::vector<lfp::Buffer> bytes(1);
  bytes[0].swap(e.bytes);
  lfp::copy_in_order(e.refs, bytes);
  ASSERT_EQ(bytes.size(), 1u);
  const char* at = bytes[0].data();
  for (std::size_t i = 0; i < e.refs.size(); ++i) {
    ASSERT_EQ(e.refs[i].bytes(), before[i]) << "entry " << i;
    ASSERT_EQ(e.refs[i].address(), at) << "entry " << i << " is not where the one before it ends";
    at += before[i].size();
  }
  EXPECT_EQ(at, bytes[0].data() + bytes[0].size());
}

TEST(NameIndex, EntriesSortByNameThenSkuInByteOrder) {
  std::mt19937_64 rng(3);
  const auto pairs = adversarial_entries(rng);
  Entries e(pairs);
  lfp::sort_name_entries(e.refs);
  auto expected = pairs;
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? binary_less(a.first, b.first) : binary_less(a.second, b.second);
  });
  ASSERT_EQ(e.refs.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(e.refs[i].name(), expected[i].first) << "entry " << i;
    ASSERT_EQ(e.refs[i].sku(), expected[i].second) << "entry " << i;
  }
}

TEST(NameIndex, CountsOfSortedEntriesAreExact) {
  std::mt19937_64 rng(4);
  const auto pairs = adversarial_entries(rng);
  Entries e(pairs);
  lfp::sort_name_entries(e.refs);
  const auto counts = lfp::count_sorted_names(e.refs);
  std::map<std::string, std::int64_t, bool (*)(std::string_view, std::string_view)> expected(
      [](std::string_view a, std::string_view b) { return binary_less(a, b); });
  for (const auto& [name, sku] : pairs) ++expected[name];
  ASSERT_EQ(counts.size(), expected.size());
  std::size_t i = 0;
  std::int64_t total = 0;
  for (const auto& [name, n] : expected) {
    EXPECT_EQ(counts[i].name, name) << "count " << i;
    EXPECT_EQ(counts[i].products, n) << "name of " << name.size() << " bytes";
    total += counts[i].products;
    ++i;
  }
  EXPECT_EQ(total, static_cast<std::int64_t>(pairs.size()));
  EXPECT_EQ(counts[0].name, "");  // the empty name is a name like any other
  EXPECT_TRUE(lfp::count_sorted_names({}).empty());
}

TEST(NameIndex, OneNameOnlyIsOneCount) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 5000; ++i) pairs.emplace_back("\xFF", std::to_string(4999 - i));
  Entries e(pairs);
  lfp::sort_name_entries(e.refs);
  for (std::size_t i = 1; i < e.refs.size(); ++i) ASSERT_TRUE(binary_less(e.refs[i - 1].sku(), e.refs[i].sku()));
  const auto counts = lfp::count_sorted_names(e.refs);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].name, "\xFF");
  EXPECT_EQ(counts[0].products, 5000);
}

TEST(NameIndex, ByProductsIsCountDescendingThenNameInByteOrder) {
  const auto names = adversarial_names();
  std::vector<std::string> storage;  // NameCount holds views
  storage.reserve(names.size() * 4);
  std::vector<NameCount> counts;
  std::mt19937_64 rng(9);
  for (const auto& name : names)
    for (const std::int64_t n : {std::int64_t{1}, std::int64_t{2}, std::int64_t{300}, std::int64_t{1} << 33}) {
      if (rng() % 2) continue;
      storage.push_back(name);
      counts.push_back({storage.back(), n});
    }
  for (const auto& name : names) {  // every name at least once, many with the same count
    storage.push_back(name + "#");
    counts.push_back({storage.back(), 7});
  }
  std::shuffle(counts.begin(), counts.end(), rng);
  auto expected = counts;
  lfp::sort_by_products(counts);
  std::sort(expected.begin(), expected.end(), [](const NameCount& a, const NameCount& b) {
    return a.products != b.products ? a.products > b.products : binary_less(a.name, b.name);
  });
  ASSERT_EQ(counts.size(), expected.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    EXPECT_EQ(counts[i].products, expected[i].products) << "position " << i;
    EXPECT_EQ(counts[i].name, expected[i].name) << "position " << i;
  }
  // The same order as the byte keys that route counts between ranks.
  for (std::size_t i = 1; i < counts.size(); ++i)
    EXPECT_TRUE(binary_less(lfp::count_order_key(counts[i - 1].products, counts[i - 1].name),
                            lfp::count_order_key(counts[i].products, counts[i].name)))
        << "position " << i;
}

}  // namespace
