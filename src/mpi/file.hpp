#pragma once
// A file that all ranks write together with MPI-IO, each rank its slice in rank order.
// Every call is collective; a failure on any rank throws the same Error on every rank.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "mpi/comm.hpp"
#include "util/unique_handle.hpp"

namespace lfp::mpi {

class SharedFile {
 public:
  // Creates (or truncates) `path`.
  SharedFile(const Comm& comm, std::string path);

  // Writes every rank's `mine` after the bytes written so far, rank 0's first.
  void append_in_rank_order(std::string_view mine);
  // Closes the file; reports a failure (a full disk can surface only here).
  void close();
  std::uint64_t size() const { return size_; }

 private:
  static void close_file(MPI_File f) { MPI_File_close(&f); }
  // Holds only an opened file, so a null value means none (MPI_FILE_NULL is not a constant
  // expression to clang, which builds the fuzzers).
  using Handle = UniqueHandle<MPI_File, close_file>;
  const Comm& comm_;
  std::string path_;
  Handle file_;
  std::uint64_t size_ = 0;
};

}  // namespace lfp::mpi
