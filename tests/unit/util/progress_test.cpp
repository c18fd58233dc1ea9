#include "util/progress.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

namespace {

TEST(ProgressText, ScalesRankZerosShareToTheWholeJobAndEstimatesTheRest) {
  lfp::ProgressState s{"parse", 2.0, {400000000, 100000000, 0}, 50000000, 250000};
  // Rank 0 did half its share in 2 s: 200 MB and 1,000,000 records job-wide, 2 s to go.
  EXPECT_EQ(lfp::progress_text(s),
            "parse: 2.0 s, 50%, 1000000 records (500000 records/s), 200.0 MB (100.0 MB/s), ETA 2 s");
}

TEST(ProgressText, TheWritePhaseCountsRecordsAgainstTheirTotal) {
  lfp::ProgressState s{"write_db", 90.0, {0, 0, 1000}, 0, 250};
  EXPECT_EQ(lfp::progress_text(s), "write_db: 90.0 s, 25%, 250 records (3 records/s), ETA 4 min 30 s");
}

TEST(ProgressText, APhaseWithoutCountersShowsItsTimeOnly) {
  EXPECT_EQ(lfp::progress_text({"shuffle", 12.34, {}, 0, 0}), "shuffle: 12.3 s");
}

TEST(Progress, LinesModePrintsATimestampedLineAtThePhaseStartAndThenEveryInterval) {
  ::testing::internal::CaptureStderr();
  {
    lfp::Progress p(lfp::ProgressMode::Lines, false, 0.2);
    p.start("parse", {1000, 1000, 0});
    lfp::progress_counters().bytes.store(500);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  const std::regex start(R"(lfp_mpi: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ parse: started \(0.0 MB\)\n)");
  EXPECT_TRUE(std::regex_search(err, start)) << err;
  const std::regex tick(R"(lfp_mpi: \S+Z parse: 0\.\d s, 50%)");
  const auto ticks = std::distance(std::sregex_iterator(err.begin(), err.end(), tick), std::sregex_iterator());
  EXPECT_GE(ticks, 2) << err;
  EXPECT_LE(ticks, 4) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << "no terminal control in a log";
}

TEST(Progress, OffPrintsNothing) {
  ::testing::internal::CaptureStderr();
  {
    lfp::Progress p;
    p.start("parse");
    p.done("parse", 1.0);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
