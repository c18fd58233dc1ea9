#include "util/byte_size.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace lfp {

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::size_t i = 0;
  double value = 0;
  bool digits = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, digits = true)
    value = value * 10 + (text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    double scale = 0.1;
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, digits = true, scale /= 10)
      value += (text[i] - '0') * scale;
  }
  if (!digits) return std::nullopt;
  std::string unit;
  for (; i < text.size(); ++i) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  int shift = 20;  // a bare number: MiB
  if (unit == "B") {
    shift = 0;
  } else if (!unit.empty()) {
    static constexpr std::string_view kUnits = "KMGT";
    const auto at = kUnits.find(unit[0]);
    const std::string_view rest = std::string_view(unit).substr(1);
    if (at == std::string_view::npos || !(rest.empty() || rest == "B" || rest == "IB")) return std::nullopt;
    shift = 10 * static_cast<int>(at + 1);
  }
  const double bytes = std::ldexp(value, shift);
  if (!(bytes >= 1) || bytes >= 0x1p63) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::string format_byte_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  if (unit == 0)
    std::snprintf(out, sizeof out, "%llu bytes", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(out, sizeof out, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return out;
}

}  // namespace lfp
