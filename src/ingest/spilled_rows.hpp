#pragma once
// Under --mem-per-rank, a rank's share of the rows does not stay in memory: the rows it
// receives, window by window, are held until they pass a run's size, then sorted by sku
// (keeping the last record of each sku) and spilled to scratch as one sorted run. A merge of
// the runs (latest order key wins across runs, as within one) gives the rank's products in sku
// order; one pass over it tallies products per name, spilled likewise as runs sorted by name
// and summed when merged. Dedup and counting stay exact however many runs there are. Plain C++.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/run_merge.hpp"
#include "ingest/spill_file.hpp"
#include "records/row_codec.hpp"

namespace lfp {

struct BySku {
  bool operator()(const RowView& a, const RowView& b) const { return a.sku < b.sku; }
};
struct KeepLatest {
  void operator()(RowView& kept, const RowView& other) const {
    if (other.order > kept.order) kept = other;
  }
};
struct ByName {
  bool operator()(const NameCount& a, const NameCount& b) const { return a.name < b.name; }
};
struct AddCounts {
  void operator()(NameCount& kept, const NameCount& other) const { kept.products += other.products; }
};

// The products of a set of row runs, in sku order: the latest record of each sku.
using LatestRows = RunMerge<RowView, BySku, KeepLatest>;
// Partial counts of a set of count runs, summed per name, in name order.
using SummedCounts = RunMerge<NameCount, ByName, AddCounts>;

// The rows a rank receives, spilled as sorted runs of at most about `run_bytes`.
class RowRuns {
 public:
  RowRuns(SpillFile& file, std::uint64_t run_bytes) : file_(&file), run_bytes_(run_bytes) {}
  // Takes the encoded rows one window brought (any order); spills when they pass a run.
  void add(std::vector<Buffer>&& received);
  // Spills what is still held.
  void finish();
  const std::vector<Run>& runs() const { return runs_; }

 private:
  void spill();
  SpillFile* file_;
  std::uint64_t run_bytes_, held_bytes_ = 0;
  std::vector<Buffer> held_;
  std::vector<Run> runs_;
};

// Products per name over a stream of names, in a table of at most about `table_bytes`;
// when it is full it is spilled as a run sorted by name.
class NameTally {
 public:
  NameTally(SpillFile& file, std::uint64_t table_bytes) : file_(&file), table_bytes_(table_bytes) {}
  void add(std::string_view name);
  void finish();
  const std::vector<Run>& runs() const { return runs_; }

 private:
  void spill();
  SpillFile* file_;
  std::uint64_t table_bytes_, held_bytes_ = 0;
  // Transparent hashing: add() looks a name up without building a std::string for it.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> table_;
  std::vector<Run> runs_;
};

}  // namespace lfp
