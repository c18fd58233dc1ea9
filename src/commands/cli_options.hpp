#pragma once
// Options whose values CLI11 would refuse in its own words ("Check xml value in {csv->1,...}",
// "not in range 0.000000 to 1797693...") or not at all (`--seed -1` read as 2^64-1): every
// numeric option and every choice goes through these, so a bad value gets one plain message
// ("--seed: must be a whole number 0 or more, not -1").
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace lfp {

// Accepts decimal digits only (no sign, point, exponent or 0x) making a number in [min, max];
// `unbounded`: max is only the type's limit, so the message says "N or more".
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, bool unbounded);
// Refuses an empty path ("the snapshot path is empty"): an empty value would otherwise mean
// the option's default, unlike what was typed.
CLI::Validator non_empty_path(const std::string& what);
// Accepts one of `names` in any case and hands the option the index of the one named.
CLI::Validator one_of(const std::vector<std::string>& names);

namespace detail {
template <class T>
struct number_of {
  using type = T;
};
template <class T>
struct number_of<std::optional<T>> {
  using type = T;
};
}  // namespace detail

// An integer option (or std::optional of one) from `min` to `max`, by default to the largest
// value its type holds.
template <class T, class N = typename detail::number_of<T>::type>
CLI::Option* add_whole_number(CLI::App* app, const std::string& name, T& target, const std::string& help,
                              std::uint64_t min = 0,
                              std::uint64_t max = static_cast<std::uint64_t>(std::numeric_limits<N>::max())) {
  static_assert(std::is_integral_v<N>);
  const bool unbounded = max == static_cast<std::uint64_t>(std::numeric_limits<N>::max());
  return app->add_option(name, target, help)->type_name("N")->check(whole_number(min, max, unbounded));
}

// An option naming one of `names`; `target` (an enum listed in the same order) gets its index.
template <class T>
CLI::Option* add_choice(CLI::App* app, const std::string& name, T& target, const std::string& help,
                        const std::vector<std::string>& names) {
  // transform, not check: CLI11 hands a check a copy, and the index must reach the conversion.
  return app->add_option(name, target, help)->type_name("WORD")->transform(one_of(names));
}

// The plain message for an option or argument that no option of `app` takes: "unknown option
// '--dbb': did you mean '--db'?" (the closest of its option names), or "unexpected argument 'x'".
std::string unexpected_arguments_message(const CLI::App& app, const std::vector<std::string>& extras);

}  // namespace lfp
