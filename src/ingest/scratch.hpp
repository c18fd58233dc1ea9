#pragma once
// Files in the scratch directory (--scratch, else $TMPDIR or /tmp): copies of streams and of
// decompressed inputs, and sorted runs spilled under --mem-per-rank. Each is a TempFile
// (created exclusively, removed on every exit path, signals included); errors name the
// directory and the option that chose it.

#include <cstddef>
#include <memory>
#include <string>

#include "util/fd.hpp"
#include "util/temp_files.hpp"

namespace lfp {

// A new, empty scratch file `dir/stem.partial-HOST-PID`.
std::unique_ptr<TempFile> scratch_file(const std::string& dir, const std::string& stem);

// `file` opened for reading and writing (from its start, emptied).
UniqueFd open_scratch(const TempFile& file);

// Writes all `n` bytes; a full or failing disk is Error(kExitOutput) naming the file.
void write_scratch(int fd, const char* data, std::size_t n, const std::string& path);

}  // namespace lfp
