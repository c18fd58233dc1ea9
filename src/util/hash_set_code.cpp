#include "util/hash_set_code.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "util/error.hpp"

namespace lfp {

namespace {

std::uint64_t low_bits(int n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

// floor(log2(2^bits / n)) = bits - ceil(log2(n)), clamped to [0, bits]: the Rice parameter
// of the mean delta of n random values. No values, or one, have no mean delta: k = bits.
int rice_parameter(std::size_t n, int bits) {
  if (n <= 1) return bits;
  const int ceil_log2 = 64 - std::countl_zero(static_cast<std::uint64_t>(n - 1));
  return std::max(0, bits - ceil_log2);
}

std::uint64_t to_little_endian(std::uint64_t x) {
  if constexpr (std::endian::native == std::endian::big) x = __builtin_bswap64(x);
  return x;
}

// Bits least significant first into little-endian 64-bit words appended to `out`; the last
// word is cut to the bytes it uses (its unused bits zero).
class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}
  // The `n` low bits of `v` (0 <= n <= 64; v has no bits above them).
  void put(std::uint64_t v, int n) {
    acc_ |= v << fill_;
    if (fill_ + n >= 64) {
      emit(acc_, 8);
      acc_ = fill_ == 0 ? 0 : v >> (64 - fill_);
      fill_ = fill_ + n - 64;
    } else {
      fill_ += n;
    }
  }
  void finish() { emit(acc_, static_cast<std::size_t>(fill_ + 7) / 8); }

 private:
  void emit(std::uint64_t word, std::size_t bytes) {
    word = to_little_endian(word);
    char b[8];
    std::memcpy(b, &word, 8);
    out_.append(b, bytes);
  }
  std::string& out_;
  std::uint64_t acc_ = 0;
  int fill_ = 0;  // bits held in acc_, < 64
};

[[noreturn]] void corrupt(const std::string& why) { throw Error(kExitOutput, "corrupt hash set code: " + why); }

}  // namespace

std::string encode_hash_set(std::vector<std::uint64_t> values, int bits) {
  if (bits < 1 || bits > 64)
    throw Error(kExitInternal, "hash set code: " + std::to_string(bits) + " bits per value (1 to 64)");
  const std::uint64_t mask = low_bits(bits);
  for (auto& v : values) v &= mask;
  std::sort(values.begin(), values.end());
  const int k = rice_parameter(values.size(), bits);
  const std::uint64_t k_mask = low_bits(k);

  std::string out;
  out.reserve(12 + values.size() * static_cast<std::size_t>(k + 3) / 8);
  std::uint64_t count = values.size();  // a varint: 7 bits a byte, low first, high bit = more
  for (; count >= 0x80; count >>= 7) out += static_cast<char>((count & 0x7F) | 0x80);
  out += static_cast<char>(count);
  out += static_cast<char>(bits);
  out += static_cast<char>(k);

  BitWriter w(out);
  std::uint64_t prev = 0;
  for (const std::uint64_t v : values) {
    const std::uint64_t d = v - prev;
    prev = v;
    const std::uint64_t q = k == 64 ? 0 : d >> k;
    if (q < 64) {
      w.put(low_bits(static_cast<int>(q)), static_cast<int>(q) + 1);  // q ones, then a zero
      w.put(d & k_mask, k);
    } else {
      w.put(~std::uint64_t{0}, 64);  // escape: a quotient this long would waste up to 2^bits bits
      w.put(d, bits);
    }
  }
  w.finish();
  return out;
}

std::vector<std::uint64_t> decode_hash_set(std::string_view code) {
  std::size_t at = 0;
  std::uint64_t n = 0;
  for (int shift = 0;; shift += 7) {
    if (at == code.size()) corrupt("it ends inside its header");
    const auto byte = static_cast<unsigned char>(code[at++]);
    if (shift == 63 && byte > 1) corrupt("its count overflows");
    n |= std::uint64_t{byte & 0x7Fu} << shift;
    if (byte < 0x80) break;  // (a 10th byte is 0 or 1: it ends the count)
  }
  if (code.size() - at < 2) corrupt("it ends inside its header");
  const int bits = static_cast<unsigned char>(code[at]);
  const int k = static_cast<unsigned char>(code[at + 1]);
  at += 2;
  if (bits < 1 || bits > 64) corrupt(std::to_string(bits) + " bits per value");
  if (k > bits) corrupt("Rice parameter " + std::to_string(k) + " over " + std::to_string(bits) + " bits");

  const std::size_t bytes = code.size() - at;
  const std::uint64_t end = std::uint64_t{bytes} * 8;
  // Every value takes at least k + 1 bits: a count the bits cannot hold is corrupt (and is
  // refused before it sizes the output).
  if (n > end / static_cast<std::uint64_t>(k + 1))
    corrupt("a count of " + std::to_string(n) + " in " + std::to_string(bytes) + " bytes");

  // The bits as 64-bit words, with zero words after them so that a read of 64 bits from any
  // position up to 64 past the end stays inside: reads need no bounds checks, only the
  // position is checked against `end`, once per value.
  std::vector<std::uint64_t> words((bytes + 7) / 8 + 3, 0);
  if (bytes > 0) std::memcpy(words.data(), code.data() + at, bytes);
  if constexpr (std::endian::native == std::endian::big)
    for (auto& word : words) word = __builtin_bswap64(word);
  // The 64 bits from bit `pos` on (the second shift is in two steps, defined when pos % 64 == 0).
  const auto peek = [&words](std::uint64_t pos) {
    const std::uint64_t* w = words.data() + (pos >> 6);
    const unsigned o = pos & 63;
    return (w[0] >> o) | ((w[1] << 1) << (63 - o));
  };

  const std::uint64_t mask = low_bits(bits);
  const std::uint64_t k_mask = low_bits(k);
  const std::uint64_t q_max = k == 64 ? 0 : mask >> k;  // a larger quotient is a delta past 2^bits
  const unsigned k_shift = k & 63;                      // k == 64 only with q == 0
  std::vector<std::uint64_t> values(n);
  std::uint64_t pos = 0;
  std::uint64_t prev = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t x = peek(pos);
    std::uint64_t d;
    if (~x != 0) {
      const unsigned q = static_cast<unsigned>(__builtin_ctzll(~x));
      if (q > q_max) corrupt("a delta past 2^" + std::to_string(bits));
      // The remainder is usually in the same 64 bits as the quotient.
      const std::uint64_t r = (q + 1 + k <= 64 ? (x >> q) >> 1 : peek(pos + q + 1)) & k_mask;
      d = (std::uint64_t{q} << k_shift) | r;
      pos += q + 1 + k;
    } else {
      d = peek(pos + 64) & mask;
      pos += 64 + bits;
      if (pos <= end && (k == 64 || d >> k < 64)) corrupt("an escaped delta that needs no escape");
    }
    if (pos > end) corrupt("it ends inside value " + std::to_string(i) + " of " + std::to_string(n));
    if (d > mask - prev) corrupt("a value past 2^" + std::to_string(bits));
    prev += d;
    values[i] = prev;
  }
  // What is left is the last byte's padding: fewer than 8 bits, all zero.
  if (end - pos >= 8 || peek(pos) != 0) corrupt(std::to_string(end - pos) + " bits after its values");
  return values;
}

}  // namespace lfp
