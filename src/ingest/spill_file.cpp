#include "ingest/spill_file.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace lfp {

SpillFile::SpillFile(const std::string& dir, const std::string& stem, std::size_t buffer_bytes)
    : file_(scratch_file(dir, stem)), fd_(open_scratch(*file_)), buffer_bytes_(buffer_bytes) {
  pending_.reserve(buffer_bytes_);
}

void SpillFile::add(std::string_view item) {
  const auto n = static_cast<std::uint32_t>(item.size());
  if (item.size() != n)
    throw Error(kExitInternal, "scratch file " + path() + ": an item of " + std::to_string(item.size()) +
                                   " bytes is too large to spill");
  if (pending_.size() + 4 + item.size() > buffer_bytes_) flush();
  const std::size_t at = pending_.size();
  pending_.resize(at + 4 + item.size());
  std::memcpy(pending_.data() + at, &n, 4);
  if (n > 0) std::memcpy(pending_.data() + at + 4, item.data(), n);
  ++run_items_;
}

Run SpillFile::end_run() {
  flush();
  const Run run{run_begin_, written_, run_items_};
  run_begin_ = written_;
  run_items_ = 0;
  return run;
}

void SpillFile::discard(const Run& run) {
  if (run.end > run.begin)
    (void)::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(run.begin),
                      static_cast<off_t>(run.end - run.begin));
}

void SpillFile::flush() {
  write_scratch(fd_.get(), pending_.data(), pending_.size(), file_->path());
  written_ += pending_.size();
  pending_.clear();
}

RunReader::RunReader(const SpillFile& file, const Run& run, std::size_t buffer_bytes)
    : file_(&file), at_(run.begin), end_(run.end), buffer_bytes_(buffer_bytes) {}

// Keeps the unread bytes and reads more until at least `need` are held (or the run ends).
void RunReader::fill(std::size_t need) {
  const std::size_t left = size_ - pos_;
  if (left > 0 && pos_ > 0) std::memmove(buffer_.data(), buffer_.data() + pos_, left);
  pos_ = 0;
  size_ = left;
  const std::size_t want = std::max(need, buffer_bytes_);
  if (buffer_.size() < want) buffer_.resize(want);
  while (size_ < need && at_ < end_) {
    const auto room = std::min<std::uint64_t>(buffer_.size() - size_, end_ - at_);
    const ssize_t r = ::pread(file_->fd(), buffer_.data() + size_, room, static_cast<off_t>(at_));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0)
      throw Error(kExitOutput, "scratch file " + file_->path() + " (--scratch): cannot read back: " +
                                   (r < 0 ? std::strerror(errno) : "it is shorter than written"));
    size_ += static_cast<std::size_t>(r);
    at_ += static_cast<std::uint64_t>(r);
  }
}

bool RunReader::next(std::string_view& item) {
  if (size_ - pos_ < 4) fill(4);
  if (size_ - pos_ == 0) return false;
  if (size_ - pos_ < 4)
    throw Error(kExitOutput, "scratch file " + file_->path() + " (--scratch): a run ends inside an item");
  std::uint32_t n = 0;
  std::memcpy(&n, buffer_.data() + pos_, 4);
  if (size_ - pos_ < 4 + std::size_t{n}) fill(4 + std::size_t{n});
  if (size_ - pos_ < 4 + std::size_t{n})
    throw Error(kExitOutput, "scratch file " + file_->path() + " (--scratch): a run ends inside an item");
  item = std::string_view(buffer_.data() + pos_ + 4, n);
  pos_ += 4 + n;
  return true;
}

}  // namespace lfp
