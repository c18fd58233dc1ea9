#include "ingest/memory_budget.hpp"

#include <gtest/gtest.h>

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

TEST(MemoryBudget, EstimateCoversThePeaksMeasuredPerRank) {
  // Peak RSS per rank measured with scripts/bench.sh (docs/benchmarks.md), rows in memory:
  // input bytes per rank -> MiB. The estimate is at least the peak and not far above it, so
  // a share that would not fit spills, and one that fits keeps the fast path.
  const std::pair<double, double> measured[] = {{43.5, 143}, {87, 230}, {870, 1182}, {1739, 2311}};
  for (const auto& [input_mib, peak_mib] : measured) {
    const double estimate =
        static_cast<double>(lfp::estimated_rank_peak(static_cast<std::uint64_t>(input_mib * kMiB))) / kMiB;
    EXPECT_GE(estimate, peak_mib * 0.97) << input_mib << " MiB per rank";
    EXPECT_LE(estimate, peak_mib * 1.2) << input_mib << " MiB per rank";
  }
}

TEST(MemoryBudget, TheSpillSharesFitTheBudgetWithTheProcessBesideThem) {
  for (const std::uint64_t budget : {lfp::kMinimumBudget, 32 * kMiB, 256 * kMiB, 1024 * kMiB, 64 * 1024 * kMiB}) {
    const auto s = lfp::spill_sizes(budget);
    EXPECT_LT(s.data, budget) << budget;
    EXPECT_GE(s.data, budget / 2) << budget;
    // While a window is shuffled: its rows twice (routed, received), the held run, two rounds.
    EXPECT_LE(2 * s.window + s.run + 2 * s.round, s.data) << budget;
    // While the runs are merged and counted: the readers and the name table.
    EXPECT_LE(s.readers + s.table + s.writer, s.data) << budget;
    EXPECT_GE(s.window, kMiB);
    EXPECT_GE(s.run, 2 * kMiB);
  }
  EXPECT_EQ(lfp::spill_sizes(1024 * kMiB).data, (1024 - 112) * kMiB);
}

TEST(MemoryBudget, ABudgetUnderTheMinimumSaysTheMinimum) {
  EXPECT_EQ(lfp::budget_too_small({lfp::kMinimumBudget, "--mem-per-rank"}), "");
  const auto message = lfp::budget_too_small({8 * kMiB, "--mem-per-rank"});
  EXPECT_NE(message.find("8.0 MiB (--mem-per-rank) is too small"), std::string::npos) << message;
  EXPECT_NE(message.find("--mem-per-rank 16M"), std::string::npos) << message;
}

}  // namespace
