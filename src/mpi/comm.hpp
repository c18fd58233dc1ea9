#pragma once
// The thin MPI layer: RAII for the MPI environment and small typed collectives. Everything
// above it works on plain buffers and vectors.
#include <mpi.h>

#include <cstdint>
#include <type_traits>
#include <vector>

namespace lfp::mpi {

class Environment {
 public:
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
};

// True when an MPI launcher (mpirun, srun) started this process.
bool launched_by_mpi();

class Comm;
// All the ranks of the job (MPI_COMM_WORLD); needs an Environment.
Comm world();
// Ends every rank of the job with `code` (MPI_Abort on MPI_COMM_WORLD): for errors after
// which peers may be blocked in a collective. Needs an Environment.
[[noreturn]] void abort(int code);

class Comm {
 public:
  explicit Comm(MPI_Comm comm);
  // One process without MPI (MPI_Init never called): every collective is the identity.
  // The single-process commands use it when not started by a launcher, which saves the
  // half second a singleton MPI_Init costs.
  static Comm solo() { return Comm(); }
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  MPI_Comm get() const { return comm_; }

  // Broadcasts a trivially copyable vector from rank 0 (its size too).
  template <class T>
  void bcast(std::vector<T>& v) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (solo_) return;
    std::uint64_t n = v.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm_);
    v.resize(n);
    bcast_bytes(v.data(), n * sizeof(T));
  }
  // Rank 0's values[r] goes to rank r.
  template <class T>
  T scatter(const std::vector<T>& values) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (solo_) return values.at(0);
    T mine;
    MPI_Scatter(values.data(), sizeof(T), MPI_BYTE, &mine, sizeof(T), MPI_BYTE, 0, comm_);
    return mine;
  }
  // Every rank's value, in rank order, on every rank.
  template <class T>
  std::vector<T> allgather(const T& mine) const {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<T> all(size_);
    if (solo_) return {mine};
    MPI_Allgather(&mine, sizeof(T), MPI_BYTE, all.data(), sizeof(T), MPI_BYTE, comm_);
    return all;
  }

  std::int64_t sum(std::int64_t v) const;
  std::uint64_t sum(std::uint64_t v) const;
  // The sum of `v` over the ranks below this one (0 on rank 0).
  std::uint64_t exclusive_prefix_sum(std::uint64_t v) const;
  double max(double v) const;
  int max(int v) const;
  void max_in_place(std::vector<std::int64_t>& v) const;
  void sum_in_place(std::vector<std::int64_t>& v) const;

  // Every rank's bytes, concatenated in rank order, on rank 0 (empty elsewhere). Throws
  // Error on every rank when they exceed 2 GiB in all.
  std::vector<char> gather_bytes(const std::vector<char>& mine) const;
  // The same on every rank (samples, splitters, a few records: int counts suffice).
  std::vector<char> allgather_bytes(const std::vector<char>& mine) const;

 private:
  Comm() : comm_(MPI_COMM_NULL), solo_(true) {}
  void bcast_bytes(void* data, std::uint64_t bytes) const;
  struct ByteLayout {
    std::vector<int> counts, displs;
    int total = 0;
  };
  ByteLayout byte_layout(std::size_t mine) const;
  MPI_Comm comm_;
  bool solo_ = false;
  int rank_ = 0, size_ = 1;
};

}  // namespace lfp::mpi
