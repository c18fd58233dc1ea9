#pragma once
// What a long job is doing, on stderr, from rank 0 only. On a terminal a live line (phase,
// records and MB per second, percent done, ETA) redrawn in place; otherwise (a Slurm log, a
// pipe) a timestamped line at each phase start and every 5 seconds while a phase lasts,
// flushed, so a log shows where a job is and how fast it goes. A ticker thread does the
// printing: the phases only bump counters, and the thread makes no MPI calls.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lfp {

// What the phases count as they go (this process's share). Relaxed atomics: the ticker only
// needs recent values.
struct ProgressCounters {
  std::atomic<std::uint64_t> bytes{0}, records{0};
};
// The one set of counters of this process (rank 0's are the ones shown).
ProgressCounters& progress_counters();

// How much work a phase has, as far as rank 0 knows. Rank 0 does `mine` of `total` bytes (its
// even share); its progress, scaled, stands for the job's. records_total (write phase): rank 0
// alone does all of them.
struct PhaseWork {
  std::uint64_t bytes_total = 0, bytes_mine = 0;
  std::uint64_t records_total = 0;
};

// One status line's figures, and its text (without the "lfp_mpi: " prefix or a timestamp).
struct ProgressState {
  std::string phase;
  double seconds = 0;  // in this phase
  PhaseWork work;
  std::uint64_t bytes = 0, records = 0;  // done so far by this process
};
std::string progress_text(const ProgressState& s);

enum class ProgressMode { Off, Lines, Live };
// Live when stderr is a terminal, Lines otherwise; LFP_PROGRESS=live|lines|off overrides.
ProgressMode progress_mode_for_stderr();
// Seconds between progress lines: LFP_PROGRESS_INTERVAL (0.1 to 3600), else 5.
double progress_interval();

class Progress {
 public:
  Progress() = default;  // Off: every call does nothing
  // `interval`: seconds between lines (Lines mode); the live line redraws 4 times a second.
  Progress(ProgressMode mode, bool verbose, double interval = 5.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // A phase starts: prints its start line (Lines) and resets the counters.
  void start(const std::string& phase, const PhaseWork& work = {});
  // A phase ended after `seconds`; with -v, each rank's seconds too.
  void done(const std::string& phase, double seconds, const std::vector<double>& per_rank = {});
  // A detail line, printed only with -v.
  void detail(const std::string& text);
  // Clears the live line before other output (log.cpp calls this through a hook).
  void clear_line();
  // Stops the ticker and clears the live line.
  void stop();
  bool verbose() const { return verbose_ && mode_ != ProgressMode::Off; }

 private:
  void tick_loop();
  void print_locked(const std::string& text, bool live);
  ProgressMode mode_ = ProgressMode::Off;
  bool verbose_ = false;
  double interval_ = 5.0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool line_shown_ = false;  // a live line is on the terminal
  std::string phase_;
  PhaseWork work_;
  double phase_start_ = 0;
  std::thread ticker_;
};

// Local time of day for the line prefix, ISO 8601 UTC ("2026-11-27T12:30:05Z").
std::string progress_timestamp();

}  // namespace lfp
