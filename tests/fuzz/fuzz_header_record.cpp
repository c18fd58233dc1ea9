// libFuzzer: the header check and the record checks on any bytes: no crash, no undefined
// behaviour, a described verdict for every header, and the invariants the ingest relies on
// (a good record has the header's fields and a sku; escaped names are valid UTF-8).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "csv/header.hpp"
#include "csv/record_parser.hpp"
#include "csv/utf8.hpp"
#include "records/reject.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  if (lfp::csv::check_text(lfp::csv::escape_invalid_utf8(file)) == lfp::csv::TextCheck::InvalidUtf8) std::abort();
  lfp::csv::Cursor cursor(file, lfp::csv::bom_length(file), lfp::csv::State::RecordStart, 0);
  lfp::csv::Record r;
  if (cursor.seek_record_start(size) >= size) return 0;
  cursor.parse(r);
  const auto check = lfp::csv::check_header(r);
  if (check.problem != lfp::csv::HeaderProblem::None) {
    if (lfp::csv::describe(check).empty()) std::abort();
    return 0;
  }
  cursor.keep_fields(check.columns.fields);
  while (cursor.seek_record_start(size) < size) {
    cursor.parse(r);
    const auto why = lfp::check_record(r, check.columns);
    if (why) {
      if (lfp::reject_detail(*why, static_cast<std::uint32_t>(r.field_count()), check.columns.fields).empty())
        std::abort();
      continue;
    }
    if (r.fields.size() != check.columns.fields || r.fields[check.columns.sku].empty()) std::abort();
    for (auto f : r.fields)
      if (lfp::csv::check_text(f) != lfp::csv::TextCheck::Ok) std::abort();
  }
  return 0;
}
