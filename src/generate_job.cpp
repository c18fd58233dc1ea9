#include "generate_job.hpp"

#include <cstdio>
#include <memory>

#include "error.hpp"
#include "generate/product_generator.hpp"
#include "temp_files.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kRowsPerRankRound = 100000;  // bounds each rank's buffer (~20 MB)

class MpiFile {
 public:
  MpiFile(const mpi::Comm& comm, const std::string& path) {
    ok_ = MPI_File_open(comm.get(), path.c_str(), MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh_) ==
          MPI_SUCCESS;
  }
  ~MpiFile() {
    if (fh_ != MPI_FILE_NULL) MPI_File_close(&fh_);
  }
  MpiFile(const MpiFile&) = delete;
  MpiFile& operator=(const MpiFile&) = delete;
  bool ok() const { return ok_; }
  MPI_File get() const { return fh_; }
  bool close() { return MPI_File_close(&fh_) == MPI_SUCCESS; }

 private:
  MPI_File fh_ = MPI_FILE_NULL;
  bool ok_ = false;
};

// Every step below is collective: all ranks learn whether any rank failed before the next
// one, so a local failure can never leave the others waiting in a different collective.
void all_ok(const mpi::Comm& comm, bool ok, const std::string& what) {
  if (comm.max(ok ? 0 : 1) != 0) throw Error(kExitOutput, what);
}

}  // namespace

int run_generate(const mpi::Comm& comm, const GenerateOptions& opt) {
  const double t0 = MPI_Wtime();
  int code = kExitOk;
  std::uint64_t written = 0;
  // Written under rank 0's temporary name and renamed by rank 0: no half-written file.
  std::unique_ptr<TempFile> temp;
  try {
    std::vector<char> name;
    if (comm.root()) {
      temp = std::make_unique<TempFile>(opt.output);
      name.assign(temp->path().begin(), temp->path().end());
    }
    comm.bcast(name);
    const std::string path(name.begin(), name.end());
    MpiFile file(comm, path);
    all_ok(comm, file.ok(), path + ": cannot create");
    all_ok(comm, MPI_File_set_size(file.get(), 0) == MPI_SUCCESS, path + ": cannot truncate");
    const auto header = generate::header();
    bool ok = true;
    if (comm.root())
      ok = MPI_File_write_at(file.get(), 0, header.data(), static_cast<int>(header.size()), MPI_BYTE,
                             MPI_STATUS_IGNORE) == MPI_SUCCESS;
    all_ok(comm, ok, path + ": write failed");
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
      ok = MPI_File_write_at_all(file.get(), static_cast<MPI_Offset>(base + before), buf.data(),
                                 static_cast<int>(buf.size()), MPI_BYTE, MPI_STATUS_IGNORE) == MPI_SUCCESS;
      all_ok(comm, ok, path + ": write failed (disk full?)");
      base += total;
    }
    written = base;
    all_ok(comm, file.close(), path + ": close failed");
    ok = true;
    std::string why;
    if (comm.root()) {
      try {
        temp->publish(/*replace=*/true);
      } catch (const Error& e) {
        ok = false;
        why = e.what();
      }
    }
    all_ok(comm, ok, why.empty() ? opt.output + ": cannot rename into place" : why);
  } catch (const Error& e) {
    if (comm.root()) std::fprintf(stderr, "lfp_mpi: error: %s\n", e.what());
    code = e.code();
  }
  if (code == kExitOk && comm.root() && !opt.quiet)
    std::printf("lfp_mpi: generated %llu records (%llu bytes, seed %llu) in %s on %d rank%s in %.2f s\n",
                static_cast<unsigned long long>(opt.rows), static_cast<unsigned long long>(written),
                static_cast<unsigned long long>(opt.seed), opt.output.c_str(), comm.size(),
                comm.size() == 1 ? "" : "s", MPI_Wtime() - t0);
  return code;
}

}  // namespace lfp
