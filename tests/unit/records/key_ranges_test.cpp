// Key ranges (sample sort's splitters), the sample's wire form and the byte key of a count in
// (products DESC, name) order: the orders the hand-built b-trees depend on, since a rank's
// range must be one contiguous slice of SQLite's BINARY order.
#include "records/key_ranges.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lfp::KeyRanges;
using namespace std::string_literals;

// memcmp order, shorter first on a common prefix: SQLite's BINARY collation.
bool binary_less(std::string_view a, std::string_view b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c != 0 ? c < 0 : a.size() < b.size();
}

// Keys that trip a signed-char or length-first comparison: bytes >= 0x80, prefixes, NULs.
std::vector<std::string> tricky_keys() {
  return {""s,     "\0"s,     "\0\0"s,     "\x01"s,         "A"s,     "Z"s,        "a"s,          "ab"s,
          "ab\0"s, "abc"s,    "abcd"s,     "\x7f"s,         "\x80"s,  "\x80\x00"s, "\xC3\xA9"s,   "\xFE"s,
          "\xFF"s, "\xFF\0"s, "\xFF\xFF"s, "\xFF\xFF\xFF"s, "z\xFF"s, "za"s,       "sku-000001"s, "sku-00001"s};
}

std::vector<std::string> random_keys(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::string> out;
  const std::string alphabet = "\x00\x01"s + "09AZaz" + "\x7f\x80\xC3\xFE\xFF"s;
  for (std::size_t i = 0; i < n; ++i) {
    std::string k(rng() % 12, '\0');
    for (auto& c : k) c = alphabet[rng() % alphabet.size()];
    out.push_back(std::move(k));
  }
  return out;
}

std::vector<std::string_view> views(const std::vector<std::string>& keys) { return {keys.begin(), keys.end()}; }

// Checks the splitters against `keys`: sorted, each key owned by one rank in [0, parts), and
// owner never decreasing along BINARY order.
void check_monotone(const KeyRanges& ranges, int parts, std::vector<std::string> keys) {
  ASSERT_EQ(ranges.splitters().size(), static_cast<std::size_t>(parts - 1));
  for (std::size_t i = 1; i < ranges.splitters().size(); ++i)
    ASSERT_FALSE(binary_less(ranges.splitters()[i], ranges.splitters()[i - 1])) << "splitters out of order at " << i;
  std::sort(keys.begin(), keys.end(), binary_less);
  int prev = 0;
  for (const auto& k : keys) {
    const int o = ranges.owner(k);
    ASSERT_GE(o, 0);
    ASSERT_LT(o, parts);
    ASSERT_GE(o, prev) << "owner decreases at key of " << k.size() << " bytes";
    // Inclusive upper bound: a key equal to splitter r belongs to rank r, a key just above to r + 1.
    if (o > 0) {
      ASSERT_TRUE(binary_less(ranges.splitters()[o - 1], k));
    }
    if (o < parts - 1) {
      ASSERT_FALSE(binary_less(ranges.splitters()[o], k));
    }
    prev = o;
  }
}

TEST(KeyRanges, DefaultRangeSendsEveryKeyToRankZero) {
  const KeyRanges ranges;
  for (const auto& k : tricky_keys()) EXPECT_EQ(ranges.owner(k), 0);
}

TEST(KeyRanges, OwnerIsMonotoneInByteOrderWithHighBytesAndPrefixes) {
  const auto keys = tricky_keys();
  for (int parts = 1; parts <= 9; ++parts) {
    SCOPED_TRACE(std::to_string(parts) + " parts");
    check_monotone(KeyRanges::from_sample(views(keys), parts), parts, keys);
  }
  // A byte >= 0x80 sorts after every ASCII byte, a prefix before its extensions.
  const KeyRanges split({"a"s});
  EXPECT_EQ(split.owner("a"), 0);
  EXPECT_EQ(split.owner(""), 0);
  EXPECT_EQ(split.owner("\x7f"), 1);
  EXPECT_EQ(split.owner("a\0"s), 1);
  EXPECT_EQ(split.owner("ab"), 1);
  EXPECT_EQ(split.owner("\xFF"), 1);
  const KeyRanges high({"\x7f"s, "\x80"s, "\xFF"s});
  EXPECT_EQ(high.owner("z"), 0);
  EXPECT_EQ(high.owner("\x7f\xFF"), 1);
  EXPECT_EQ(high.owner("\x80"), 1);
  EXPECT_EQ(high.owner("\x80\x00"s), 2);
  EXPECT_EQ(high.owner("\xC3\xA9"), 2);
  EXPECT_EQ(high.owner("\xFF"), 2);
  EXPECT_EQ(high.owner("\xFF\x00"s), 3);
}

