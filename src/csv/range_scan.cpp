#include "csv/range_scan.hpp"

#include <algorithm>
#include <cstring>

#include "csv/byte_tables.hpp"

namespace lfp::csv {
namespace {

// Next state and "this byte starts a record" packed in one byte: one lookup per byte.
struct PackedTable {
  std::uint8_t next[kStates][256]{};
  constexpr PackedTable() {
    for (int s = 0; s < kStates; ++s)
      for (int b = 0; b < 256; ++b) {
        const auto c = classify(static_cast<unsigned char>(b));
        next[s][b] = static_cast<std::uint8_t>(static_cast<int>(step(static_cast<State>(s), c)) |
                                               (starts_record(static_cast<State>(s), c) ? 8 : 0));
      }
  }
};
constexpr PackedTable kPacked{};

// One automaton over [p, end), jumping over field contents the way the parser does.
void run_single(const unsigned char* b, std::uint64_t p, std::uint64_t end, State& state, std::uint64_t& recs) {
  unsigned s = static_cast<unsigned>(state);
  std::uint64_t n = 0;
  while (p < end) {
    if (s == static_cast<unsigned>(State::Quoted)) {
      const void* q = std::memchr(b + p, '"', end - p);
      if (!q) break;
      p = static_cast<const unsigned char*>(q) - b;
    } else if (s == static_cast<unsigned>(State::Unquoted)) {
      while (p < end && !kFieldStops.stop[b[p]]) ++p;
      if (p == end) break;
    }
    const unsigned t = kPacked.next[s][b[p++]];
    n += t >> 3;
    s = t & 7;
  }
  state = static_cast<State>(s);
  recs += n;
}

// Runs `live` automata over [p, stop): independent chains in one loop so the CPU overlaps
// their table lookups.
void run_block(const unsigned char* b, std::uint64_t p, std::uint64_t stop, int live, State* cur, std::uint64_t* recs) {
  if (live == 2) {
    unsigned s0 = static_cast<unsigned>(cur[0]), s1 = static_cast<unsigned>(cur[1]);
    std::uint64_t n0 = 0, n1 = 0;
    for (std::uint64_t i = p; i < stop; ++i) {
      const unsigned t0 = kPacked.next[s0][b[i]], t1 = kPacked.next[s1][b[i]];
      n0 += t0 >> 3;
      n1 += t1 >> 3;
      s0 = t0 & 7;
      s1 = t1 & 7;
    }
    cur[0] = static_cast<State>(s0);
    cur[1] = static_cast<State>(s1);
    recs[0] += n0;
    recs[1] += n1;
    return;
  }
  for (int h = 0; h < live; ++h) {
    unsigned s = static_cast<unsigned>(cur[h]);
    std::uint64_t n = 0;
    for (std::uint64_t i = p; i < stop; ++i) {
      const unsigned t = kPacked.next[s][b[i]];
      n += t >> 3;
      s = t & 7;
    }
    cur[h] = static_cast<State>(s);
    recs[h] += n;
  }
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
  int owner[kStates];             // start state -> live hypothesis
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
  constexpr std::uint64_t kBlock = 256;
  for (std::uint64_t p = begin; p < end;) {
    if (live == 1) {  // all start states agree from here on: the fast single scan finishes
      run_single(b, p, end, cur[0], recs[0]);
      break;
    }
    const std::uint64_t stop = std::min(end, p + kBlock);
    run_block(b, p, stop, live, cur, recs);
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
