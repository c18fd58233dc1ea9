#pragma once
// Errors that end the job, with the exit code the README documents for them.
#include <stdexcept>
#include <string>

namespace lfp {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,  // a bug or an unexpected failure (MPI, out of memory)
  kExitUsage = 2,     // bad command line
  kExitInput = 3,     // an input file is missing, unreadable or too large
  kExitHeader = 4,    // an input file's header does not name name, sku and description
  kExitOutput = 5,    // the database or snapshot cannot be opened, read or written
  kExitVerify = 6,    // verify: the database, its counts or the snapshot disagree
  kExitNotFound = 7,  // update / delete: no product has that sku
  kExitSnapshot = 8,  // the database change is committed, the snapshot could not be written
  kExitMemory = 9,    // ingest: a memory budget under the minimum (--mem-per-rank)
};

// What a rank says when it runs out of memory (exit 1).
inline constexpr const char* kOutOfMemory = "out of memory (exit 1): give the job more memory per rank, or more ranks";

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  // An error every rank throws after rank 0 (or the failing rank) has already printed it.
  static Error reported(ExitCode code) { return Error(code, ""); }
  bool already_reported() const { return what()[0] == '\0'; }
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace lfp
