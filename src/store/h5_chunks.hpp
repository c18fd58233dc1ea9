#pragma once
// Chunks of the snapshot's datasets, encoded the way HDF5's shuffle and deflate filters
// would encode them, so the snapshot can compress chunks on several threads and hand HDF5
// finished chunks (H5Dwrite_chunk) while every HDF5 reader decodes them with its built-in
// filters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lfp::store {

// Bytes of a chunk as HDF5's shuffle filter stores them: byte j of every element, for
// j = 0..element_size-1 (a no-op for 1-byte elements). `bytes` is a whole number of elements.
std::vector<unsigned char> shuffle_bytes(const unsigned char* data, std::size_t bytes, std::size_t element_size);

// shuffle (when element_size > 1), then a zlib stream: what the filter pipeline "shuffle,
// deflate" stores for the chunk. The stream comes from ISA-L's igzip (level 2), which here
// compressed the snapshot's text 1.7 times as fast as libdeflate's fastest level, to 5% more
// bytes; any zlib inflater, HDF5's filter included, reads it. An encoder keeps its working
// memory (a few hundred KiB) between chunks: one per thread.
class ChunkEncoder {
 public:
  ChunkEncoder();
  std::vector<unsigned char> encode(const unsigned char* data, std::size_t bytes, std::size_t element_size);

 private:
  std::vector<unsigned char> work_, shuffled_;
};

// One chunk, with an encoder of its own.
std::vector<unsigned char> encode_chunk(const unsigned char* data, std::size_t bytes, std::size_t element_size);

// The reverse, for tests: inflate, then unshuffle.
std::vector<unsigned char> decode_chunk(const std::vector<unsigned char>& stored, std::size_t bytes,
                                        std::size_t element_size);

}  // namespace lfp::store
