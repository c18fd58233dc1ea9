#include "ingest/snapshot_chunks.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <thread>

#include "mpi/node.hpp"
#include "mpi/shuffle.hpp"
#include "store/h5_chunks.hpp"
#include "store/h5_slice.hpp"
#include "util/progress.hpp"

namespace lfp {
namespace {

// Compresses chunks in order, on `threads` threads (the calling one when 1), appending the
// finished records to `out` in the order the chunks came.
class ChunkEncoder {
 public:
  ChunkEncoder(std::size_t threads, Buffer& out) : threads_(threads), out_(out) {}
  ~ChunkEncoder() {
    for (auto& p : pending_) p.encoded.wait();  // an exception left work running: let it end
  }
  void add(store::RawChunk&& raw) {
    const std::size_t element = store::element_size(raw.column);
    if (threads_ == 1) {
      store::append_chunk(out_, raw.column, raw.index, encode(raw.bytes, element));
      return;
    }
    if (pending_.size() == threads_) collect();
    pending_.push_back({raw.column, raw.index, std::async(std::launch::async, [bytes = std::move(raw.bytes), element] {
                          return encode(bytes, element);
                        })});
  }
  void finish() {
    while (!pending_.empty()) collect();
  }

 private:
  static std::vector<unsigned char> encode(const std::vector<std::uint8_t>& bytes, std::size_t element) {
    return store::encode_chunk(bytes.data(), bytes.size(), element, store::kH5DeflateLevel);
  }
  void collect() {
    auto& p = pending_.front();
    store::append_chunk(out_, p.column, p.index, p.encoded.get());
    pending_.pop_front();
  }
  struct Pending {
    store::H5Column column;
    std::uint64_t index;
    std::future<std::vector<unsigned char>> encoded;
  };
  std::size_t threads_;
  Buffer& out_;
  std::deque<Pending> pending_;
};

// The cores of this rank's node, shared by the ranks there.
std::size_t cores_per_rank(const mpi::Comm& comm) {
  std::size_t on_node = 1;
  for (const auto& node : mpi::nodes_of(comm))
    if (std::find(node.ranks.begin(), node.ranks.end(), comm.rank()) != node.ranks.end()) on_node = node.ranks.size();
  return std::max<std::size_t>(1, std::thread::hardware_concurrency() / on_node);
}

}  // namespace

SnapshotChunks build_snapshot_chunks(const mpi::Comm& comm, const std::vector<RowRef>& products, const TextBytes& text,
                                     const std::vector<NameCount>& counts, std::size_t round_bytes) {
  store::SliceTexts texts{products.size(), counts.size(), text.sku, text.name, text.description};
  for (const auto& c : counts) texts.count_name_bytes += c.name.size();

  SnapshotChunks out;
  const auto sizes = comm.allgather(store::slice_sizes(texts, comm.root()));
  // Room for this rank's chunks at their raw size (compressed they take less; deflate adds a
  // little to data it cannot shrink): reserved address space costs nothing until written,
  // while growing by copies faulted in every page again (2.4% of a 10M-record profile).
  std::uint64_t raw = 0;
  for (std::size_t k = 0; k < store::kH5Columns; ++k)
    raw += (sizes[comm.rank()][k] * store::element_size(static_cast<store::H5Column>(k)) / store::kH5ChunkBytes + 2) *
           (store::kH5ChunkBytes + 4096);
  out.chunks.reserve(raw);
  ChunkEncoder encoder(cores_per_rank(comm), out.chunks);
  store::SliceChunks slice(sizes, comm.rank(), [&](store::RawChunk&& raw) { encoder.add(std::move(raw)); });
  out.totals = slice.totals();
  // Rows lie scattered in memory: ask for a row a few ahead while this one is copied.
  // Rank 0's progress counts its own products, standing for all (the ranks hold about as many).
  constexpr std::size_t kAhead = 16, kStep = 4096;
  const std::uint64_t all = comm.sum(static_cast<std::uint64_t>(products.size()));
  for (std::size_t i = 0; i < products.size(); ++i) {
    if (i + kAhead < products.size()) __builtin_prefetch(products[i + kAhead].address());
    const RowRef& p = products[i];
    slice.add_product(p.sku(), p.name(), p.description());
    if (comm.root() && (i + 1) % kStep == 0)
      progress_counters().records.fetch_add(kStep * all / products.size(), std::memory_order_relaxed);
  }
  for (const auto& c : counts) slice.add_count(c.name, c.products);
  slice.receive_heads(mpi::exchange(comm, slice.take_heads(), round_bytes));
  encoder.finish();
  return out;
}

}  // namespace lfp
