#include "ingest/route.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

lfp::Buffer rows(const std::vector<std::string>& descriptions) {
  lfp::Buffer b;
  std::uint64_t order = 0;
  for (const auto& d : descriptions) encode(b, lfp::RowView{order++, "sku" + std::to_string(order), "n", d});
  return b;
}

std::vector<std::string> descriptions_of(const std::vector<lfp::Buffer>& parts) {
  std::vector<std::string> out;
  for (const auto& p : parts)
    for (const auto& r : lfp::decode_all<lfp::RowView>(p.data(), p.data() + p.size())) out.emplace_back(r.description);
  return out;
}

// A window too skewed to exchange at once is sent in parts: every row arrives once, whole,
// in its order, and the parts are about equal.
TEST(SplitEncoded, PartsHoldEveryRowWholeInOrder) {
  std::vector<std::string> d;
  for (int i = 0; i < 1000; ++i) d.push_back(std::string(static_cast<std::size_t>(i % 50), 'x'));
  auto in = rows(d);
  const std::size_t bytes = in.size();
  const auto parts = lfp::split_encoded<lfp::RowRef>(std::move(in), 4);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(descriptions_of(parts), d);
  for (const auto& p : parts) {
    EXPECT_GT(p.size(), bytes / 4 - 200);
    EXPECT_LT(p.size(), bytes / 4 + 200);
  }
}

TEST(SplitEncoded, ARowLargerThanAPartKeepsItsPartLarge) {
  const std::vector<std::string> d = {"a", std::string(100000, 'y'), "b", "c"};
  const auto parts = lfp::split_encoded<lfp::RowRef>(rows(d), 3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(descriptions_of(parts), d);
  EXPECT_GT(parts[0].size(), 100000u);  // the big row rides with the first
  EXPECT_EQ(descriptions_of({parts[0]}).size(), 2u);
  EXPECT_TRUE(lfp::split_encoded<lfp::RowRef>(lfp::Buffer(), 2)[1].empty());
}

}  // namespace
