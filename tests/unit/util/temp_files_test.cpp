#include "util/temp_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.hpp"

namespace {

namespace fs = std::filesystem;

std::string target(const char* name) {
  const std::string t = ::testing::TempDir() + name + std::to_string(::getpid());
  fs::remove(t);
  return t;
}

TEST(TempFile, IsRemovedUnlessPublished) {
  const auto t = target("temp_unpublished");
  std::string partial;
  {
    lfp::TempFile f(t);
    partial = f.path();
    std::ofstream(partial) << "half";
    EXPECT_TRUE(fs::exists(partial));
  }
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(t));
}

TEST(TempFile, PublishWithoutReplaceRefusesAnExistingTarget) {
  const auto t = target("temp_exists");
  std::ofstream(t) << "theirs";
  {
    lfp::TempFile f(t);
    std::ofstream(f.path()) << "ours";
    EXPECT_THROW(f.publish(/*replace=*/false), lfp::Error);
  }
  std::ifstream in(t);
  std::string s;
  in >> s;
  EXPECT_EQ(s, "theirs");
  fs::remove(t);
}

TEST(TempFile, LeftoversOfDeadProcessesOnThisHostAreRemoved) {
  const auto t = target("temp_stale");
  // A pid far above pid_max cannot be alive.
  const std::string host_part = lfp::partial_path(t).substr(t.size());  // ".partial-HOST-PID"
  const std::string stale = t + host_part.substr(0, host_part.rfind('-') + 1) + "999999999";
  std::ofstream(stale) << "left by a killed run";
  { lfp::TempFile f(t); }
  EXPECT_FALSE(fs::exists(stale));
}

// In a shared writable directory another user could plant a symlink at the temporary name
// between its removal and the library's open: the file is created exclusively at once.
TEST(TempFile, CreatesItsFileExclusivelyBeforeAnyLibraryOpensIt) {
  const auto t = target("temp_exclusive");
  lfp::TempFile f(t);
  struct stat st {};
  ASSERT_EQ(::lstat(f.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 0);
}

TEST(TempFile, RefusesToPublishATemporaryFileSwappedForASymlink) {
  const auto t = target("temp_swapped");
  const auto victim = target("temp_victim");
  std::ofstream(victim) << "someone else's";
  {
    lfp::TempFile f(t);
    fs::remove(f.path());
    fs::create_symlink(victim, f.path());
    EXPECT_THROW(f.publish(/*replace=*/true), lfp::Error);
  }
  EXPECT_FALSE(fs::exists(t));
  std::ifstream in(victim);
  std::string s;
  std::getline(in, s);
  EXPECT_EQ(s, "someone else's");
  fs::remove(victim);
}

}  // namespace
