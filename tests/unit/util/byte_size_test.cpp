#include "util/byte_size.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/memory_limit.hpp"

namespace {

using lfp::parse_byte_size;

TEST(ByteSize, SizesAsWrittenOnHpcCommandLines) {
  EXPECT_EQ(parse_byte_size("4G"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_byte_size("4g"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_byte_size("4GB"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_byte_size("4GiB"), std::uint64_t{4} << 30);
  EXPECT_EQ(parse_byte_size("512M"), std::uint64_t{512} << 20);
  EXPECT_EQ(parse_byte_size("1.5G"), std::uint64_t{3} << 29);
  EXPECT_EQ(parse_byte_size("800"), std::uint64_t{800} << 20);  // a bare number: MiB, as Slurm's --mem-per-cpu
  EXPECT_EQ(parse_byte_size("64k"), std::uint64_t{64} << 10);
  EXPECT_EQ(parse_byte_size("1T"), std::uint64_t{1} << 40);
  EXPECT_EQ(parse_byte_size("4096B"), 4096u);
}

TEST(ByteSize, WhatIsNotASizeIsRefused) {
  for (const char* bad : {"", "G", "-1", "0", "0M", "4 G", "4X", "4GX", "4Gi", "1e3", ".", "99999999999T", "0.1B"})
    EXPECT_FALSE(parse_byte_size(bad).has_value()) << "'" << bad << "'";
}

TEST(ByteSize, FormattedForMessages) {
  EXPECT_EQ(lfp::format_byte_size(12), "12 bytes");
  EXPECT_EQ(lfp::format_byte_size(std::uint64_t{3} << 29), "1.5 GiB");
  EXPECT_EQ(lfp::format_byte_size(std::uint64_t{155} << 20), "155 MiB");
}

class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("lfp-cgroup-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& relative, const std::string& text) {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::filesystem::path root_;
};

TEST_F(CgroupTree, AJobsLimitAboveItsStepsGroupIsFound) {
  // cgroup v2 as Slurm lays it out: the limit on the job, "max" on the step below it.
  write("slurm/job_7/memory.max", "2147483648\n");
  write("slurm/job_7/step_0/memory.max", "max\n");
  const auto limit = lfp::cgroup_memory_limit("0::/slurm/job_7/step_0\n", root_.string(), {~0ull, "meminfo"});
  EXPECT_EQ(limit.bytes, std::uint64_t{2} << 30);
  EXPECT_NE(limit.source.find("job_7/memory.max"), std::string::npos) << limit.source;
}

TEST_F(CgroupTree, CgroupV1MemoryControllerAndTheSmallerLimitWins) {
  write("memory/job/memory.limit_in_bytes", "9223372036854771712\n");  // v1's "no limit"
  write("memory/job/task/memory.limit_in_bytes", "1073741824\n");
  const std::string self = "4:memory:/job/task\n3:cpuset:/\n0::/\n";
  EXPECT_EQ(lfp::cgroup_memory_limit(self, root_.string(), {~0ull, "meminfo"}).bytes, std::uint64_t{1} << 30);
  // The node's memory, when smaller, stays the limit.
  EXPECT_EQ(lfp::cgroup_memory_limit(self, root_.string(), {std::uint64_t{512} << 20, "meminfo"}).source, "meminfo");
}

TEST_F(CgroupTree, NoLimitAnywhereKeepsTheNodesMemory) {
  write("memory.max", "max\n");
  const auto limit = lfp::cgroup_memory_limit("0::/\n", root_.string(), {std::uint64_t{24} << 30, "meminfo"});
  EXPECT_EQ(limit.bytes, std::uint64_t{24} << 30);
  EXPECT_EQ(lfp::cgroup_memory_limit("", root_.string(), {5, "meminfo"}).bytes, 5u);
  EXPECT_GT(lfp::node_memory_limit().bytes, std::uint64_t{64} << 20);  // this machine has some
}

}  // namespace
