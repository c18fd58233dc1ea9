#include "name_counts.hpp"

#include <algorithm>

namespace lfp {

std::vector<NameCount> count_names(std::span<const RowView> rows) {
  std::vector<NameCount> ones;
  ones.reserve(rows.size());
  for (const auto& r : rows) ones.push_back({r.name, 1});
  return sum_counts(std::move(ones));
}

std::vector<NameCount> sum_counts(std::vector<NameCount> partials) {
  std::sort(partials.begin(), partials.end(), [](const NameCount& a, const NameCount& b) { return a.name < b.name; });
  std::vector<NameCount> out;
  for (const auto& c : partials) {
    if (!out.empty() && out.back().name == c.name)
      out.back().products += c.products;
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace lfp
