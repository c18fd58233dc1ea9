#include "csv/header.hpp"

#include <cctype>

#include "util/log.hpp"

namespace lfp::csv {
namespace {

bool names_column(std::string_view field, std::string_view column) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.size() != column.size()) return false;
  for (std::size_t i = 0; i < field.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(field[i])) != column[i]) return false;
  return true;
}

}  // namespace

HeaderCheck check_header(const Record& header) {
  HeaderCheck out;
  if (header.open_quote) {
    out.problem = HeaderProblem::OpenQuote;
    return out;
  }
  out.columns.fields = static_cast<std::uint32_t>(header.fields.size());
  std::uint32_t* slots[3] = {&out.columns.name, &out.columns.sku, &out.columns.description};
  for (int c = 0; c < 3; ++c) {
    int times = 0;
    for (std::uint32_t i = 0; i < header.fields.size(); ++i) {
      if (names_column(header.fields[i], kRequiredColumns[c])) {
        *slots[c] = i;
        ++times;
      }
    }
    if (times != 1) {
      out.problem = HeaderProblem::ColumnCount;
      out.column = c;
      out.times = times;
      return out;
    }
  }
  return out;
}

std::string describe(const HeaderCheck& check) {
  switch (check.problem) {
    case HeaderProblem::None: return "header is valid";
    case HeaderProblem::NoHeader: return "file is empty: expected a header naming name, sku and description";
    case HeaderProblem::OpenQuote: return "header has a quoted field that is never closed";
    case HeaderProblem::ColumnCount:
      return std::string("header must name '") + kRequiredColumns[check.column] + "' exactly once, it names it " +
             log::count(check.times, "time") + " (columns needed: name, sku, description)";
  }
  return "unknown header problem";
}

}  // namespace lfp::csv
