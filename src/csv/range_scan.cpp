#include "csv/range_scan.hpp"

#include <algorithm>

namespace lfp::csv {
namespace {

// transitions + "does this byte start a record" folded into one lookup per byte.
struct StartTable {
  std::uint8_t starts[kStates][256]{};
  constexpr StartTable() {
    for (int s = 0; s < kStates; ++s)
      for (int b = 0; b < 256; ++b)
        starts[s][b] = starts_record(static_cast<State>(s), classify(static_cast<unsigned char>(b)));
  }
};
constexpr StartTable kStarts{};

std::uint64_t count_line_ends(std::string_view file, std::uint64_t begin, std::uint64_t end) {
  std::uint64_t lf = 0, cr = 0, crlf = 0;
  const char* b = file.data();
  for (std::uint64_t p = begin; p < end; ++p) {
    lf += b[p] == '\n';
    cr += b[p] == '\r';
  }
  // A CR followed by LF is one line end, counted at the LF (which may lie past `end`).
  for (std::uint64_t p = begin; p < end; ++p) crlf += b[p] == '\r' && p + 1 < file.size() && b[p + 1] == '\n';
  return lf + cr - crlf;
}

}  // namespace

RangeSummary summarize(std::string_view file, std::uint64_t begin, std::uint64_t end) {
  RangeSummary r = RangeSummary::identity();
  r.resets = begin == 0;
  if (r.resets) {
    begin = std::min<std::uint64_t>(bom_length(file), end);
    r.end.fill(State::RecordStart);
  }
  r.lines = count_line_ends(file, begin, end);

  // Run one automaton per distinct current state; start states that reach the same state
  // share it from then on (with a record-count offset), so usually only 2 stay alive.
  State cur[kStates];
  std::uint64_t recs[kStates];
  int owner[kStates];            // start state -> live hypothesis
  std::uint64_t offset[kStates];  // start state's records minus its hypothesis' records
  int live = 0;
  for (int s = 0; s < kStates; ++s) {
    int found = -1;
    for (int h = 0; h < live; ++h)
      if (cur[h] == r.end[s]) found = h;
    if (found < 0) {
      cur[live] = r.end[s];
      recs[live] = 0;
      found = live++;
    }
    owner[s] = found;
    offset[s] = 0;
  }

  const auto* b = reinterpret_cast<const unsigned char*>(file.data());
  constexpr std::uint64_t kBlock = 512;
  for (std::uint64_t p = begin; p < end;) {
    const std::uint64_t stop = std::min(end, p + kBlock);
    for (int h = 0; h < live; ++h) {
      auto s = static_cast<int>(cur[h]);
      std::uint64_t n = 0;
      for (std::uint64_t i = p; i < stop; ++i) {
        n += kStarts.starts[s][b[i]];
        s = static_cast<int>(kTransitions.next[s][b[i]]);
      }
      cur[h] = static_cast<State>(s);
      recs[h] += n;
    }
    p = stop;
    // Merge hypotheses that now agree.
    if (live > 1) {
      State old_cur[kStates];
      std::uint64_t old_recs[kStates];
      std::copy(cur, cur + live, old_cur);
      std::copy(recs, recs + live, old_recs);
      int remap[kStates];
      int kept = 0;
      for (int h = 0; h < live; ++h) {
        int into = -1;
        for (int k = 0; k < kept; ++k)
          if (cur[k] == old_cur[h]) into = k;
        if (into < 0) {
          cur[kept] = old_cur[h];
          recs[kept] = old_recs[h];
          into = kept++;
        }
        remap[h] = into;
      }
      // Unsigned wrap-around keeps the offsets exact even when they are "negative".
      for (int s = 0; s < kStates; ++s) {
        const int h = owner[s];
        offset[s] += old_recs[h] - recs[remap[h]];
        owner[s] = remap[h];
      }
      live = kept;
    }
  }
  for (int s = 0; s < kStates; ++s) {
    r.end[s] = cur[owner[s]];
    r.records[s] = recs[owner[s]] + offset[s];
  }
  return r;
}

}  // namespace lfp::csv
