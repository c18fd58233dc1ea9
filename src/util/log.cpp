#include "util/log.hpp"

#include <cstdarg>
#include <cstdio>

namespace lfp::log {

void error(int rank, const std::string& message) {
  if (rank != 0)
    std::fprintf(stderr, "lfp_mpi: rank %d: error: %s\n", rank, message.c_str());
  else
    std::fprintf(stderr, "lfp_mpi: error: %s\n", message.c_str());
  std::fflush(stderr);
}

void warning(const std::string& message) {
  std::fprintf(stderr, "lfp_mpi: warning: %s\n", message.c_str());
  std::fflush(stderr);
}

void info(const std::string& message) {
  std::printf("lfp_mpi: %s\n", message.c_str());
  std::fflush(stdout);
}

void note(const std::string& message) {
  std::fprintf(stderr, "lfp_mpi: %s\n", message.c_str());
}

std::string format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, args);
  va_end(args);
  return out;
}

}  // namespace lfp::log
