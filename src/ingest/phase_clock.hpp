#pragma once
// Seconds per phase for the summary and the runs table.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "mpi/comm.hpp"

namespace lfp {

class PhaseClock {
 public:
  PhaseClock() : start_(now()), last_(start_) {}
  // Ends a phase on every rank (collective): its time is the slowest rank's.
  void lap_collective(const mpi::Comm& comm, const char* name) {
    const double t = now();
    phases_.emplace_back(name, comm.max(t - last_));
    last_ = t;
  }
  // Ends a phase that only this rank timed.
  void lap_local(const char* name) {
    const double t = now();
    phases_.emplace_back(name, t - last_);
    last_ = t;
  }
  double total() const { return now() - start_; }
  const std::vector<std::pair<std::string, double>>& phases() const { return phases_; }

 private:
  static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  double start_, last_;
  std::vector<std::pair<std::string, double>> phases_;
};

}  // namespace lfp
