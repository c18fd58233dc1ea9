#pragma once
// The one error-agreement idiom: a rank that fails says why (naming its rank off rank 0),
// then every rank learns the worst exit code of all, so all ranks take the same branch and
// nobody waits forever in a collective that a failed rank never reaches.
#include <new>
#include <string>

#include "mpi/comm.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace lfp::mpi {

// Runs `step` on this rank. `step` must not call collectives: the failing rank skips them.
// Returns the worst exit code any rank hit (0 when all succeeded).
template <class Step>
int agree(const Comm& comm, Step&& step) {
  int code = kExitOk;
  try {
    step();
  } catch (const Error& e) {
    log::error(comm.rank(), e.what());
    code = e.code();
  } catch (const std::bad_alloc&) {
    // Out of memory in a step: the other ranks stop with it (exit 1, as main() says it)
    // instead of being aborted mid-collective, so every rank removes its temporary files.
    log::error(comm.rank(), kOutOfMemory);
    code = kExitInternal;
  }
  return comm.max(code);
}

// For a collective step every rank did: throws the same Error on every rank when it failed
// on any (`ok` false), so rank 0 alone reports it.
inline void all_succeeded(const Comm& comm, bool ok, ExitCode code, const std::string& what) {
  if (comm.max(ok ? 0 : 1) != 0) throw Error(code, what);
}

}  // namespace lfp::mpi
