#include "util/temp_files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "util/error.hpp"

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

// Two buffers, so the handler always reads a whole message while the next one is written.
constexpr std::size_t kMessageMax = 1024;
char stop_messages[2][kMessageMax];
std::atomic<int> stop_message{-1};

void write_stop_message(int sig) {
  const int m = stop_message.load();
  if (m < 0) return;
  // On a terminal, first erase the live progress line (tcgetattr is async-signal-safe).
  struct termios t;
  if (::tcgetattr(STDERR_FILENO, &t) == 0) {
    [[maybe_unused]] auto e = ::write(STDERR_FILENO, "\r\033[K", 4);
  }
  const char* name = sig == SIGINT    ? "lfp_mpi: stopped by SIGINT "
                     : sig == SIGCONT ? "lfp_mpi: stopping (mpirun sent SIGCONT, its SIGTERM follows) "
                                      : "lfp_mpi: stopped by SIGTERM ";
  // One write of the whole line: a pipe (a Slurm log, mpirun's forwarding) takes it whole, so
  // it cannot be interleaved with another process's line or cut by another handler.
  char line[kMessageMax + 128];
  const std::size_t n = std::strlen(name), k = std::min(std::strlen(stop_messages[m]), sizeof line - n);
  std::memcpy(line, name, n);
  std::memcpy(line + n, stop_messages[m], k);
  [[maybe_unused]] auto a = ::write(STDERR_FILENO, line, n + k);
}

void on_signal(int sig) {
  write_stop_message(sig);
  for (int i = 0; i < kSlots; ++i)
    if (registry.used[i].load()) ::unlink(registry.paths[i]);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Open MPI's mpirun, on Ctrl-C or SIGTERM, sends the ranks SIGCONT at once and SIGTERM only
// odls_base_sigkill_timeout seconds (1 by default) later. A SIGCONT that does not end a
// suspension we saw (a forwarded SIGTSTP, Ctrl-Z) is therefore the first sign of a stop;
// wait_before_commit() holds the commit until the SIGTERM had time to follow.
std::atomic<std::int64_t> unexplained_cont_ns{0};
std::atomic<bool> suspended{false};

std::int64_t monotonic_ns() {
  struct timespec t {};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
}

void on_cont(int) {
  if (suspended.exchange(false)) return;  // the end of a Ctrl-Z: not a stop
  unexplained_cont_ns.store(monotonic_ns());
  // Said now: with more ranks than cores, rank 0 is sometimes killed (SIGKILL) before its
  // SIGTERM handler runs, and this is then the last line. The commit is held either way
  // (wait_before_commit); should it have been a resume, the run's own last line follows.
  write_stop_message(SIGCONT);
}

void on_tstp(int) {
  // Stop as SIGTSTP's default action would, remembering that the next SIGCONT resumes us.
  suspended.store(true);
  ::raise(SIGSTOP);
}

void install_handlers() {
  static const bool installed = [] {
    // The stop handlers do not interrupt one another (mpirun's SIGCONT and SIGTERM can arrive
    // together): each says its line whole.
    sigset_t stops;
    sigemptyset(&stops);
    for (const int s : {SIGTERM, SIGINT, SIGCONT}) sigaddset(&stops, s);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_mask = stops;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    struct sigaction cont {};
    cont.sa_handler = on_cont;
    cont.sa_mask = stops;
    cont.sa_flags = SA_RESTART;
    ::sigaction(SIGCONT, &cont, nullptr);
    struct sigaction tstp {};
    tstp.sa_handler = on_tstp;
    sigemptyset(&tstp.sa_mask);
    tstp.sa_flags = SA_RESTART;
    ::sigaction(SIGTSTP, &tstp, nullptr);
    return true;
  }();
  (void)installed;
}

int register_path(const std::string& path) {
  install_handlers();
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    if (registry.used[i].load()) continue;
    std::memcpy(registry.paths[i], path.c_str(), path.size() + 1);
    registry.used[i].store(true);
    return i;
  }
  return -1;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// A process that exists and is not a zombie (a zombie will never clean up after itself).
bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  const UniqueFd fd(::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY));
  if (!fd) return true;  // no /proc: trust kill()
  char buf[512];
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return true;
  buf[n] = '\0';
  const char* paren = std::strrchr(buf, ')');  // "pid (comm) S ...": comm may hold spaces
  return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

