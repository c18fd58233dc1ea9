#include "util/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/pages.hpp"

namespace lfp {
namespace {
constexpr std::size_t kReadLimit = std::size_t{1} << 20;  // files up to 1 MiB are read, not mapped
}  // namespace

MappedFile::MappedFile(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY));
  if (!fd) throw Error(kExitInput, path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw Error(kExitInput, path + ": cannot stat: " + std::strerror(errno));
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0 && size_ <= kReadLimit) {
    data_ = ::operator new(size_);
    std::size_t done = 0;
    while (done < size_) {
      const ssize_t n = ::pread(fd.get(), static_cast<char*>(data_) + done, size_ - done, static_cast<off_t>(done));
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        ::operator delete(data_);
        data_ = nullptr;
        throw Error(kExitInput, path + ": cannot read: " + std::strerror(err));
      }
      done += static_cast<std::size_t>(n);
    }
  } else if (size_ > 0) {
    data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (data_ == MAP_FAILED) {
      const int err = errno;
      data_ = nullptr;
      // Address space or memory exhausted (ulimit -v): the run's one out-of-memory code.
      if (err == ENOMEM) throw Error(kExitInternal, path + ": cannot map: out of memory");
      throw Error(kExitInput, path + ": cannot map: " + std::strerror(err));
    }
    mapped_ = true;
    ::madvise(data_, size_, MADV_SEQUENTIAL);
  }
  // The mapping keeps the file open; the descriptor closes here.
}

MappedFile::~MappedFile() {
  if (!data_) return;
  if (mapped_)
    ::munmap(data_, size_);
  else
    ::operator delete(data_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept : data_(other.data_), size_(other.size_), mapped_(other.mapped_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

void MappedFile::release(std::size_t begin, std::size_t end) const {
  if (mapped_ && begin < end && end <= size_) release_pages(static_cast<const char*>(data_) + begin, end - begin);
}

}  // namespace lfp
