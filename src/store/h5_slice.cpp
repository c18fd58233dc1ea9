#include "store/h5_slice.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/error.hpp"

namespace lfp::store {
namespace {

constexpr std::size_t kSku = static_cast<std::size_t>(H5Column::SkuOffsets);
constexpr std::size_t kName = static_cast<std::size_t>(H5Column::NameOffsets);
constexpr std::size_t kDescription = static_cast<std::size_t>(H5Column::DescriptionOffsets);
constexpr std::size_t kCountName = static_cast<std::size_t>(H5Column::CountNameOffsets);
constexpr std::size_t kCountProducts = static_cast<std::size_t>(H5Column::CountProducts);
constexpr std::size_t kStringColumns[] = {kSku, kName, kDescription, kCountName};

}  // namespace

H5ColumnSizes slice_sizes(const SliceTexts& t, bool first) {
  const std::uint64_t lead = first ? 1 : 0;
  H5ColumnSizes s{};
  s[kSku] = t.products + lead;
  s[kSku + 1] = t.sku_bytes;
  s[kName] = t.products + lead;
  s[kName + 1] = t.name_bytes;
  s[kDescription] = t.products + lead;
  s[kDescription + 1] = t.description_bytes;
  s[kCountName] = t.counts + lead;
  s[kCountName + 1] = t.count_name_bytes;
  s[kCountProducts] = t.counts;
  return s;
}

SliceChunks::SliceChunks(std::vector<H5ColumnSizes> sizes, int rank, ChunkSink sink)
    : sizes_(std::move(sizes)), rank_(rank), sink_(std::move(sink)), columns_(kH5Columns) {
  H5ColumnSizes begin{};
  for (std::size_t r = 0; r < sizes_.size(); ++r)
    for (std::size_t k = 0; k < kH5Columns; ++k) {
      if (static_cast<int>(r) < rank) begin[k] += sizes_[r][k];
      totals_[k] += sizes_[r][k];
    }
  for (std::size_t k = 0; k < kH5Columns; ++k) {
    Column& c = columns_[k];
    const std::uint64_t per = chunk_elements(static_cast<H5Column>(k)), size = element_size(static_cast<H5Column>(k));
    const std::uint64_t end = begin[k] + sizes_[rank][k];
    c.next_index = (begin[k] + per - 1) / per;  // the first chunk boundary at or after this rank's start
    if (begin[k] < end && begin[k] % per != 0) {
      c.head_bytes = (std::min(end, c.next_index * per) - begin[k]) * size;
      c.head_index = begin[k] / per;
      // The chunk starts on the last earlier rank that holds elements at or before its start.
      const std::uint64_t start = c.head_index * per;
      std::uint64_t at = begin[k];
      for (c.head_owner = rank - 1; c.head_owner >= 0; --c.head_owner) {
        at -= sizes_[c.head_owner][k];
        if (sizes_[c.head_owner][k] > 0 && at <= start) break;
      }
      if (c.head_owner < 0) throw Error(kExitInternal, "snapshot: no rank owns chunk " + std::to_string(c.head_index));
    }
  }
  for (const std::size_t k : kStringColumns) {
    columns_[k].end_value = begin[k + 1];  // the offsets continue the data before this rank
    if (rank == 0) append(k, &columns_[k].end_value, 8);
  }
}

void SliceChunks::append(std::size_t column, const void* bytes, std::size_t n) {
  Column& c = columns_[column];
  const auto* p = static_cast<const std::uint8_t*>(bytes);
  c.added += n;
  if (c.head.size() < c.head_bytes) {
    const std::size_t take = std::min<std::uint64_t>(n, c.head_bytes - c.head.size());
    c.head.insert(c.head.end(), p, p + take);
    p += take;
    n -= take;
  }
  while (n > 0) {
    if (c.chunk.capacity() < kH5ChunkBytes) c.chunk.reserve(kH5ChunkBytes);
    const std::size_t take = std::min(n, kH5ChunkBytes - c.chunk.size());
    c.chunk.insert(c.chunk.end(), p, p + take);
    p += take;
    n -= take;
    if (c.chunk.size() == kH5ChunkBytes) emit(column);
  }
}

void SliceChunks::emit(std::size_t column) {
  Column& c = columns_[column];
  c.chunk.resize(kH5ChunkBytes, 0);  // a column's last chunk is stored whole, zero-padded
  sink_({static_cast<H5Column>(column), c.next_index++, std::move(c.chunk)});
  c.chunk = {};
}

void SliceChunks::add_text(std::size_t offsets, std::string_view text) {
  Column& c = columns_[offsets];
  c.end_value += text.size();
  append(offsets, &c.end_value, 8);
  append(offsets + 1, text.data(), text.size());
}

void SliceChunks::add_product(std::string_view sku, std::string_view name, std::string_view description) {
  add_text(kSku, sku);
  add_text(kName, name);
  add_text(kDescription, description);
}

void SliceChunks::add_count(std::string_view name, std::int64_t products) {
  add_text(kCountName, name);
  append(kCountProducts, &products, 8);
}

std::vector<Buffer> SliceChunks::take_heads() {
  std::vector<Buffer> out(sizes_.size());
  for (std::size_t k = 0; k < kH5Columns; ++k) {
    const Column& c = columns_[k];
    if (c.added != sizes_[rank_][k] * element_size(static_cast<H5Column>(k)))
      throw Error(kExitInternal, "snapshot: column " + std::to_string(k) + " of rank " + std::to_string(rank_) +
                                     " got " + std::to_string(c.added) + " bytes, not its size");
    if (c.head_bytes > 0) append_chunk(out[c.head_owner], static_cast<H5Column>(k), c.head_index, c.head);
  }
  return out;
}

void SliceChunks::receive_heads(const std::vector<Buffer>& incoming) {
  // Heads come from later ranks only, and in rank order they continue this rank's last chunk.
  for (const auto& from : incoming)
    for_each_chunk({from.data(), from.size()}, [&](H5Column c, std::uint64_t index, std::span<const std::uint8_t> b) {
      Column& to = columns_[static_cast<std::size_t>(c)];
      if (index != to.next_index || to.chunk.size() + b.size() > kH5ChunkBytes)
        throw Error(kExitInternal, "snapshot: a head for chunk " + std::to_string(index) + " does not fit");
      to.chunk.insert(to.chunk.end(), b.begin(), b.end());
    });
  for (std::size_t k = 0; k < kH5Columns; ++k) {
    Column& c = columns_[k];
    if (c.chunk.empty()) continue;
    const std::uint64_t per = chunk_elements(static_cast<H5Column>(k));
    if (c.chunk.size() < kH5ChunkBytes && (c.next_index + 1) * per < totals_[k])
      throw Error(kExitInternal, "snapshot: chunk " + std::to_string(c.next_index) + " of column " + std::to_string(k) +
                                     " is short of heads");
    emit(k);
  }
}

void append_chunk(Buffer& out, H5Column column, std::uint64_t index, std::span<const std::uint8_t> bytes) {
  const std::size_t at = out.size();
  const auto c = static_cast<std::uint8_t>(column);
  const std::uint64_t n = bytes.size();
  out.resize(at + 17 + n);
  std::memcpy(out.data() + at, &c, 1);
  std::memcpy(out.data() + at + 1, &index, 8);
  std::memcpy(out.data() + at + 9, &n, 8);
  if (n > 0) std::memcpy(out.data() + at + 17, bytes.data(), n);  // an empty span may hold no pointer
}

void for_each_chunk(std::span<const char> records,
                    const std::function<void(H5Column, std::uint64_t, std::span<const std::uint8_t>)>& fn) {
  for (std::size_t at = 0; at < records.size();) {
    if (records.size() - at < 17) throw Error(kExitInternal, "snapshot: a cut chunk record");
    std::uint8_t c = 0;
    std::uint64_t index = 0, n = 0;
    std::memcpy(&c, records.data() + at, 1);
    std::memcpy(&index, records.data() + at + 1, 8);
    std::memcpy(&n, records.data() + at + 9, 8);
    if (c >= kH5Columns || n > records.size() - at - 17) throw Error(kExitInternal, "snapshot: a bad chunk record");
    fn(static_cast<H5Column>(c), index,
       {reinterpret_cast<const std::uint8_t*>(records.data() + at + 17), static_cast<std::size_t>(n)});
    at += 17 + n;
  }
}

}  // namespace lfp::store
