#include "csv/utf8.hpp"

#include <gtest/gtest.h>

using lfp::csv::check_text;
using lfp::csv::TextCheck;

TEST(Utf8, AcceptsValidText) {
  EXPECT_EQ(check_text(""), TextCheck::Ok);
  EXPECT_EQ(check_text("plain ascii text that is longer than eight bytes"), TextCheck::Ok);
  EXPECT_EQ(check_text("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), TextCheck::Ok);
  EXPECT_EQ(check_text("\xF4\x8F\xBF\xBF"), TextCheck::Ok);  // U+10FFFF
}

TEST(Utf8, RejectsWhatPythonRejects) {
  for (const char* bad : {"\xFF", "\xC3", "abc\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\x80", "\xF0\x9F\x98", "\xC3(x"})
    EXPECT_EQ(check_text(bad), TextCheck::InvalidUtf8) << bad;
}

TEST(Utf8, NulIsReportedEvenAfterInvalidBytes) {
  EXPECT_EQ(check_text(std::string_view("a\0b", 3)), TextCheck::HasNul);
  EXPECT_EQ(check_text(std::string_view("\xFF........\0", 11)), TextCheck::HasNul);
}
