#include "util/string_sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace lfp {
namespace {

// What the dedup relies on: byte order (bytes as unsigned), then the tie order.
std::vector<std::uint32_t> reference(const std::vector<std::string>& s, const std::vector<int>& tie) {
  std::vector<std::uint32_t> order(s.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int c = std::string_view(s[a]).compare(s[b]);
    return c != 0 ? c < 0 : tie[a] < tie[b];
  });
  return order;
}

std::vector<std::uint32_t> sorted(const std::vector<std::string>& s, const std::vector<int>& tie) {
  return sort_by_string(
      s.size(), [&](std::uint32_t i) { return std::string_view(s[i]); },
      [&](std::uint32_t a, std::uint32_t b) { return tie[a] < tie[b]; });
}

void expect_sorted_like_reference(const std::vector<std::string>& s, std::mt19937_64& rng) {
  std::vector<int> tie(s.size());
  std::iota(tie.begin(), tie.end(), 0);
  std::shuffle(tie.begin(), tie.end(), rng);  // unique ties: one right answer
  ASSERT_EQ(sorted(s, tie), reference(s, tie)) << s.size() << " strings";
}

// Strings sharing long prefixes, with the bytes that break naive comparisons: NUL (equal to
// the padding) and 0xFF (negative as a signed char), lengths around the 8-byte words.
std::vector<std::string> skus_like(std::size_t n, std::mt19937_64& rng) {
  const std::vector<std::string> words = {
      "",        "a",        "ab",       "alpha-", "alpha-beta", std::string("x\0y", 3), "\xff\xfe", "bravo-charlie-",
      "0123456", "01234567", "012345678"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s;
    const std::size_t parts = rng() % 5;
    for (std::size_t p = 0; p < parts; ++p) s += words[rng() % words.size()];
    if (rng() % 3 == 0) s += std::to_string(rng() % 50);
    out.push_back(s);
  }
  return out;
}

TEST(SortByString, MatchesByteOrderThenTieOrderOnWordyStrings) {
  std::mt19937_64 rng(7);
  for (std::size_t n : {0, 1, 2, 3, 23, 24, 25, 26, 100, 1000, 20000, 200000})
    expect_sorted_like_reference(skus_like(n, rng), rng);
}

TEST(SortByString, EqualStringsComeOutInTieOrder) {
  std::mt19937_64 rng(1);
  expect_sorted_like_reference(std::vector<std::string>(5000, "same-sku-for-everyone"), rng);
  expect_sorted_like_reference(std::vector<std::string>(5000, ""), rng);
}

TEST(SortByString, PrefixesSortBeforeTheirExtensions) {
  std::mt19937_64 rng(2);
  std::vector<std::string> s;
  for (int rep = 0; rep < 50; ++rep)
    for (std::size_t len = 0; len <= 40; ++len) {
      s.push_back(std::string(len, 'k'));
      s.push_back(std::string(len, '\0'));  // "", "\0", "\0\0": distinct, in length order
    }
  expect_sorted_like_reference(s, rng);
}

TEST(SortByString, LongCommonPrefixAndPresortedInputs) {
  std::mt19937_64 rng(3);
  const std::string common(1000, 'p');
  std::vector<std::string> s;
  for (int i = 0; i < 30000; ++i) s.push_back(common + std::to_string(rng() % 10000));
  expect_sorted_like_reference(s, rng);
  std::sort(s.begin(), s.end());
  expect_sorted_like_reference(s, rng);
  std::reverse(s.begin(), s.end());
  expect_sorted_like_reference(s, rng);
}

TEST(SortByString, RandomBytes) {
  std::mt19937_64 rng(4);
  std::vector<std::string> s;
  for (int i = 0; i < 50000; ++i) {
    std::string v(rng() % 20, '\0');
    for (auto& c : v) c = static_cast<char>(rng() % 4 == 0 ? 0xff : rng() % 3);
    s.push_back(v);
  }
  expect_sorted_like_reference(s, rng);
}

}  // namespace
}  // namespace lfp
