#include "ingest/input_list.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "util/error.hpp"

namespace lfp {
namespace {

bool has_input_suffix(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;  // hidden: editor and partial files
  for (const auto suffix : kDirectorySuffixes)
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

void add(const std::string& path, std::vector<std::string>& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    out.push_back(path);  // stat_inputs says what is wrong with it, if anything
    return;
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Every entry but a directory: a dangling symlink or a FIFO is then reported, or read,
    // as it would be if named alone, not skipped without a word.
    std::error_code e;
    if (has_input_suffix(name) && !it->is_directory(e)) names.push_back(name);
  }
  if (ec) throw Error(kExitInput, path + ": cannot list the directory: " + ec.message());
  if (names.empty()) throw Error(kExitInput, path + ": the directory holds no .csv, .csv.gz or .csv.zst files");
  std::sort(names.begin(), names.end());
  const std::string dir = path.back() == '/' ? path : path + "/";
  for (const auto& n : names) out.push_back(dir + n);
}

void add_listed(std::istream& in, const std::string& label, std::vector<std::string>& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) add(line, out);
  }
  if (in.bad()) throw Error(kExitInput, label + ": cannot read the list of files");
}

}  // namespace

std::vector<std::string> expand_inputs(const std::vector<std::string>& arguments, const std::string& files_from) {
  std::vector<std::string> out;
  for (const auto& a : arguments) add(a, out);
  if (files_from == "-") {
    add_listed(std::cin, "--files-from - (standard input)", out);
  } else if (!files_from.empty()) {
    std::ifstream in(files_from);
    if (!in)
      throw Error(kExitInput, files_from + ": cannot open the list of files (--files-from): " + std::strerror(errno));
    add_listed(in, files_from, out);
  }
  return out;
}

std::vector<char> pack_paths(const std::vector<std::string>& paths) {
  std::vector<char> bytes;
  for (const auto& p : paths) {
    bytes.insert(bytes.end(), p.begin(), p.end());
    bytes.push_back('\0');
  }
  return bytes;
}

std::vector<std::string> unpack_paths(const std::vector<char>& bytes) {
  std::vector<std::string> out;
  auto it = bytes.begin();
  while (it != bytes.end()) {
    const auto nul = std::find(it, bytes.end(), '\0');
    out.emplace_back(it, nul);
    it = nul == bytes.end() ? nul : nul + 1;
  }
  return out;
}

}  // namespace lfp
