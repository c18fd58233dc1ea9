#include "temp_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace lfp {
namespace {

// Signal handlers can only reach static storage; this is the one place that holds state
// outside objects, and only fixed-size, async-signal-safe data.
constexpr int kSlots = 8;
constexpr std::size_t kPathMax = 4096;
struct Registry {
  std::atomic<bool> used[kSlots];
  char paths[kSlots][kPathMax];
};
Registry registry;

void on_signal(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (registry.used[i].load()) ::unlink(registry.paths[i]);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    return true;
  }();
  (void)installed;
}

}  // namespace

TempFileGuard::TempFileGuard(const std::string& path) {
  install_handlers();
  if (path.size() >= kPathMax) return;
  for (int i = 0; i < kSlots; ++i) {
    if (registry.used[i].load()) continue;
    std::memcpy(registry.paths[i], path.c_str(), path.size() + 1);
    registry.used[i].store(true);
    slot_ = i;
    return;
  }
}

TempFileGuard::~TempFileGuard() {
  if (slot_ >= 0) registry.used[slot_].store(false);
}

namespace {
std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}
}  // namespace

// The host is part of the name so that a run on another node sharing the file system is
// never taken for a dead process of this one.
std::string partial_path(const std::string& path) {
  return path + ".partial-" + host_name() + "-" + std::to_string(::getpid());
}

void remove_stale_partials(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".partial-" + host_name() + "-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(pid_text);
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;  // still running
    fs::remove(entry.path(), ec);
  }
}

}  // namespace lfp
