#pragma once
// Phase 0b: inputs that can be read only once, front to back: standard input (`-`),
// /dev/stdin, named pipes (FIFOs) and process substitutions (`<(zcat a.csv.gz)`, a pipe
// named /dev/fd/N). The job reads each input several times at arbitrary offsets (digest,
// scan, parse), so rank 0 copies each stream once into the scratch directory, as it does
// with compressed inputs, and the job reads the copy; on several nodes each node's first
// rank writes a copy of its own from the bytes rank 0 broadcasts, since node-local scratch
// is not shared. The ledger records a stream under "stream:NAME" and never skips it.
#include <memory>
#include <string>
#include <vector>

#include "mpi/comm.hpp"
#include "util/temp_files.hpp"

namespace lfp {

// "-", or a path that is not a regular file or a directory (a pipe, a FIFO, a terminal).
bool is_stream(const std::string& path);

class SpooledStreams {
 public:
  // Collective. `files` is the input list (the same on every rank); rank 0 decides which are
  // streams and reads them. Throws Error::reported on every rank when any rank failed.
  SpooledStreams(const mpi::Comm& comm, const std::vector<std::string>& files, const std::string& scratch_dir);
  ~SpooledStreams();
  // What to open for each input: the copy for a stream, the path itself otherwise.
  const std::vector<std::string>& open_paths() const { return open_paths_; }
  bool stream(std::size_t file) const { return streams_[file] != 0; }

 private:
  std::vector<std::string> open_paths_;
  std::vector<char> streams_;
  std::vector<std::unique_ptr<TempFile>> copies_;
};

}  // namespace lfp
