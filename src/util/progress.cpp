#include "util/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/clock.hpp"
#include "util/log.hpp"
#include "util/temp_files.hpp"

namespace lfp {
namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string seconds_text(double s) {
  if (s < 60) return log::format("%.0f s", s);
  if (s < 3600) return log::format("%d min %02d s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return log::format("%d h %02d min", static_cast<int>(s) / 3600, static_cast<int>(s) / 60 % 60);
}

}  // namespace

ProgressCounters& progress_counters() {
  static ProgressCounters counters;
  return counters;
}

std::string progress_text(const ProgressState& s) {
  const auto& w = s.work;
  // Rank 0's share stands for the whole job: every rank has an even share of the bytes.
  const double scale = w.bytes_mine > 0 ? static_cast<double>(w.bytes_total) / static_cast<double>(w.bytes_mine) : 1;
  std::string out = s.phase + log::format(": %.1f s", s.seconds);
  // A phase that has counted nothing (yet, or at all) shows its time only.
  const bool counted = s.bytes > 0 || s.records > 0;
  double fraction = -1;
  if (counted && w.bytes_mine > 0)
    fraction = static_cast<double>(s.bytes) / static_cast<double>(w.bytes_mine);
  else if (counted && w.records_total > 0)
    fraction = static_cast<double>(s.records) / static_cast<double>(w.records_total);
  if (fraction > 1) fraction = 1;
  if (fraction >= 0) out += log::format(", %.0f%%", fraction * 100);
  const double secs = s.seconds > 0 ? s.seconds : 1e-9;
  if (s.records > 0) {
    const double records = static_cast<double>(s.records) * (w.records_total > 0 ? 1 : scale);
    out += log::format(", %.0f records (%.0f records/s)", records, records / secs);
  }
  if (s.bytes > 0) {
    const double mb = static_cast<double>(s.bytes) * scale / 1e6;
    out += log::format(", %.1f MB (%.1f MB/s)", mb, mb / secs);
  }
  if (fraction > 0.01 && fraction < 1) out += ", ETA " + seconds_text(s.seconds * (1 - fraction) / fraction);
  return out;
}

std::string progress_timestamp() { return utc_now(); }

ProgressMode progress_mode_for_stderr() {
  if (const char* v = std::getenv("LFP_PROGRESS")) {
    if (std::strcmp(v, "live") == 0) return ProgressMode::Live;
    if (std::strcmp(v, "lines") == 0) return ProgressMode::Lines;
    if (std::strcmp(v, "off") == 0) return ProgressMode::Off;
  }
  return ::isatty(STDERR_FILENO) ? ProgressMode::Live : ProgressMode::Lines;
}

double progress_interval() {
  if (const char* v = std::getenv("LFP_PROGRESS_INTERVAL")) {
    char* end = nullptr;
    const double seconds = std::strtod(v, &end);
    if (end != v && *end == '\0' && seconds >= 0.1 && seconds <= 3600) return seconds;
  }
  return 5.0;
}

namespace {
Progress* g_current = nullptr;  // the reporter whose live line log.cpp clears
void clear_current() {
  if (g_current) g_current->clear_line();
}
}  // namespace

Progress::Progress(ProgressMode mode, bool verbose, double interval)
    : mode_(mode), verbose_(verbose), interval_(interval) {
  if (mode_ == ProgressMode::Off) return;
  if (mode_ == ProgressMode::Live) {
    g_current = this;
    log::set_before_print(clear_current);
  }
  ticker_ = std::thread([this] { tick_loop(); });
}

Progress::~Progress() { stop(); }

void Progress::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || mode_ == ProgressMode::Off) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (g_current == this) {
    log::set_before_print(nullptr);
    g_current = nullptr;
  }
  clear_line();
}

void Progress::print_locked(const std::string& text, bool live) {
  if (stop_announced()) return;
  if (live) {
    // \r and "erase to end of line": the line is redrawn in place.
    std::fprintf(stderr, "\r\033[Klfp_mpi: %s", text.c_str());
    line_shown_ = true;
  } else {
    if (line_shown_) std::fputs("\r\033[K", stderr);
    line_shown_ = false;
    std::fprintf(stderr, "lfp_mpi: %s %s\n", progress_timestamp().c_str(), text.c_str());
  }
  std::fflush(stderr);
}

void Progress::clear_line() {
  if (mode_ != ProgressMode::Live) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!line_shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  line_shown_ = false;
}

void Progress::start(const std::string& phase, const PhaseWork& work) {
  auto& c = progress_counters();
  c.bytes.store(0, std::memory_order_relaxed);
  c.records.store(0, std::memory_order_relaxed);
  if (mode_ == ProgressMode::Off) return;
  std::lock_guard<std::mutex> lock(mutex_);
  phase_ = phase;
  work_ = work;
  phase_start_ = now();
  std::string text = phase + ": started";
  if (work.bytes_total > 0)
    text += log::format(" (%.1f MB)", static_cast<double>(work.bytes_total) / 1e6);
  else if (work.records_total > 0)
    text += " (" + log::count(static_cast<std::int64_t>(work.records_total), "record") + ")";
  print_locked(text, mode_ == ProgressMode::Live);
  wake_.notify_all();
}

void Progress::done(const std::string& phase, double seconds, const std::vector<double>& per_rank) {
  if (mode_ == ProgressMode::Off) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (phase_ == phase) phase_.clear();
  if (!verbose_) return;
  std::string text = phase + log::format(": done in %.3f s", seconds);
  if (per_rank.size() > 1) {
    text += "; per rank:";
    for (std::size_t r = 0; r < per_rank.size(); ++r) text += log::format(" %zu:%.3f", r, per_rank[r]);
  }
  print_locked(text, false);
}

void Progress::detail(const std::string& text) {
  if (!verbose()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  print_locked(text, false);
}

void Progress::tick_loop() {
  const double period = mode_ == ProgressMode::Live ? 0.25 : interval_;
  std::unique_lock<std::mutex> lock(mutex_);
  double last = now();
  std::string last_phase;
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::duration<double>(period));
    if (stopping_) break;
    const double t = now();
    if (phase_ != last_phase) {  // a new phase: its start line was just printed
      last_phase = phase_;
      last = t;
      if (mode_ != ProgressMode::Live) continue;
    }
    if (phase_.empty() || t - last < period * 0.999) continue;
    last = t;
    const auto& c = progress_counters();
    const ProgressState s{phase_, t - phase_start_, work_, c.bytes.load(std::memory_order_relaxed),
                          c.records.load(std::memory_order_relaxed)};
    print_locked(progress_text(s), mode_ == ProgressMode::Live);
  }
}

}  // namespace lfp
