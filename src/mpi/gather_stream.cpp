#include "mpi/gather_stream.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace lfp::mpi {
namespace {

constexpr int kTagRequest = 101;
constexpr int kTagBatch = 102;
constexpr int kNext = 1, kStop = 0;

// Waits for rank 0's next request without spinning: while rank 0 writes, the other ranks
// on its node would otherwise burn the cores its SQLite and HDF5 threads need.
int wait_for_request(const Comm& comm) {
  int request = kStop, done = 0;
  MPI_Request pending;
  MPI_Irecv(&request, 1, MPI_INT, 0, kTagRequest, comm.get(), &pending);
  long pause_us = 1;
  for (;;) {
    MPI_Test(&pending, &done, MPI_STATUS_IGNORE);
    if (done) return request;
    std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
    pause_us = std::min(pause_us * 2, 2000L);
  }
}

}  // namespace

bool serve_streams(const Comm& comm, const std::vector<BatchSource>& streams) {
  // The next batch is made as soon as the last one is sent: it is ready when rank 0 asks, and
  // this rank works while rank 0 writes (a batch ahead; streams are read in order).
  Buffer batch;
  for (const auto& source : streams) {
    batch.clear();
    source(batch);
    for (;;) {
      if (wait_for_request(comm) == kStop) return false;
      MPI_Send(batch.data(), static_cast<int>(batch.size()), MPI_BYTE, 0, kTagBatch, comm.get());
      if (batch.empty()) break;
      batch.clear();
      source(batch);
    }
  }
  return true;
}

StreamClient::StreamClient(const Comm& comm, std::vector<BatchSource> local, std::size_t streams)
    : comm_(comm), local_(std::move(local)), streams_(streams), finished_(comm.size(), 0) {}

StreamClient::~StreamClient() {
  int stop = kStop;
  for (int r = 1; r < comm_.size(); ++r)
    if (finished_[r] < streams_) MPI_Send(&stop, 1, MPI_INT, r, kTagRequest, comm_.get());
}

void StreamClient::fetch(int rank, std::size_t stream, Buffer& out) {
  out.clear();
  if (rank == 0) {
    local_[stream](out);
  } else {
    int next = kNext;
    MPI_Send(&next, 1, MPI_INT, rank, kTagRequest, comm_.get());
    MPI_Status status;
    MPI_Probe(rank, kTagBatch, comm_.get(), &status);
    int bytes = 0;
    MPI_Get_count(&status, MPI_BYTE, &bytes);
    out.resize(bytes);
    MPI_Recv(out.data(), bytes, MPI_BYTE, rank, kTagBatch, comm_.get(), MPI_STATUS_IGNORE);
  }
  if (out.empty()) finished_[rank] = stream + 1;
}

}  // namespace lfp::mpi