TEST(KeyRanges, RandomSamplesGiveMonotoneOwnersOverRandomKeys) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    const int parts = 1 + static_cast<int>(rng() % 9);
    const auto sample = random_keys(rng() % 60, rng);
    auto keys = random_keys(300, rng);
    keys.insert(keys.end(), sample.begin(), sample.end());  // the sampled keys themselves too
    SCOPED_TRACE("round " + std::to_string(round));
    check_monotone(KeyRanges::from_sample(views(sample), parts), parts, keys);
  }
}

TEST(KeyRanges, DistinctSampleGivesBalancedRanges) {
  std::mt19937_64 rng(11);
  for (const std::size_t n : {8u, 100u, 1000u, 4096u, 10007u}) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < n; ++i) keys.push_back("sku-" + std::to_string(rng()) + "\xFF" + std::to_string(i));
    for (int parts = 1; parts <= 8; ++parts) {
      if (n < static_cast<std::size_t>(parts)) continue;
      SCOPED_TRACE(std::to_string(n) + " keys, " + std::to_string(parts) + " parts");
      // The sample is the keys themselves (in no order): ranges should hold n / parts each,
      // give or take one.
      std::vector<std::string> shuffled = keys;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      const auto ranges = KeyRanges::from_sample(views(shuffled), parts);
      std::vector<std::size_t> held(parts);
      for (const auto& k : keys) ++held[ranges.owner(k)];
      const auto [lo, hi] = std::minmax_element(held.begin(), held.end());
      EXPECT_LE(*hi - *lo, 1u) << "smallest range " << *lo << ", largest " << *hi;
      // A sample of every 10th key in key order: within two sample strides (20 keys) of the
      // mean (a splitter is a sampled key, so a cut may be off by a stride either way). A sample of every
      // 10th key in arrival (random) order: a quantile estimate, within half the mean (the
      // standard deviation is about 8% of the mean for 8 ranks and 1,000 sampled keys).
      if (n >= 1000) {
        std::vector<std::string> sorted = keys;
        std::sort(sorted.begin(), sorted.end(), binary_less);
        for (const bool in_order : {true, false}) {
          const auto& from = in_order ? sorted : keys;
          std::vector<std::string_view> every10;
          for (std::size_t i = 0; i < n; i += 10) every10.push_back(from[i]);
          const auto sampled = KeyRanges::from_sample(every10, parts);
          std::vector<std::size_t> got(parts);
          for (const auto& k : keys) ++got[sampled.owner(k)];
          const double mean = static_cast<double>(n) / parts;
          for (int r = 0; r < parts; ++r)
            EXPECT_NEAR(static_cast<double>(got[r]), mean, in_order ? 21 : 0.5 * mean)
                << "range " << r << (in_order ? ", sample in key order" : ", sample in random order");
        }
      }
    }
  }
}

TEST(KeyRanges, AllEqualSampleStillGivesEveryKeyOneOwner) {
  const std::vector<std::string> same(50, "same\xFF"s);
  const auto keys = tricky_keys();
  for (int parts = 1; parts <= 8; ++parts) {
    SCOPED_TRACE(std::to_string(parts) + " parts");
    const auto ranges = KeyRanges::from_sample(views(same), parts);
    std::vector<std::string> all = keys;
    all.push_back("same\xFF"s);
    all.push_back("same\xFF\0"s);
    all.push_back("same"s);
    check_monotone(ranges, parts, all);
    // The repeated key itself lands in one range, and all of its copies with it.
    EXPECT_EQ(ranges.owner("same\xFF"), ranges.owner(std::string("same\xFF")));
  }
}

TEST(KeyRanges, EmptySampleWorks) {
  for (int parts = 1; parts <= 8; ++parts) {
    SCOPED_TRACE(std::to_string(parts) + " parts");
    check_monotone(KeyRanges::from_sample({}, parts), parts, tricky_keys());
  }
  // A sample of empty keys only is as valid.
  const std::vector<std::string> empties(5, "");
  check_monotone(KeyRanges::from_sample(views(empties), 4), 4, tricky_keys());
}

