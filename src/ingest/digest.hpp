#pragma once
// Content digests for the sources ledger, independent of the rank count: a file is cut into
// fixed 4 MiB blocks, each block gets an XXH3-128 digest (on whichever rank's range holds the
// block's first byte), and the file's digest is XXH3-128 over its size and its block digests
// in order.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/byte_partition.hpp"

namespace lfp {

inline constexpr std::uint64_t kDigestBlockBytes = std::uint64_t{4} << 20;

struct BlockDigest {
  std::uint32_t file = 0;
  std::uint64_t block = 0;
  std::uint64_t low = 0, high = 0;  // XXH3-128
};

// The digests of the blocks whose first byte lies in `range` (offsets in the concatenation
// of all files); bytes(file) is the whole file. `release(file, begin, end)`, when given, is
// told after each block that its bytes were read (a mapped input's pages can go: the
// digest of a rank's range then holds a block of it at a time, not the whole range).
std::vector<BlockDigest> digest_blocks(
    const std::vector<std::uint64_t>& file_sizes, ByteRange range,
    const std::function<std::string_view(std::uint32_t)>& bytes,
    const std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>& release = {});

// Every file's digest (32 hex digits) from the blocks of all ranks, in any order.
std::vector<std::string> file_digests(const std::vector<std::uint64_t>& file_sizes, std::vector<BlockDigest> blocks);

// The digest of one whole file's bytes (the same value as above).
std::string digest_of(std::string_view bytes);

}  // namespace lfp
