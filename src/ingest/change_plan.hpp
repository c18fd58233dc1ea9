#pragma once
// Rank 0's half of change detection (issue 20): every rank's pieces (record_chunks.hpp)
// joined into each file's chunks, and which of them are new since the file's last ingest.
// A chunk whose digest and record count equal one of the old version's chunks is kept from
// the ledger; the others are new: only their records are read again. Plain C++.
#include <cstdint>
#include <optional>
#include <vector>

#include "ingest/record_chunks.hpp"
#include "store/source_chunks.hpp"

namespace lfp {

struct PlannedChunk {
  std::uint32_t file = 0;
  std::uint64_t digest = 0, records = 0;
  std::optional<std::int64_t> old_seq;  // kept: the ledger's chunk with the same content
  std::vector<std::size_t> pieces;      // indices into the pieces given to plan_chunks
};

struct ChunkPlan {
  std::vector<PlannedChunk> chunks;     // by file, in file order
  std::vector<std::uint8_t> piece_new;  // per piece, in the order given: its chunk is new
};

// `pieces`: every rank's pieces, rank after rank (each rank's in file order). `old[f]`: the
// ledger's chunks of file f (empty: nothing to keep, every chunk is new).
ChunkPlan plan_chunks(const std::vector<ChunkPiece>& pieces, const std::vector<std::vector<store::LedgerChunk>>& old);

// A record of a new chunk on some rank: where it is and whether the file's old version had it.
struct ChunkRecord {
  std::uint32_t file = 0;
  std::uint64_t offset = 0, end = 0, lines_before = 0, records_before = 0;
  std::uint64_t hash = 0;  // record_hash(), masked to kRecordHashBits
  std::uint64_t sku = 0;   // sku_hash(), masked to kSkuHashBits; 0 for a reject
};

// Which of a list of masked record hashes occur in a file's old version, whose chunks'
// record sets are looked through one at a time (only the list is held whole).
class OccurrenceCheck {
 public:
  explicit OccurrenceCheck(std::vector<std::uint64_t> hashes);
  // `old_set` sorted: one chunk's record set, or a whole file's (fewer, longer passes when
  // the list is long).
  void look_in(const std::vector<std::uint64_t>& old_set);
  // One flag per hash, in the order given.
  std::vector<std::uint8_t> flags() const;
  std::size_t size() const { return sorted_.size(); }

 private:
  void mark(std::size_t at, std::uint64_t h);
  std::vector<std::uint32_t> order_;
  std::vector<std::uint64_t> sorted_;
  std::vector<std::uint8_t> seen_;
};

}  // namespace lfp
