#include "generate_job.hpp"

#include <unistd.h>

#include <cstdio>
#include <optional>

#include "error.hpp"
#include "generate/product_generator.hpp"
#include "temp_files.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kRowsPerRankRound = 100000;  // bounds each rank's buffer (~30 MB)

class MpiFile {
 public:
  MpiFile(const mpi::Comm& comm, const std::string& path) {
    const int rc = MPI_File_open(comm.get(), path.c_str(), MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh_);
    if (rc != MPI_SUCCESS) throw Error(kExitOutput, path + ": cannot create");
  }
  ~MpiFile() {
    if (fh_ != MPI_FILE_NULL) MPI_File_close(&fh_);
  }
  MpiFile(const MpiFile&) = delete;
  MpiFile& operator=(const MpiFile&) = delete;
  MPI_File get() const { return fh_; }
  void close() { MPI_File_close(&fh_); }

 private:
  MPI_File fh_ = MPI_FILE_NULL;
};

}  // namespace

int run_generate(const mpi::Comm& comm, const GenerateOptions& opt) {
  const double t0 = MPI_Wtime();
  // Written under a temporary name and renamed by rank 0: no half-written file on failure.
  std::string temp = opt.output + ".partial";
  int code = kExitOk;
  std::uint64_t written = 0;
  try {
    std::optional<TempFileGuard> guard;  // the name is shared by all ranks: rank 0 owns it
    if (comm.root()) {
      std::remove(temp.c_str());
      guard.emplace(temp);
    }
    MPI_Barrier(comm.get());
    MpiFile file(comm, temp);
    MPI_File_set_size(file.get(), 0);
    const auto header = generate::header();
    if (comm.root()) MPI_File_write_at(file.get(), 0, header.data(), static_cast<int>(header.size()), MPI_BYTE,
                                       MPI_STATUS_IGNORE);
    std::uint64_t base = header.size();
    std::string buf;
    const std::uint64_t per_round = kRowsPerRankRound * comm.size();
    for (std::uint64_t first = 0; first < opt.rows; first += per_round) {
      const std::uint64_t round_rows = std::min(per_round, opt.rows - first);
      const std::uint64_t lo = first + round_rows * comm.rank() / comm.size();
      const std::uint64_t hi = first + round_rows * (comm.rank() + 1) / comm.size();
      buf.clear();
      for (std::uint64_t i = lo; i < hi; ++i) generate::append_record(opt.seed, i, buf);
      std::uint64_t size = buf.size(), before = 0, total = 0;
      MPI_Exscan(&size, &before, 1, MPI_UINT64_T, MPI_SUM, comm.get());
      if (comm.root()) before = 0;  // MPI_Exscan leaves rank 0's result undefined
      MPI_Allreduce(&size, &total, 1, MPI_UINT64_T, MPI_SUM, comm.get());
      if (MPI_File_write_at_all(file.get(), static_cast<MPI_Offset>(base + before), buf.data(),
                                static_cast<int>(buf.size()), MPI_BYTE, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        throw Error(kExitOutput, temp + ": write failed");
      base += total;
    }
    written = base;
    file.close();
    if (comm.root() && std::rename(temp.c_str(), opt.output.c_str()) != 0)
      throw Error(kExitOutput, opt.output + ": cannot rename " + temp + " into place");
  } catch (const Error& e) {
    std::fprintf(stderr, "lfp_mpi: rank %d: error: %s\n", comm.rank(), e.what());
    code = e.code();
  }
  code = comm.max(code);
  if (code == kExitOk && comm.root() && !opt.quiet)
    std::printf("lfp_mpi: generated %llu records (%llu bytes, seed %llu) in %s on %d rank%s in %.2f s\n",
                static_cast<unsigned long long>(opt.rows), static_cast<unsigned long long>(written),
                static_cast<unsigned long long>(opt.seed), opt.output.c_str(), comm.size(),
                comm.size() == 1 ? "" : "s", MPI_Wtime() - t0);
  return code;
}

}  // namespace lfp
