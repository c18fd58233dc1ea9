#pragma once
// "Did you mean": the closest known word to a mistyped one.
#include <string>
#include <vector>

namespace lfp {

// Optimal string alignment distance (a swap of two adjacent letters counts as one edit).
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word`, if at most 2 edits away (or a prefix of it); "" otherwise.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace lfp
