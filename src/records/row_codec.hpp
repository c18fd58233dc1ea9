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

// An encoded row where it lies in a buffer: 8 bytes instead of a RowView's 56, fields read
// on demand. A rank holds millions of rows between the shuffle and the write; holding them
// as views would cost more memory than their bytes.
class RowRef {
 public:
  RowRef() = default;
  explicit RowRef(const char* at) : at_(at) {}
  std::uint64_t order() const { return load<std::uint64_t>(0); }
  std::string_view sku() const { return {at_ + kHeader, load<std::uint32_t>(8)}; }
  std::string_view name() const { return {at_ + kHeader + load<std::uint32_t>(8), load<std::uint32_t>(12)}; }
  std::string_view description() const {
    return {at_ + kHeader + load<std::uint32_t>(8) + load<std::uint32_t>(12), load<std::uint32_t>(16)};
  }
  // Where the row starts (for prefetching: reads nothing).
  const char* address() const { return at_; }
  // The encoded bytes: what encode(RowView) wrote for this row.
  std::string_view bytes() const {
    return {at_, kHeader + std::size_t{load<std::uint32_t>(8)} + load<std::uint32_t>(12) + load<std::uint32_t>(16)};
  }

 private:
  static constexpr std::size_t kHeader = 8 + 3 * 4;  // order, then the three lengths
  template <class T>
  T load(std::size_t at) const {
    T v;
    std::memcpy(&v, at_ + at, sizeof v);
    return v;
  }
  const char* at_ = nullptr;
};

// What dedup and counting read of a row, for either form.
inline std::string_view sku_of(const RowView& r) { return r.sku; }
inline std::string_view name_of(const RowView& r) { return r.name; }
inline std::uint64_t order_of(const RowView& r) { return r.order; }
inline std::string_view sku_of(const RowRef& r) { return r.sku(); }
inline std::string_view name_of(const RowRef& r) { return r.name(); }
inline std::uint64_t order_of(const RowRef& r) { return r.order(); }

// The text bytes of a set of rows, by column (the snapshot's column sizes).
struct TextBytes {
  std::uint64_t sku = 0, name = 0, description = 0;
};

struct NameCount {
  std::string_view name;
  std::int64_t products = 0;
};

struct RejectView {
  std::uint64_t order = 0;  // order_key(): file index and byte offset
  std::uint64_t line = 0;
  std::uint8_t reason = 0;     // RejectReason
  std::uint32_t fields = 0;    // field count found (for field-count rejects)
  std::uint32_t expected = 0;  // field count the header asks for
  std::string_view record;     // raw bytes, cut at kRejectRecordBytes
};
inline constexpr std::size_t kRejectRecordBytes = 4096;

void encode(Buffer& out, const RowView& row);
void encode(Buffer& out, const RowRef& row);  // copies the encoded bytes
void encode(Buffer& out, const NameCount& count);
void encode(Buffer& out, const RejectView& reject);

// Decoders read one item at `p` and return the position after it.
const char* decode(const char* p, RowView& row);
const char* decode(const char* p, RowRef& row);
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
