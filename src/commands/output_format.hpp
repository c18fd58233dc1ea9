#pragma once
// Printing query results as an aligned table, CSV (RFC 4180) or JSON (an array of objects
// keyed by column name).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lfp {

enum class Format { Table, Csv, Json };

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;  // monostate: NULL

struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
};

std::string render(const Rows& rows, Format format);
std::string json_string(const std::string& s);

}  // namespace lfp
