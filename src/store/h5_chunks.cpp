#include "store/h5_chunks.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <stdexcept>

#include "util/unique_handle.hpp"

namespace lfp::store {

std::vector<unsigned char> shuffle_bytes(const unsigned char* data, std::size_t bytes, std::size_t element_size) {
  std::vector<unsigned char> out(bytes);
  const std::size_t n = bytes / element_size;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < element_size; ++j) out[j * n + i] = data[i * element_size + j];
  return out;
}

std::vector<unsigned char> encode_chunk(const unsigned char* data, std::size_t bytes, std::size_t element_size,
                                        int level) {
  std::vector<unsigned char> shuffled;
  if (element_size > 1) {
    shuffled = shuffle_bytes(data, bytes, element_size);
    data = shuffled.data();
  }
  // libdeflate writes the same zlib stream HDF5's deflate filter reads, faster than zlib at
  // level 1 and smaller; the snapshot's compression is much of rank 0's CPU time.
  using Compressor = UniqueHandle<libdeflate_compressor*, libdeflate_free_compressor>;
  const Compressor compressor(libdeflate_alloc_compressor(level));
  if (!compressor) throw std::runtime_error("libdeflate: cannot allocate a compressor");
  std::vector<unsigned char> out(libdeflate_zlib_compress_bound(compressor.get(), bytes));
  const std::size_t size = libdeflate_zlib_compress(compressor.get(), data, bytes, out.data(), out.size());
  if (size == 0) throw std::runtime_error("libdeflate: compression failed");
  out.resize(size);
  return out;
}

std::vector<unsigned char> decode_chunk(const std::vector<unsigned char>& stored, std::size_t bytes,
                                        std::size_t element_size) {
  std::vector<unsigned char> raw(bytes);
  uLongf size = bytes;
  if (uncompress(raw.data(), &size, stored.data(), stored.size()) != Z_OK || size != bytes)
    throw std::runtime_error("zlib: uncompress failed");
  if (element_size == 1) return raw;
  std::vector<unsigned char> out(bytes);
  const std::size_t n = bytes / element_size;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < element_size; ++j) out[i * element_size + j] = raw[j * n + i];
  return out;
}

}  // namespace lfp::store
