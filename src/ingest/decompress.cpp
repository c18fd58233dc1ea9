#include "ingest/decompress.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "ingest/scratch.hpp"
#include "mpi/agree.hpp"
#include "mpi/node.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/progress.hpp"

namespace lfp {
namespace {

// The node-local rank that decompresses each compressed file (-1 for plain files): largest
// first, each to the rank with the fewest compressed bytes so far. Every rank computes it.
std::vector<int> assign(int node_ranks, const std::vector<Compression>& kinds,
                        const std::vector<std::uint64_t>& raw_sizes) {
  std::vector<std::uint32_t> order;
  for (std::uint32_t f = 0; f < kinds.size(); ++f)
    if (kinds[f] != Compression::None) order.push_back(f);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return raw_sizes[a] > raw_sizes[b]; });
  std::vector<std::uint64_t> load(node_ranks, 0);
  std::vector<int> holder(kinds.size(), -1);
  for (const auto f : order) {
    const int r = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    holder[f] = r;
    load[r] += raw_sizes[f];
  }
  return holder;
}

void count_progress(void* base, std::uint64_t compressed, std::uint64_t) {
  progress_counters().bytes.store(*static_cast<std::uint64_t*>(base) + compressed, std::memory_order_relaxed);
}

// One decompressed file as its holder announces it to the node.
struct Entry {
  std::uint64_t file, offset, size;
};

}  // namespace

std::string default_scratch_dir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

DecompressedInputs::DecompressedInputs(const mpi::Comm& comm, const std::vector<std::string>& paths,
                                       const std::vector<Compression>& kinds,
                                       const std::vector<std::uint64_t>& raw_sizes, const std::string& scratch_dir,
                                       PhaseClock& clock)
    : where_(paths.size()), sizes_(raw_sizes) {
  const mpi::NodeComm node(comm);
  const mpi::Comm& local = node.comm();
  const auto holder = assign(local.size(), kinds, raw_sizes);
  PhaseWork work;
  for (std::size_t f = 0; f < holder.size(); ++f) {
    if (holder[f] < 0) continue;
    work.bytes_total += raw_sizes[f];
    if (holder[f] == local.rank()) work.bytes_mine += raw_sizes[f];
  }
  clock.start(phase::kDecompress, work);

  std::vector<Entry> written;
  std::string my_path;
  const int code = mpi::agree(comm, [&] {
    if (std::find(holder.begin(), holder.end(), local.rank()) == holder.end()) return;
    mine_ = scratch_file(scratch_dir, "lfp_mpi-scratch");
    my_path = mine_->path();
    const UniqueFd fd = open_scratch(*mine_);
    std::uint64_t offset = 0, compressed_done = 0;
    for (std::uint32_t f = 0; f < paths.size(); ++f) {
      if (holder[f] != local.rank()) continue;
      const auto size = decompress_file(paths[f], kinds[f], fd.get(), "scratch file " + my_path + " (--scratch)",
                                        count_progress, &compressed_done);
      written.push_back({f, offset, size});
      offset += size;
      compressed_done += raw_sizes[f];
    }
  });
  if (code != kExitOk) throw Error::reported(static_cast<ExitCode>(code));

  // Every rank of the node learns where each file went: entries, then the scratch paths.
  std::vector<char> mine(sizeof(std::uint64_t) * 2 + written.size() * sizeof(Entry) + my_path.size());
  const std::uint64_t head[2] = {written.size(), my_path.size()};
  std::memcpy(mine.data(), head, sizeof head);
  if (!written.empty()) std::memcpy(mine.data() + sizeof head, written.data(), written.size() * sizeof(Entry));
  std::memcpy(mine.data() + sizeof head + written.size() * sizeof(Entry), my_path.data(), my_path.size());
  std::vector<char> all = local.gather_bytes(mine);
  local.bcast(all);
  scratch_paths_.assign(local.size(), "");
  maps_.resize(local.size());
  const char* p = all.data();
  for (int r = 0; r < local.size(); ++r) {
    std::uint64_t h[2];
    std::memcpy(h, p, sizeof h);
    p += sizeof h;
    for (std::uint64_t i = 0; i < h[0]; ++i, p += sizeof(Entry)) {
      Entry e;
      std::memcpy(&e, p, sizeof e);
      where_[e.file] = Place{r, e.offset, e.size};
      sizes_[e.file] = e.size;
    }
    scratch_paths_[r].assign(p, h[1]);
    p += h[1];
  }
}

DecompressedInputs::~DecompressedInputs() = default;

void DecompressedInputs::map(const std::vector<Segment>& segments) {
  for (const auto& s : segments) {
    if (!where_[s.file]) continue;
    const int r = where_[s.file]->holder;
    if (!maps_[r]) maps_[r].emplace(scratch_paths_[r]);
  }
}

std::string_view DecompressedInputs::bytes(std::uint32_t file) const {
  const Place& w = *where_[file];
  return maps_[w.holder]->bytes().substr(w.offset, w.size);
}

}  // namespace lfp
