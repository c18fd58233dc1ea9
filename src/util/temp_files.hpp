#pragma once
// Output files are built under a temporary name (`TARGET.partial-HOST-PID`) and only then
// given their real name, so no reader ever sees half a file. The owner removes the
// temporary file on any failure; a registry also removes it when the job is stopped by
// SIGTERM or SIGINT (Slurm's time limit, scancel, Ctrl-C through mpirun), which skips
// destructors. A SIGKILL cannot be caught: the next run into the same target removes what
// a killed run on this host left behind.
#include <string>

namespace lfp {

class TempFile {
 public:
  // Picks the temporary name for `target` and removes stale ones of dead processes.
  explicit TempFile(std::string target);
  ~TempFile();  // removes the temporary file unless it was published
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  // Syncs the file and gives it the target's name, then syncs the directory. With
  // replace=false an existing target (another run got there first) is an error, not
  // overwritten.
  void publish(bool replace);

 private:
  std::string target_, path_;
  int slot_ = -1;
  bool published_ = false;
};

// What a stopping signal (SIGTERM, SIGINT) prints on stderr before the process ends, after
// "lfp_mpi: stopped by SIGTERM": rank 0 keeps it current ("during the parse phase;
// products.db is unchanged"). Empty (the default, and on other ranks): nothing is printed.
// Also installs the handlers.
void set_stop_message(const std::string& text);

// The temporary name for `target` in this process: `target.partial-HOST-PID`.
std::string partial_path(const std::string& target);

}  // namespace lfp
