#include "ingest/digest.hpp"

#include <gtest/gtest.h>

#include <random>

namespace {

TEST(Digest, DoesNotDependOnHowTheFilesAreCutIntoRanks) {
  std::mt19937_64 rng(3);
  // Two files a few blocks long, cut at odd sizes.
  std::vector<std::string> files(2);
  files[0].resize(lfp::kDigestBlockBytes * 2 + 12345);
  files[1].resize(lfp::kDigestBlockBytes + 1);
  for (auto& f : files)
    for (auto& c : f) c = static_cast<char>(rng());
  const std::vector<std::uint64_t> sizes{files[0].size(), files[1].size()};
  auto bytes = [&](std::uint32_t f) { return std::string_view(files[f]); };
  std::vector<std::string> reference;
  for (int ranks : {1, 2, 3, 4, 8}) {
    std::vector<lfp::BlockDigest> all;
    for (const auto& r : lfp::partition(sizes, ranks)) {
      const auto part = lfp::digest_blocks(sizes, r, bytes);
      all.insert(all.end(), part.begin(), part.end());
    }
    const auto digests = lfp::file_digests(sizes, all);
    if (reference.empty()) reference = digests;
    EXPECT_EQ(digests, reference) << ranks << " ranks";
  }
  EXPECT_EQ(reference[0], lfp::digest_of(files[0]));
  EXPECT_NE(reference[0], reference[1]);
}

TEST(Digest, ChangesWithOneByteAndWithTheSize) {
  std::string a(1000, 'x');
  const auto base = lfp::digest_of(a);
  a[500] = 'y';
  EXPECT_NE(lfp::digest_of(a), base);
  EXPECT_NE(lfp::digest_of(std::string(1001, 'x')), base);
  EXPECT_EQ(lfp::digest_of(""), lfp::digest_of(std::string()));
}

}  // namespace
