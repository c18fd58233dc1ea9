#include "commands/cli_options.hpp"

#include <cctype>

#include "util/suggest.hpp"

namespace lfp {

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, bool unbounded) {
  const std::string rule =
      "must be a whole number " +
      (unbounded ? std::to_string(min) + " or more" : "from " + std::to_string(min) + " to " + std::to_string(max));
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::uint64_t n = 0;
        bool ok = !text.empty(), too_large = false;
        for (const char c : text) {
          if (c < '0' || c > '9') {
            ok = false;
            break;
          }
          const auto digit = static_cast<std::uint64_t>(c - '0');
          too_large |= n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10;
          n = n * 10 + digit;
        }
        if (ok && !too_large && n >= min && n <= max) return "";
        // A number past the type's limit names the limit, which "N or more" does not.
        const bool name_max = ok && too_large && unbounded;
        return (name_max ? "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) : rule) +
               ", not " + text;
      },
      "");
}

CLI::Validator non_empty_path(const std::string& what) {
  return CLI::Validator(
      [what](std::string& value) { return value.empty() ? "the " + what + " path is empty" : std::string(); }, "PATH");
}

CLI::Validator one_of(const std::vector<std::string>& names) {
  return CLI::Validator(
      [names](std::string& text) -> std::string {
        std::string lower;
        for (const char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (std::size_t i = 0; i < names.size(); ++i)
          if (lower == names[i]) {
            text = std::to_string(i);  // what CLI11 converts into the enum
            return "";
          }
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        return "'" + text + "' is not one of " + list;
      },
      "");
}

std::string unexpected_arguments_message(const CLI::App& app, const std::vector<std::string>& extras) {
  for (const auto& arg : extras) {
    if (arg.size() < 2 || arg[0] != '-') continue;
    const std::string name = arg.substr(0, arg.find('='));
    std::vector<std::string> known;
    for (const CLI::Option* o : app.get_options()) {
      for (const auto& l : o->get_lnames()) known.push_back("--" + l);
      for (const auto& s : o->get_snames()) known.push_back("-" + s);
    }
    const std::string guess = closest(name, known);
    return "unknown option '" + name + "'" + (guess.empty() ? "" : ": did you mean '" + guess + "'?");
  }
  return extras.empty() ? "unexpected arguments" : "unexpected argument '" + extras.front() + "'";
}

}  // namespace lfp
