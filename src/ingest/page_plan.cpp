#include "ingest/page_plan.hpp"

#include <cstring>

namespace lfp {
namespace {

using sqlite_file::kProductTreeCount;
using Counts = std::array<std::uint64_t, kProductTreeCount>;

// The only record of a rank that gives it away, per tree: [tree][4-byte size][record].
void move_lone_records(const mpi::Comm& comm, PagePlan& plan) {
  Counts mine{};
  for (std::size_t t = 0; t < kProductTreeCount; ++t) mine[t] = plan.slices[t].own.size;
  const auto all = comm.allgather(mine);
  std::vector<char> given;
  sqlite_file::Bytes record;
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    std::vector<std::uint64_t> counts;
    for (const auto& c : all) counts.push_back(c[t]);
    const auto receivers = lone_record_receivers(counts);
    const auto sizes = sqlite_file::buildable_part_sizes(counts);
    auto& slice = plan.slices[t];
    slice.position = sqlite_file::part_position(sizes, static_cast<std::size_t>(comm.rank()));
    if (receivers[comm.rank()] < 0) continue;
    slice.gives_own = true;
    slice.own.record(0, record);
    const auto size = static_cast<std::uint32_t>(record.size());
    given.push_back(static_cast<char>(t));
    given.insert(given.end(), reinterpret_cast<const char*>(&size), reinterpret_cast<const char*>(&size) + 4);
    given.insert(given.end(), record.begin(), record.end());
  }
  // Rare (a rank with exactly one record of a tree), but every rank must take part.
  const std::vector<char> moved = comm.allgather_bytes(given);
  // Records arrive in rank order; a rank receives those whose receiver it is.
  std::vector<std::vector<int>> receivers(kProductTreeCount);
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    std::vector<std::uint64_t> counts;
    for (const auto& c : all) counts.push_back(c[t]);
    receivers[t] = lone_record_receivers(counts);
  }
  std::array<std::size_t, kProductTreeCount> next_giver{};  // ranks scanned so far, per tree
  std::size_t at = 0;
  while (at < moved.size()) {
    const auto t = static_cast<std::size_t>(moved[at]);
    std::uint32_t size = 0;
    std::memcpy(&size, moved.data() + at + 1, 4);
    const char* bytes = moved.data() + at + 5;
    at += 5 + size;
    // The giver is the next rank (in order) that gives a record of tree t.
    auto& k = next_giver[t];
    while (receivers[t][k] < 0) ++k;
    if (receivers[t][k] == comm.rank())
      plan.slices[t].received.emplace_back(reinterpret_cast<const std::uint8_t*>(bytes),
                                           reinterpret_cast<const std::uint8_t*>(bytes) + size);
    ++k;
  }
}

}  // namespace

PagePlan plan_pages(const mpi::Comm& comm, std::array<TreeSlice, kProductTreeCount> slices, std::uint32_t page_size) {
  PagePlan plan(page_size);
  for (std::size_t t = 0; t < kProductTreeCount; ++t) plan.slices[t].own = std::move(slices[t]);
  move_lone_records(comm, plan);

  std::array<sqlite_file::PartSummary, kProductTreeCount> summaries;
  Counts pages{};
  for (std::size_t t = 0; t < kProductTreeCount; ++t) {
    summaries[t] = count_part(plan.slices[t], page_size);
    pages[t] = summaries[t].page_count;
  }
  // Sequence index 0 is page 1; the parts follow tree by tree, rank by rank.
  const auto all = comm.allgather(pages);
  std::uint64_t next = 1;
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    for (int r = 0; r < comm.size(); ++r) {
      if (r == comm.rank()) plan.base[t] = next;
      next += all[r][t];
    }
  plan.part_pages = next - 1;
  // Every rank knows the total: a file past SQLite's largest page number fails on all of them
  // alike here (the interior pages add about one in a hundred, page 1 and the empty roots 8).
  plan.numbering.page_of(plan.part_pages + plan.part_pages / 64 + 64);

  std::vector<char> placed;
  for (std::size_t t = 0; t < kProductTreeCount; ++t)
    pack_placed(sqlite_file::place_part(summaries[t], plan.numbering, plan.base[t]), placed);
  const std::vector<char> gathered = comm.gather_bytes(placed);
  if (comm.root()) {
    std::size_t at = 0;
    for (int r = 0; r < comm.size(); ++r)
      for (std::size_t t = 0; t < kProductTreeCount; ++t) plan.placed[t].push_back(unpack_placed(gathered, at));
  }
  return plan;
}

}  // namespace lfp
