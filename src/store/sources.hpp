#pragma once
// The sources ledger: one row per input file ever ingested (absolute path, size, mtime,
// content digest, records, rejects, run). Ingest skips a file whose path, size and digest
// equal its last successful ingest; modification times are recorded, not trusted.
#include <cstdint>
#include <map>
#include <string>

#include "store/sqlite.hpp"

namespace lfp::store {

struct LedgerEntry {
  std::string path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string digest;
  std::int64_t records = 0, rejects = 0, run_id = 0;
  std::string ingested_at;
};

// The ledger of `connection` by absolute path (empty for a database without one).
std::map<std::string, LedgerEntry> read_ledger(Connection& connection);
// The ledger of the database at `path`, read-only; empty when there is no database yet.
std::map<std::string, LedgerEntry> read_ledger(const std::string& path);

}  // namespace lfp::store
