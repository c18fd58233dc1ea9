#include "util/suggest.hpp"

#include <gtest/gtest.h>

namespace {

const std::vector<std::string> kCommands{"ingest", "generate", "update", "delete", "query", "verify", "snapshot"};

TEST(Suggest, ASwappedPairOfLettersIsOneEdit) { EXPECT_EQ(lfp::edit_distance("ingset", "ingest"), 1u); }

TEST(Suggest, TyposFindTheirSubcommand) {
  EXPECT_EQ(lfp::closest("ingset", kCommands), "ingest");
  EXPECT_EQ(lfp::closest("qeury", kCommands), "query");
  EXPECT_EQ(lfp::closest("genrate", kCommands), "generate");
  EXPECT_EQ(lfp::closest("snap", kCommands), "snapshot");
}

TEST(Suggest, AWordFarFromEveryCandidateFindsNothing) { EXPECT_EQ(lfp::closest("frobnicate", kCommands), ""); }

}  // namespace
