#pragma once
// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF), the same
// rules Python's decoder applies, plus a NUL check: both decide whether a record is kept.
#include <string>
#include <string_view>

namespace lfp::csv {

enum class TextCheck { Ok, HasNul, InvalidUtf8 };

TextCheck check_text(std::string_view bytes);

// `bytes` as valid UTF-8 text, for names that may not be (file names, command lines):
// unchanged when valid, else each byte outside a valid sequence becomes `\xHH` (as Python's
// backslashreplace writes it), so every reader of a TEXT column can decode it.
std::string escape_invalid_utf8(std::string_view bytes);

}  // namespace lfp::csv
