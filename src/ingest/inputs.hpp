#pragma once
// Phase 1 and 2: what rank 0 learns about the input files (sizes, identity), and the bytes
// each rank maps for the file pieces its range touches.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/options.hpp"
#include "ingest/plan.hpp"
#include "util/mapped_file.hpp"

namespace lfp {

struct InputFile {
  std::string path;      // as given on the command line
  std::string absolute;  // the sources ledger's key
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
};

// Rank 0: stats every input (exit 3 on a missing, unreadable or irregular file).
std::vector<InputFile> stat_inputs(const std::vector<std::string>& files);
// Rank 0, before any input is read: the outputs must be distinct files, and neither may be
// an input (exit 2); each must be creatable or writable: not a directory, not a dangling
// symlink, in an existing directory this process can write in (exit 5).
void check_output_paths(const IngestOptions& options);

// The files a rank's segments touch, mapped (or read); others stay closed.
class MappedInputs {
 public:
  MappedInputs(const std::vector<std::string>& paths, const std::vector<std::uint64_t>& sizes,
               const std::vector<Segment>& segments);
  std::string_view bytes(std::uint32_t file) const { return maps_[file]->bytes(); }
  void release(std::uint32_t file, std::uint64_t begin, std::uint64_t end) const { maps_[file]->release(begin, end); }

 private:
  std::vector<std::optional<MappedFile>> maps_;
};

}  // namespace lfp
