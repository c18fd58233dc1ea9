#include "ingest/key_sample.hpp"

namespace lfp {

KeyRanges agree_key_ranges(const mpi::Comm& comm, const std::vector<std::string>& sample) {
  std::vector<char> mine;
  pack_keys(sample, mine);
  const std::vector<char> all = comm.allgather_bytes(mine);
  return KeyRanges::from_sample(unpack_keys(all), comm.size());
}

}  // namespace lfp
