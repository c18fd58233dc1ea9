#pragma once
// A rank's parts of the hand-written b-trees (sqlite_file/): its sorted slice of each tree's
// records, counted from the records' sizes (so the ranks can number the pages by prefix
// sums), then built with final page numbers, in batches, as rank 0 asks for them. Counting
// first costs less than keeping a rank's pages (as large as its rows) in memory. Plain C++.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sqlite_file/index_leaf_builder.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/record.hpp"
#include "util/buffer.hpp"

namespace lfp {

// One tree's records held by this rank, in key order.
struct TreeSlice {
  std::uint64_t size = 0;
  // Encodes record i (an SQLite record) into `out`.
  std::function<void(std::uint64_t i, sqlite_file::Bytes& out)> record;
  // The byte size of record i's encoding, without encoding it (all that counting needs).
  std::function<std::uint64_t(std::uint64_t i)> record_size;
};

// A slice whose record i is the record of `values(i)` (an array of sqlite_file::Value): the
// bytes and the size come from the same values, so they cannot disagree.
template <class Values>
TreeSlice slice_of_values(std::uint64_t size, Values values) {
  return {size,
          [values](std::uint64_t i, sqlite_file::Bytes& out) {
            const auto v = values(i);
            sqlite_file::encode_record(v, out);
          },
          [values](std::uint64_t i) -> std::uint64_t {
            const auto v = values(i);
            return sqlite_file::record_size(v);
          }};
}

// The slice a rank builds once lone records have moved (sqlite_file::buildable_part_sizes: a
// part after the first non-empty one needs two records): its own records unless it gave its
// only one away, then the records later ranks gave it, in rank order (their keys are larger).
struct BuildableSlice {
  TreeSlice own;
  bool gives_own = false;
  std::vector<sqlite_file::Bytes> received;
  sqlite_file::PartPosition position = sqlite_file::PartPosition::First;

  std::uint64_t size() const { return (gives_own ? 0 : own.size) + received.size(); }
  void record(std::uint64_t i, sqlite_file::Bytes& out) const;
  std::uint64_t record_size(std::uint64_t i) const;
};

// Which records move, given every rank's record count of one tree: for each rank, the rank
// that receives its only record (or -1 when it keeps its records).
std::vector<int> lone_record_receivers(std::span<const std::uint64_t> counts);

// Pass 1: the part's summary (page count, leaves, separators) in part-local numbers, from the
// records' sizes (sqlite_file::IndexLeafCounter: only the separators are encoded).
sqlite_file::PartSummary count_part(const BuildableSlice& slice, std::uint32_t page_size);

// Pass 2: the part's pages with final numbers, pulled in batches: the number of records the
// batch completes (8 bytes; for progress), then whole pages, each as a 4-byte page number
// followed by its bytes (native order).
class PartPages {
 public:
  PartPages(const BuildableSlice& slice, const sqlite_file::PageNumbering& numbering, std::uint64_t base);
  // Fills the empty `out` with a batch of at least `limit` bytes, or the rest of the part.
  void next_batch(Buffer& out, std::size_t limit);
  bool done() const { return finished_; }

 private:
  const BuildableSlice& slice_;
  Buffer* out_ = nullptr;
  std::unique_ptr<sqlite_file::IndexLeafBuilder> builder_;
  sqlite_file::Bytes record_;
  std::uint64_t next_ = 0;
  bool finished_ = false;
};

// Reads a batch of PartPages back into (page number, bytes) pairs; returns its record count
// (0 for an empty batch).
std::uint64_t for_each_page(const Buffer& batch, std::uint32_t page_size,
                            const std::function<void(std::uint32_t, std::span<const std::uint8_t>)>& fn);

// A placed part in a flat form for gathering on rank 0.
void pack_placed(const sqlite_file::PlacedPart& part, std::vector<char>& out);
sqlite_file::PlacedPart unpack_placed(const std::vector<char>& in, std::size_t& at);

}  // namespace lfp
