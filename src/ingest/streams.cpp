#include "ingest/streams.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ingest/scratch.hpp"
#include "mpi/agree.hpp"
#include "mpi/node.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

constexpr std::size_t kChunk = std::size_t{16} << 20;

// Reads up to kChunk bytes of the stream (fewer only at its end).
std::vector<char> read_chunk(int fd, const std::string& name) {
  std::vector<char> out(kChunk);
  std::size_t have = 0;
  while (have < out.size()) {
    const ssize_t r = ::read(fd, out.data() + have, out.size() - have);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Error(kExitInput, name + ": cannot read: " + std::strerror(errno));
    if (r == 0) break;
    have += static_cast<std::size_t>(r);
  }
  out.resize(have);
  return out;
}

UniqueFd open_stream(const std::string& path) {
  if (path == "-") return UniqueFd(::dup(STDIN_FILENO));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error(kExitInput, path + ": cannot open: " + std::strerror(errno));
  return fd;
}

}  // namespace

bool is_stream(const std::string& path) {
  if (path == "-") return true;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;  // stat_inputs says what is wrong
  return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

SpooledStreams::SpooledStreams(const mpi::Comm& comm, const std::vector<std::string>& files,
                               const std::string& scratch_dir)
    : open_paths_(files), streams_(files.size(), 0), copies_(files.size()) {
  if (comm.root())
    for (std::size_t f = 0; f < files.size(); ++f) streams_[f] = is_stream(files[f]) ? 1 : 0;
  comm.bcast(streams_);
  bool any = false;
  for (const char s : streams_) any = any || s;
  if (!any) return;

  const mpi::NodeComm node(comm);
  const bool one_node = comm.max(node.comm().size() == comm.size() ? 0 : 1) == 0;
  // The node's first rank keeps the copy of its node (rank 0 for its own).
  const bool writer = node.comm().root();
  for (std::size_t f = 0; f < files.size(); ++f) {
    if (!streams_[f]) continue;
    std::vector<char> path;
    if (one_node) {
      // Rank 0 alone reads and writes; the others learn where the copy is.
      if (const int code = mpi::agree(comm, [&] {
            if (!comm.root()) return;
            copies_[f] = scratch_file(scratch_dir, "lfp_mpi-stream");
            const UniqueFd in = open_stream(files[f]), out = open_scratch(*copies_[f]);
            for (auto chunk = read_chunk(in.get(), files[f]); !chunk.empty(); chunk = read_chunk(in.get(), files[f])) {
              write_scratch(out.get(), chunk.data(), chunk.size(), copies_[f]->path());
              if (chunk.size() < kChunk) break;
            }
            const std::string& p = copies_[f]->path();
            path.assign(p.begin(), p.end());
          }))
        throw Error::reported(static_cast<ExitCode>(code));
      comm.bcast(path);
    } else {
      // Rank 0 reads and broadcasts chunk by chunk; each node's first rank writes its copy.
      // A failure anywhere is remembered and agreed on once the stream has passed, so that
      // no rank leaves the broadcasts early.
      int code = kExitOk;
      UniqueFd in, out;
      code = mpi::agree(comm, [&] {
        if (comm.root()) in = open_stream(files[f]);
        if (!writer) return;
        copies_[f] = scratch_file(scratch_dir, "lfp_mpi-stream");
        out = open_scratch(*copies_[f]);
      });
      if (code != kExitOk) throw Error::reported(static_cast<ExitCode>(code));
      for (bool more = true; more;) {
        std::vector<char> chunk;
        std::vector<std::int64_t> status{0};  // 0: a chunk follows, 1: the end, 2: rank 0 failed
        if (comm.root()) {
          try {
            chunk = read_chunk(in.get(), files[f]);
            status[0] = chunk.size() < kChunk ? 1 : 0;
          } catch (const Error& e) {
            log::error(0, e.what());
            code = e.code();
            status[0] = 2;
          }
        }
        comm.bcast(status);
        if (status[0] == 2) break;
        comm.bcast(chunk);
        more = status[0] == 0;
        if (writer && code == kExitOk && !chunk.empty()) {
          try {
            write_scratch(out.get(), chunk.data(), chunk.size(), copies_[f]->path());
          } catch (const Error& e) {
            log::error(comm.rank(), e.what());
            code = e.code();
          }
        }
      }
      code = comm.max(code);
      if (code != kExitOk) throw Error::reported(static_cast<ExitCode>(code));
      if (writer) {
        const std::string& p = copies_[f]->path();
        path.assign(p.begin(), p.end());
      }
      node.comm().bcast(path);
    }
    open_paths_[f].assign(path.begin(), path.end());
  }
}

SpooledStreams::~SpooledStreams() = default;

}  // namespace lfp
