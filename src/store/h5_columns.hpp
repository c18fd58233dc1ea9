#pragma once
// The snapshot's datasets as one list: every 1-D column of the HDF5 file, its element size
// and its chunk length, so the writer (h5_snapshot) and the ranks that build finished chunks
// of their slices (h5_slice) agree on the layout.
#include <array>
#include <cstddef>
#include <cstdint>

namespace lfp::store {

// A string column is two datasets: `offsets` (u64, n + 1 values from 0) and `data` (bytes).
enum class H5Column : std::uint8_t {
  SkuOffsets,
  SkuData,
  NameOffsets,
  NameData,
  DescriptionOffsets,
  DescriptionData,
  CountNameOffsets,
  CountNameData,
  CountProducts,
};
inline constexpr std::size_t kH5Columns = 9;

// Every chunk holds this many bytes (a partial last chunk is stored whole, zero-padded).
inline constexpr std::size_t kH5ChunkBytes = std::size_t{1} << 20;
// Deflate level 1: fast, the snapshot is rewritten after every run.
inline constexpr int kH5DeflateLevel = 1;

inline constexpr std::size_t element_size(H5Column c) {
  switch (c) {
    case H5Column::SkuData:
    case H5Column::NameData:
    case H5Column::DescriptionData:
    case H5Column::CountNameData: return 1;
    default: return 8;
  }
}
inline constexpr std::uint64_t chunk_elements(H5Column c) { return kH5ChunkBytes / element_size(c); }

// Element counts of every column.
using H5ColumnSizes = std::array<std::uint64_t, kH5Columns>;

}  // namespace lfp::store
