#include "row_codec.hpp"

namespace lfp {
namespace {

template <class T>
void put(Buffer& out, T v) {
  const auto at = out.size();
  out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}

void put_bytes(Buffer& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

template <class T>
const char* get(const char* p, T& v) {
  std::memcpy(&v, p, sizeof v);
  return p + sizeof v;
}

}  // namespace

void encode(Buffer& out, const RowView& row) {
  put(out, row.order);
  put(out, static_cast<std::uint32_t>(row.sku.size()));
  put(out, static_cast<std::uint32_t>(row.name.size()));
  put(out, static_cast<std::uint32_t>(row.description.size()));
  put_bytes(out, row.sku);
  put_bytes(out, row.name);
  put_bytes(out, row.description);
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

void encode(Buffer& out, const NameCount& count) {
  put(out, count.products);
  put(out, static_cast<std::uint32_t>(count.name.size()));
  put_bytes(out, count.name);
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
  put(out, reject.order);
  put(out, reject.line);
  put(out, reject.reason);
  put(out, reject.fields);
  put(out, reject.expected);
  put(out, static_cast<std::uint32_t>(record.size()));
  put_bytes(out, record);
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
