#include "store/h5_chunks.hpp"

#include <zlib.h>

#include <stdexcept>

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
  uLongf size = compressBound(bytes);
  std::vector<unsigned char> out(size);
  if (compress2(out.data(), &size, data, bytes, level) != Z_OK) throw std::runtime_error("zlib: compress2 failed");
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
