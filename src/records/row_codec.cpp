#include "records/row_codec.hpp"

#include <algorithm>

namespace lfp {
namespace {

// Appends by cursor into space reserved once per item: the hot path of the parse phase.
class Writer {
 public:
  Writer(Buffer& out, std::size_t bytes) : out_(out), at_(out.size()) {
    if (out.capacity() < at_ + bytes) out.reserve(std::max(out.capacity() * 2, at_ + bytes));
    out.resize(at_ + bytes);
  }
  template <class T>
  void put(T v) {
    std::memcpy(out_.data() + at_, &v, sizeof v);
    at_ += sizeof v;
  }
  void put_bytes(std::string_view s) {
    if (!s.empty()) std::memcpy(out_.data() + at_, s.data(), s.size());
    at_ += s.size();
  }

 private:
  Buffer& out_;
  std::size_t at_;
};

template <class T>
const char* get(const char* p, T& v) {
  std::memcpy(&v, p, sizeof v);
  return p + sizeof v;
}

}  // namespace

void encode(Buffer& out, const RowView& row) {
  Writer w(out, 8 + 12 + row.sku.size() + row.name.size() + row.description.size());
  w.put(row.order);
  w.put(static_cast<std::uint32_t>(row.sku.size()));
  w.put(static_cast<std::uint32_t>(row.name.size()));
  w.put(static_cast<std::uint32_t>(row.description.size()));
  w.put_bytes(row.sku);
  w.put_bytes(row.name);
  w.put_bytes(row.description);
}

const char* decode(const char* p, RowView& row) {
  std::uint32_t ls, ln, ld;
  p = get(p, row.order);
  p = get(p, ls);
  p = get(p, ln);
  p = get(p, ld);
  row.sku = {p, ls};
  row.name = {p + ls, ln};
  row.description = {p + ls + ln, ld};
  return p + ls + ln + ld;
}

void encode(Buffer& out, const RowRef& row) {
  Writer w(out, row.bytes().size());
  w.put_bytes(row.bytes());
}

const char* decode(const char* p, RowRef& row) {
  row = RowRef(p);
  return p + row.bytes().size();
}

void encode(Buffer& out, const NameCount& count) {
  Writer w(out, 8 + 4 + count.name.size());
  w.put(count.products);
  w.put(static_cast<std::uint32_t>(count.name.size()));
  w.put_bytes(count.name);
}

const char* decode(const char* p, NameCount& count) {
  std::uint32_t len;
  p = get(p, count.products);
  p = get(p, len);
  count.name = {p, len};
  return p + len;
}

void encode(Buffer& out, const RejectView& reject) {
  const auto record = reject.record.substr(0, kRejectRecordBytes);
  Writer w(out, 8 + 8 + 1 + 4 + 4 + 4 + record.size());
  w.put(reject.order);
  w.put(reject.line);
  w.put(reject.reason);
  w.put(reject.fields);
  w.put(reject.expected);
  w.put(static_cast<std::uint32_t>(record.size()));
  w.put_bytes(record);
}

const char* decode(const char* p, RejectView& reject) {
  std::uint32_t len;
  p = get(p, reject.order);
  p = get(p, reject.line);
  p = get(p, reject.reason);
  p = get(p, reject.fields);
  p = get(p, reject.expected);
  p = get(p, len);
  reject.record = {p, len};
  return p + len;
}

}  // namespace lfp
