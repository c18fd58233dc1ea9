#include "util/shell_quote.hpp"

#include <cstring>

namespace lfp {

std::string shell_quote(const std::string& word) {
  auto safe = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("_@%+=:,./-", c) != nullptr;
  };
  bool plain = !word.empty();
  for (const unsigned char c : word) plain = plain && c != '\0' && safe(c);
  if (plain) return word;
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

std::string shell_command(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + shell_quote(argv[i]);
  return out;
}

}  // namespace lfp
