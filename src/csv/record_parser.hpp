#pragma once
// Sequential reading of records from one file's bytes, following the automaton. A Cursor
// can start anywhere with a known automaton state and line count, which is how a rank
// picks up the records that start inside its own range.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv/automaton.hpp"
#include "csv/utf8.hpp"

namespace lfp::csv {

// One parsed record. Field views point into the file bytes or into the cursor's scratch
// buffer (for quoted fields that needed unescaping), so they live until the next parse.
struct Record {
  std::uint64_t offset = 0;  // byte offset of the record's first byte in its file
  std::uint64_t line = 0;    // 1-based line where the record starts
  std::uint64_t end = 0;     // offset just past the record's last byte (before its terminator)
  bool open_quote = false;   // a quoted field was still open at end of file
  std::vector<std::string_view> fields;
  // Fields past the cursor's keep_fields() limit are counted and checked, not stored, so a
  // record of millions of commas costs no memory per field.
  std::uint64_t dropped = 0;
  TextCheck dropped_text = TextCheck::Ok;  // HasNul if any dropped field has a NUL, else InvalidUtf8 if any is
  std::uint64_t field_count() const { return fields.size() + dropped; }
};

// Bytes of a UTF-8 byte order mark at the start of `file`, 0 or 3.
std::size_t bom_length(std::string_view file);

class Cursor {
 public:
  // `file` is the whole file; reading starts at `pos` in automaton state `state`, with
  // `lines_before` line ends seen earlier in the file.
  Cursor(std::string_view file, std::uint64_t pos, State state, std::uint64_t lines_before);

  // Moves past the rest of a record that started before the cursor (if any) and past blank
  // lines, stopping at `limit`. Returns the offset where the next record starts, or `limit`
  // (clamped to the file size) when none starts before it.
  std::uint64_t seek_record_start(std::uint64_t limit);

  // Parses the record starting at the cursor (call after seek_record_start() returned an
  // offset below the file size); leaves the cursor just after the record's terminator byte.
  void parse(Record& out);

  // Stores at most `n` fields of each record (the header's field count is all a data record
  // needs); the rest are only counted and checked. Unlimited by default.
  void keep_fields(std::size_t n) { keep_ = n; }

  std::uint64_t position() const { return pos_; }
  State state() const { return state_; }

 private:
  bool is_line_end(std::uint64_t p) const;
  void count_line_ends(std::uint64_t from, std::uint64_t to);
  void consume_line_end();
  std::uint64_t find_delimiter(std::uint64_t p) const;
  void add_field(Record& out, std::string_view bytes);     // a field that is file bytes as they are
  void add_scratch_field(Record& out, std::size_t begin);  // a field unescaped into scratch_ from `begin`
  static void drop_field(Record& out, std::string_view bytes);

  struct Fixup {
    std::size_t field, begin, size;
  };

  std::string_view file_;
  std::uint64_t pos_;
  State state_;
  std::uint64_t lines_;  // line ends before pos_
  std::size_t keep_ = static_cast<std::size_t>(-1);
  std::string scratch_;
  std::vector<Fixup> fixups_;
};

// A record that owns its bytes, for tests and tools that keep records around.
struct OwnedRecord {
  std::uint64_t offset = 0, line = 0;
  bool open_quote = false;
  std::vector<std::string> fields;
  bool operator==(const OwnedRecord&) const = default;
};
OwnedRecord to_owned(const Record& r);

// Every record of a whole file, sequentially: the reference that N ranks must reproduce.
std::vector<OwnedRecord> parse_all(std::string_view file);

}  // namespace lfp::csv
