#include "util/decompress.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <string>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace {

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: a gzip header
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

std::string write_temp(const char* name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + name + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// Decompresses `bytes` (written to a file) and returns what came out.
std::string roundtrip(const char* name, const std::string& bytes) {
  const auto in = write_temp(name, bytes);
  const auto out_path = in + ".out";
  {
    const lfp::UniqueFd fd(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    const auto n = lfp::decompress_file(in, lfp::compression_of(in), fd.get(), out_path);
    EXPECT_EQ(n, static_cast<std::uint64_t>(std::ifstream(out_path, std::ios::ate | std::ios::binary).tellg()));
  }
  std::ifstream f(out_path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::string sample(std::size_t records) {
  std::string s = "name,sku,description\r\n";
  for (std::size_t i = 0; i < records; ++i)
    s += "Ann " + std::to_string(i % 97) + ",sku" + std::to_string(i) + ",\"a \"\"quoted\"\"\nline\"\r\n";
  return s;
}

TEST(Decompress, RecognizesGzipAndZstdByTheirMagicBytesNotTheirNames) {
  EXPECT_EQ(lfp::sniff_compression(gzip("x")), lfp::Compression::Gzip);
  EXPECT_EQ(lfp::sniff_compression(zstd("x")), lfp::Compression::Zstd);
  EXPECT_EQ(lfp::sniff_compression("name,sku,description\n"), lfp::Compression::None);
  EXPECT_EQ(lfp::sniff_compression(""), lfp::Compression::None);
  EXPECT_EQ(lfp::sniff_compression("\x1f"), lfp::Compression::None);
}

TEST(Decompress, GzipGivesBackTheExactBytesOfEveryMember) {
  const auto a = sample(50000), b = sample(7);
  EXPECT_EQ(roundtrip("gz_one", gzip(a)), a);
  // cat a.gz b.gz is one valid .gz file holding a then b.
  EXPECT_EQ(roundtrip("gz_two", gzip(a) + gzip(b)), a + b);
}

TEST(Decompress, ZstdGivesBackTheExactBytesOfEveryFrame) {
  const auto a = sample(50000), b = sample(7);
  EXPECT_EQ(roundtrip("zst_one", zstd(a)), a);
  EXPECT_EQ(roundtrip("zst_two", zstd(a) + zstd(b)), a + b);
}

TEST(Decompress, ATruncatedStreamIsAnInputErrorNamingTheFile) {
  const auto a = sample(20000);
  for (const auto& [name, bytes] : {std::pair{"gz_cut", gzip(a)}, std::pair{"zst_cut", zstd(a)}}) {
    const auto in = write_temp(name, bytes.substr(0, bytes.size() / 2));
    const lfp::UniqueFd fd(::open("/dev/null", O_WRONLY));
    try {
      lfp::decompress_file(in, lfp::compression_of(in), fd.get(), "/dev/null");
      ADD_FAILURE() << name << ": no error";
    } catch (const lfp::Error& e) {
      EXPECT_EQ(e.code(), lfp::kExitInput);
      EXPECT_NE(std::string(e.what()).find(in), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
  }
}

TEST(Decompress, CorruptDataIsAnInputError) {
  auto bytes = gzip(sample(20000));
  for (std::size_t i = 20; i < 60; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  const auto in = write_temp("gz_bad", bytes);
  const lfp::UniqueFd fd(::open("/dev/null", O_WRONLY));
  EXPECT_THROW(lfp::decompress_file(in, lfp::Compression::Gzip, fd.get(), "/dev/null"), lfp::Error);
}

}  // namespace
