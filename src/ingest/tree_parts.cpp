#include "ingest/tree_parts.hpp"

#include <cstring>

#include "sqlite_file/index_leaf_counter.hpp"
#include "util/error.hpp"

namespace lfp {

void BuildableSlice::record(std::uint64_t i, sqlite_file::Bytes& out) const {
  const std::uint64_t own_size = gives_own ? 0 : own.size;
  if (i < own_size) {
    own.record(i, out);
  } else {
    const auto& r = received.at(i - own_size);
    out.assign(r.begin(), r.end());
  }
}

std::uint64_t BuildableSlice::record_size(std::uint64_t i) const {
  const std::uint64_t own_size = gives_own ? 0 : own.size;
  return i < own_size ? own.record_size(i) : received.at(i - own_size).size();
}

std::vector<int> lone_record_receivers(std::span<const std::uint64_t> counts) {
  // The same walk as buildable_part_sizes: a lone record joins the last non-empty part.
  std::vector<int> receiver(counts.size(), -1);
  std::vector<std::uint64_t> sizes(counts.begin(), counts.end());
  std::size_t last_nonempty = sizes.size();
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    if (sizes[k] == 1 && last_nonempty != sizes.size()) {
      receiver[k] = static_cast<int>(last_nonempty);
      ++sizes[last_nonempty];
      sizes[k] = 0;
    }
    if (sizes[k] > 0) last_nonempty = k;
  }
  return receiver;
}

sqlite_file::PartSummary count_part(const BuildableSlice& slice, std::uint32_t page_size) {
  sqlite_file::IndexLeafCounter counter(page_size, slice.position,
                                        [&slice](std::uint64_t i, sqlite_file::Bytes& out) { slice.record(i, out); });
  const std::uint64_t n = slice.size();
  for (std::uint64_t i = 0; i < n; ++i) counter.add(slice.record_size(i));
  return counter.finish();
}

PartPages::PartPages(const BuildableSlice& slice, const sqlite_file::PageNumbering& numbering, std::uint64_t base)
    : slice_(slice) {
  builder_ = std::make_unique<sqlite_file::IndexLeafBuilder>(
      numbering.page_size(), slice.position,
      sqlite_file::relocating_sink(numbering, base, [this](std::uint32_t page, std::span<const std::uint8_t> bytes) {
        const std::size_t at = out_->size();
        out_->resize(at + 4 + bytes.size());
        std::memcpy(out_->data() + at, &page, 4);
        std::memcpy(out_->data() + at + 4, bytes.data(), bytes.size());
      }));
}

void PartPages::next_batch(Buffer& out, std::size_t limit) {
  out_ = &out;
  out.resize(8);
  const std::uint64_t n = slice_.size(), first = next_;
  while (!finished_ && out.size() < limit) {
    if (next_ < n) {
      slice_.record(next_++, record_);
      builder_->add(record_);
    } else {
      builder_->finish();
      finished_ = true;
    }
  }
  const std::uint64_t records = next_ - first;
  std::memcpy(out.data(), &records, 8);
  if (out.size() == 8 && records == 0) out.clear();  // nothing left: the stream's end
  out_ = nullptr;
}

std::uint64_t for_each_page(const Buffer& batch, std::uint32_t page_size,
                            const std::function<void(std::uint32_t, std::span<const std::uint8_t>)>& fn) {
  if (batch.empty()) return 0;
  if (batch.size() < 8) throw Error(kExitInternal, "a truncated batch of pages");
  std::uint64_t records = 0;
  std::memcpy(&records, batch.data(), 8);
  std::size_t at = 8;
  while (at < batch.size()) {
    if (batch.size() - at < 4 + std::size_t{page_size}) throw Error(kExitInternal, "a truncated batch of pages");
    std::uint32_t page = 0;
    std::memcpy(&page, batch.data() + at, 4);
    fn(page, {reinterpret_cast<const std::uint8_t*>(batch.data() + at + 4), page_size});
    at += 4 + page_size;
  }
  return records;
}

namespace {

template <class T>
void put(std::vector<char>& out, T v) {
  const auto at = out.size();
  out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}
template <class T>
T get(const std::vector<char>& in, std::size_t& at) {
  T v;
  if (in.size() - at < sizeof v) throw Error(kExitInternal, "a truncated part summary");
  std::memcpy(&v, in.data() + at, sizeof v);
  at += sizeof v;
  return v;
}

}  // namespace

void pack_placed(const sqlite_file::PlacedPart& part, std::vector<char>& out) {
  put<std::uint8_t>(out, part.leading_separator ? 1 : 0);
  put<std::uint64_t>(out, part.leaves.size());
  for (const auto l : part.leaves) put<std::uint32_t>(out, l);
  const auto& ends = part.separators.ends();
  const auto& bytes = part.separators.bytes();
  put<std::uint64_t>(out, ends.size());
  for (const auto e : ends) put<std::uint64_t>(out, e);
  put<std::uint64_t>(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

sqlite_file::PlacedPart unpack_placed(const std::vector<char>& in, std::size_t& at) {
  sqlite_file::PlacedPart part;
  part.leading_separator = get<std::uint8_t>(in, at) != 0;
  const auto leaves = get<std::uint64_t>(in, at);
  part.leaves.reserve(leaves);
  for (std::uint64_t i = 0; i < leaves; ++i) part.leaves.push_back(get<std::uint32_t>(in, at));
  const auto cells = get<std::uint64_t>(in, at);
  std::vector<std::uint64_t> ends;
  ends.reserve(cells);
  for (std::uint64_t i = 0; i < cells; ++i) ends.push_back(get<std::uint64_t>(in, at));
  const auto size = get<std::uint64_t>(in, at);
  if (in.size() - at < size) throw Error(kExitInternal, "a truncated part summary");
  sqlite_file::Bytes bytes(in.begin() + static_cast<std::ptrdiff_t>(at),
                           in.begin() + static_cast<std::ptrdiff_t>(at + size));
  at += size;
  part.separators = sqlite_file::CellList::from_flat(std::move(bytes), std::move(ends));
  return part;
}

}  // namespace lfp