// Removes `target.partial-HOST-PID` files of this host whose process no longer runs. The
// host is in the name so that a live run on another node sharing the file system is never
// taken for a dead one here.
void remove_stale_partials(const std::string& target) {
  namespace fs = std::filesystem;
  const fs::path t(target);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  const std::string prefix = t.filename().string() + ".partial-" + host_name() + "-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::strtol(digits.c_str(), nullptr, 10));
    if (process_alive(pid)) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

void sync_path(const std::string& path, int flags) {
  const UniqueFd fd(::open(path.c_str(), flags));
  if (fd) ::fsync(fd.get());
}

}  // namespace

void set_stop_message(const std::string& text) {
  install_handlers();
  if (text.empty()) {
    stop_message.store(-1);
    return;
  }
  const int next = stop_message.load() == 0 ? 1 : 0;
  const std::size_t n = std::min(text.size(), kMessageMax - 2);
  std::memcpy(stop_messages[next], text.data(), n);
  stop_messages[next][n] = '\n';
  stop_messages[next][n + 1] = '\0';
  stop_message.store(next);
}

// mpirun's delay between SIGCONT and SIGTERM, plus a second for the signal to arrive.
std::int64_t stop_window_ns() {
  const char* setting = std::getenv("OMPI_MCA_odls_base_sigkill_timeout");
  const std::int64_t delay_s = setting && *setting ? std::max(0L, std::strtol(setting, nullptr, 10)) : 1;
  return (delay_s + 1) * 1000000000;
}

bool stop_announced() {
  // Within the window only: past it no SIGTERM came, the SIGCONT was a resume (a Slurm
  // suspend, a kill -STOP), and the run's progress lines go on.
  const std::int64_t at = unexplained_cont_ns.load();
  return at != 0 && stop_message.load() >= 0 && monotonic_ns() - at < stop_window_ns();
}

void wait_before_commit() {
  const std::int64_t at = unexplained_cont_ns.load();
  if (at == 0) return;
  const std::int64_t until = at + stop_window_ns();
  // A SIGTERM in this time ends the process through on_signal; else it was a resume.
  for (std::int64_t now = monotonic_ns(); now < until; now = monotonic_ns()) {
    const std::int64_t left = until - now;
    struct timespec t {
      left / 1000000000, left % 1000000000
    };
    ::nanosleep(&t, nullptr);
  }
}

std::string partial_path(const std::string& target) {
  return target + ".partial-" + host_name() + "-" + std::to_string(::getpid());
}

TempFile::TempFile(std::string target) : target_(std::move(target)) {
  remove_stale_partials(target_);
  path_ = partial_path(target_);
  ::unlink(path_.c_str());  // a leftover of a dead process with this pid
  fd_ = UniqueFd(::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!fd_) throw Error(kExitOutput, target_ + ": cannot create " + path_ + ": " + std::strerror(errno));
  slot_ = register_path(path_);
}

TempFile::~TempFile() {
  if (!published_) ::unlink(path_.c_str());
  if (slot_ >= 0) registry.used[slot_].store(false);
}

void TempFile::sync() {
  if (::fsync(fd_.get()) != 0)
    throw Error(kExitOutput, target_ + ": cannot sync " + path_ + ": " + std::strerror(errno));
  synced_ = true;
}

void TempFile::publish(bool replace) {
  // Only the file created in the constructor is ever given the target's name.
  struct stat ours {
  }, named{};
  if (::fstat(fd_.get(), &ours) != 0 || ::lstat(path_.c_str(), &named) != 0 || !S_ISREG(named.st_mode) ||
      ours.st_dev != named.st_dev || ours.st_ino != named.st_ino)
    throw Error(kExitOutput, target_ + ": " + path_ +
                                 " was replaced by another file while this run wrote it; "
                                 "this run's result was discarded");
  if (!synced_) sync();
  if (replace) {
    if (::rename(path_.c_str(), target_.c_str()) != 0)
      throw Error(kExitOutput, target_ + ": cannot rename " + path_ + " into place: " + std::strerror(errno));
  } else {
    // link() fails if the target exists, where rename() would silently replace it.
    if (::link(path_.c_str(), target_.c_str()) != 0) {
      const int err = errno;
      throw Error(kExitOutput, target_ + (err == EEXIST ? ": created by another run while this one was running; "
                                                          "this run's result was discarded"
                                                        : std::string(": cannot create: ") + std::strerror(err)));
    }
    ::unlink(path_.c_str());
  }
  published_ = true;
  std::error_code ec;
  const auto dir = std::filesystem::absolute(target_, ec).parent_path();
  if (!ec) sync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace lfp
