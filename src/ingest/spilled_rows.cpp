#include "ingest/spilled_rows.hpp"

#include <algorithm>

#include "ingest/dedup.hpp"

namespace lfp {

void RowRuns::add(std::vector<Buffer>&& received) {
  for (auto& b : received) {
    if (b.empty()) continue;
    held_bytes_ += b.size();
    held_.push_back(std::move(b));
  }
  received.clear();
  if (held_bytes_ >= run_bytes_) spill();
}

void RowRuns::finish() {
  if (!held_.empty()) spill();
}

void RowRuns::spill() {
  // Within a run, too, only the last record of a sku matters: the others never reach disk.
  for (const auto& row : latest_by_sku(decode_all<RowRef>(held_))) file_->add(row.bytes());
  runs_.push_back(file_->end_run());
  std::vector<Buffer>().swap(held_);
  held_bytes_ = 0;
}

void NameTally::add(std::string_view name) {
  // A table entry costs its name and about 64 bytes of node, hash and count.
  if (const auto it = table_.find(name); it != table_.end()) {
    ++it->second;
    return;
  }
  table_.emplace(std::string(name), 1);
  held_bytes_ += name.size() + 64;
  if (held_bytes_ >= table_bytes_) spill();
}

void NameTally::finish() {
  if (!table_.empty()) spill();
}

void NameTally::spill() {
  std::vector<const std::pair<const std::string, std::int64_t>*> sorted;
  sorted.reserve(table_.size());
  for (const auto& e : table_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  Buffer item;
  for (const auto* e : sorted) {
    item.clear();
    encode(item, NameCount{e->first, e->second});
    file_->add({item.data(), item.size()});
  }
  runs_.push_back(file_->end_run());
  decltype(table_)().swap(table_);
  held_bytes_ = 0;
}

}  // namespace lfp
