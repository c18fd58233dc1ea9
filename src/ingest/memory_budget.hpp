#pragma once
// --mem-per-rank: the memory a rank may use, and how a run keeps to it. Before any row is
// parsed, every rank compares its share's estimated peak with its budget: when all fit, the
// rows stay in memory (the fast path); otherwise every rank reads its share in windows and
// spills sorted runs to scratch (ingest/windowed_parse), with every structure that grows with
// the input sized from the budget (SpillSizes).
#include <cstdint>
#include <string>

#include "mpi/comm.hpp"

namespace lfp {

struct RankBudget {
  std::uint64_t bytes = 0;
  std::string source;  // "--mem-per-rank", or the node's limit and how many ranks share it
};

// The budget when --mem-per-rank is not given: what a job asking for 1 GiB per CPU may use.
inline constexpr std::uint64_t kDefaultBudget = std::uint64_t{1} << 30;

// `mem_per_rank` (--mem-per-rank), or when 0 kDefaultBudget, or less when the node's memory
// or its cgroup's limit (a Slurm allocation on the node), shared by the ranks on the node,
// is less. Collective.
RankBudget rank_budget(const mpi::Comm& comm, std::uint64_t mem_per_rank);

// The peak memory of a rank whose byte range of the input holds `range_bytes` when its rows
// stay in memory, as measured (docs/benchmarks.md, "Memory per rank"): the process itself,
// then about 1.3 bytes per input byte (the rows, their sort keys, the name index's entries,
// then page images and snapshot chunks in their turn).
std::uint64_t estimated_rank_peak(std::uint64_t range_bytes);

// The smallest budget a rank can work in (spilling everything).
inline constexpr std::uint64_t kMinimumBudget = std::uint64_t{16} << 20;

// How a spilling rank splits its budget. The process itself (MPI, libraries, code) keeps
// 112 MiB, or half of a smaller budget; the rest, `data`, holds the input window being parsed,
// the rows routed and received for it, the rows held before they are sorted into a run, the
// name table of the count, and the read buffers of a merge, each a fixed share of it.
struct SpillSizes {
  std::uint64_t data = 0;
  std::uint64_t window = 0;   // input bytes parsed and shuffled at a time
  std::uint64_t round = 0;    // bytes per MPI_Alltoallv round, out of and into a rank
  std::uint64_t run = 0;      // received rows held before they are sorted and spilled
  std::uint64_t table = 0;    // the name table's entries before it is spilled
  std::uint64_t readers = 0;  // the read buffers of all runs of one merge together
  std::uint64_t writer = 0;   // the spill file's write buffer
  std::uint64_t cache = 0;    // rank 0's SQLite page cache while it writes (the table is gone)
};
SpillSizes spill_sizes(std::uint64_t budget);

// Collective. Whether the ranks spill (some rank's `need` exceeds its budget), and the sizes
// they use (from the smallest budget: the shuffle's rounds must be the same everywhere).
// A budget under kMinimumBudget on any rank: that rank says so and every rank gets
// Error(kExitMemory).
struct MemoryPlan {
  bool spill = false;
  std::uint64_t need = 0;  // the largest estimated peak, and the budget of its rank
  RankBudget budget;
  SpillSizes sizes;
};
MemoryPlan plan_memory(const mpi::Comm& comm, std::uint64_t need, const RankBudget& budget);

// The message for a budget under the minimum (empty when it is not).
std::string budget_too_small(const RankBudget& budget);

}  // namespace lfp
