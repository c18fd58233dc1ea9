#pragma once
// Seconds per phase (named as in phase::) for the summary and the runs table; each phase's start and end also go
// to the progress reporter (rank 0's) and set what a stopping signal reports.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "mpi/comm.hpp"
#include "store/run_stats.hpp"
#include "util/progress.hpp"
#include "util/temp_files.hpp"

namespace lfp {

class PhaseClock {
 public:
  // `per_rank` (the same on every rank): lap_collective gathers every rank's time for -v.
  explicit PhaseClock(Progress* progress = nullptr, bool per_rank = false)
      : start_(now()), last_(start_), progress_(progress), per_rank_(per_rank) {}

  // A phase begins: its progress line, and what a signal would stop (rank 0 sets the state).
  void start(const std::string& name, const PhaseWork& work = {}) {
    // The stop message first: once the line says a phase started, a stop names that phase.
    current_ = name;
    update_stop_message();
    if (progress_) progress_->start(name, work);
  }
  // What a stopping signal says of the outputs; empty on ranks that print nothing.
  void set_stop_state(std::string what, std::string state) {
    stop_what_ = std::move(what);
    stop_state_ = std::move(state);
    update_stop_message();
  }
  // Ends a phase on every rank (collective): its time is the slowest rank's.
  void lap_collective(const mpi::Comm& comm, const char* name) {
    const double t = now(), mine = t - last_;
    std::vector<double> all;
    double slowest = 0;
    if (per_rank_) {
      all = comm.allgather(mine);
      for (const double s : all) slowest = std::max(slowest, s);
    } else {
      slowest = comm.max(mine);
    }
    phases_.emplace_back(name, slowest);
    if (progress_) progress_->done(name, slowest, all);
    last_ = t;
  }
  // Ends a phase that only this rank timed.
  void lap_local(const char* name) {
    const double t = now();
    phases_.emplace_back(name, t - last_);
    if (progress_) progress_->done(name, t - last_);
    last_ = t;
  }
  double total() const { return now() - start_; }
  const std::vector<std::pair<std::string, double>>& phases() const { return phases_; }

 private:
  static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  void update_stop_message() {
    if (stop_what_.empty()) return;
    set_stop_message((current_.empty() ? "" : "during the " + current_ + " phase of ") + stop_what_ + ": " +
                     stop_state_);
  }
  double start_, last_;
  std::vector<std::pair<std::string, double>> phases_;
  Progress* progress_;
  bool per_rank_;
  std::string current_, stop_what_, stop_state_;
};

}  // namespace lfp
