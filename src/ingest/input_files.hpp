#pragma once
// Phase 1 and 2: the input files themselves, once listed (input_list.hpp makes the list):
// what rank 0 learns about them (stat: sizes, identity), the checks of the output paths,
// and the bytes each rank maps for the file pieces its range touches.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/byte_partition.hpp"
#include "ingest/options.hpp"
#include "util/mapped_file.hpp"

namespace lfp {

// The ledger key prefix of a stream input (standard input, a pipe: see ingest/streams).
inline constexpr const char* kStreamPrefix = "stream:";

struct InputFile {
  std::string path;      // as given on the command line
  std::string absolute;  // the sources ledger's key ("stream:" + path for a stream)
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool stream = false;  // read once into scratch (ingest/streams): never skipped
};

// Rank 0: stats every input (exit 3 on a missing, unreadable or irregular file). `open[f]` is
// what to open for file f (a stream's copy), `stream[f]` whether it is a stream.
std::vector<InputFile> stat_inputs(const std::vector<std::string>& files, const std::vector<std::string>& open,
                                   const std::vector<bool>& stream);
// An output path must name a file (new or existing, never a directory or a dangling
// symlink) in an existing directory this process can write in; `what` ("database",
// "snapshot") names it in the Error (kExitOutput, kExitUsage for an empty path).
void check_output_path(const std::string& path, const char* what);
// Rank 0, before any input is read: the outputs must be distinct files, and neither may be
// an input (exit 2); each must be creatable or writable: not a directory, not a dangling
// symlink, in an existing directory this process can write in (exit 5).
void check_output_paths(const IngestOptions& options);
// --json-report FILE, before anything is read: the report is written after the commit, so a
// path that could not be written, or that names an output or an input, must fail first (and
// then no report is written at all).
void check_report_path(const IngestOptions& options);

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
