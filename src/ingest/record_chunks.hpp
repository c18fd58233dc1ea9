#pragma once
// Content-defined chunks at record granularity (issue 20). A chunk ends after record r when
// the record's hash falls below 2^64 * bytes(r) / target: chunks average `target` bytes,
// and where they are cut depends only on the records' own bytes. Not on the rank count, the
// byte ranges, or what came before, so an edit changes only the chunk around it and every
// rank cuts its own range. A chunk's digest is an order-dependent digest of its records'
// hashes that composes across ranks (a chunk may start on one rank and end on the next).
// Plain C++: the ranks build pieces, rank 0 joins them into chunks (change_plan.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lfp {

constexpr std::uint64_t kDefaultChunkBytes = std::uint64_t{1} << 20;
// Bits of the hashes the ledger keeps per record. A changed record is mistaken for an
// unchanged one when its hash equals one of the file's old records': n / 2^40 (1e-5 at 10M).
constexpr int kRecordHashBits = 40;
constexpr int kSkuHashBits = 40;

// The hash of a record's raw bytes (without its line terminator).
std::uint64_t record_hash(std::string_view raw);
// The hash of a sku; never 0 (0 marks a record that holds no sku: a reject).
std::uint64_t sku_hash(std::string_view sku);
// Whether a chunk ends after a record of `bytes` bytes whose hash is `hash`. A record of
// `target` bytes or more always ends its chunk.
bool cuts_after(std::uint64_t hash, std::uint64_t bytes, std::uint64_t target);

// An order-dependent digest of a sequence of record hashes: a polynomial modulo 2^61 - 1,
// so the digest of a sequence is the digest of its parts, composed in order (then()).
struct SequenceDigest {
  std::uint64_t value = 0, count = 0;
  void add(std::uint64_t hash);
  SequenceDigest then(const SequenceDigest& next) const;
};

// One rank's records of one chunk (all of them, or the part on that rank).
struct ChunkPiece {
  std::uint32_t file = 0;
  std::uint32_t cut = 0;                               // the chunk ends with this piece's last record
  std::uint64_t begin = 0;                             // the first record's offset
  std::uint64_t end = 0;                               // the last record's end (before its terminator)
  std::uint64_t lines_before = 0, records_before = 0;  // where the first record starts
  std::uint64_t records = 0;
  std::uint64_t digest = 0;  // SequenceDigest::value of its records (count = records)
};

// The record and sku hash sets of a piece or chunk, coded (hash_set_code.hpp).
struct ChunkHashes {
  std::string records, skus;
  // Serialized as one blob: the record set's length (varint), the record set, the sku set.
  std::string blob() const;
  static ChunkHashes from_blob(std::string_view blob);
};

// The union of several pieces' hash sets (a chunk that spans ranks).
ChunkHashes merge_hashes(const std::vector<const ChunkHashes*>& parts);

// Builds the pieces of one rank's records, fed in file order. With `keep_hashes` each piece
// also gets its coded hash sets (only the current piece's hashes are held uncoded).
class PieceBuilder {
 public:
  PieceBuilder(std::uint64_t target, bool keep_hashes) : target_(target), keep_(keep_hashes) {}
  // A record of `file` at [offset, end) (without its terminator), `lines_before` line ends
  // and `records_before` records before it in its file; `sku` 0 for a reject. A new file
  // ends the previous file's chunk.
  void add(std::uint32_t file, std::uint64_t offset, std::uint64_t end, std::uint64_t lines_before,
           std::uint64_t records_before, std::uint64_t hash, std::uint64_t sku);
  // The end of the rank's range: `file_ends` when it is also the end of the last record's file.
  void close(bool file_ends);
  // The file of the piece still open, if any.
  std::optional<std::uint32_t> open_file() const {
    return open_ ? std::optional<std::uint32_t>(piece_.file) : std::nullopt;
  }
  const std::vector<ChunkPiece>& pieces() const { return pieces_; }
  std::vector<ChunkHashes>& hashes() { return hashes_; }

 private:
  void finish_piece(bool cut);
  std::uint64_t target_;
  bool keep_;
  bool open_ = false;
  ChunkPiece piece_;
  SequenceDigest digest_;
  std::vector<std::uint64_t> record_hashes_, sku_hashes_;
  std::vector<ChunkPiece> pieces_;
  std::vector<ChunkHashes> hashes_;
};

}  // namespace lfp
