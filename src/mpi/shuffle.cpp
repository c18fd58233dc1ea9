#include "mpi/shuffle.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "util/pages.hpp"

namespace lfp::mpi {

std::vector<Buffer> exchange(const Comm& comm, std::vector<Buffer>&& outgoing, std::size_t round_bytes) {
  const int n = comm.size();
  const int self = comm.rank();
  std::vector<Buffer> incoming(n);
  incoming[self] = std::move(outgoing[self]);
  outgoing[self].clear();
  std::vector<std::uint64_t> send_sizes(n), recv_sizes(n);
  for (int d = 0; d < n; ++d) send_sizes[d] = outgoing[d].size();
  MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T, comm.get());
  for (int s = 0; s < n; ++s)
    if (s != self) incoming[s].resize(recv_sizes[s]);

  // Bytes per (sender, receiver) pair and round; the same on every rank.
  const std::uint64_t chunk =
      std::max<std::uint64_t>(std::min<std::uint64_t>(round_bytes, 1u << 30) / static_cast<std::uint64_t>(n), 1);
  std::uint64_t most = 0;
  for (int d = 0; d < n; ++d) most = std::max({most, send_sizes[d], recv_sizes[d]});
  std::uint64_t rounds = (most + chunk - 1) / chunk;
  MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, comm.get());

  std::vector<int> scount(n), sdispl(n), rcount(n), rdispl(n);
  Buffer send_round, recv_round;
  for (std::uint64_t k = 0; k < rounds; ++k) {
    const std::uint64_t from = k * chunk;
    auto piece = [&](std::uint64_t size) { return static_cast<int>(size > from ? std::min(chunk, size - from) : 0); };
    int stotal = 0, rtotal = 0;
    for (int p = 0; p < n; ++p) {
      scount[p] = piece(send_sizes[p]);
      sdispl[p] = stotal;
      stotal += scount[p];
      rcount[p] = piece(recv_sizes[p]);
      rdispl[p] = rtotal;
      rtotal += rcount[p];
    }
    send_round.resize(stotal);
    for (int d = 0; d < n; ++d)
      if (scount[d] > 0) std::memcpy(send_round.data() + sdispl[d], outgoing[d].data() + from, scount[d]);
    recv_round.resize(rtotal);
    MPI_Alltoallv(send_round.data(), scount.data(), sdispl.data(), MPI_BYTE, recv_round.data(), rcount.data(),
                  rdispl.data(), MPI_BYTE, comm.get());
    for (int s = 0; s < n; ++s)
      if (rcount[s] > 0) std::memcpy(incoming[s].data() + from, recv_round.data() + rdispl[s], rcount[s]);
    // What has been sent is never read again: its memory makes room for what arrives.
    for (int d = 0; d < n; ++d)
      if (scount[d] > 0) release_pages(outgoing[d].data() + from, scount[d]);
  }
  outgoing.clear();
  outgoing.shrink_to_fit();
  return incoming;
}

}  // namespace lfp::mpi
