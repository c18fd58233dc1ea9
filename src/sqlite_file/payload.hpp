#pragma once
// How much of a cell's payload stays on its b-tree page and how much goes to overflow pages
// ("Database File Format", 1.6 "B-tree Pages"). The rule keeps between M and X bytes local
// so that at least four cells fit on a page and the last overflow page is as full as it can
// be; index pages (leaf and interior alike) and table leaf pages differ only in X.
#include <cstdint>

namespace lfp::sqlite_file {

enum class PayloadTree { Index, TableLeaf };

class PayloadRule {
 public:
  PayloadRule(std::uint32_t usable_size, PayloadTree tree)
      : usable_(usable_size),
        max_local_(tree == PayloadTree::Index ? (usable_size - 12) * 64 / 255 - 23 : usable_size - 35),
        min_local_((usable_size - 12) * 32 / 255 - 23) {}

  std::uint32_t usable() const { return usable_; }
  std::uint32_t max_local() const { return max_local_; }
  std::uint32_t min_local() const { return min_local_; }
  // The bytes of a `payload`-byte payload kept in the cell.
  std::uint32_t local_size(std::uint64_t payload) const {
    if (payload <= max_local_) return static_cast<std::uint32_t>(payload);
    const std::uint64_t k = min_local_ + (payload - min_local_) % (usable_ - 4);
    return k <= max_local_ ? static_cast<std::uint32_t>(k) : min_local_;
  }
  // The overflow pages of a `payload`-byte payload (each holds usable - 4 bytes after the
  // 4-byte number of the next one).
  std::uint64_t overflow_pages(std::uint64_t payload) const {
    const std::uint64_t rest = payload - local_size(payload);
    return (rest + usable_ - 5) / (usable_ - 4);
  }

 private:
  std::uint32_t usable_, max_local_, min_local_;
};

}  // namespace lfp::sqlite_file
