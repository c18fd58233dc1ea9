#include "csv/automaton.hpp"

namespace lfp::csv {

RangeSummary RangeSummary::identity() {
  RangeSummary r;
  for (int s = 0; s < kStates; ++s) r.end[s] = static_cast<State>(s);
  return r;
}

RangeSummary RangeSummary::then(const RangeSummary& next) const {
  RangeSummary r;
  r.resets = resets || next.resets;
  r.lines = next.resets ? next.lines : lines + next.lines;
  for (int s = 0; s < kStates; ++s) {
    const auto mid = static_cast<int>(end[s]);
    r.end[s] = next.end[mid];
    r.records[s] = next.resets ? next.records[mid] : records[s] + next.records[mid];
  }
  return r;
}

RangeStart fold_prefix(const RangeSummary* summaries, std::size_t k) {
  RangeSummary acc = RangeSummary::identity();
  for (std::size_t i = 0; i < k; ++i) acc = acc.then(summaries[i]);
  constexpr auto start = static_cast<int>(State::RecordStart);
  return RangeStart{acc.end[start], acc.records[start], acc.lines};
}

}  // namespace lfp::csv
