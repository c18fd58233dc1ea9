#pragma once

#include <span>
#include <string_view>

namespace lfp::generate {

// Word lists for synthetic product records, each sorted and free of duplicates.
// Names are single words of ASCII letters; words are lowercase ASCII letters only, so no
// entry ever needs CSV quoting and words can be joined with '-' without ambiguity.
std::span<const std::string_view> first_names();
std::span<const std::string_view> last_names();
std::span<const std::string_view> words();

}  // namespace lfp::generate
