#pragma once
// Streams a database file's pages to a file descriptor at their page offsets: page 1, each
// part's pages, the interior pages, in any order. Consecutive pages are gathered into one
// write of up to `buffer_bytes`, so memory stays at that buffer whatever the file's size.
#include <cstdint>
#include <span>
#include <string>

#include "sqlite_file/page_numbering.hpp"
#include "sqlite_file/record.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace lfp::sqlite_file {

class DatabaseWriter {
 public:
  // `label` names the file in errors. `numbering` must outlive the writer.
  DatabaseWriter(UniqueFd fd, std::string label, const PageNumbering& numbering,
                 std::size_t buffer_bytes = std::size_t{4} << 20);
  // Opens (creating or truncating) `path` for writing, without following a symlink.
  static UniqueFd open_file(const std::string& path);
  // Opens the existing `path` for reading and writing as it is (another process writes
  // other pages of it), without following a symlink.
  static UniqueFd open_existing(const std::string& path);

  // Writes page `page` (page_size bytes). The lock page is refused.
  void write_page(std::uint32_t page, std::span<const std::uint8_t> bytes);
  // Flushes, sets the file's length to `database_pages` pages (the lock page and any page not
  // written read as zeros), fsyncs if asked and closes, reporting any failure.
  void finish(std::uint32_t database_pages, bool sync);
  // Flushes, syncs if asked and closes, reporting any failure, leaving the file's length to
  // whoever finishes it (a part written in place by one rank of several: on a file system
  // shared by nodes, only a process on the writing node can make those writes durable).
  void close(bool sync);

 private:
  void flush();
  Error write_error(const std::string& doing, int err) const;  // err: an errno, or 0 for a short write

  UniqueFd fd_;
  std::string label_;
  const PageNumbering& numbering_;
  std::size_t capacity_;
  Bytes buffer_;
  std::uint32_t buffer_first_ = 0;  // page number of buffer_'s first page
};

}  // namespace lfp::sqlite_file
