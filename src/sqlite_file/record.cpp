#include "sqlite_file/record.hpp"

#include <cstring>

namespace lfp::sqlite_file {

int varint_size(std::uint64_t v) {
  // 7 bits per byte for the first 8 bytes; a 9th byte carries a full 8 bits.
  if (v >> 56) return 9;
  int n = 1;
  while (v >>= 7) ++n;
  return n;
}

int put_varint(std::uint8_t* out, std::uint64_t v) {
  if (v >> 56) {
    // The 9-byte form: the last byte holds the low 8 bits, the 8 bytes before 7 bits each.
    out[8] = static_cast<std::uint8_t>(v);
    v >>= 8;
    for (int i = 7; i >= 0; --i, v >>= 7) out[i] = static_cast<std::uint8_t>((v & 0x7f) | 0x80);
    return 9;
  }
  const int n = varint_size(v);
  for (int i = n - 1; i >= 0; --i, v >>= 7) out[i] = static_cast<std::uint8_t>((v & 0x7f) | (i == n - 1 ? 0 : 0x80));
  return n;
}

void append_varint(Bytes& out, std::uint64_t v) {
  std::uint8_t tmp[9];
  const int n = put_varint(tmp, v);
  out.insert(out.end(), tmp, tmp + n);
}

int get_varint(const std::uint8_t* in, std::uint64_t& value) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 7) | (in[i] & 0x7f);
    if (!(in[i] & 0x80)) {
      value = v;
      return i + 1;
    }
  }
  value = (v << 8) | in[8];
  return 9;
}

std::uint64_t serial_type(const Value& v) {
  if (std::holds_alternative<Null>(v)) return 0;
  if (const auto* text = std::get_if<std::string_view>(&v)) return 13 + 2 * std::uint64_t{text->size()};
  const std::int64_t i = std::get<std::int64_t>(v);
  if (i == 0 || i == 1) return 8 + static_cast<std::uint64_t>(i);  // schema format 4 constants
  // The smallest two's complement size among 1, 2, 3, 4, 6 and 8 bytes.
  const std::uint64_t u = i < 0 ? ~static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
  if (u <= 0x7f) return 1;
  if (u <= 0x7fff) return 2;
  if (u <= 0x7fffff) return 3;
  if (u <= 0x7fffffff) return 4;
  if (u <= 0x7fffffffffff) return 5;
  return 6;
}

std::uint64_t serial_body_size(std::uint64_t type) {
  static constexpr std::uint8_t kFixed[] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0};
  if (type < 10) return kFixed[type];
  if (type < 12) return 0;  // reserved; never written
  return (type - 12) / 2;
}

namespace {

// The header's size counts its own varint, whose length depends on the total.
std::size_t header_size(std::size_t types_size) {
  std::size_t h = types_size + 1;
  while (static_cast<std::size_t>(varint_size(h)) + types_size != h) h = varint_size(h) + types_size;
  return h;
}

}  // namespace

std::size_t record_size(std::span<const Value> values) {
  std::size_t types = 0, body = 0;
  for (const auto& v : values) {
    const auto t = serial_type(v);
    types += varint_size(t);
    body += serial_body_size(t);
  }
  return header_size(types) + body;
}

void encode_record(std::span<const Value> values, Bytes& out) {
  std::size_t types = 0, body = 0;
  for (const auto& v : values) {
    const auto t = serial_type(v);
    types += varint_size(t);
    body += serial_body_size(t);
  }
  const std::size_t header = header_size(types);
  out.resize(header + body);
  std::uint8_t* h = out.data();
  h += put_varint(h, header);
  std::uint8_t* b = out.data() + header;
  for (const auto& v : values) {
    const auto t = serial_type(v);
    h += put_varint(h, t);
    if (const auto* text = std::get_if<std::string_view>(&v)) {
      if (!text->empty()) std::memcpy(b, text->data(), text->size());
      b += text->size();
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      const auto n = serial_body_size(t);
      std::uint64_t u = static_cast<std::uint64_t>(*i);
      for (std::uint64_t k = n; k-- > 0; u >>= 8) b[k] = static_cast<std::uint8_t>(u);
      b += n;
    }
  }
}

}  // namespace lfp::sqlite_file
