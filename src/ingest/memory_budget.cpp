#include "ingest/memory_budget.hpp"

#include <algorithm>
#include <cmath>

#include "mpi/node.hpp"
#include "util/byte_size.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/memory_limit.hpp"

namespace lfp {
namespace {

// Fitted to peak RSS per rank at 0.5M and 10M records, 1 and 2 ranks (143-2311 MiB): within
// 20% above the measured peak there (most for small inputs).
constexpr std::uint64_t kProcessBytes = std::uint64_t{112} << 20;
constexpr double kBytesPerInputByte = 1.3;

}  // namespace

RankBudget rank_budget(const mpi::Comm& comm, std::uint64_t mem_per_rank) {
  std::size_t on_node = 1;
  for (const auto& node : mpi::nodes_of(comm))
    if (std::find(node.ranks.begin(), node.ranks.end(), comm.rank()) != node.ranks.end()) on_node = node.ranks.size();
  if (mem_per_rank > 0) return {mem_per_rank, "--mem-per-rank"};
  const MemoryLimit node = node_memory_limit();
  if (node.bytes / on_node >= kDefaultBudget) return {kDefaultBudget, "the default"};
  return {node.bytes / on_node,
          node.source + (on_node > 1 ? " shared by the node's " + std::to_string(on_node) + " ranks" : "")};
}

std::uint64_t estimated_rank_peak(std::uint64_t range_bytes) {
  return kProcessBytes + static_cast<std::uint64_t>(std::ceil(kBytesPerInputByte * static_cast<double>(range_bytes)));
}

std::string budget_too_small(const RankBudget& budget) {
  if (budget.bytes >= kMinimumBudget) return "";
  return "a memory budget of " + format_byte_size(budget.bytes) + " (" + budget.source +
         ") is too small to work in: the minimum is " + format_byte_size(kMinimumBudget) + " (--mem-per-rank " +
         std::to_string(kMinimumBudget >> 20) + "M); nothing was written to the database";
}

SpillSizes spill_sizes(std::uint64_t budget) {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  SpillSizes s;
  s.data = budget >= 2 * kProcessBytes ? budget - kProcessBytes : budget / 2;
  // While a window is shuffled a rank holds its rows (routed, then sent round by round), what
  // it receives, the rows held for the next run and two round buffers: about 3/4 of `data`.
  s.window = std::max(kMiB, s.data / 8);
  s.round = std::max(kMiB / 4, s.data / 16);
  s.run = std::max(2 * kMiB, s.data / 4);
  s.table = std::max(kMiB, s.data / 4);
  s.readers = std::max(kMiB, s.data / 8);
  s.cache = s.table;
  s.writer = std::clamp<std::uint64_t>(s.data / 32, 64 << 10, 4 * kMiB);
  return s;
}

MemoryPlan plan_memory(const mpi::Comm& comm, std::uint64_t need, const RankBudget& budget) {
  struct Fit {
    std::uint64_t need, budget;
  };
  const auto all = comm.allgather(Fit{need, budget.bytes});
  // The first rank whose budget is too small says so, for all.
  for (int r = 0; r < comm.size(); ++r)
    if (all[r].budget < kMinimumBudget) {
      if (r == comm.rank()) log::error(r, budget_too_small(budget));
      throw Error::reported(kExitMemory);
    }
  MemoryPlan plan;
  std::uint64_t smallest = all[0].budget;
  int worst = -1;  // the rank short of the most
  for (int r = 0; r < comm.size(); ++r) {
    smallest = std::min(smallest, all[r].budget);
    if (all[r].need > all[r].budget && (worst < 0 || all[r].need - all[r].budget > all[worst].need - all[worst].budget))
      worst = r;
  }
  plan.spill = worst >= 0;
  plan.need = plan.spill ? all[worst].need : need;
  plan.budget = budget;
  if (plan.spill && all[worst].budget != budget.bytes)
    plan.budget = {all[worst].budget, "rank " + std::to_string(worst) + "'s"};
  plan.sizes = spill_sizes(smallest);
  return plan;
}

}  // namespace lfp
