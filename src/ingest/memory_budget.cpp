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
  return {node.bytes / on_node,
          node.source + (on_node > 1 ? " shared by the node's " + std::to_string(on_node) + " ranks" : "")};
}

std::uint64_t estimated_rank_peak(std::uint64_t range_bytes) {
  return kProcessBytes + static_cast<std::uint64_t>(std::ceil(kBytesPerInputByte * static_cast<double>(range_bytes)));
}

std::string budget_shortfall(std::uint64_t need, const RankBudget& budget, std::uint64_t all_bytes, int ranks) {
  if (need <= budget.bytes) return "";
  std::string advice;
  if (budget.bytes > kProcessBytes) {
    // The input's part of the need shrinks with the rank count; the process's does not.
    const double per_rank = static_cast<double>(budget.bytes - kProcessBytes) / kBytesPerInputByte;
    const auto fit = static_cast<std::uint64_t>(std::ceil(static_cast<double>(all_bytes) / per_rank));
    if (fit > static_cast<std::uint64_t>(ranks)) advice = ", or at least " + std::to_string(fit) + " ranks";
  }
  const std::uint64_t need_mib = (need + (std::uint64_t{1} << 20) - 1) >> 20;
  return "this rank's share of the input needs about " + format_byte_size(need) +
         " of memory, more than its budget of " + format_byte_size(budget.bytes) + " (" + budget.source +
         "): run with --mem-per-rank " + std::to_string(need_mib) + "M or more" + advice +
         "; nothing was written to the database (a rank holds its share of the rows in memory: spilling them to "
         "scratch is not "
         "built)";
}

int check_rank_budgets(const mpi::Comm& comm, std::uint64_t need, const RankBudget& budget, std::uint64_t all_bytes) {
  struct Fit {
    std::uint64_t need, budget;
  };
  const auto all = comm.allgather(Fit{need, budget.bytes});
  int worst = -1;
  for (int r = 0; r < comm.size(); ++r)
    if (all[r].need > all[r].budget && (worst < 0 || all[r].need - all[r].budget > all[worst].need - all[worst].budget))
      worst = r;
  if (worst < 0) return kExitOk;
  if (comm.rank() == worst) log::error(comm.rank(), budget_shortfall(need, budget, all_bytes, comm.size()));
  return kExitMemory;
}

}  // namespace lfp
