#include <gtest/gtest.h>

#include "util/log.hpp"

namespace {

TEST(LogCount, OneTakesTheSingularEveryOtherCountThePlural) {
  EXPECT_EQ(lfp::log::count(1, "file"), "1 file");
  EXPECT_EQ(lfp::log::count(0, "file"), "0 files");
  EXPECT_EQ(lfp::log::count(2, "name"), "2 names");
  EXPECT_EQ(lfp::log::count(-1, "record"), "-1 records");
}

TEST(LogCount, AnIrregularPluralIsGiven) {
  EXPECT_EQ(lfp::log::count(1, "entry", "entries"), "1 entry");
  EXPECT_EQ(lfp::log::count(3, "entry", "entries"), "3 entries");
}

}  // namespace
