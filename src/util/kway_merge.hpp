#pragma once
// A k-way merge of sorted item streams that arrive in batches (encoded items in a Buffer):
// rank 0 merges the ranks' sorted outputs with it, and spilled runs can be merged the same
// way. Pure: where a batch comes from is the caller's `fetch`.
#include <algorithm>
#include <vector>

#include "util/buffer.hpp"

namespace lfp {

// fetch(source, batch) fills `batch` with the next items of `source` (empty at its end);
// sink(item) gets every item in `less` order. Items are views into batch buffers: the sink
// must use them before returning. `decode(const char*, Item&)` is found by ADL.
template <class Item, class Fetch, class Less, class Sink>
void kway_merge(int sources, Fetch&& fetch, Less less, Sink&& sink) {
  struct Cursor {
    Buffer batch;
    const char* next = nullptr;
    const char* end = nullptr;
    Item item{};
  };
  std::vector<Cursor> cur(sources);
  std::vector<int> heap;  // sources with an item, as a min-heap on their current item
  auto greater = [&](int a, int b) { return less(cur[b].item, cur[a].item); };
  auto advance = [&](int s) {
    Cursor& c = cur[s];
    if (c.next == c.end) {
      fetch(s, c.batch);
      c.next = c.batch.data();
      c.end = c.next + c.batch.size();
      if (c.batch.empty()) return false;
    }
    c.next = decode(c.next, c.item);
    return true;
  };
  for (int s = 0; s < sources; ++s)
    if (advance(s)) heap.push_back(s);
  std::make_heap(heap.begin(), heap.end(), greater);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    const int s = heap.back();
    sink(cur[s].item);
    if (advance(s))
      std::push_heap(heap.begin(), heap.end(), greater);
    else
      heap.pop_back();
  }
}

}  // namespace lfp
