#pragma once
// A command line as a shell reads it back: the runs table stores it so that a run can be
// repeated by pasting it.
#include <string>

namespace lfp {

// `word` as one shell word: unchanged when it is made of safe characters, else in single
// quotes (a quote inside written '"'"'), as Python's shlex.quote writes it.
std::string shell_quote(const std::string& word);
// argv[0] .. argv[argc-1], each quoted, separated by spaces.
std::string shell_command(int argc, const char* const* argv);

}  // namespace lfp
