#include "sqlite_file/database_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace lfp::sqlite_file {

DatabaseWriter::DatabaseWriter(UniqueFd fd, std::string label, const PageNumbering& numbering, std::size_t buffer_bytes)
    : fd_(std::move(fd)),
      label_(std::move(label)),
      numbering_(numbering),
      capacity_(std::max<std::size_t>(buffer_bytes / numbering.page_size(), 1) * numbering.page_size()) {
  if (!fd_) throw Error(kExitInternal, "database " + label_ + ": writer given no file descriptor");
  buffer_.reserve(capacity_);
}

UniqueFd DatabaseWriter::open_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) throw Error(kExitOutput, "database " + path + ": cannot open for writing: " + std::strerror(errno));
  return fd;
}

UniqueFd DatabaseWriter::open_existing(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw Error(kExitOutput, "database " + path + ": cannot open for writing: " + std::strerror(errno));
  return fd;
}

void DatabaseWriter::write_page(std::uint32_t page, std::span<const std::uint8_t> bytes) {
  const std::uint32_t size = numbering_.page_size();
  if (bytes.size() != size)
    throw Error(kExitInternal, "database " + label_ + ": page " + std::to_string(page) + " has " +
                                   std::to_string(bytes.size()) + " bytes, not the page size " + std::to_string(size));
  if (page == 0 || page == numbering_.lock_page())
    throw Error(kExitInternal, "database " + label_ + ": page " + std::to_string(page) +
                                   " cannot be written (0, or SQLite's lock-byte page)");
  const bool contiguous = !buffer_.empty() && page == buffer_first_ + buffer_.size() / size;
  if (!contiguous || buffer_.size() + size > capacity_) flush();
  if (buffer_.empty()) buffer_first_ = page;
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Error DatabaseWriter::write_error(const std::string& doing, int err) const {
  // Worded as SQLite's own path words it (store/sqlite.cpp), whichever writer met the limit.
  const bool cut_short = err == 0 || err == ENOSPC || err == EFBIG || err == EDQUOT;
  return Error(kExitOutput,
               "database " + label_ + ": " +
                   (cut_short ? "disk I/O error (a write was cut short: disk full, quota or file size limit): " : "") +
                   doing + ": " + (err ? std::strerror(err) : "no progress"));
}

void DatabaseWriter::flush() {
  const std::uint8_t* p = buffer_.data();
  std::size_t left = buffer_.size();
  off_t at = static_cast<off_t>(buffer_first_ - 1) * numbering_.page_size();
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_.get(), p, left, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw write_error("cannot write at offset " + std::to_string(at), n < 0 ? errno : 0);
    p += n;
    left -= static_cast<std::size_t>(n);
    at += n;
  }
  buffer_.clear();
}

void DatabaseWriter::finish(std::uint32_t database_pages, bool sync) {
  flush();
  if (::ftruncate(fd_.get(), static_cast<off_t>(database_pages) * numbering_.page_size()) != 0)
    throw write_error("cannot set its size", errno);
  if (sync && ::fsync(fd_.get()) != 0)
    throw Error(kExitOutput, "database " + label_ + ": cannot sync: " + std::strerror(errno));
  if (::close(fd_.release()) != 0)
    throw Error(kExitOutput, "database " + label_ + ": cannot close: " + std::strerror(errno));
}

void DatabaseWriter::close(bool sync) {
  flush();
  if (sync && ::fdatasync(fd_.get()) != 0)
    throw Error(kExitOutput, "database " + label_ + ": cannot sync: " + std::strerror(errno));
  if (::close(fd_.release()) != 0)
    throw Error(kExitOutput, "database " + label_ + ": cannot close: " + std::strerror(errno));
}

}  // namespace lfp::sqlite_file
