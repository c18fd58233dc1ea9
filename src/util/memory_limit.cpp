#include "util/memory_limit.hpp"

#include <fstream>
#include <sstream>

namespace lfp {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A limit file's value: bytes, or nothing for "max" (v2) and v1's "no limit" (near 2^63).
bool read_limit(const std::string& path, std::uint64_t& bytes) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word.empty() || word.find_first_not_of("0123456789") != std::string::npos) return false;
  try {
    bytes = std::stoull(word);
  } catch (const std::exception&) {
    return false;
  }
  return bytes < (std::uint64_t{1} << 62);
}

}  // namespace

MemoryLimit cgroup_memory_limit(const std::string& self_cgroup, const std::string& cgroup_root, MemoryLimit fallback) {
  std::istringstream lines(self_cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    std::string dir, file;
    if (line.compare(0, first, "0") == 0 && controllers.empty()) {
      dir = cgroup_root;
      file = "memory.max";
    } else if (controllers == "memory" || controllers.find("memory,") == 0 ||
               controllers.find(",memory") != std::string::npos) {
      dir = cgroup_root + "/memory";
      file = "memory.limit_in_bytes";
    } else {
      continue;
    }
    // The group and each ancestor: a job's limit sits above the step's own group.
    while (true) {
      std::uint64_t bytes = 0;
      const std::string at = dir + (path == "/" ? "" : path) + "/" + file;
      if (read_limit(at, bytes) && bytes < fallback.bytes) fallback = {bytes, at};
      if (path.empty() || path == "/") break;
      const auto slash = path.rfind('/');
      path = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
    }
  }
  return fallback;
}

MemoryLimit node_memory_limit() {
  MemoryLimit out{~std::uint64_t{0}, "no limit found"};
  std::istringstream meminfo(read_all("/proc/meminfo"));
  std::string key;
  std::uint64_t kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemTotal:") {
      out = {kib * 1024, "the node's memory (/proc/meminfo)"};
      break;
    }
    meminfo.ignore(256, '\n');
  }
  return cgroup_memory_limit(read_all("/proc/self/cgroup"), "/sys/fs/cgroup", out);
}

}  // namespace lfp
