#pragma once
// Temporary output files (`PATH.partial-HOST-PID`) that must not outlive a failed run. The RAII
// owners remove them on errors; this registry also removes them when the job is stopped by
// SIGTERM or SIGINT (Slurm's time limit, scancel, Ctrl-C through mpirun), which would
// otherwise skip every destructor. A SIGKILL cannot be caught: the next run of the same
// output path removes what a killed run left (remove_stale_partials).
#include <string>

namespace lfp {

class TempFileGuard {
 public:
  explicit TempFileGuard(const std::string& path);  // registers `path` for signal cleanup
  ~TempFileGuard();                                  // unregisters (does not remove the file)
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;

 private:
  int slot_ = -1;
};

// The temporary name for `path` in this process: `path.partial-HOST-PID`.
std::string partial_path(const std::string& path);

// Removes `path.partial-HOST-PID` files of this host whose process no longer runs.
void remove_stale_partials(const std::string& path);

}  // namespace lfp
