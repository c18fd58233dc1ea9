#pragma once
// A rank's slice of the snapshot, built into finished chunks by the rank itself: the ranks
// hold contiguous slices of the products (by sku) and of the counts (by name), so each
// column of the snapshot is the ranks' elements one after another. A chunk belongs to the
// rank that holds its first element; the elements of a rank before its first chunk boundary
// (its head) go to the rank that owns the chunk they fall in. Each rank compresses the chunks
// it owns, and rank 0 only copies finished chunks into the file (H5Dwrite_chunk).
// Rows are added in one pass (each row is read once: rows lie scattered in memory, and a
// pass per column cost a cache miss per row and column). Plain C++: the exchange of heads is
// the caller's (ingest/snapshot_chunks).
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "store/h5_columns.hpp"
#include "util/buffer.hpp"

namespace lfp::store {

// This rank's element count of every column, from the total bytes of its texts; the `first`
// rank also holds the leading 0 of each offsets column.
struct SliceTexts {
  std::uint64_t products = 0, counts = 0;
  std::uint64_t sku_bytes = 0, name_bytes = 0, description_bytes = 0, count_name_bytes = 0;
};
H5ColumnSizes slice_sizes(const SliceTexts& texts, bool first);

// A chunk ready to compress: its column, its index in the column and its raw bytes (exactly
// kH5ChunkBytes; the column's last chunk is zero-padded).
struct RawChunk {
  H5Column column{};
  std::uint64_t index = 0;
  std::vector<std::uint8_t> bytes;
};
using ChunkSink = std::function<void(RawChunk&& chunk)>;

class SliceChunks {
 public:
  // `sizes`: every rank's slice_sizes, in rank order. Each chunk this rank owns goes to
  // `sink` as soon as it is complete.
  SliceChunks(std::vector<H5ColumnSizes> sizes, int rank, ChunkSink sink);

  // The whole columns' sizes.
  const H5ColumnSizes& totals() const { return totals_; }
  // This rank's rows, in order: all products, then all counts (or interleaved: the columns
  // are independent).
  void add_product(std::string_view sku, std::string_view name, std::string_view description);
  void add_count(std::string_view name, std::int64_t products);
  // After the rows: this rank's heads, by destination rank, as chunk records (append_chunk)
  // of the chunk they belong to.
  std::vector<Buffer> take_heads();
  // Then what every rank sent (take_heads of theirs), indexed by source rank: this rank's
  // last chunks are completed and go to the sink.
  void receive_heads(const std::vector<Buffer>& incoming);

 private:
  struct Column {
    std::uint64_t head_bytes = 0;  // bytes before this rank's first chunk boundary
    int head_owner = -1;
    std::uint64_t head_index = 0;  // the chunk the head belongs to
    std::vector<std::uint8_t> head, chunk;
    std::uint64_t next_index = 0;  // of `chunk`
    std::uint64_t end_value = 0;   // offsets columns: the global end of the last text
    std::uint64_t added = 0;       // bytes added, to check against this rank's size
  };
  void append(std::size_t column, const void* bytes, std::size_t n);
  void add_text(std::size_t offsets, std::string_view text);
  void emit(std::size_t column);

  std::vector<H5ColumnSizes> sizes_;
  int rank_;
  ChunkSink sink_;
  H5ColumnSizes totals_{};
  std::vector<Column> columns_;
};

// Finished (compressed) chunks travel as records [u8 column][u64 index][u64 bytes][bytes].
void append_chunk(Buffer& out, H5Column column, std::uint64_t index, std::span<const std::uint8_t> bytes);
// Calls fn(column, index, bytes) for each record of `records`; throws Error on a bad record.
void for_each_chunk(std::span<const char> records,
                    const std::function<void(H5Column, std::uint64_t, std::span<const std::uint8_t>)>& fn);

}  // namespace lfp::store
