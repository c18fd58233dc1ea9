#pragma once
// Wire formats of what ranks exchange: rows, name counts and rejects, each appended to a
// contiguous byte buffer (one per destination) and read back as views into it.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "util/buffer.hpp"

namespace lfp {

struct RowView {
  std::uint64_t order = 0;  // order_key() of the record
  std::string_view sku, name, description;
};

struct NameCount {
  std::string_view name;
  std::int64_t products = 0;
};

struct RejectView {
  std::uint64_t order = 0;  // order_key(): file index and byte offset
  std::uint64_t line = 0;
  std::uint8_t reason = 0;  // RejectReason
  std::uint32_t fields = 0;  // field count found (for field-count rejects)
  std::uint32_t expected = 0;  // field count the header asks for
  std::string_view record;  // raw bytes, cut at kRejectRecordBytes
};
inline constexpr std::size_t kRejectRecordBytes = 4096;


void encode(Buffer& out, const RowView& row);
void encode(Buffer& out, const NameCount& count);
void encode(Buffer& out, const RejectView& reject);

// Decoders read one item at `p` and return the position after it.
const char* decode(const char* p, RowView& row);
const char* decode(const char* p, NameCount& count);
const char* decode(const char* p, RejectView& reject);

// Every item of one kind in [begin, end), appended to `out`.
template <class Item>
void decode_all(const char* begin, const char* end, std::vector<Item>& out) {
  while (begin < end) {
    Item item;
    begin = decode(begin, item);
    out.push_back(item);
  }
}

template <class Item>
std::vector<Item> decode_all(const char* begin, const char* end) {
  std::vector<Item> out;
  decode_all(begin, end, out);
  return out;
}

// Every item in a set of buffers (one per source rank).
template <class Item>
std::vector<Item> decode_all(const std::vector<Buffer>& buffers) {
  std::vector<Item> out;
  for (const auto& b : buffers) decode_all(b.data(), b.data() + b.size(), out);
  return out;
}

}  // namespace lfp
