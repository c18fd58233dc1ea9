#pragma once
// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF), the same
// rules Python's decoder applies, plus a NUL check: both decide whether a record is kept.
#include <string_view>

namespace lfp::csv {

enum class TextCheck { Ok, HasNul, InvalidUtf8 };

TextCheck check_text(std::string_view bytes);

}  // namespace lfp::csv
