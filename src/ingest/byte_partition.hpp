#pragma once
// The byte partition: the concatenated bytes of all input files cut into one contiguous
// range per rank, and each range's pieces of files (segments).
#include <cstdint>
#include <vector>

namespace lfp {

// A piece of one file: bytes [begin, end) of file number `file` (command-line order).
struct Segment {
  std::uint32_t file = 0;
  std::uint64_t begin = 0, end = 0;
};

// A rank's range in the concatenation of all files: bytes [begin, end).
struct ByteRange {
  std::uint64_t begin = 0, end = 0;
};

// Even cuts of the total size, except that no cut falls inside the first 3 bytes of a file:
// a byte order mark is then always read whole by the rank that starts the file.
std::vector<ByteRange> partition(const std::vector<std::uint64_t>& file_sizes, int ranks);

// The file pieces that make up `range`, in order; empty files and empty pieces are left out.
std::vector<Segment> segments_of(const std::vector<std::uint64_t>& file_sizes, ByteRange range);

// `segments` cut into pieces of at most `piece` bytes (a cut never falls in a file's first 3
// bytes: segments start at 0 or past them, and pieces are far longer).
std::vector<Segment> cut_segments(const std::vector<Segment>& segments, std::uint64_t piece);

}  // namespace lfp
