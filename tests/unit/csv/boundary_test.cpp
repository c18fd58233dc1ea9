// Boundary resolution: cutting a file into ranges at any byte must find exactly the records
// a sequential parse finds, with the same line numbers and record indices.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "csv/range_scan.hpp"

namespace {

using lfp::csv::OwnedRecord;

// Records owned by each of the ranges [cuts[i], cuts[i+1]), concatenated.
std::vector<OwnedRecord> parse_in_ranges(const std::string& file, const std::vector<std::uint64_t>& cuts,
                                         std::vector<std::uint64_t>* indices = nullptr) {
  std::vector<lfp::csv::RangeSummary> summaries;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
    summaries.push_back(lfp::csv::summarize(file, cuts[i], cuts[i + 1]));
  std::vector<OwnedRecord> out;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const auto start = lfp::csv::fold_prefix(summaries.data(), i);
    lfp::csv::for_each_owned_record(file, cuts[i], cuts[i + 1], start,
                                    [&](std::uint64_t index, const lfp::csv::Record& r) {
                                      out.push_back(lfp::csv::to_owned(r));
                                      if (indices) indices->push_back(index);
                                    });
  }
  return out;
}

const std::vector<std::string> kTricky = {
    "name,sku,description\r\nA B,s-1,\"two\nlines\"\r\nC D,s-2,plain\r\n",
    "a,b\r\n\r\n\r\nc,\"d\r\ne\"\r\n",
    "\"\"\"\",\"a\"\"b\"\r\"c\"x\ry",
    "a\r\r\n\n\rb,\"\r\",\"\n\"\r\n",
    "\xEF\xBB\xBF\"h\",x\r\n1,\"2\"\"\r\n3\"",
    "x,\"open\r\nquote never closes\nat all",
    "a,\"b\"c\"d\",e\nf\"g,h\n",
    "\n\n\r\n,\r\n,,\r\n\"\"\r\n",
    "one\rtwo\rthree\r",
    "a,b\r",
};

}  // namespace

TEST(Boundaries, EveryTwoWayCutOfTrickyInputs) {
  for (const auto& file : kTricky) {
    const auto expected = lfp::csv::parse_all(file);
    for (std::uint64_t cut = 0; cut <= file.size(); ++cut) {
      std::vector<std::uint64_t> cuts{0, cut, file.size()};
      if (cut > 0 && cut < 3 && file.rfind("\xEF\xBB\xBF", 0) == 0) continue;  // partition never cuts a BOM
      std::vector<std::uint64_t> indices;
      EXPECT_EQ(parse_in_ranges(file, cuts, &indices), expected) << "cut at " << cut << " of " << file;
      for (std::size_t i = 0; i < indices.size(); ++i) EXPECT_EQ(indices[i], i);
    }
  }
}

TEST(Boundaries, EveryThreeWayCutOfTrickyInputs) {
  for (const auto& file : kTricky) {
    if (file.rfind("\xEF\xBB\xBF", 0) == 0) continue;
    const auto expected = lfp::csv::parse_all(file);
    for (std::uint64_t a = 0; a <= file.size(); ++a)
      for (std::uint64_t b = a; b <= file.size(); ++b)
        ASSERT_EQ(parse_in_ranges(file, {0, a, b, file.size()}), expected) << a << "," << b << " of " << file;
  }
}

TEST(Boundaries, RealisticFileCutIntoManyRanges) {
  std::string file = "name,sku,description\r\n";
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    file += "Name " + std::to_string(rng() % 100) + ",sku-" + std::to_string(i) + ",";
    if (rng() % 2)
      file += "\"First paragraph.\nSecond, with a comma and \"\"quotes\"\".\"\r\n";
    else
      file += "Single paragraph.\r\n";
  }
  const auto expected = lfp::csv::parse_all(file);
  ASSERT_EQ(expected.size(), 3001u);
  for (int ranges : {2, 3, 7, 64, 1000}) {
    std::vector<std::uint64_t> cuts;
    for (int r = 0; r <= ranges; ++r) cuts.push_back(file.size() * r / ranges);
    EXPECT_EQ(parse_in_ranges(file, cuts), expected) << ranges << " ranges";
  }
}
