#include "ingest/scratch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace lfp {

std::unique_ptr<TempFile> scratch_file(const std::string& dir, const std::string& stem) {
  try {
    return std::make_unique<TempFile>(dir + "/" + stem);
  } catch (const Error& e) {
    throw Error(kExitOutput, "scratch directory " + dir + " (--scratch): " + e.what());
  }
}

UniqueFd open_scratch(const TempFile& file) {
  UniqueFd fd(::open(file.path().c_str(), O_RDWR | O_TRUNC | O_CLOEXEC));
  if (!fd)
    throw Error(kExitOutput, "scratch file " + file.path() + " (--scratch): cannot open: " + std::strerror(errno));
  return fd;
}

void write_scratch(int fd, const char* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw Error(kExitOutput, "scratch file " + path +
                                   " (--scratch): cannot write: " + (w < 0 ? std::strerror(errno) : "no space left") +
                                   "; nothing was written to the database");
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace lfp
