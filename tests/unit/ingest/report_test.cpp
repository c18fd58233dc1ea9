#include "ingest/report.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Report, HoldsExactlyTheDocumentedKeysInOrder) {
  lfp::RunStats s;
  s.records_read = 2000;
  s.rejected = 2;
  s.inserted = 1990;
  s.products = 1990;
  s.names = 7;
  s.phase_seconds = {{"parse", 0.25}, {"total", 1.5}};
  lfp::RunReport r;
  r.files = {{"a \"quoted\".csv", "read", 2000, 2}, {"b.csv.gz", "skipped", 0, 0}};
  r.nodes = {{"node1", {0, 1}}, {"node2", {2}}};
  EXPECT_EQ(lfp::report_json(s, r),
            "{\n"
            "  \"records_read\": 2000,\n"
            "  \"rejected\": 2,\n"
            "  \"records_unchanged\": 0,\n"
            "  \"chunks\": 0,\n"
            "  \"chunks_read\": 0,\n"
            "  \"inserted\": 1990,\n"
            "  \"updated\": 0,\n"
            "  \"unchanged\": 0,\n"
            "  \"products\": 1990,\n"
            "  \"names\": 7,\n"
            "  \"vanished\": 0,\n"
            "  \"pruned\": 0,\n"
            "  \"phase_seconds\": {\"parse\": 0.250000, \"total\": 1.500000},\n"
            "  \"files\": [\n"
            "    {\"path\": \"a \\\"quoted\\\".csv\", \"status\": \"read\", \"records\": 2000, \"rejects\": 2},\n"
            "    {\"path\": \"b.csv.gz\", \"status\": \"skipped\", \"records\": 0, \"rejects\": 0}\n"
            "  ],\n"
            "  \"nodes\": [\n"
            "    {\"host\": \"node1\", \"ranks\": [0, 1]},\n"
            "    {\"host\": \"node2\", \"ranks\": [2]}\n"
            "  ],\n"
            "  \"exit_code\": 0,\n"
            "  \"error\": null\n"
            "}\n");
}

TEST(Report, AFailedRunCarriesItsErrorAndEachFilesStatus) {
  lfp::RunReport r;
  r.exit_code = 4;
  r.error = "bad.csv:1: the header lacks the column sku";
  r.files = {
      {"/nonexistent/dir/missing.csv", "", 0, 0}, {"bad.csv", "rejected header", 0, 0}, {"later.csv", "read", 0, 0}};
  lfp::settle_file_statuses(r);
  EXPECT_EQ(r.files[0].status, "missing");
  EXPECT_EQ(r.files[1].status, "rejected header");
  const std::string json = lfp::report_json({}, r);
  EXPECT_NE(json.find("\"exit_code\": 4,\n  \"error\": \"bad.csv:1: the header lacks the column sku\"\n}"),
            std::string::npos);
}

TEST(Report, ControlCharactersInPathsAreEscaped) {
  lfp::RunReport r;
  r.files = {{"new\nline.csv", "read", 0, 0}};
  EXPECT_NE(lfp::report_json({}, r).find("new\\u000aline.csv"), std::string::npos);
}

}  // namespace
