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

// Less(a, b): a's key before b's. Combine(kept, other): folds `other` (equal key) into `kept`.
template <class Item, class Less, class Combine>
class RunMerge {
 public:
  RunMerge(const SpillFile& file, const std::vector<Run>& runs, std::size_t buffer_bytes, Less less = {},
           Combine combine = {})
      : less_(less), combine_(combine) {
    const std::size_t each = std::max<std::size_t>(buffer_bytes / std::max<std::size_t>(runs.size(), 1), 64 << 10);
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

}  // namespace lfp
