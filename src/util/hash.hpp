#pragma once
// Routing hash: which rank owns a sku (or a name). Must be identical on every rank.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace lfp {

// splitmix64's finalizer: a cheap bijective mixer (also the generator's source of randomness).
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = mix64(seed ^ (s.size() * 0x9E3779B97F4A7C15ULL));
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h ^ w);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return mix64(h ^ tail ^ (std::uint64_t{n} << 56));
}

// Maps 64 random bits onto [0, n) without the bias or cost of a modulo.
constexpr std::uint64_t below(std::uint64_t bits, std::uint64_t n) {
  __extension__ using uint128 = unsigned __int128;
  return static_cast<std::uint64_t>((static_cast<uint128>(bits) * n) >> 64);
}

// The rank that owns a hashed key.
constexpr int owner_of(std::uint64_t hash, int ranks) {
  return static_cast<int>(below(hash, static_cast<std::uint64_t>(ranks)));
}

inline constexpr std::uint64_t kSkuSeed = 0x5C0FFEE;
inline constexpr std::uint64_t kNameSeed = 0xA11CE;

}  // namespace lfp
