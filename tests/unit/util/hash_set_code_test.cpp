#include "util/hash_set_code.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "util/error.hpp"

namespace {

using lfp::decode_hash_set;
using lfp::encode_hash_set;

std::uint64_t mask_of(int bits) { return bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1; }

std::vector<std::uint64_t> random_values(std::size_t n, int bits, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = rng() & mask_of(bits);
  return v;
}

std::vector<std::uint64_t> sorted(std::vector<std::uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Decoding `code` throws lfp::Error with the exit code of unreadable stored data.
void expect_corrupt(std::string_view code, const std::string& what) {
  try {
    decode_hash_set(code);
    ADD_FAILURE() << what << ": decoded";
  } catch (const lfp::Error& e) {
    EXPECT_EQ(e.code(), lfp::kExitOutput) << what << ": " << e.what();
  }
}

TEST(HashSetCode, RandomSetsRoundTripAtEverySizeAndWidth) {
  for (const std::size_t n : {0, 1, 2, 1000, 100000})
    for (const int bits : {1, 8, 32, 40, 48, 64}) {
      const auto values = random_values(n, bits, n * 100 + static_cast<std::uint64_t>(bits));
      EXPECT_EQ(decode_hash_set(encode_hash_set(values, bits)), sorted(values))
          << n << " values of " << bits << " bits";
    }
}

TEST(HashSetCode, TheFormatIsItsHeaderThenRiceCodesLowBitFirst) {
  // {1, 3} at 8 bits: count 2, 8 bits, k = 8 - ceil(log2 2) = 7; deltas 1 and 2, each a 0
  // (quotient 0) and 7 remainder bits.
  EXPECT_EQ(encode_hash_set({3, 1}, 8), std::string("\x02\x08\x07\x02\x04", 5));
  EXPECT_EQ(encode_hash_set({}, 40), std::string("\x00\x28\x28", 3));
  EXPECT_TRUE(decode_hash_set(std::string("\x00\x28\x28", 3)).empty());
  // A count of 300 takes a two-byte varint.
  EXPECT_EQ(encode_hash_set(std::vector<std::uint64_t>(300, 0), 16).substr(0, 4), std::string("\xAC\x02\x10\x07", 4));
}

TEST(HashSetCode, DuplicatesAndZerosAreKept) {
  const std::vector<std::uint64_t> values = {0, 5, 0, 5, 5, 0, 1};
  for (const int bits : {1, 3, 8, 64}) {
    std::vector<std::uint64_t> want;
    for (auto v : values) want.push_back(v & mask_of(bits));
    EXPECT_EQ(decode_hash_set(encode_hash_set(values, bits)), sorted(want)) << bits << " bits";
  }
  EXPECT_EQ(decode_hash_set(encode_hash_set({0}, 40)), std::vector<std::uint64_t>{0});
  EXPECT_EQ(decode_hash_set(encode_hash_set({0, 0}, 64)), (std::vector<std::uint64_t>{0, 0}));
}

TEST(HashSetCode, AdversarialSpacingStaysSmall) {
  const std::uint64_t max64 = ~std::uint64_t{0};
  // Two values 2^64 apart: k = 63, quotients 0 and 1.
  const std::string two = encode_hash_set({max64, 0}, 64);
  EXPECT_EQ(decode_hash_set(two), (std::vector<std::uint64_t>{0, max64}));
  EXPECT_LE(two.size(), 3 + 2 * (64 + 64) / 8);

  // Equal values: the first delta is the value itself (a quotient of about 1000 for k =
  // bits - 10, escaped), then zeros of k + 1 bits.
  for (const int bits : {8, 40, 64}) {
    const std::vector<std::uint64_t> same(1000, mask_of(bits));
    const std::string code = encode_hash_set(same, bits);
    EXPECT_EQ(decode_hash_set(code), same) << bits << " bits";
    const int k = std::max(0, bits - 10);
    EXPECT_LE(code.size(), 4 + (64 + bits + 999 * (k + 1) + 7) / 8) << bits << " bits";
  }

  // Quotients on both sides of the escape: 65536 values of 32 bits have k = 16.
  std::vector<std::uint64_t> values(65536 - 5, 0);
  const std::uint64_t a = (std::uint64_t{63} << 16) | 0xFFFF;  // quotient 63: the longest unary run
  const std::uint64_t b = a + (std::uint64_t{64} << 16);       // quotient 64: escaped
  const std::uint64_t c = b + (std::uint64_t{64} << 16) - 1;   // quotient 63 again
  const std::uint64_t d = c + (std::uint64_t{1000} << 16);     // escaped
  for (auto v : {a, b, c, d, mask_of(32)}) values.push_back(v);
  const std::string code = encode_hash_set(values, 32);
  EXPECT_EQ(decode_hash_set(code), values);
  EXPECT_LE(code.size(), 5 + (65531 * 17 + 2 * 80 + 2 * (64 + 32) + 64 + 32 + 7) / 8);
}

TEST(HashSetCode, ValuesAreMaskedToTheirBits) {
  const std::vector<std::uint64_t> wide = {(std::uint64_t{0xABC} << 40) | 7, std::uint64_t{1} << 40, ~std::uint64_t{0}};
  const std::vector<std::uint64_t> narrow = {7, 0, mask_of(40)};
  EXPECT_EQ(encode_hash_set(wide, 40), encode_hash_set(narrow, 40));
  EXPECT_EQ(decode_hash_set(encode_hash_set(wide, 40)), sorted(narrow));
  EXPECT_EQ(decode_hash_set(encode_hash_set(wide, 1)), (std::vector<std::uint64_t>{0, 1, 1}));
}

TEST(HashSetCode, RandomValuesTakeAboutBitsMinusLog2NPlus1Point6BitsEach) {
  const std::size_t n = 7000;
  for (const int bits : {40, 48}) {
    const std::string code = encode_hash_set(random_values(n, bits, 7), bits);
    const double per_value = static_cast<double>(code.size()) * 8 / n;
    const double bound = bits - std::log2(static_cast<double>(n)) + 2;
    EXPECT_LE(per_value, bound) << bits << " bits";
    std::cout << "  " << n << " random " << bits << "-bit values: " << code.size() << " bytes, " << per_value
              << " bits each (bound " << bound << ")\n";
  }
}

TEST(HashSetCode, TruncatedCodesThrow) {
  for (const int bits : {1, 8, 40, 64}) {
    for (const bool escape : {false, true}) {
      // 20 random values; or 200 zeros and the largest value, whose delta is escaped.
      auto values = escape ? std::vector<std::uint64_t>(200, 0) : random_values(20, bits, 3);
      values.push_back(mask_of(bits));
      const std::string what = std::to_string(bits) + " bits" + (escape ? ", escaped" : "");
      const std::string code = encode_hash_set(values, bits);
      ASSERT_EQ(decode_hash_set(code), sorted(values)) << what;
      for (std::size_t len = 0; len < code.size(); ++len)
        expect_corrupt(std::string_view(code).substr(0, len), what + ", cut at " + std::to_string(len));
      expect_corrupt(code + '\0', what + ", a byte more");
    }
  }
}

TEST(HashSetCode, BadHeadersThrow) {
  expect_corrupt(std::string("\x01\x00\x00\x00", 4), "0 bits");
  expect_corrupt(std::string("\x01\x41\x00\x00", 4), "65 bits");
  expect_corrupt(std::string("\x01\x08\x09\x00\x00", 5), "k over bits");
  expect_corrupt(std::string(10, '\xFF') + std::string("\x01\x08\x00", 3), "a count past 2^64");
  expect_corrupt(std::string(9, '\xFF') + std::string("\x02\x08\x00", 3), "a count past 2^64");
  expect_corrupt(std::string("\xFF\xFF\xFF\xFF\x0F\x08\x00\x00", 8), "2^32 values in a byte");
  expect_corrupt(std::string("\x09\x08\x00\x00", 4), "9 values in 8 bits");
  expect_corrupt(std::string("\x80", 1), "a varint cut short");
}

TEST(HashSetCode, CorruptBitsThrow) {
  // {255, 255} at 8 bits (k = 7): delta 255 (quotient 1, remainder 127), then delta 0.
  const std::string good("\x02\x08\x07\xFD\x01\x00", 6);
  ASSERT_EQ(decode_hash_set(good), (std::vector<std::uint64_t>{255, 255}));
  expect_corrupt(std::string("\x02\x08\x07\xFD\x05\x00", 6), "a second delta of 1 after 255: 256");
  expect_corrupt(std::string("\x02\x08\x07\xFD\x01\x02", 6), "a padding bit set");
  expect_corrupt(std::string("\x01\x08\x08\x01\x00", 5), "a quotient of 1 with k = bits");
  // 64 bits, k = 63: a quotient of 2 would wrap to a delta of 0 past 2^64.
  expect_corrupt(std::string("\x01\x40\x3F\x03", 4) + std::string(8, '\x00'), "a quotient of 2 with k = 63");
  expect_corrupt(std::string("\x01\x08\x07", 3) + std::string(8, '\xFF') + '\x05', "an escape of a small delta");
  expect_corrupt(std::string("\x01\x40\x40", 3) + std::string(8, '\xFF') + std::string(8, '\x00'),
                 "an escape with k = 64");
  expect_corrupt(std::string("\x01\x08\x00", 3) + std::string(8, '\xFF'), "an escape without its delta");
}

TEST(HashSetCode, FlippedBitsThrowOrDecodeToValidValues) {
  for (const int bits : {8, 40, 64}) {
    auto values = random_values(30, bits, 11);
    values.push_back(mask_of(bits));
    const std::string code = encode_hash_set(values, bits);
    for (std::size_t bit = 0; bit < code.size() * 8; ++bit) {
      std::string bad = code;
      bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
      try {
        const auto got = decode_hash_set(bad);
        EXPECT_TRUE(std::is_sorted(got.begin(), got.end())) << bits << " bits, bit " << bit;
        const int got_bits = static_cast<unsigned char>(bad[(bad[0] & 0x80) ? 2 : 1]);  // after a 1- or 2-byte count
        for (auto v : got) EXPECT_EQ(v & ~mask_of(got_bits), 0u) << bits << " bits, bit " << bit;
      } catch (const lfp::Error& e) {
        EXPECT_EQ(e.code(), lfp::kExitOutput);
      }
    }
  }
}

TEST(HashSetCode, BitsOutsideOneTo64AreABug) {
  for (const int bits : {0, -1, 65}) {
    try {
      encode_hash_set({1}, bits);
      ADD_FAILURE() << bits << " bits: encoded";
    } catch (const lfp::Error& e) {
      EXPECT_EQ(e.code(), lfp::kExitInternal);
    }
  }
}

}  // namespace
