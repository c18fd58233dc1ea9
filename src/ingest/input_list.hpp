#pragma once
// Phase 0: the list of input files (input_files.hpp then stats and maps them). Arguments
// may name files or directories, and --files-from names a file (or `-`, standard input)
// that lists more paths, one per line: Open MPI passes the whole command line to every rank
// through one environment variable of at most 128 KiB, so thousands of paths must not be
// arguments. Rank 0 builds the list and broadcasts it.
#include <string>
#include <string_view>
#include <vector>

namespace lfp {

// The suffixes a directory argument takes (its other files are left out).
inline constexpr std::string_view kDirectorySuffixes[] = {".csv", ".csv.gz", ".csv.zst"};

// The input files, in order: each argument (a directory stands for its entries with the
// suffixes above that are not directories, by name, byte order, not recursive, hidden files
// left out; a dangling symlink among them fails the run as it would named alone), then each path
// of --files-from (`-` reads standard input; empty lines are skipped, a trailing CR dropped;
// a listed directory expands the same way). Throws Error(kExitInput) for a list that cannot
// be read or a directory without such files.
std::vector<std::string> expand_inputs(const std::vector<std::string>& arguments, const std::string& files_from);

// Paths as one buffer (NUL-separated), and back: how the list travels to the other ranks.
std::vector<char> pack_paths(const std::vector<std::string>& paths);
std::vector<std::string> unpack_paths(const std::vector<char>& bytes);

}  // namespace lfp
