#pragma once
// A file descriptor that closes itself.
#include <unistd.h>

#include "util/unique_handle.hpp"

namespace lfp {

inline void close_fd(int fd) { ::close(fd); }
using UniqueFd = UniqueHandle<int, close_fd, -1>;

}  // namespace lfp
