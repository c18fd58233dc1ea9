#pragma once
// How much memory this process's node lets it use: the machine's memory, or less where a
// control group limits it (a Slurm job's allocation on the node, a container).
#include <cstdint>
#include <string>

namespace lfp {

struct MemoryLimit {
  std::uint64_t bytes = 0;
  std::string source;  // "the node's memory (/proc/meminfo)" or the cgroup file that set it
};

MemoryLimit node_memory_limit();

// The smallest limit among a cgroup and its ancestors, in the files of `cgroup_root` (for
// tests): v2 ("0::/path" in `self_cgroup`, memory.max) or v1 ("N:memory:/path",
// memory/…/memory.limit_in_bytes). Nothing found: `fallback` unchanged.
MemoryLimit cgroup_memory_limit(const std::string& self_cgroup, const std::string& cgroup_root, MemoryLimit fallback);

}  // namespace lfp
