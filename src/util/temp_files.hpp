#pragma once
// Output files are built under a temporary name (`TARGET.partial-HOST-PID`) and only then
// given their real name, so no reader ever sees half a file. The owner removes the
// temporary file on any failure; a registry also removes it when the job is stopped by
// SIGTERM or SIGINT (Slurm's time limit, scancel, Ctrl-C through mpirun), which skips
// destructors. A SIGKILL cannot be caught: the next run into the same target removes what
// a killed run on this host left behind.
//
// The temporary file is created here, exclusively and without following a symlink, so a
// link planted at its name in a shared directory cannot redirect the writes; SQLite and
// HDF5 then open a file that already exists and is ours, and publish() checks it still is.
#include <string>

#include "util/fd.hpp"

namespace lfp {

class TempFile {
 public:
  // Picks the temporary name for `target`, removes stale ones of dead processes and creates
  // the (empty) temporary file. Throws Error(kExitOutput) when it cannot be created.
  explicit TempFile(std::string target);
  ~TempFile();  // removes the temporary file unless it was published
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  // Writes the file's data to disk (fsync), so that publish() is a rename only. Call after
  // the library writing it has closed it.
  void sync();
  // Syncs the file (unless sync() did), checks the temporary name still holds the file
  // created here, gives it the target's name and syncs the directory. With replace=false an
  // existing target (another run got there first) is an error, not overwritten.
  void publish(bool replace);

 private:
  std::string target_, path_;
  UniqueFd fd_;  // the file created here: its identity, and what sync() flushes
  int slot_ = -1;
  bool synced_ = false, published_ = false;
};

// What a stopping signal (SIGTERM, SIGINT) prints on stderr before the process ends, after
// "lfp_mpi: stopped by SIGTERM": rank 0 keeps it current ("during the parse phase;
// products.db is unchanged"). Empty (the default, and on other ranks): nothing is printed.
// Also installs the handlers.
void set_stop_message(const std::string& text);

// Rank 0 just before its commit: if mpirun has begun to stop the job (see temp_files.cpp),
// waits for the SIGTERM that follows, so that a Ctrl-C is never followed by a commit. Returns
// at once otherwise.
void wait_before_commit();
// True for the seconds after rank 0 has said it is stopping (mpirun's SIGCONT, until the
// SIGTERM that follows): progress lines pause, so that the stop line stays the last line even
// when a SIGKILL beats the SIGTERM handler; after a mere resume they go on.
bool stop_announced();

// The temporary name for `target` in this process: `target.partial-HOST-PID`.
std::string partial_path(const std::string& target);

}  // namespace lfp
