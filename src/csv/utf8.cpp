#include "csv/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace lfp::csv {
namespace {

// Any byte with the high bit set, or any zero byte, in a 64-bit word.
bool word_is_plain_ascii(std::uint64_t w) {
  constexpr std::uint64_t kLow = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const bool high = (w & kHigh) != 0;
  const bool zero = ((w - kLow) & ~w & kHigh) != 0;
  return !high && !zero;
}

// Bytes in the valid UTF-8 sequence at `p` (1 to 4), or 0 when none starts there.
int sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  if (c < 0x80) return 1;
  int extra;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    extra = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    extra = 2;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    extra = 3;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else {
    return 0;
  }
  if (end - p <= extra || p[1] < lo || p[1] > hi) return 0;
  for (int i = 2; i <= extra; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return extra + 1;
}

}  // namespace

std::string escape_invalid_utf8(std::string_view bytes) {
  if (check_text(bytes) != TextCheck::InvalidUtf8) return std::string(bytes);
  static const char* hex = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  std::string out;
  while (p < end) {
    const int n = sequence_length(p, end);
    if (n > 0) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    } else {
      out += "\\x";
      out += hex[*p >> 4];
      out += hex[*p & 15];
      ++p;
    }
  }
  return out;
}

TextCheck check_text(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  bool invalid = false;
  while (p < end) {
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (word_is_plain_ascii(w)) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c == 0) return TextCheck::HasNul;  // NUL outranks encoding errors
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0)
        lo = 0xA0;  // overlong
      else if (c == 0xED)
        hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0)
        lo = 0x90;  // overlong
      else if (c == 0xF4)
        hi = 0x8F;  // above U+10FFFF
    } else {
      invalid = true;
      ++p;
      continue;
    }
    if (end - p <= extra || p[1] < lo || p[1] > hi) {
      invalid = true;
      ++p;
      continue;
    }
    bool ok = true;
    for (int i = 2; i <= extra; ++i)
      if ((p[i] & 0xC0) != 0x80) ok = false;
    if (!ok) {
      invalid = true;
      ++p;
      continue;
    }
    p += extra + 1;
  }
  return invalid ? TextCheck::InvalidUtf8 : TextCheck::Ok;
}

}  // namespace lfp::csv
