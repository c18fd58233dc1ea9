#include "ingest/digest.hpp"

#include <xxhash.h>

#include <algorithm>

namespace lfp {

std::vector<BlockDigest> digest_blocks(
    const std::vector<std::uint64_t>& file_sizes, ByteRange range,
    const std::function<std::string_view(std::uint32_t)>& bytes,
    const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release) {
  std::vector<BlockDigest> out;
  std::uint64_t file_start = 0;
  for (std::uint32_t f = 0; f < file_sizes.size(); ++f) {
    const std::uint64_t size = file_sizes[f];
    if (file_start + size > range.begin && file_start < range.end) {
      // First block starting at or after range.begin, last starting before range.end.
      const std::uint64_t lo = range.begin > file_start ? range.begin - file_start : 0;
      std::uint64_t k = (lo + kDigestBlockBytes - 1) / kDigestBlockBytes;
      const std::string_view file = bytes(f);
      for (; k * kDigestBlockBytes < size && file_start + k * kDigestBlockBytes < range.end; ++k) {
        const std::uint64_t begin = k * kDigestBlockBytes;
        const std::uint64_t n = std::min(kDigestBlockBytes, size - begin);
        const XXH128_hash_t h = XXH3_128bits(file.data() + begin, n);
        out.push_back({f, k, h.low64, h.high64});
        if (release) release(f, begin, begin + n);
      }
    }
    file_start += size;
  }
  return out;
}

std::vector<std::string> file_digests(const std::vector<std::uint64_t>& file_sizes, std::vector<BlockDigest> blocks) {
  std::sort(blocks.begin(), blocks.end(), [](const BlockDigest& a, const BlockDigest& b) {
    return a.file != b.file ? a.file < b.file : a.block < b.block;
  });
  std::vector<std::string> out(file_sizes.size());
  std::size_t i = 0;
  for (std::uint32_t f = 0; f < file_sizes.size(); ++f) {
    XXH3_state_t* state = XXH3_createState();
    XXH3_128bits_reset(state);
    const std::uint64_t size = file_sizes[f];
    XXH3_128bits_update(state, &size, sizeof size);
    for (; i < blocks.size() && blocks[i].file == f; ++i) {
      const std::uint64_t pair[2] = {blocks[i].low, blocks[i].high};
      XXH3_128bits_update(state, pair, sizeof pair);
    }
    const XXH128_hash_t h = XXH3_128bits_digest(state);
    XXH3_freeState(state);
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    out[f] = hex;
  }
  return out;
}

std::string digest_of(std::string_view bytes) {
  const std::vector<std::uint64_t> sizes{bytes.size()};
  return file_digests(sizes, digest_blocks(sizes, {0, bytes.size()}, [&](std::uint32_t) { return bytes; }))[0];
}

}  // namespace lfp
