#pragma once
// Sorted runs spilled to scratch under --mem-per-rank. A rank appends all its runs to one
// scratch file (one TempFile: one name to remove on a signal, whatever the run count); each
// run is a byte range of it, its items framed by their length, and is read back in order,
// several at once when runs are merged.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/scratch.hpp"
#include "util/buffer.hpp"

namespace lfp {

// Bytes [begin, end) of the spill file, and how many items they hold.
struct Run {
  std::uint64_t begin = 0, end = 0, items = 0;
};

class SpillFile {
 public:
  SpillFile(const std::string& dir, const std::string& stem, std::size_t buffer_bytes);
  // Appends one item to the run being written.
  void add(std::string_view item);
  // Ends the run being written (possibly empty).
  Run end_run();
  // Gives a run's disk space back once it will not be read again (where the file system can
  // punch holes; elsewhere the space stays taken until the file is removed).
  void discard(const Run& run);
  std::uint64_t bytes() const { return written_ + pending_.size(); }
  const std::string& path() const { return file_->path(); }
  int fd() const { return fd_.get(); }

 private:
  void flush();
  std::unique_ptr<TempFile> file_;
  UniqueFd fd_;
  Buffer pending_;
  std::size_t buffer_bytes_;
  std::uint64_t written_ = 0, run_begin_ = 0, run_items_ = 0;
};

// One run read back in order through a buffer of about `buffer_bytes` (more for an item
// that does not fit).
class RunReader {
 public:
  RunReader(const SpillFile& file, const Run& run, std::size_t buffer_bytes);
  // The next item, valid until the next call; false at the run's end.
  bool next(std::string_view& item);

 private:
  void fill(std::size_t need);
  const SpillFile* file_;
  std::uint64_t at_, end_;
  Buffer buffer_;
  std::size_t pos_ = 0, size_ = 0, buffer_bytes_;
};

}  // namespace lfp
