#include "ingest/input_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "records/order_key.hpp"
#include "store/snapshot_path.hpp"
#include "util/error.hpp"

namespace lfp {

std::vector<InputFile> stat_inputs(const std::vector<std::string>& files, const std::vector<std::string>& open,
                                   const std::vector<bool>& stream) {
  if (files.size() > kMaxFiles) throw Error(kExitInput, "too many input files (at most 65536)");
  std::vector<InputFile> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& f = files[i];
    struct stat st {};
    if (::stat(open[i].c_str(), &st) != 0) {
      const int err = errno;
      // A process substitution <(...) is a pipe open in mpirun, which it does not pass on.
      const bool pipe_fd = f.rfind("/dev/fd/", 0) == 0 || f.rfind("/proc/self/fd/", 0) == 0;
      throw Error(kExitInput,
                  f + ": cannot open: " + std::strerror(err) +
                      (pipe_fd && err == ENOENT ? " (mpirun does not pass an open pipe such as <(...) on to "
                                                  "the ranks: pipe into standard input and name '-' instead)"
                                                : ""));
    }
    if (!S_ISREG(st.st_mode)) throw Error(kExitInput, f + ": not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) >= kMaxFileBytes) throw Error(kExitInput, f + ": larger than 256 TiB");
    std::string key = kStreamPrefix + f;
    if (!stream[i]) {
      std::error_code ec;
      key = std::filesystem::canonical(f, ec).string();
      if (ec) throw Error(kExitInput, f + ": " + ec.message());
    }
    out.push_back({f, key, static_cast<std::uint64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, stream[i]});
  }
  return out;
}

namespace {

bool same_file(const std::string& a, const std::string& b) {
  std::error_code e1, e2;
  const auto ca = std::filesystem::weakly_canonical(a, e1), cb = std::filesystem::weakly_canonical(b, e2);
  return !e1 && !e2 && ca == cb;
}

}  // namespace

// The directory must be writable for the temporary file and SQLite's journal.
void check_output_path(const std::string& path, const char* what) {
  namespace fs = std::filesystem;
  if (path.empty()) throw Error(kExitUsage, std::string("the ") + what + " path is empty");
  const std::string label = std::string(what) + " " + path + ": ";
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) != 0)
    throw Error(kExitOutput, label + "a symbolic link to a missing file (" + fs::read_symlink(path).string() + ")");
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error(kExitOutput, label + "is a directory");
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(kExitOutput, label + "no such directory " + dir);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error(kExitOutput, label + "cannot write in " + dir + ": " + std::strerror(errno));
}

void check_output_paths(const IngestOptions& opt) {
  namespace fs = std::filesystem;
  check_output_path(opt.db, "database");
  if (!opt.no_h5) check_output_path(store::snapshot_path(opt.db, opt.h5), "snapshot");
  const auto same = same_file;
  const std::string h5 = store::snapshot_path(opt.db, opt.h5);
  if (!opt.no_h5 && same(h5, opt.db))
    throw Error(kExitUsage, "the snapshot path " + h5 + " is the database path: choose another with --h5, or --no-h5");
  for (const auto& f : opt.files) {
    if (same(f, opt.db)) throw Error(kExitUsage, "the database path " + opt.db + " is also an input file");
    if (!opt.no_h5 && same(f, h5)) throw Error(kExitUsage, "the snapshot path " + h5 + " is also an input file");
  }
}

void check_report_path(const IngestOptions& opt) {
  if (opt.json_report.empty() || opt.json_report == "-") return;
  const std::string& json = opt.json_report;
  check_output_path(json, "JSON report");
  if (same_file(json, opt.db)) throw Error(kExitUsage, "the JSON report path " + json + " is the database path");
  const std::string h5 = store::snapshot_path(opt.db, opt.h5);
  if (!opt.no_h5 && same_file(json, h5))
    throw Error(kExitUsage, "the JSON report path " + json + " is the snapshot path");
  for (const auto& f : opt.files)
    if (same_file(f, json)) throw Error(kExitUsage, "the JSON report path " + json + " is also an input file");
}

MappedInputs::MappedInputs(const std::vector<std::string>& paths, const std::vector<std::uint64_t>& sizes,
                           const std::vector<Segment>& segments)
    : maps_(paths.size()) {
  for (const auto& s : segments) {
    if (maps_[s.file]) continue;
    maps_[s.file].emplace(paths[s.file]);
    if (maps_[s.file]->bytes().size() != sizes[s.file])
      throw Error(kExitInput, paths[s.file] + ": file changed size while the job was reading it");
  }
}

}  // namespace lfp
