#include "ingest/report.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Report, HoldsExactlyTheDocumentedKeysInOrder) {
  lfp::RunReport r;
  r.records_read = 2000;
  r.rejected = 2;
  r.inserted = 1990;
  r.products = 1990;
  r.names = 7;
  r.phase_seconds = {{"parse", 0.25}, {"total", 1.5}};
  r.files = {{"a \"quoted\".csv", true, 2000, 2}, {"b.csv.gz", false, 0, 0}};
  r.nodes = {{"node1", {0, 1}}, {"node2", {2}}};
  EXPECT_EQ(lfp::report_json(r),
            "{\n"
            "  \"records_read\": 2000,\n"
            "  \"rejected\": 2,\n"
            "  \"inserted\": 1990,\n"
            "  \"updated\": 0,\n"
            "  \"unchanged\": 0,\n"
            "  \"products\": 1990,\n"
            "  \"names\": 7,\n"
            "  \"phase_seconds\": {\"parse\": 0.250000, \"total\": 1.500000},\n"
            "  \"files\": [\n"
            "    {\"path\": \"a \\\"quoted\\\".csv\", \"status\": \"read\", \"records\": 2000, \"rejects\": 2},\n"
            "    {\"path\": \"b.csv.gz\", \"status\": \"skipped\", \"records\": 0, \"rejects\": 0}\n"
            "  ],\n"
            "  \"nodes\": [\n"
            "    {\"host\": \"node1\", \"ranks\": [0, 1]},\n"
            "    {\"host\": \"node2\", \"ranks\": [2]}\n"
            "  ],\n"
            "  \"exit_code\": 0\n"
            "}\n");
}

TEST(Report, ControlCharactersInPathsAreEscaped) {
  lfp::RunReport r;
  r.files = {{"new\nline.csv", true, 0, 0}};
  EXPECT_NE(lfp::report_json(r).find("new\\u000aline.csv"), std::string::npos);
}

}  // namespace
