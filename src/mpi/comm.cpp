#include "mpi/comm.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string_view>

namespace lfp::mpi {

namespace {

bool env_equals(const char* a, const char* b) {
  const char* x = std::getenv(a);
  const char* y = std::getenv(b);
  return x && y && std::string_view(x) == y;
}

// When every rank runs on one node, shared memory is the only transport used, yet Open MPI
// still probes the network stacks (libfabric, UCX) for its default messaging layer, which
// lengthens every start. Choose the shared-memory layer directly, unless the user chose one.
void prefer_shared_memory_on_one_node() {
  for (const char* chosen : {"OMPI_MCA_pml", "OMPI_MCA_mtl", "OMPI_MCA_btl"})
    if (std::getenv(chosen)) return;
  const char* one_node = std::getenv("SLURM_STEP_NUM_NODES");
  if (env_equals("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_SIZE") ||
      (one_node && std::string_view(one_node) == "1"))
    setenv("OMPI_MCA_pml", "ob1", /*overwrite=*/0);
}

}  // namespace

// FUNNELED: rank 0 runs an HDF5 writer thread, but only the main thread calls MPI.
Environment::Environment(int& argc, char**& argv) {
  prefer_shared_memory_on_one_node();
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
}
Environment::~Environment() { MPI_Finalize(); }

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (std::getenv(v)) return true;
  return false;
}

Comm world() { return Comm(MPI_COMM_WORLD); }

void abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this tells the compiler so.
}

Comm::Comm(MPI_Comm comm) : comm_(comm) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

void Comm::bcast_bytes(void* data, std::uint64_t bytes) const {
  // MPI counts are int: send large payloads in pieces.
  auto* p = static_cast<char*>(data);
  while (bytes > 0) {
    const int n = static_cast<int>(std::min<std::uint64_t>(bytes, INT_MAX / 2));
    MPI_Bcast(p, n, MPI_BYTE, 0, comm_);
    p += n;
    bytes -= n;
  }
}

std::int64_t Comm::sum(std::int64_t v) const {
  if (solo_) return v;
  std::int64_t out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_INT64_T, MPI_SUM, comm_);
  return out;
}

std::uint64_t Comm::sum(std::uint64_t v) const {
  if (solo_) return v;
  std::uint64_t out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_SUM, comm_);
  return out;
}

std::uint64_t Comm::exclusive_prefix_sum(std::uint64_t v) const {
  if (solo_) return 0;
  std::uint64_t out = 0;
  MPI_Exscan(&v, &out, 1, MPI_UINT64_T, MPI_SUM, comm_);
  return rank_ == 0 ? 0 : out;  // MPI_Exscan leaves rank 0's result undefined
}

double Comm::max(double v) const {
  if (solo_) return v;
  double out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, comm_);
  return out;
}

int Comm::max(int v) const {
  if (solo_) return v;
  int out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, comm_);
  return out;
}

void Comm::max_in_place(std::vector<std::int64_t>& v) const {
  if (solo_) return;
  MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_INT64_T, MPI_MAX, comm_);
}

}  // namespace lfp::mpi

namespace lfp::mpi {

void Comm::sum_in_place(std::vector<std::int64_t>& v) const {
  if (solo_) return;
  MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_INT64_T, MPI_SUM, comm_);
}

// Every rank's byte count and where its bytes go, on every rank, checked against MPI's int
// counts: every rank refuses together (no rank waits in a collective another left).
Comm::ByteLayout Comm::byte_layout(std::size_t mine) const {
  const auto n = static_cast<std::uint64_t>(mine);
  std::vector<std::uint64_t> sizes(size_);
  MPI_Allgather(&n, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm_);
  std::uint64_t total = 0;
  for (const auto s : sizes) total += s;
  if (total > static_cast<std::uint64_t>(INT_MAX))
    throw Error(kExitInternal, "gathering " + std::to_string(total) + " bytes from " + std::to_string(size_) +
                                   " ranks: more than one MPI message holds (2 GiB)");
  ByteLayout out;
  for (const auto s : sizes) {
    out.displs.push_back(out.total);
    out.counts.push_back(static_cast<int>(s));
    out.total += static_cast<int>(s);
  }
  return out;
}

std::vector<char> Comm::gather_bytes(const std::vector<char>& mine) const {
  if (solo_) return mine;
  const ByteLayout l = byte_layout(mine.size());
  std::vector<char> all(rank_ == 0 ? l.total : 0);
  MPI_Gatherv(mine.data(), l.counts[rank_], MPI_BYTE, all.data(), l.counts.data(), l.displs.data(), MPI_BYTE, 0, comm_);
  return all;
}

std::vector<char> Comm::allgather_bytes(const std::vector<char>& mine) const {
  if (solo_) return mine;
  const ByteLayout l = byte_layout(mine.size());
  std::vector<char> all(l.total);
  MPI_Allgatherv(mine.data(), l.counts[rank_], MPI_BYTE, all.data(), l.counts.data(), l.displs.data(), MPI_BYTE, comm_);
  return all;
}

}  // namespace lfp::mpi
