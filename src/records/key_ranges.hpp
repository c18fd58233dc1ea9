#pragma once
// Contiguous key ranges, one per rank, as a sample sort cuts them: rank r owns the keys
// between splitter r - 1 (exclusive) and splitter r (inclusive), in byte order (SQLite's
// BINARY collation). With ranges instead of a hash, a rank's sorted rows are one contiguous
// slice of a table, so ranks can build that slice's b-tree pages without each other.
#include <string>
#include <string_view>
#include <vector>

#include "util/buffer.hpp"

namespace lfp {

class KeyRanges {
 public:
  KeyRanges() = default;  // one range: every key to rank 0
  explicit KeyRanges(std::vector<std::string> splitters) : splitters_(std::move(splitters)) {}

  // Splitters for `parts` ranges from a sample of the keys (any order): the sample's
  // quantiles, so each range gets about as many sampled keys. Repeated keys may leave a
  // range empty; every key still has exactly one owner.
  static KeyRanges from_sample(std::vector<std::string_view> sample, int parts);

  // The range (rank) holding `key`: the number of splitters below it.
  int owner(std::string_view key) const;
  const std::vector<std::string>& splitters() const { return splitters_; }

 private:
  std::vector<std::string> splitters_;
};

// Keys back to back with a 4-byte length each, for sending a sample.
void pack_keys(const std::vector<std::string>& keys, std::vector<char>& out);
std::vector<std::string_view> unpack_keys(const std::vector<char>& packed);

// The key of a count in the order of product_counts_by_products (products DESC, name) as a
// byte string that memcmp orders the same way: the products count inverted, big-endian, then
// the name.
std::string count_order_key(std::int64_t products, std::string_view name);

}  // namespace lfp
