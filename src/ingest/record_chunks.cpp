#include "ingest/record_chunks.hpp"

#include <xxhash.h>

#include <algorithm>

#include "util/error.hpp"
#include "util/hash_set_code.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kMersenne61 = (std::uint64_t{1} << 61) - 1;
constexpr std::uint64_t kDigestBase = 0x1F3D5B79A2C4E687ULL % kMersenne61;
constexpr std::uint64_t kSkuSeed = 0x5CA1AB1E0DDBA11ULL;

std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b) {
  __extension__ using uint128 = unsigned __int128;
  const uint128 p = static_cast<uint128>(a) * b;
  std::uint64_t r = static_cast<std::uint64_t>(p & kMersenne61) + static_cast<std::uint64_t>(p >> 61);
  if (r >= kMersenne61) r -= kMersenne61;
  return r;
}

std::uint64_t add_mod(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = a + b;
  if (r >= kMersenne61) r -= kMersenne61;
  return r;
}

std::uint64_t pow_mod(std::uint64_t base, std::uint64_t e) {
  std::uint64_t r = 1;
  for (; e > 0; e >>= 1) {
    if (e & 1) r = mul_mod(r, base);
    base = mul_mod(base, base);
  }
  return r;
}

void put_varint(std::string& out, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7F) | 0x80));
  out.push_back(static_cast<char>(v));
}

std::uint64_t get_varint(std::string_view& in) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) break;
    const auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  throw Error(kExitInternal, "the sources ledger holds a damaged chunk (bad length)");
}

}  // namespace

std::uint64_t record_hash(std::string_view raw) { return XXH3_64bits(raw.data(), raw.size()); }

std::uint64_t sku_hash(std::string_view sku) {
  const std::uint64_t h = XXH3_64bits_withSeed(sku.data(), sku.size(), kSkuSeed);
  return h == 0 ? 1 : h;
}

bool cuts_after(std::uint64_t hash, std::uint64_t bytes, std::uint64_t target) {
  if (bytes >= target) return true;
  // hash / 2^64 < bytes / target, without overflow: compare the high bits.
  __extension__ using uint128 = unsigned __int128;
  return static_cast<uint128>(hash) * target < static_cast<uint128>(bytes) << 64;
}

void SequenceDigest::add(std::uint64_t hash) {
  value = add_mod(mul_mod(value, kDigestBase), hash % kMersenne61);
  ++count;
}

SequenceDigest SequenceDigest::then(const SequenceDigest& next) const {
  return {add_mod(mul_mod(value, pow_mod(kDigestBase, next.count)), next.value), count + next.count};
}

std::string ChunkHashes::blob() const {
  std::string out;
  put_varint(out, records.size());
  return out + records + skus;
}

ChunkHashes ChunkHashes::from_blob(std::string_view blob) {
  const std::uint64_t n = get_varint(blob);
  if (n > blob.size()) throw Error(kExitInternal, "the sources ledger holds a damaged chunk (bad length)");
  return {std::string(blob.substr(0, n)), std::string(blob.substr(n))};
}

ChunkHashes merge_hashes(const std::vector<const ChunkHashes*>& parts) {
  if (parts.size() == 1) return *parts[0];
  std::vector<std::uint64_t> records, skus;
  for (const auto* p : parts) {
    const auto r = decode_hash_set(p->records);
    const auto s = decode_hash_set(p->skus);
    records.insert(records.end(), r.begin(), r.end());
    skus.insert(skus.end(), s.begin(), s.end());
  }
  return {encode_hash_set(std::move(records), kRecordHashBits), encode_hash_set(std::move(skus), kSkuHashBits)};
}

void PieceBuilder::add(std::uint32_t file, std::uint64_t offset, std::uint64_t end, std::uint64_t lines_before,
                       std::uint64_t records_before, std::uint64_t hash, std::uint64_t sku) {
  if (open_ && file != piece_.file) finish_piece(true);  // a chunk never spans files
  if (!open_) {
    piece_ = ChunkPiece{};
    piece_.file = file;
    piece_.begin = offset;
    piece_.lines_before = lines_before;
    piece_.records_before = records_before;
    digest_ = {};
    open_ = true;
  }
  piece_.end = end;
  ++piece_.records;
  digest_.add(hash);
  if (keep_) {
    record_hashes_.push_back(hash);
    if (sku != 0) sku_hashes_.push_back(sku);
  }
  // The terminator counts as a byte: an empty record still moves the cut.
  if (cuts_after(hash, end - offset + 1, target_)) finish_piece(true);
}

void PieceBuilder::close(bool file_ends) {
  if (open_) finish_piece(file_ends);
}

void PieceBuilder::finish_piece(bool cut) {
  piece_.cut = cut ? 1 : 0;
  piece_.digest = digest_.value;
  pieces_.push_back(piece_);
  if (keep_) {
    hashes_.push_back({encode_hash_set(std::move(record_hashes_), kRecordHashBits),
                       encode_hash_set(std::move(sku_hashes_), kSkuHashBits)});
    record_hashes_.clear();
    sku_hashes_.clear();
  }
  open_ = false;
}

}  // namespace lfp
