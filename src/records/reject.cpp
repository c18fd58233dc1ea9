#include "records/reject.hpp"

#include "csv/utf8.hpp"
#include "util/log.hpp"

namespace lfp {

std::string_view reason_code(RejectReason r) {
  switch (r) {
    case RejectReason::OpenQuote: return "open_quote";
    case RejectReason::NulByte: return "nul_byte";
    case RejectReason::InvalidUtf8: return "invalid_utf8";
    case RejectReason::FieldCount: return "field_count";
    case RejectReason::EmptySku: return "empty_sku";
    case RejectReason::TooLong: return "too_long";
  }
  return "unknown";
}

std::string reject_detail(RejectReason r, std::uint32_t fields, std::uint32_t expected) {
  switch (r) {
    case RejectReason::OpenQuote: return "a quoted field is still open at end of file";
    case RejectReason::NulByte: return "a field holds a NUL byte";
    case RejectReason::InvalidUtf8: return "a field is not valid UTF-8";
    case RejectReason::FieldCount: return log::count(fields, "field") + ", the header has " + std::to_string(expected);
    case RejectReason::EmptySku: return "the sku is empty";
    case RejectReason::TooLong:
      return "the record is longer than 999,999,000 bytes (SQLite's row limit of 1,000,000,000 less room for the "
             "row's header)";
  }
  return "unknown";
}

std::optional<RejectReason> check_record(const csv::Record& record, const csv::ColumnMap& columns) {
  if (record.open_quote) return RejectReason::OpenQuote;
  if (record.end - record.offset > kMaxRecordBytes) return RejectReason::TooLong;
  if (record.dropped_text == csv::TextCheck::HasNul) return RejectReason::NulByte;
  bool invalid = record.dropped_text == csv::TextCheck::InvalidUtf8;
  for (auto f : record.fields) {
    const auto t = csv::check_text(f);
    if (t == csv::TextCheck::HasNul) return RejectReason::NulByte;
    invalid |= t == csv::TextCheck::InvalidUtf8;
  }
  if (invalid) return RejectReason::InvalidUtf8;
  if (record.field_count() != columns.fields) return RejectReason::FieldCount;
  if (record.fields[columns.sku].empty()) return RejectReason::EmptySku;
  return std::nullopt;
}

}  // namespace lfp
