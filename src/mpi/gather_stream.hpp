#pragma once
// Rank 0 pulls sorted item streams from every rank in bounded batches (request, reply),
// so it never holds more than one batch per rank, and no message nears 2^31 bytes.
#include <functional>
#include <vector>

#include "mpi/comm.hpp"
#include "util/buffer.hpp"

namespace lfp::mpi {

// Fills `out` with the next whole items of a stream, about `limit` bytes (at least one
// item); leaves it empty when the stream is over.
using BatchSource = std::function<void(Buffer& out)>;

// Non-root ranks: answers rank 0's requests for each stream in turn until rank 0 has read
// them all. Returns false if rank 0 stopped early (it hit an error).
bool serve_streams(const Comm& comm, const std::vector<BatchSource>& streams);

// Rank 0: fetches batches of stream after stream; its own batches come from local sources.
class StreamClient {
 public:
  StreamClient(const Comm& comm, std::vector<BatchSource> local, std::size_t streams);
  ~StreamClient();  // tells ranks still serving to stop (after an error on rank 0)
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  // The next batch of `stream` from `rank` (empty at its end). Streams are read in order.
  void fetch(int rank, std::size_t stream, Buffer& out);

 private:
  const Comm& comm_;
  std::vector<BatchSource> local_;
  std::size_t streams_;
  std::vector<std::size_t> finished_;  // streams each rank has ended
};

}  // namespace lfp::mpi
