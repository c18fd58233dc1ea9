#include "store/h5_chunks.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <random>

namespace {

TEST(H5Chunks, ShuffleStoresByteOfEveryElementTogetherAsHdf5Does) {
  const std::uint16_t values[3] = {0x0102, 0x0304, 0x0506};  // little-endian bytes 02 01 04 03 06 05
  const auto out = lfp::store::shuffle_bytes(reinterpret_cast<const unsigned char*>(values), 6, 2);
  EXPECT_EQ(out, (std::vector<unsigned char>{0x02, 0x04, 0x06, 0x01, 0x03, 0x05}));
}

TEST(H5Chunks, EncodedChunksDecodeToTheSameBytes) {
  std::vector<std::uint64_t> offsets(100000);
  std::iota(offsets.begin(), offsets.end(), 0);
  for (auto& o : offsets) o *= 37;
  const auto* raw = reinterpret_cast<const unsigned char*>(offsets.data());
  const std::size_t bytes = offsets.size() * 8;
  const auto stored = lfp::store::encode_chunk(raw, bytes, 8);
  EXPECT_LT(stored.size(), bytes / 4);  // shuffled offsets compress well
  const auto back = lfp::store::decode_chunk(stored, bytes, 8);
  EXPECT_EQ(std::memcmp(back.data(), raw, bytes), 0);
  const std::string text = "some text, some text, some more text";
  const auto t = lfp::store::encode_chunk(reinterpret_cast<const unsigned char*>(text.data()), text.size(), 1);
  const auto tb = lfp::store::decode_chunk(t, text.size(), 1);
  EXPECT_EQ(std::string(tb.begin(), tb.end()), text);
}

TEST(H5Chunks, IncompressibleChunksAndReusedEncodersStillDecode) {
  // Random bytes do not shrink: the stream falls back to stored blocks and must still fit.
  // One encoder then takes chunks of every kind in turn, as a rank's does.
  std::mt19937_64 random(7);
  std::vector<unsigned char> noise(std::size_t{1} << 20);
  for (auto& b : noise) b = static_cast<unsigned char>(random());
  std::vector<unsigned char> zeros(std::size_t{1} << 20, 0);
  lfp::store::ChunkEncoder encoder;
  for (int round = 0; round < 3; ++round) {
    for (const auto* chunk : {&noise, &zeros}) {
      for (const std::size_t element : {std::size_t{1}, std::size_t{8}}) {
        const auto stored = encoder.encode(chunk->data(), chunk->size(), element);
        EXPECT_EQ(lfp::store::decode_chunk(stored, chunk->size(), element), *chunk);
        if (chunk == &zeros) {
          EXPECT_LT(stored.size(), 16384u);
        }
      }
    }
  }
}

}  // namespace
