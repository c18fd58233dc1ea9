#include "ingest/byte_partition.hpp"

#include <algorithm>

namespace lfp {

std::vector<ByteRange> partition(const std::vector<std::uint64_t>& file_sizes, int ranks) {
  std::uint64_t total = 0;
  for (auto s : file_sizes) total += s;
  std::vector<std::uint64_t> cuts(ranks + 1);
  for (int r = 0; r <= ranks; ++r) {
    // 128-bit product: totals times rank counts can exceed 64 bits' comfort zone.
    std::uint64_t cut = static_cast<std::uint64_t>((static_cast<unsigned __int128>(total) * r) / ranks);
    std::uint64_t file_start = 0;
    for (auto size : file_sizes) {
      if (cut < file_start + size) {
        const std::uint64_t within = cut - file_start;
        if (within > 0 && within < 3) cut = file_start + std::min<std::uint64_t>(3, size);
        break;
      }
      file_start += size;
    }
    cuts[r] = r > 0 ? std::max(cut, cuts[r - 1]) : 0;
  }
  cuts[ranks] = total;
  std::vector<ByteRange> out(ranks);
  for (int r = 0; r < ranks; ++r) out[r] = {cuts[r], std::max(cuts[r], cuts[r + 1])};
  return out;
}

std::vector<Segment> segments_of(const std::vector<std::uint64_t>& file_sizes, ByteRange range) {
  std::vector<Segment> out;
  std::uint64_t file_start = 0;
  for (std::uint32_t f = 0; f < file_sizes.size(); ++f) {
    const std::uint64_t file_end = file_start + file_sizes[f];
    const std::uint64_t lo = std::max(range.begin, file_start), hi = std::min(range.end, file_end);
    if (lo < hi) out.push_back({f, lo - file_start, hi - file_start});
    file_start = file_end;
  }
  return out;
}

}  // namespace lfp

namespace lfp {

std::vector<Segment> cut_segments(const std::vector<Segment>& segments, std::uint64_t piece) {
  std::vector<Segment> out;
  for (const auto& s : segments)
    for (std::uint64_t at = s.begin; at < s.end; at += piece) out.push_back({s.file, at, std::min(s.end, at + piece)});
  return out;
}

}  // namespace lfp
