#include "util/shell_quote.hpp"

#include <gtest/gtest.h>

namespace {

TEST(ShellQuote, SafeWordsStayAsTheyAre) {
  EXPECT_EQ(lfp::shell_quote("--db"), "--db");
  EXPECT_EQ(lfp::shell_quote("/data/products-2024_01.csv"), "/data/products-2024_01.csv");
  EXPECT_EQ(lfp::shell_quote("--max-rejects=10"), "--max-rejects=10");
}

TEST(ShellQuote, SpacesQuotesAndSpecialCharactersAreSingleQuoted) {
  EXPECT_EQ(lfp::shell_quote("my products.db"), "'my products.db'");
  EXPECT_EQ(lfp::shell_quote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(lfp::shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(lfp::shell_quote("a*"), "'a*'");
  EXPECT_EQ(lfp::shell_quote("line\nbreak"), "'line\nbreak'");
  EXPECT_EQ(lfp::shell_quote("caf\xc3\xa9"), "'caf\xc3\xa9'");  // as shlex.quote: only ASCII is safe
  EXPECT_EQ(lfp::shell_quote(""), "''");
}

TEST(ShellQuote, ACommandLineJoinsItsQuotedWords) {
  const char* argv[] = {"lfp_mpi", "update", "--db", "my products.db", "--sku", "X", "--name", "New Name"};
  EXPECT_EQ(lfp::shell_command(8, argv), "lfp_mpi update --db 'my products.db' --sku X --name 'New Name'");
}

}  // namespace
