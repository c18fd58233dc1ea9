#pragma once
// A k-way merge of sorted runs read back from a spill file (a heap of the runs' heads), in
// pull form, so that a batch source can stop at any item and go on later. Items with equal
// keys (at most one per run) come out as one, combined: the latest row of a sku, the sum of a
// name's partial counts. Plain C++.

#include <algorithm>
#include <vector>

#include "ingest/spill_file.hpp"
#include "records/row_codec.hpp"

namespace lfp {

// Every run a merge reads needs a buffer of at least this much: the merge of more runs than
// buffer_bytes / kRunReaderBytes would not keep to buffer_bytes.
inline constexpr std::size_t kRunReaderBytes = std::size_t{64} << 10;

// Less(a, b): a's key before b's. Combine(kept, other): folds `other` (equal key) into `kept`.
template <class Item, class Less, class Combine>
class RunMerge {
 public:
  RunMerge(const SpillFile& file, const std::vector<Run>& runs, std::size_t buffer_bytes, Less less = {},
           Combine combine = {})
      : less_(less), combine_(combine) {
    const std::size_t each =
        std::max<std::size_t>(buffer_bytes / std::max<std::size_t>(runs.size(), 1), kRunReaderBytes);
    readers_.reserve(runs.size());
    for (const auto& r : runs) readers_.emplace_back(file, r, each);
    heads_.resize(runs.size());
    for (std::size_t r = 0; r < runs.size(); ++r) advance(r);
  }

  // The next item in key order; its views stay valid until the next call.
  bool next(Item& out) {
    // The runs that gave the last item move on only now: that item pointed into them.
    for (const auto r : taken_) advance(r);
    taken_.clear();
    if (heap_.empty()) return false;
    const std::size_t first = pop();
    out = heads_[first];
    taken_.push_back(first);
    while (!heap_.empty() && !less_(out, heads_[heap_.front()])) {
      const std::size_t r = pop();
      combine_(out, heads_[r]);
      taken_.push_back(r);
    }
    return true;
  }

 private:
  // Heap order: the least head on top; equal heads by run, so earlier runs come first.
  bool after(std::size_t a, std::size_t b) const {
    if (less_(heads_[b], heads_[a])) return true;
    if (less_(heads_[a], heads_[b])) return false;
    return a > b;
  }
  std::size_t pop() {
    std::pop_heap(heap_.begin(), heap_.end(), [this](std::size_t a, std::size_t b) { return after(a, b); });
    const std::size_t r = heap_.back();
    heap_.pop_back();
    return r;
  }
  void advance(std::size_t r) {
    std::string_view bytes;
    if (!readers_[r].next(bytes)) return;
    decode(bytes.data(), heads_[r]);
    heap_.push_back(r);
    std::push_heap(heap_.begin(), heap_.end(), [this](std::size_t a, std::size_t b) { return after(a, b); });
  }

  Less less_;
  Combine combine_;
  std::vector<RunReader> readers_;
  std::vector<Item> heads_;
  std::vector<std::size_t> heap_, taken_;
};

// The most runs one merge in `buffer_bytes` reads at once.
inline std::size_t merge_fan_in(std::size_t buffer_bytes) {
  return std::max<std::size_t>(2, buffer_bytes / kRunReaderBytes);
}

// Merges groups of runs into longer runs, appended to `file` (the groups' bytes are then given
// back to the file system), until one merge of all of them fits `buffer_bytes`: a rank that
// received many times its budget still merges within it, at the cost of another pass over
// its rows. Equal keys are combined as the final merge would, so its result is unchanged.
template <class Item, class Less, class Combine>
std::vector<Run> merge_down(SpillFile& file, std::vector<Run> runs, std::size_t buffer_bytes) {
  const std::size_t fan_in = merge_fan_in(buffer_bytes);
  Buffer item;
  while (runs.size() > fan_in) {
    std::vector<Run> merged;
    for (std::size_t at = 0; at < runs.size(); at += fan_in) {
      const std::vector<Run> group(runs.begin() + static_cast<std::ptrdiff_t>(at),
                                   runs.begin() + static_cast<std::ptrdiff_t>(std::min(runs.size(), at + fan_in)));
      if (group.size() == 1) {
        merged.push_back(group.front());
        continue;
      }
      {
        RunMerge<Item, Less, Combine> merge(file, group, buffer_bytes);
        Item x;
        while (merge.next(x)) {
          item.clear();
          encode(item, x);
          file.add({item.data(), item.size()});
        }
      }
      merged.push_back(file.end_run());
      for (const auto& r : group) file.discard(r);
    }
    runs = std::move(merged);
  }
  return runs;
}

}  // namespace lfp
