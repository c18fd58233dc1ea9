#include "csv/automaton.hpp"

#include <gtest/gtest.h>

#include <random>

#include "csv/range_scan.hpp"

using lfp::csv::RangeSummary;
using lfp::csv::State;

TEST(Automaton, QuoteIsDataInsideUnquotedField) {
  EXPECT_EQ(lfp::csv::step(State::Unquoted, lfp::csv::ByteClass::Quote), State::Unquoted);
}

TEST(Automaton, LineBreaksInsideQuotesAreData) {
  EXPECT_EQ(lfp::csv::step(State::Quoted, lfp::csv::ByteClass::Lf), State::Quoted);
  EXPECT_EQ(lfp::csv::step(State::Quoted, lfp::csv::ByteClass::Cr), State::Quoted);
}

TEST(Automaton, LfAfterCrIsNotABlankLineNorARecord) {
  EXPECT_FALSE(lfp::csv::starts_record(State::AfterCr, lfp::csv::ByteClass::Lf));
  EXPECT_EQ(lfp::csv::step(State::AfterCr, lfp::csv::ByteClass::Lf), State::RecordStart);
}

TEST(Automaton, TextAfterClosingQuoteContinuesTheField) {
  EXPECT_EQ(lfp::csv::step(State::QuoteInQuoted, lfp::csv::ByteClass::Other), State::Unquoted);
  EXPECT_EQ(lfp::csv::step(State::QuoteInQuoted, lfp::csv::ByteClass::Quote), State::Quoted);
}

// Composition must be associative, or an exclusive prefix over ranks would depend on how
// MPI groups the operands.
TEST(RangeSummary, ComposesAssociativelyOnRandomBytes) {
  std::mt19937 rng(42);
  const std::string alphabet = "ab,\"\r\n";
  for (int trial = 0; trial < 300; ++trial) {
    std::string data;
    for (int i = 0; i < 60; ++i) data += alphabet[rng() % alphabet.size()];
    std::uint64_t c1 = 1 + rng() % 58, c2 = c1 + 1 + rng() % (59 - c1);
    const auto a = lfp::csv::summarize(data, c1 == 0 ? 0 : 1, c1);
    const auto b = lfp::csv::summarize(data, c1, c2);
    const auto c = lfp::csv::summarize(data, c2, data.size());
    const auto left = a.then(b).then(c), right = a.then(b.then(c));
    EXPECT_EQ(left.end, right.end);
    EXPECT_EQ(left.records, right.records);
    EXPECT_EQ(left.lines, right.lines);
    // And splitting a range changes nothing.
    const auto whole = lfp::csv::summarize(data, 1, data.size());
    EXPECT_EQ(left.end, whole.end);
    EXPECT_EQ(left.records, whole.records);
    EXPECT_EQ(left.lines, whole.lines);
  }
}

TEST(RangeSummary, FileStartResetsWhateverCameBefore) {
  const std::string file = "\"open quote never closed\r\n";
  const auto before = lfp::csv::summarize(file, 1, file.size());
  const auto fresh = lfp::csv::summarize(std::string("a,b\r\nc,d\r\n"), 0, 10);
  const auto both = before.then(fresh);
  for (int s = 0; s < lfp::csv::kStates; ++s) {
    EXPECT_EQ(both.end[s], State::RecordStart);
    EXPECT_EQ(both.records[s], 2u);
  }
  EXPECT_EQ(both.lines, 2u);
}
