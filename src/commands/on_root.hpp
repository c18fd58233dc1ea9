#pragma once
// The commands that read or edit one database do their work on rank 0 (SQLite allows one
// writer); under mpirun the other ranks wait and exit with rank 0's code.
#include "mpi/agree.hpp"

namespace lfp {

template <class Fn>
int on_root(const mpi::Comm& comm, Fn&& fn) {
  int code = kExitOk;
  const int failed = mpi::agree(comm, [&] {
    if (comm.root()) code = fn();
  });
  return failed != kExitOk ? failed : comm.max(code);
}

}  // namespace lfp
