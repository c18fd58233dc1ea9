#pragma once
// The CSV grammar as a 6-state automaton over 5 byte classes. It is the single source of
// truth for record boundaries: the sequential parser and the per-range summaries that let
// N ranks agree on boundaries both step through this table.
#include <array>
#include <cstdint>
#include <string_view>

namespace lfp::csv {

enum class State : std::uint8_t {
  RecordStart = 0,    // before a record (file start, or after LF / CRLF)
  AfterCr = 1,        // after a CR that ended a record or blank line: an LF here belongs to it
  FieldStart = 2,     // after a comma
  Unquoted = 3,       // inside an unquoted field (a quote here is data)
  Quoted = 4,         // inside a quoted field (comma, CR, LF are data)
  QuoteInQuoted = 5,  // a quote inside a quoted field: "" escape, or the closing quote
};
inline constexpr int kStates = 6;

enum class ByteClass : std::uint8_t { Comma = 0, Quote = 1, Cr = 2, Lf = 3, Other = 4 };

constexpr ByteClass classify(unsigned char c) {
  switch (c) {
    case ',': return ByteClass::Comma;
    case '"': return ByteClass::Quote;
    case '\r': return ByteClass::Cr;
    case '\n': return ByteClass::Lf;
    default: return ByteClass::Other;
  }
}

// Between records: a byte that is not a line end starts a record.
constexpr bool between_records(State s) { return s == State::RecordStart || s == State::AfterCr; }

constexpr State step(State s, ByteClass c) {
  switch (s) {
    // Between records and after a comma the same bytes do the same (whether a record
    // starts is starts_record()'s business).
    case State::RecordStart:
    case State::AfterCr:
    case State::FieldStart:
      switch (c) {
        case ByteClass::Comma: return State::FieldStart;
        case ByteClass::Quote: return State::Quoted;
        case ByteClass::Cr: return State::AfterCr;
        case ByteClass::Lf: return State::RecordStart;
        case ByteClass::Other: return State::Unquoted;
      }
      break;
    case State::Unquoted:
      switch (c) {
        case ByteClass::Comma: return State::FieldStart;
        case ByteClass::Cr: return State::AfterCr;
        case ByteClass::Lf: return State::RecordStart;
        case ByteClass::Quote:
        case ByteClass::Other: return State::Unquoted;
      }
      break;
    case State::Quoted: return c == ByteClass::Quote ? State::QuoteInQuoted : State::Quoted;
    case State::QuoteInQuoted:
      switch (c) {
        case ByteClass::Quote: return State::Quoted;
        case ByteClass::Comma: return State::FieldStart;
        case ByteClass::Cr: return State::AfterCr;
        case ByteClass::Lf: return State::RecordStart;
        case ByteClass::Other: return State::Unquoted;
      }
      break;
  }
  return s;
}

// True when stepping from `s` on class `c` begins a new (non-blank) record. The LF of a
// CRLF pair is not a blank line: AfterCr + LF is neither a start nor a line of its own.
constexpr bool starts_record(State s, ByteClass c) {
  return between_records(s) && c != ByteClass::Cr && c != ByteClass::Lf;
}

// Precomputed transition table indexed by [state][byte] for the hot loops.
struct TransitionTable {
  std::array<std::array<State, 256>, kStates> next{};
  constexpr TransitionTable() {
    for (int s = 0; s < kStates; ++s)
      for (int b = 0; b < 256; ++b) next[s][b] = step(static_cast<State>(s), classify(static_cast<unsigned char>(b)));
  }
};
inline constexpr TransitionTable kTransitions{};

// What a byte range does to the automaton, for every possible start state: the state it
// ends in and how many records start inside it. A range that contains a file start resets
// to RecordStart there, so its results no longer depend on the start state, and its record
// count restarts: `resets` marks that. Summaries compose associatively (then()), which is
// what lets each rank learn its true start state from an exclusive prefix.
struct RangeSummary {
  std::array<State, kStates> end{};
  std::array<std::uint64_t, kStates> records{};  // records started since the last reset
  std::uint64_t lines = 0;                       // line ends since the last reset
  bool resets = false;

  static RangeSummary identity();
  // The summary of this range followed by `next`.
  RangeSummary then(const RangeSummary& next) const;
};

// Where a rank's range begins once everything before it is accounted for.
struct RangeStart {
  State state = State::RecordStart;
  std::uint64_t records_before = 0;  // records started earlier in the same file
  std::uint64_t lines_before = 0;    // line ends earlier in the same file
};

// Folds the summaries of ranges 0..k-1 (in order) into the start of range k. Input starts
// at a file start, hence RecordStart with nothing before it.
RangeStart fold_prefix(const RangeSummary* summaries, std::size_t k);

}  // namespace lfp::csv
