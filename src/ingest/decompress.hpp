#pragma once
// Phase 2b: compressed inputs (.gz, .zst). Neither format can be entered at an arbitrary
// offset, so each compressed file is decompressed once, whole, into a scratch file, and the
// byte-range partition then treats it as a plain file of its decompressed size. The ranks of
// each node share the work (largest file first, to the least loaded rank) and read each
// other's scratch files; on several nodes, each node decompresses every compressed input,
// because a node-local scratch directory is not visible from the others.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/byte_partition.hpp"
#include "ingest/phase_clock.hpp"
#include "mpi/comm.hpp"
#include "util/decompress.hpp"
#include "util/mapped_file.hpp"
#include "util/temp_files.hpp"

namespace lfp {

// Where decompressed inputs go: $TMPDIR, else /tmp.
std::string default_scratch_dir();

class DecompressedInputs {
 public:
  // Collective. kinds[f] is the compression of file f (the same on every rank), raw_sizes[f]
  // its size on disk. Each rank writes the files it decompresses into one scratch file in
  // `scratch_dir`, removed when this object goes (or by the signal handlers). Throws
  // Error::reported on every rank when any rank failed (it printed why).
  DecompressedInputs(const mpi::Comm& comm, const std::vector<std::string>& paths,
                     const std::vector<Compression>& kinds, const std::vector<std::uint64_t>& raw_sizes,
                     const std::string& scratch_dir, PhaseClock& clock);
  ~DecompressedInputs();

  bool compressed(std::uint32_t file) const { return where_[file].has_value(); }
  // The sizes the partition uses: decompressed for compressed files, raw for the others.
  const std::vector<std::uint64_t>& sizes() const { return sizes_; }
  // Opens the scratch files that hold the compressed files `segments` touch (not collective).
  void map(const std::vector<Segment>& segments);
  std::string_view bytes(std::uint32_t file) const;
  // Drops the mapped pages of bytes [begin, end) of `file` from this rank's memory.
  void release(std::uint32_t file, std::uint64_t begin, std::uint64_t end) const {
    const Place& w = *where_[file];
    maps_[w.holder]->release(w.offset + begin, w.offset + end);
  }

 private:
  struct Place {
    int holder = 0;  // node-local rank whose scratch file holds it
    std::uint64_t offset = 0, size = 0;
  };
  std::vector<std::optional<Place>> where_;
  std::vector<std::uint64_t> sizes_;
  std::vector<std::string> scratch_paths_;       // by node-local rank ("" when it wrote none)
  std::vector<std::optional<MappedFile>> maps_;  // by node-local rank
  std::unique_ptr<TempFile> mine_;
};

}  // namespace lfp
