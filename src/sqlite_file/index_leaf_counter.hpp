#pragma once
// A part's PartSummary (page count, leaves, separators) from its records' encoded sizes alone:
// the layout IndexLeafBuilder follows (LeafLayout), without building a page. Only the records
// that become separators are encoded, on demand, so counting a part costs a small fraction of
// building it (the ranks need every part's page count before any page can be numbered).
#include <cstdint>
#include <functional>

#include "sqlite_file/leaf_layout.hpp"
#include "sqlite_file/part.hpp"
#include "sqlite_file/record.hpp"

namespace lfp::sqlite_file {

class IndexLeafCounter : private LeafLayout::Pages {
 public:
  // Encodes record i of the part (its position in add order) into `out`.
  using Encode = std::function<void(std::uint64_t i, Bytes& out)>;

  IndexLeafCounter(std::uint32_t page_size, PartPosition position, Encode encode);

  // The next record's encoded size, in key order.
  void add(std::uint64_t record_size) { layout_.place(layout_.next_cell(record_size), *this); }
  // The summary IndexLeafBuilder::finish gives for the same records. Throws Error as it does,
  // and when a record encodes to another size than add was given.
  PartSummary finish() { return layout_.finish(*this); }

 private:
  void separator(LeafLayout::Which which, const IndexCell& cell, CellList& out) override;

  LeafLayout layout_;
  Encode encode_;
  Bytes record_, cell_;
};

}  // namespace lfp::sqlite_file
