#include "store/sources.hpp"

#include <filesystem>

#include "store/schema.hpp"

namespace lfp::store {

std::map<std::string, LedgerEntry> read_ledger(Connection& db) {
  std::map<std::string, LedgerEntry> out;
  if (!has_table(db, "sources")) return out;
  auto s = db.prepare(
      "SELECT path, size, mtime_ns, digest, records, rejects, run_id, ingested_at FROM sources ORDER BY path");
  while (s.step()) {
    LedgerEntry e{std::string(s.text(0)), static_cast<std::uint64_t>(s.integer(1)),
                  s.integer(2),           std::string(s.text(3)),
                  s.integer(4),           s.integer(5),
                  s.integer(6),           std::string(s.text(7))};
    out.emplace(e.path, std::move(e));
  }
  return out;
}

std::map<std::string, LedgerEntry> read_ledger(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  Connection db(path, Connection::Mode::ReadOnly);
  check_readable(db);
  return read_ledger(db);
}

}  // namespace lfp::store
