#pragma once
// Byte-level facts shared by the range scan and the record parser, so the two passes can
// never disagree on them: which bytes end an unquoted field, and where lines end.
#include <cstdint>
#include <string_view>

namespace lfp::csv {

// Bytes that end an unquoted field (a quote there is data).
struct FieldStops {
  bool stop[256]{};
  constexpr FieldStops() { stop[','] = stop['\r'] = stop['\n'] = true; }
};
inline constexpr FieldStops kFieldStops{};

// Line ends in bytes [begin, end) of `file`: LF, and CR not followed by LF (a CRLF counts
// once, at its LF, which may lie past `end`). Inside quotes or not.
inline std::uint64_t count_line_ends(std::string_view file, std::uint64_t begin, std::uint64_t end) {
  if (begin >= end) return 0;
  const auto* b = reinterpret_cast<const unsigned char*>(file.data());
  std::uint64_t n = 0;
  const std::uint64_t body_end = end < file.size() ? end : end - 1;  // keeps b[p + 1] in the file
  std::uint64_t p = begin;
  for (; p < body_end; ++p) n += (b[p] == '\n') | ((b[p] == '\r') & (b[p + 1] != '\n'));
  for (; p < end; ++p) n += b[p] == '\n' || b[p] == '\r';  // the file's last byte
  return n;
}

}  // namespace lfp::csv
