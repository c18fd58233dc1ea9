#include "ingest/input_list.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.hpp"

namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const char* name) {
  const fs::path d = fs::path(::testing::TempDir()) / (name + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(InputList, ADirectoryStandsForItsCsvAndCompressedCsvFilesInNameOrder) {
  const auto d = fresh_dir("inputs_dir");
  for (const char* n : {"b.csv.zst", "a.csv", "c.csv.gz", "notes.txt", ".hidden.csv", "x.csv.partial-h-1", "Z.csv"})
    std::ofstream(d / n) << "x";
  fs::create_directories(d / "sub.csv");  // a directory is not a file, whatever its name
  const std::string dir = d.string();
  EXPECT_EQ(lfp::expand_inputs({dir}, ""),
            (std::vector<std::string>{dir + "/Z.csv", dir + "/a.csv", dir + "/b.csv.zst", dir + "/c.csv.gz"}));
}

TEST(InputList, ArgumentsComeFirstThenTheListedPathsWithEmptyLinesAndCarriageReturnsDropped) {
  const auto d = fresh_dir("inputs_list");
  const auto list = d / "list.txt";
  std::ofstream(list) << "one.csv\r\n\n/abs/two.csv.gz\nthree with spaces.csv";
  EXPECT_EQ(lfp::expand_inputs({"first.csv"}, list.string()),
            (std::vector<std::string>{"first.csv", "one.csv", "/abs/two.csv.gz", "three with spaces.csv"}));
}

TEST(InputList, AMissingListOrAnEmptyDirectoryIsAnInputError) {
  const auto d = fresh_dir("inputs_errors");
  try {
    lfp::expand_inputs({}, (d / "no-such-list").string());
    ADD_FAILURE() << "no error";
  } catch (const lfp::Error& e) {
    EXPECT_EQ(e.code(), lfp::kExitInput);
  }
  EXPECT_THROW(lfp::expand_inputs({d.string()}, ""), lfp::Error);
}

TEST(InputList, PathsSurviveThePackingThatCarriesThemToTheOtherRanks) {
  const std::vector<std::string> paths{"a.csv", "dir/b c.csv.gz", "", "ü.csv"};
  EXPECT_EQ(lfp::unpack_paths(lfp::pack_paths(paths)), paths);
  EXPECT_TRUE(lfp::unpack_paths(lfp::pack_paths({})).empty());
}

}  // namespace
