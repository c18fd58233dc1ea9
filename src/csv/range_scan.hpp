#pragma once
// The two passes a rank makes over its own bytes: a summary of what the range does to the
// automaton for every start state (pass 1, before anyone knows the true state), and the
// records that start inside the range once the true start state is known (pass 2).
#include <cstdint>
#include <string_view>

#include "csv/automaton.hpp"
#include "csv/record_parser.hpp"

namespace lfp::csv {

// Summary of bytes [begin, end) of `file`. A range that begins at offset 0 starts the file:
// it resets the automaton (after any byte order mark) and the line and record counts.
RangeSummary summarize(std::string_view file, std::uint64_t begin, std::uint64_t end);

// Calls fn(record_index_in_file, record) for each record that starts in [begin, end) of
// `file`, reading past `end` to finish the last one. `start` describes the state at
// `begin`; it is ignored when begin is 0 (a file start). At most `keep_fields` fields of a
// record are stored (Cursor::keep_fields).
template <class Fn>
void for_each_owned_record(std::string_view file, std::uint64_t begin, std::uint64_t end, const RangeStart& start,
                           Fn&& fn, std::size_t keep_fields = static_cast<std::size_t>(-1)) {
  const bool file_start = begin == 0;
  Cursor cursor(file, file_start ? bom_length(file) : begin, file_start ? State::RecordStart : start.state,
                file_start ? 0 : start.lines_before);
  cursor.keep_fields(keep_fields);
  std::uint64_t index = file_start ? 0 : start.records_before;
  Record record;
  while (cursor.seek_record_start(end) < end) {
    cursor.parse(record);
    fn(index++, record);
  }
}

}  // namespace lfp::csv
