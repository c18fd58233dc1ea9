#include "ingest/headers.hpp"

#include <algorithm>

#include "csv/record_parser.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

// Per-file header facts, laid out for an element-wise MAX reduction: the rank that owns a
// file's first record fills its slot, every other rank leaves -1.
enum Slot : std::size_t { kProblem, kFields, kName, kSku, kDescription, kLine, kColumn, kTimes, kSlots };

void fill(std::int64_t* h, const csv::HeaderCheck& check, std::uint64_t line) {
  h[kProblem] = static_cast<std::int64_t>(check.problem);
  h[kFields] = check.columns.fields;
  h[kName] = check.columns.name;
  h[kSku] = check.columns.sku;
  h[kDescription] = check.columns.description;
  h[kLine] = static_cast<std::int64_t>(line);
  h[kColumn] = check.column;
  h[kTimes] = check.times;
}

csv::HeaderCheck unpack(const std::int64_t* h) {
  csv::HeaderCheck check;
  check.problem = h[kProblem] < 0 ? csv::HeaderProblem::NoHeader : static_cast<csv::HeaderProblem>(h[kProblem]);
  check.column = static_cast<std::int32_t>(h[kColumn]);
  check.times = static_cast<std::int32_t>(h[kTimes]);
  check.columns = {static_cast<std::uint32_t>(h[kFields]), static_cast<std::uint32_t>(h[kName]),
                   static_cast<std::uint32_t>(h[kSku]), static_cast<std::uint32_t>(h[kDescription])};
  return check;
}

}  // namespace

std::vector<csv::ColumnMap> check_headers(const mpi::Comm& comm, const std::vector<std::string>& paths,
                                          const std::vector<Segment>& segments,
                                          const std::function<std::string_view(std::uint32_t)>& bytes,
                                          const RecordStarts& starts, std::vector<bool>& bad) {
  std::vector<std::int64_t> slots(paths.size() * kSlots, -1);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    const auto st = starts.of(i);
    if (s.begin != 0 && st.records_before != 0) continue;
    const auto file = bytes(s.file);
    csv::Cursor cursor(file, s.begin == 0 ? csv::bom_length(file) : s.begin, st.state,
                       s.begin == 0 ? 0 : st.lines_before);
    if (cursor.seek_record_start(s.end) >= s.end) continue;
    csv::Record header;
    cursor.parse(header);
    fill(&slots[s.file * kSlots], csv::check_header(header), header.line);
  }
  comm.max_in_place(slots);
  std::vector<csv::ColumnMap> columns(paths.size());
  bool ok = true;
  bad.assign(paths.size(), false);
  for (std::size_t f = 0; f < paths.size(); ++f) {
    const std::int64_t* h = &slots[f * kSlots];
    const auto check = unpack(h);
    if (check.problem != csv::HeaderProblem::None) {
      if (comm.root())
        log::error(0,
                   paths[f] + ":" + std::to_string(std::max<std::int64_t>(h[kLine], 1)) + ": " + csv::describe(check));
      ok = false;
      bad[f] = true;
    }
    columns[f] = check.columns;
  }
  if (!ok) throw Error::reported(kExitHeader);  // rank 0 named every bad file
  return columns;
}

}  // namespace lfp
