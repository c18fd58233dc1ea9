#include "commands/output_format.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace lfp {
namespace {

std::string plain(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return log::format("%.6g", *d);
  return std::get<std::string>(v);
}

// A table cell on one line: line breaks and tabs shown escaped.
std::string cell(const Value& v) {
  std::string out;
  for (char c : plain(v)) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out;
}

// Display width: UTF-8 continuation bytes take no column.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20)
          out += log::format("\\u%04x", c);
        else
          out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string render(const Rows& r, Format format) {
  std::string out;
  if (format == Format::Json) {
    out = "[";
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      out += i ? ",\n {" : "{";
      for (std::size_t c = 0; c < r.columns.size(); ++c) {
        const Value& v = r.rows[i][c];
        out += (c ? ", " : "") + json_string(r.columns[c]) + ": ";
        if (std::holds_alternative<std::monostate>(v))
          out += "null";
        else if (std::holds_alternative<std::string>(v))
          out += json_string(std::get<std::string>(v));
        else
          out += plain(v);
      }
      out += "}";
    }
    return out + "]\n";
  }
  if (format == Format::Csv) {
    for (std::size_t c = 0; c < r.columns.size(); ++c) out += (c ? "," : "") + csv_field(r.columns[c]);
    out += "\r\n";
    for (const auto& row : r.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + csv_field(plain(row[c]));
      out += "\r\n";
    }
    return out;
  }
  std::vector<std::size_t> w(r.columns.size());
  std::vector<std::vector<std::string>> cells;
  for (std::size_t c = 0; c < r.columns.size(); ++c) w[c] = width(r.columns[c]);
  for (const auto& row : r.rows) {
    cells.emplace_back();
    for (std::size_t c = 0; c < row.size(); ++c) {
      cells.back().push_back(cell(row[c]));
      w[c] = std::max(w[c], width(cells.back().back()));
    }
  }
  auto line = [&](const std::vector<std::string>& values) {
    std::string l;
    for (std::size_t c = 0; c < values.size(); ++c) {
      l += values[c];
      if (c + 1 < values.size()) l += std::string(w[c] - width(values[c]) + 2, ' ');
    }
    return l + "\n";
  };
  out += line(r.columns);
  std::vector<std::string> rule;
  for (auto n : w) rule.push_back(std::string(n, '-'));
  out += line(rule);
  for (const auto& row : cells) out += line(row);
  return out;
}

}  // namespace lfp
