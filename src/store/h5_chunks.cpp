#include "store/h5_chunks.hpp"

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <stdexcept>
#include <string>

namespace lfp::store {

namespace {

constexpr int kLevel = 2;

void shuffle_into(const unsigned char* data, std::size_t bytes, std::size_t element_size, unsigned char* out) {
  const std::size_t n = bytes / element_size;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < element_size; ++j) out[j * n + i] = data[i * element_size + j];
}

}  // namespace

std::vector<unsigned char> shuffle_bytes(const unsigned char* data, std::size_t bytes, std::size_t element_size) {
  std::vector<unsigned char> out(bytes);
  shuffle_into(data, bytes, element_size, out.data());
  return out;
}

ChunkEncoder::ChunkEncoder() : work_(ISAL_DEF_LVL2_DEFAULT) {}

std::vector<unsigned char> ChunkEncoder::encode(const unsigned char* data, std::size_t bytes,
                                                std::size_t element_size) {
  if (element_size > 1) {
    shuffled_.resize(bytes);
    shuffle_into(data, bytes, element_size, shuffled_.data());
    data = shuffled_.data();
  }
  // Room for the data stored uncompressed (5 bytes per 64 KiB block, zlib's header and
  // checksum): igzip falls back to stored blocks when compressing does not fit.
  std::vector<unsigned char> out(bytes + (bytes / 65535 + 1) * 5 + ISAL_DEF_MAX_HDR_SIZE + 64);
  isal_zstream stream;
  isal_deflate_stateless_init(&stream);
  stream.level = kLevel;
  stream.level_buf = work_.data();
  stream.level_buf_size = static_cast<std::uint32_t>(work_.size());
  stream.gzip_flag = IGZIP_ZLIB;
  stream.end_of_stream = 1;
  stream.flush = NO_FLUSH;
  stream.next_in = const_cast<unsigned char*>(data);  // igzip's API is not const; it only reads
  stream.avail_in = static_cast<std::uint32_t>(bytes);
  stream.next_out = out.data();
  stream.avail_out = static_cast<std::uint32_t>(out.size());
  if (const int code = isal_deflate_stateless(&stream); code != COMP_OK)
    throw std::runtime_error("igzip: compressing a snapshot chunk failed (code " + std::to_string(code) + ")");
  out.resize(stream.total_out);
  return out;
}

std::vector<unsigned char> encode_chunk(const unsigned char* data, std::size_t bytes, std::size_t element_size) {
  return ChunkEncoder().encode(data, bytes, element_size);
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
