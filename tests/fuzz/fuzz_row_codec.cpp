// libFuzzer: rows, name counts and rejects survive encode then decode unchanged, several to
// a buffer, as ranks exchange them.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "records/row_codec.hpp"

namespace {

// Reads fixed-size numbers and length-prefixed strings from the fuzzer's bytes.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(reinterpret_cast<const char*>(data)), left_(size) {}
  bool empty() const { return left_ == 0; }
  template <class T>
  T number() {
    T v{};
    const std::size_t n = left_ < sizeof v ? left_ : sizeof v;
    std::memcpy(&v, p_, n);
    p_ += n;
    left_ -= n;
    return v;
  }
  std::string_view text() {
    std::size_t n = number<std::uint8_t>();
    if (n > left_) n = left_;
    const std::string_view s(p_, n);
    p_ += n;
    left_ -= n;
    return s;
  }

 private:
  const char* p_;
  std::size_t left_;
};

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  std::vector<lfp::RowView> rows;
  std::vector<lfp::NameCount> counts;
  std::vector<lfp::RejectView> rejects;
  lfp::Buffer row_bytes, count_bytes, reject_bytes;
  while (!in.empty()) {
    switch (in.number<std::uint8_t>() % 3) {
      case 0: {
        lfp::RowView r{in.number<std::uint64_t>(), in.text(), in.text(), in.text()};
        rows.push_back(r);
        lfp::encode(row_bytes, r);
        break;
      }
      case 1: {
        lfp::NameCount c{in.text(), in.number<std::int64_t>()};
        counts.push_back(c);
        lfp::encode(count_bytes, c);
        break;
      }
      default: {
        lfp::RejectView j{in.number<std::uint64_t>(), in.number<std::uint64_t>(), in.number<std::uint8_t>(),
                          in.number<std::uint32_t>(), in.number<std::uint32_t>(), in.text()};
        rejects.push_back(j);
        lfp::encode(reject_bytes, j);
      }
    }
  }
  const auto r2 = lfp::decode_all<lfp::RowView>(row_bytes.data(), row_bytes.data() + row_bytes.size());
  require(r2.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    require(r2[i].order == rows[i].order && r2[i].sku == rows[i].sku && r2[i].name == rows[i].name &&
            r2[i].description == rows[i].description);
  // The ingest holds rows as references into the received bytes: same fields, same bytes again.
  const auto refs = lfp::decode_all<lfp::RowRef>(row_bytes.data(), row_bytes.data() + row_bytes.size());
  require(refs.size() == rows.size());
  lfp::Buffer again;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    require(refs[i].order() == rows[i].order && refs[i].sku() == rows[i].sku && refs[i].name() == rows[i].name &&
            refs[i].description() == rows[i].description);
    lfp::encode(again, refs[i]);
  }
  require(again.size() == row_bytes.size() && std::equal(again.begin(), again.end(), row_bytes.begin()));
  const auto c2 = lfp::decode_all<lfp::NameCount>(count_bytes.data(), count_bytes.data() + count_bytes.size());
  require(c2.size() == counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i)
    require(c2[i].name == counts[i].name && c2[i].products == counts[i].products);
  const auto j2 = lfp::decode_all<lfp::RejectView>(reject_bytes.data(), reject_bytes.data() + reject_bytes.size());
  require(j2.size() == rejects.size());
  for (std::size_t i = 0; i < rejects.size(); ++i)
    require(j2[i].order == rejects[i].order && j2[i].line == rejects[i].line && j2[i].reason == rejects[i].reason &&
            j2[i].fields == rejects[i].fields && j2[i].expected == rejects[i].expected &&
            j2[i].record == rejects[i].record.substr(0, lfp::kRejectRecordBytes));
  return 0;
}
