#pragma once
// --mem-per-rank: the memory a rank may use, and the check, before any row is parsed, that
// this input fits it at this rank count. The job holds a rank's share of the rows in memory
// from the parse to the write (spilling to scratch is not built), so a share too large for
// the budget would end in the kernel's out-of-memory killer hours into a run; the check says
// so at once, with the budget or rank count that would do.
#include <cstdint>
#include <string>

#include "mpi/comm.hpp"

namespace lfp {

struct RankBudget {
  std::uint64_t bytes = 0;
  std::string source;  // "--mem-per-rank", or the node's limit and how many ranks share it
};

// `mem_per_rank` (--mem-per-rank), or when 0 the node's memory, or its cgroup's limit (a Slurm
// allocation on the node), shared by the ranks on the node. Collective.
RankBudget rank_budget(const mpi::Comm& comm, std::uint64_t mem_per_rank);

// The peak memory of a rank whose byte range of the input holds `range_bytes`, as measured
// (docs/benchmarks.md, "Memory per rank"): the process itself, then about 1.3 bytes per
// input byte (the rows, their sort keys, the name index's entries, then page images and
// snapshot chunks in their turn).
std::uint64_t estimated_rank_peak(std::uint64_t range_bytes);

// The message when `need` exceeds `budget` (empty when it fits): both, the smallest budget that
// would do and the rank count that would fit this budget.
std::string budget_shortfall(std::uint64_t need, const RankBudget& budget, std::uint64_t all_bytes, int ranks);

// Collective: kExitOk when every rank's need fits its budget; else the rank that lacks the
// most says why (naming its rank off rank 0) and every rank returns kExitMemory.
int check_rank_budgets(const mpi::Comm& comm, std::uint64_t need, const RankBudget& budget, std::uint64_t all_bytes);

}  // namespace lfp
