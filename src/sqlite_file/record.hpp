#pragma once
// SQLite's varints and record format ("Database File Format", sections 1.6 and 2.1), for
// writing b-tree pages without SQLite: a record is a header (its own size, then one serial
// type per value) followed by the values' bytes, integers big-endian in their smallest size.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace lfp::sqlite_file {

using Bytes = std::vector<std::uint8_t>;

// The byte length of `v` as a varint: 1 to 9.
int varint_size(std::uint64_t v);
// Writes `v` at `out` (varint_size(v) bytes available) and returns the bytes written.
int put_varint(std::uint8_t* out, std::uint64_t v);
void append_varint(Bytes& out, std::uint64_t v);
// Reads the varint at `in` (at most 9 bytes), storing its value; returns its length.
int get_varint(const std::uint8_t* in, std::uint64_t& value);

// Big-endian fixed-size integers (page numbers, header fields).
inline void put_u16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
inline std::uint32_t get_u16(const std::uint8_t* p) { return (std::uint32_t{p[0]} << 8) | p[1]; }
inline std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// A value of a record: NULL, an INTEGER, or TEXT stored as its bytes (any bytes, NUL and
// invalid UTF-8 included, as sqlite3_bind_text64 with an explicit length stores them).
struct Null {};
using Value = std::variant<Null, std::int64_t, std::string_view>;

// The serial type SQLite writes for `v` in a schema-format-4 database: 0 for NULL, 8 and 9
// for the integers 0 and 1 (no body), 1-6 for the smallest integer size that holds the
// value, 13 + 2 * length for text.
std::uint64_t serial_type(const Value& v);
// The body size of a serial type.
std::uint64_t serial_body_size(std::uint64_t type);

// The encoded size of the record of `values`.
std::size_t record_size(std::span<const Value> values);
// Replaces `out` with the record of `values` (a reused buffer, no allocation once it is large
// enough).
void encode_record(std::span<const Value> values, Bytes& out);
inline Bytes encode_record(std::initializer_list<Value> values) {
  Bytes out;
  encode_record(std::span<const Value>(values.begin(), values.size()), out);
  return out;
}

}  // namespace lfp::sqlite_file
