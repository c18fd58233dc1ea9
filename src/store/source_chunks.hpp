#pragma once
// The ledger's chunks (issue 20): each ingested file as the list of its content-defined
// chunks (ingest/record_chunks.hpp), each with its digest, record count and the coded sets
// of its record and sku hashes; and the column layout and chunk size it was cut with. A
// re-ingest of a changed file reads only chunks whose digest is not in this list.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace lfp::store {

// What a file's chunks were cut with: its header's column layout and the target chunk size.
struct SourceLayout {
  std::string columns;  // "fields,name,sku,description" (column indices)
  std::uint64_t chunk_bytes = 0;
  bool operator==(const SourceLayout&) const = default;
};

struct LedgerChunk {
  std::int64_t seq = 0;
  std::uint64_t digest = 0, records = 0;
};

// A chunk of a file's new version: the same as old chunk `old_seq`, or new with its hashes.
struct NewChunk {
  std::uint64_t digest = 0, records = 0;
  std::optional<std::int64_t> old_seq;
  std::string hashes;  // ChunkHashes::blob(), for a new chunk
};

// A file path as the ledger keys it: text, or a BLOB when it is not UTF-8.
void bind_path(Statement& s, int index, const std::string& path);

// The layout of every file in the ledger that has chunks.
std::map<std::string, SourceLayout> read_layouts(Connection& db);
// A file's chunks in order (without their hashes).
std::vector<LedgerChunk> read_chunks(Connection& db, const std::string& path);
// Calls fn(seq, blob) for the chunks of `path` (all of them, or those in `seqs`, sorted).
void for_each_chunk_blob(Connection& db, const std::string& path,
                         const std::function<void(std::int64_t, std::string_view)>& fn);
// Every chunk blob of every file: fn(blob).
void for_each_blob(Connection& db, const std::function<void(std::string_view)>& fn);
// Replaces a file's chunks and layout (inside the caller's transaction).
void replace_chunks(Connection& db, const std::string& path, const SourceLayout& layout,
                    const std::vector<NewChunk>& chunks);

}  // namespace lfp::store
