#include "records/key_ranges.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "util/error.hpp"

namespace lfp {

KeyRanges KeyRanges::from_sample(std::vector<std::string_view> sample, int parts) {
  std::sort(sample.begin(), sample.end());
  std::vector<std::string> splitters;
  if (sample.empty()) return KeyRanges(std::vector<std::string>(parts > 1 ? parts - 1 : 0));
  for (int r = 1; r < parts; ++r) {
    const std::size_t at = sample.size() * static_cast<std::size_t>(r) / static_cast<std::size_t>(parts);
    splitters.emplace_back(sample[at == 0 ? 0 : at - 1]);
  }
  return KeyRanges(std::move(splitters));
}

int KeyRanges::owner(std::string_view key) const {
  // std::string_view compares bytes as unsigned char, like memcmp: the BINARY order.
  const auto it = std::lower_bound(splitters_.begin(), splitters_.end(), key,
                                   [](const std::string& s, std::string_view k) { return std::string_view(s) < k; });
  return static_cast<int>(it - splitters_.begin());
}

void pack_keys(const std::vector<std::string>& keys, std::vector<char>& out) {
  for (const auto& k : keys) {
    const auto n = static_cast<std::uint32_t>(k.size());
    const auto at = out.size();
    out.resize(at + 4 + n);
    std::memcpy(out.data() + at, &n, 4);
    std::memcpy(out.data() + at + 4, k.data(), n);
  }
}

std::vector<std::string_view> unpack_keys(const std::vector<char>& packed) {
  std::vector<std::string_view> keys;
  std::size_t at = 0;
  while (at < packed.size()) {
    std::uint32_t n = 0;
    if (packed.size() - at < 4) throw Error(kExitInternal, "malformed key sample");
    std::memcpy(&n, packed.data() + at, 4);
    at += 4;
    if (packed.size() - at < n) throw Error(kExitInternal, "malformed key sample");
    keys.emplace_back(packed.data() + at, n);
    at += n;
  }
  return keys;
}

std::string count_order_key(std::int64_t products, std::string_view name) {
  // Counts are positive: INT64_MAX - products keeps the key's first byte below 0x80 and
  // orders larger counts first.
  std::uint64_t inverted = static_cast<std::uint64_t>(INT64_MAX - products);
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, inverted >>= 8) key[i] = static_cast<char>(inverted & 0xff);
  key.append(name);
  return key;
}

}  // namespace lfp
