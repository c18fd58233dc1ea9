#pragma once
// Why a parsed record is rejected instead of becoming a product row, and how the rejects
// table words it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "csv/header.hpp"
#include "csv/record_parser.hpp"

namespace lfp {

// Stored in the rejects table as reason codes; the numeric values travel between ranks.
enum class RejectReason : std::uint8_t {
  OpenQuote = 1,    // a quoted field still open at end of file
  NulByte = 2,      // a field holds a NUL byte
  InvalidUtf8 = 3,  // a field is not valid UTF-8
  FieldCount = 4,   // field count differs from the header's
  EmptySku = 5,     // the sku field is empty
  TooLong = 6,      // the record is longer than kMaxRecordBytes
};

// SQLite's default limit (SQLITE_MAX_LENGTH) applies to a whole row: the values plus the
// row's header (a size byte and up to 9 bytes per column). A record under the limit less a
// margin always makes a products row under it; it also keeps every field length in 32 bits
// and every message well under 2^31 bytes.
inline constexpr std::uint64_t kSqliteMaxLength = 1000000000;
inline constexpr std::uint64_t kMaxRecordBytes = kSqliteMaxLength - 1000;
static_assert(kMaxRecordBytes + 1 + 3 * 9 <= kSqliteMaxLength, "a products row of sku, name, description");

std::string_view reason_code(RejectReason r);
// A sentence for the rejects table, e.g. "4 fields, the header has 3".
std::string reject_detail(RejectReason r, std::uint32_t fields, std::uint32_t expected);

// The first failing check, or nothing for a good record. Order: open_quote, too_long,
// nul_byte, invalid_utf8, field_count, empty_sku.
std::optional<RejectReason> check_record(const csv::Record& record, const csv::ColumnMap& columns);

}  // namespace lfp
