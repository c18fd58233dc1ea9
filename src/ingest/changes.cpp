#include "ingest/changes.hpp"

#include <cstring>

#include "ingest/byte_partition.hpp"
#include "ingest/digest.hpp"
#include "mpi/agree.hpp"
#include "util/error.hpp"

namespace lfp {

std::vector<std::string> digest_inputs(const mpi::Comm& comm, const std::vector<std::string>& paths,
                                       const std::vector<std::uint64_t>& sizes) {
  const ByteRange mine = comm.scatter(comm.root() ? partition(sizes, comm.size()) : std::vector<ByteRange>{});
  const auto segments = segments_of(sizes, mine);
  std::vector<BlockDigest> blocks;
  const int code = mpi::agree(comm, [&] {
    MappedInputs inputs(paths, sizes, segments);
    blocks = digest_blocks(
        sizes, mine, [&](std::uint32_t f) { return inputs.bytes(f); },
        [&](std::uint32_t f, std::uint64_t begin, std::uint64_t end) { inputs.release(f, begin, end); });
  });
  if (code != kExitOk) throw Error::reported(static_cast<ExitCode>(code));
  std::vector<char> bytes(blocks.size() * sizeof(BlockDigest));
  if (!blocks.empty()) std::memcpy(bytes.data(), blocks.data(), bytes.size());
  const auto all = comm.gather_bytes(bytes);
  if (!comm.root()) return {};
  std::vector<BlockDigest> every(all.size() / sizeof(BlockDigest));
  if (!every.empty()) std::memcpy(every.data(), all.data(), all.size());
  return file_digests(sizes, std::move(every));
}

ReadDecision decide_reads(const std::vector<InputFile>& inputs, const std::vector<std::string>& digests,
                          const std::map<std::string, store::LedgerEntry>& ledger, bool force) {
  ReadDecision d;
  for (std::uint32_t i = 0; i < inputs.size(); ++i) {
    const auto it = ledger.find(inputs[i].absolute);
    const bool same =
        !inputs[i].stream && it != ledger.end() && it->second.size == inputs[i].size && it->second.digest == digests[i];
    // The same file named twice on one command line is read twice (its rows apply in order).
    (same && !force ? d.skipped : d.read).push_back(i);
  }
  return d;
}

}  // namespace lfp
