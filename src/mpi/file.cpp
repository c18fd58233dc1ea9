#include "mpi/file.hpp"

#include "mpi/agree.hpp"

namespace lfp::mpi {

SharedFile::SharedFile(const Comm& comm, std::string path) : comm_(comm), path_(std::move(path)) {
  MPI_File f = MPI_FILE_NULL;
  const bool opened =
      MPI_File_open(comm_.get(), path_.c_str(), MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &f) == MPI_SUCCESS;
  if (opened) file_ = Handle(f);
  all_succeeded(comm_, opened, kExitOutput, path_ + ": cannot create");
  all_succeeded(comm_, MPI_File_set_size(file_.get(), 0) == MPI_SUCCESS, kExitOutput, path_ + ": cannot truncate");
}

void SharedFile::append_in_rank_order(std::string_view mine) {
  const std::uint64_t before = comm_.exclusive_prefix_sum(mine.size());
  const std::uint64_t total = comm_.sum(static_cast<std::uint64_t>(mine.size()));
  // One rank's slice stays far below 2^31 bytes (the callers bound it), so an int count does.
  const bool ok = MPI_File_write_at_all(file_.get(), static_cast<MPI_Offset>(size_ + before), mine.data(),
                                        static_cast<int>(mine.size()), MPI_BYTE, MPI_STATUS_IGNORE) == MPI_SUCCESS;
  all_succeeded(comm_, ok, kExitOutput, path_ + ": write failed (disk full?)");
  size_ += total;
}

void SharedFile::close() {
  MPI_File f = file_.release();
  all_succeeded(comm_, MPI_File_close(&f) == MPI_SUCCESS, kExitOutput, path_ + ": close failed");
}

}  // namespace lfp::mpi
