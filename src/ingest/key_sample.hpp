#pragma once
// The ranks agree on key ranges (sample sort's splitters): every rank contributes a sample of
// its keys, every rank receives all samples and cuts the same ranges from them.
#include <string>
#include <vector>

#include "mpi/comm.hpp"
#include "records/key_ranges.hpp"

namespace lfp {

// Collective. One range per rank.
KeyRanges agree_key_ranges(const mpi::Comm& comm, const std::vector<std::string>& sample);

// Every `every`-th key of `count` keys (the first included): a rank's sample.
template <class KeyOf>
std::vector<std::string> sample_keys(std::size_t count, std::size_t every, KeyOf&& key_of) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; i += every) out.emplace_back(key_of(i));
  return out;
}

}  // namespace lfp
