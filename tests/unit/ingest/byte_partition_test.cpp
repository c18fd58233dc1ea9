#include "ingest/byte_partition.hpp"

#include <gtest/gtest.h>

TEST(Partition, CoversEveryByteOnceInOrder) {
  const std::vector<std::uint64_t> sizes{100, 0, 7, 1000};
  for (int ranks : {1, 2, 3, 8, 50, 2000}) {
    const auto ranges = lfp::partition(sizes, ranks);
    ASSERT_EQ(ranges.size(), static_cast<std::size_t>(ranks));
    std::uint64_t at = 0;
    for (const auto& r : ranges) {
      EXPECT_EQ(r.begin, at);
      EXPECT_LE(r.begin, r.end);
      at = r.end;
    }
    EXPECT_EQ(at, 1107u);
  }
}

TEST(Partition, NeverCutsInsideAByteOrderMark) {
  const std::vector<std::uint64_t> sizes{5, 5, 2, 5};
  for (int ranks = 1; ranks <= 17; ++ranks)
    for (const auto& r : lfp::partition(sizes, ranks))
      for (const auto& s : lfp::segments_of(sizes, r)) {
        EXPECT_FALSE(s.begin == 1 || s.begin == 2) << ranks;
      }
}

TEST(Partition, SegmentsSplitAtFileBoundaries) {
  const auto segs = lfp::segments_of({10, 0, 20}, {5, 25});
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].file, 0u);
  EXPECT_EQ(segs[0].begin, 5u);
  EXPECT_EQ(segs[0].end, 10u);
  EXPECT_EQ(segs[1].file, 2u);
  EXPECT_EQ(segs[1].begin, 0u);
  EXPECT_EQ(segs[1].end, 15u);
}
