#pragma once
// The header record of each file: which columns hold name, sku and description.
#include <cstdint>
#include <string>
#include <vector>

#include "csv/record_parser.hpp"

namespace lfp::csv {

struct ColumnMap {
  std::uint32_t fields = 0;  // how many fields every record of the file must have
  std::uint32_t name = 0, sku = 0, description = 0;
};

enum class HeaderProblem : std::int32_t {
  None = 0,
  NoHeader = 1,     // the file holds no record at all
  ColumnCount = 2,  // a required column is absent or appears more than once
  OpenQuote = 3,    // the header's quoted field never closes
};

// The required columns, in the order HeaderCheck::column indexes them.
inline constexpr const char* kRequiredColumns[3] = {"name", "sku", "description"};

struct HeaderCheck {
  HeaderProblem problem = HeaderProblem::None;
  ColumnMap columns;
  std::int32_t column = -1;  // with ColumnCount: index into kRequiredColumns
  std::int32_t times = 0;    // with ColumnCount: how often that column was named
};

// Column names are matched trimmed of spaces and tabs, ASCII case-insensitively.
HeaderCheck check_header(const Record& header);

// "header must name 'sku' exactly once, it names it 0 times" and the like.
std::string describe(const HeaderCheck& check);

}  // namespace lfp::csv