TEST(KeyRanges, SampleSmallerThanRanksWorks) {
  const std::vector<std::string> two = {"m", "b"};
  for (int parts = 3; parts <= 8; ++parts)
    check_monotone(KeyRanges::from_sample(views(two), parts), parts, tricky_keys());
}

TEST(PackKeys, RoundTripKeepsEmptyKeysNulsAndHighBytes) {
  std::vector<std::string> keys = tricky_keys();
  keys.push_back(std::string(70000, '\0'));
  keys.push_back("");
  keys.insert(keys.begin(), "");
  std::vector<char> packed;
  lfp::pack_keys(keys, packed);
  const auto back = lfp::unpack_keys(packed);
  ASSERT_EQ(back.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(back[i], keys[i]) << "key " << i;

  // Appending: two samples packed back to back read as one (what allgather_bytes gives).
  std::vector<char> both;
  lfp::pack_keys({"x"s}, both);
  lfp::pack_keys({}, both);
  lfp::pack_keys({""s, "\0y"s}, both);
  const auto joined = lfp::unpack_keys(both);
  ASSERT_EQ(joined.size(), 3u);
  EXPECT_EQ(joined[0], "x");
  EXPECT_EQ(joined[1], "");
  EXPECT_EQ(joined[2], "\0y"s);

  EXPECT_TRUE(lfp::unpack_keys({}).empty());
}

TEST(PackKeys, TruncatedInputIsRefused) {
  std::vector<char> packed;
  lfp::pack_keys({"abcdef"s}, packed);
  for (std::size_t cut = 1; cut < packed.size(); ++cut) {
    const std::vector<char> part(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_ANY_THROW(lfp::unpack_keys(part)) << "cut at " << cut;
  }
}

TEST(CountOrderKey, MemcmpOrderIsProductsDescendingThenName) {
  std::vector<std::pair<std::int64_t, std::string>> counts;
  const std::int64_t sizes[] = {1, 2, 3, 255, 256, 257, 65535, 65536, 1 << 24, std::int64_t{1} << 40, INT64_MAX - 1};
  for (auto n : sizes)
    for (const auto& name : tricky_keys()) counts.emplace_back(n, name);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) {
    auto name = random_keys(1, rng)[0];
    counts.emplace_back(1 + static_cast<std::int64_t>(rng() % 300), std::move(name));
  }
  auto expected = counts;
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : binary_less(a.second, b.second);
  });
  std::vector<std::pair<std::string, std::size_t>> keyed;
  for (std::size_t i = 0; i < counts.size(); ++i)
    keyed.emplace_back(lfp::count_order_key(counts[i].first, counts[i].second), i);
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return binary_less(a.first, b.first); });
  ASSERT_EQ(keyed.size(), expected.size());
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    EXPECT_EQ(counts[keyed[i].second], expected[i]) << "position " << i;
    if (::testing::Test::HasFailure()) break;
  }
  // Distinct counts give distinct keys, and the key holds the name verbatim at its end.
  EXPECT_NE(lfp::count_order_key(1, "a"), lfp::count_order_key(2, "a"));
  const auto k = lfp::count_order_key(42, "n\0\xFF"s);
  EXPECT_EQ(k.substr(k.size() - 3), "n\0\xFF"s);
}

TEST(CountOrderKey, RangesOverCountKeysKeepEqualNamesOfEqualCountsTogether) {
  // What build_name_index does with the keys: ranges from a sample, each count to one owner;
  // the owners must be monotone in (products DESC, name) order.
  std::vector<std::pair<std::int64_t, std::string>> counts;
  for (std::int64_t n = 1; n <= 40; ++n)
    for (const auto& name : tricky_keys()) counts.emplace_back(n, name);
  std::vector<std::string> keys;
  for (const auto& [n, name] : counts) keys.push_back(lfp::count_order_key(n, name));
  std::vector<std::string_view> sample;
  for (std::size_t i = 0; i < keys.size(); i += 7) sample.push_back(keys[i]);
  const auto ranges = KeyRanges::from_sample(sample, 5);
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : binary_less(a.second, b.second);
  });
  int prev = 0;
  for (const auto& [n, name] : counts) {
    const int o = ranges.owner(lfp::count_order_key(n, name));
    ASSERT_GE(o, prev) << n << " products";
    prev = o;
  }
  EXPECT_EQ(prev, 4);
}

}  // namespace
