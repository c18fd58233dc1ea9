#include "ingest/memory_budget.hpp"

#include <gtest/gtest.h>

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

TEST(MemoryBudget, EstimateCoversThePeaksMeasuredPerRank) {
  // Peak RSS per rank measured with scripts/bench.sh (docs/benchmarks.md): input bytes per
  // rank -> MiB. The estimate is at least the peak and not far above it.
  const std::pair<double, double> measured[] = {{43.5, 143}, {87, 230}, {870, 1182}, {1739, 2311}};
  for (const auto& [input_mib, peak_mib] : measured) {
    const double estimate =
        static_cast<double>(lfp::estimated_rank_peak(static_cast<std::uint64_t>(input_mib * kMiB))) / kMiB;
    EXPECT_GE(estimate, peak_mib * 0.97) << input_mib << " MiB per rank";
    EXPECT_LE(estimate, peak_mib * 1.2) << input_mib << " MiB per rank";
  }
}

TEST(MemoryBudget, AShareThatFitsSaysNothing) {
  EXPECT_EQ(lfp::budget_shortfall(100 * kMiB, {100 * kMiB, "--mem-per-rank"}, 1000 * kMiB, 4), "");
}

TEST(MemoryBudget, AShortfallNamesTheNeedTheBudgetAndWhatWouldDo) {
  const std::uint64_t all = 1739 * kMiB;
  const auto need = lfp::estimated_rank_peak(all / 2);
  const auto message = lfp::budget_shortfall(need, {1024 * kMiB, "--mem-per-rank"}, all, 2);
  EXPECT_NE(message.find("1.0 GiB (--mem-per-rank)"), std::string::npos) << message;
  EXPECT_NE(message.find("--mem-per-rank " + std::to_string((need + kMiB - 1) / kMiB) + "M or more"), std::string::npos)
      << message;
  EXPECT_NE(message.find("at least 3 ranks"), std::string::npos) << message;
  // The suggested rank count does fit the budget.
  EXPECT_LE(lfp::estimated_rank_peak(all / 3), 1024 * kMiB);
  // A budget below what the process itself takes: no rank count helps, none is suggested.
  const auto tiny = lfp::budget_shortfall(need, {kMiB, "the node's memory"}, all, 2);
  EXPECT_EQ(tiny.find("ranks"), std::string::npos) << tiny;
  EXPECT_NE(tiny.find("(the node's memory)"), std::string::npos) << tiny;
}

}  // namespace
