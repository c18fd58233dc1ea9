#pragma once
// A database path in gtest's temporary directory, removed (with its journal) before and after
// the test: for tests that build files by hand and compare them with SQLite's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace lfp::test {

class TempDbPath {
 public:
  TempDbPath(const std::string& prefix, const std::string& name)
      : path_(::testing::TempDir() + prefix + "_" + name + "_" + std::to_string(::getpid()) + ".db") {
    ::unlink(path_.c_str());
  }
  ~TempDbPath() {
    ::unlink(path_.c_str());
    ::unlink((path_ + "-journal").c_str());
  }
  TempDbPath(const TempDbPath&) = delete;
  TempDbPath& operator=(const TempDbPath&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lfp::test
