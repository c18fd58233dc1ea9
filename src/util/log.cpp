#include "util/log.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace lfp::log {
namespace {
std::atomic<void (*)()> before_print{nullptr};
std::atomic<bool> info_on_stderr{false};
std::mutex first_error_lock;
std::string first_error_text;
void before() {
  if (auto hook = before_print.load()) hook();
}
}  // namespace

void set_before_print(void (*hook)()) { before_print.store(hook); }

std::string error_line(const std::string& message) { return "lfp_mpi: error: " + message; }

std::string first_error() {
  const std::lock_guard<std::mutex> hold(first_error_lock);
  return first_error_text;
}

void error(int rank, const std::string& message) {
  {
    const std::lock_guard<std::mutex> hold(first_error_lock);
    if (first_error_text.empty()) first_error_text = message;
  }
  before();
  if (rank != 0)
    std::fprintf(stderr, "lfp_mpi: rank %d: error: %s\n", rank, message.c_str());
  else
    std::fprintf(stderr, "%s\n", error_line(message).c_str());
  std::fflush(stderr);
}

void warning(const std::string& message) {
  before();
  std::fprintf(stderr, "lfp_mpi: warning: %s\n", message.c_str());
  std::fflush(stderr);
}

void results_to_stderr() { info_on_stderr.store(true); }

void info(const std::string& message) {
  before();
  std::FILE* out = info_on_stderr.load() ? stderr : stdout;
  std::fprintf(out, "lfp_mpi: %s\n", message.c_str());
  std::fflush(out);
}

void note(const std::string& message) {
  before();
  std::fprintf(stderr, "lfp_mpi: %s\n", message.c_str());
}

std::string count(std::int64_t n, const std::string& noun, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? noun : plural.empty() ? noun + "s" : plural);
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
