#include "ingest/snapshot_chunks.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <optional>
#include <thread>

#include "mpi/agree.hpp"
#include "mpi/node.hpp"
#include "mpi/shuffle.hpp"
#include "store/h5_chunks.hpp"
#include "store/h5_slice.hpp"
#include "util/progress.hpp"

namespace lfp {
namespace {

// Compresses chunks in order, on `threads` threads (the calling one when 1), appending the
// finished records to `out` in the order the chunks came. At most `threads` chunks are in
// flight, the i-th on encoder i % threads: its previous user is collected by then.
class OrderedEncoder {
 public:
  OrderedEncoder(std::size_t threads, Buffer& out) : encoders_(threads), out_(out) {}
  ~OrderedEncoder() {
    for (auto& p : pending_)  // an exception left work running: let it end
      if (p.encoded.valid()) p.encoded.wait();
  }
  void add(store::RawChunk&& raw) {
    const std::size_t element = store::element_size(raw.column);
    store::ChunkEncoder& encoder = encoders_[added_++ % encoders_.size()];
    if (encoders_.size() == 1) {
      store::append_chunk(out_, raw.column, raw.index, encoder.encode(raw.bytes.data(), raw.bytes.size(), element));
      return;
    }
    if (pending_.size() == encoders_.size()) collect();
    pending_.push_back(
        {raw.column, raw.index, std::async(std::launch::async, [&encoder, bytes = std::move(raw.bytes), element] {
           return encoder.encode(bytes.data(), bytes.size(), element);
         })});
  }
  void finish() {
    while (!pending_.empty()) collect();
  }

 private:
  void collect() {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    store::append_chunk(out_, p.column, p.index, p.encoded.get());
  }
  struct Pending {
    store::H5Column column;
    std::uint64_t index;
    std::future<std::vector<unsigned char>> encoded;
  };
  std::vector<store::ChunkEncoder> encoders_;
  std::size_t added_ = 0;
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
  std::uint64_t room = 0;
  for (std::size_t k = 0; k < store::kH5Columns; ++k)
    room += (sizes[comm.rank()][k] * store::element_size(static_cast<store::H5Column>(k)) / store::kH5ChunkBytes + 2) *
            (store::kH5ChunkBytes + 4096);
  out.chunks.reserve(room);
  OrderedEncoder encoder(cores_per_rank(comm), out.chunks);
  std::optional<store::SliceChunks> slice;
  std::vector<Buffer> heads;
  // Rank 0's progress counts its own products, standing for all (the ranks hold about as many).
  const std::uint64_t all = comm.sum(static_cast<std::uint64_t>(products.size()));
  // The local steps agree on failure before the exchange and after it (a rank that failed
  // alone must not leave the others waiting in a collective).
  if (const int code = mpi::agree(comm, [&] {
        slice.emplace(sizes, comm.rank(), [&](store::RawChunk&& raw) { encoder.add(std::move(raw)); });
        // Rows lie scattered in memory: ask for a row a few ahead while this one is copied.
        constexpr std::size_t kAhead = 16, kStep = 4096;
        for (std::size_t i = 0; i < products.size(); ++i) {
          if (i + kAhead < products.size()) __builtin_prefetch(products[i + kAhead].address());
          const RowRef& p = products[i];
          slice->add_product(p.sku(), p.name(), p.description());
          if (comm.root() && (i + 1) % kStep == 0)
            progress_counters().records.fetch_add(kStep * all / products.size(), std::memory_order_relaxed);
        }
        for (const auto& c : counts) slice->add_count(c.name, c.products);
        heads = slice->take_heads();
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  const std::vector<Buffer> incoming = mpi::exchange(comm, std::move(heads), round_bytes);
  if (const int code = mpi::agree(comm, [&] {
        slice->receive_heads(incoming);
        encoder.finish();
      }))
    throw Error::reported(static_cast<ExitCode>(code));
  out.totals = slice->totals();
  return out;
}

}  // namespace lfp
