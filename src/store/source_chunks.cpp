#include "store/source_chunks.hpp"

#include "csv/utf8.hpp"
#include "store/schema.hpp"

namespace lfp::store {

void bind_path(Statement& s, int index, const std::string& path) {
  if (csv::check_text(path) == csv::TextCheck::InvalidUtf8)
    s.bind_blob(index, path);
  else
    s.bind(index, path);
}

std::map<std::string, SourceLayout> read_layouts(Connection& db) {
  std::map<std::string, SourceLayout> out;
  if (!has_table(db, "source_layouts")) return out;
  auto s = db.prepare("SELECT path, columns, chunk_bytes FROM source_layouts");
  while (s.step())
    out.emplace(std::string(s.text(0)), SourceLayout{std::string(s.text(1)), static_cast<std::uint64_t>(s.integer(2))});
  return out;
}

std::vector<LedgerChunk> read_chunks(Connection& db, const std::string& path) {
  std::vector<LedgerChunk> out;
  if (!has_table(db, "source_chunks")) return out;
  auto s = db.prepare("SELECT seq, digest, records FROM source_chunks WHERE path = ?1 ORDER BY seq");
  bind_path(s, 1, path);
  while (s.step())
    out.push_back({s.integer(0), static_cast<std::uint64_t>(s.integer(1)), static_cast<std::uint64_t>(s.integer(2))});
  return out;
}

void for_each_chunk_blob(Connection& db, const std::string& path,
                         const std::function<void(std::int64_t, std::string_view)>& fn) {
  if (!has_table(db, "source_chunks")) return;
  auto s = db.prepare("SELECT seq, hashes FROM source_chunks WHERE path = ?1 ORDER BY seq");
  bind_path(s, 1, path);
  while (s.step()) fn(s.integer(0), s.blob(1));
}

void for_each_blob(Connection& db, const std::function<void(std::string_view)>& fn) {
  if (!has_table(db, "source_chunks")) return;
  auto s = db.prepare("SELECT hashes FROM source_chunks");
  while (s.step()) fn(s.blob(0));
}

void replace_chunks(Connection& db, const std::string& path, const SourceLayout& layout,
                    const std::vector<NewChunk>& chunks) {
  // The old chunks move to negative numbers; the new list copies the kept ones from there.
  auto away = db.prepare("UPDATE source_chunks SET seq = -1 - seq WHERE path = ?1 AND seq >= 0");
  bind_path(away, 1, path);
  away.run();
  auto copy = db.prepare(
      "INSERT INTO source_chunks(path, seq, digest, records, hashes) "
      "SELECT path, ?2, digest, records, hashes FROM source_chunks WHERE path = ?1 AND seq = ?3");
  auto add = db.prepare("INSERT INTO source_chunks(path, seq, digest, records, hashes) VALUES(?1, ?2, ?3, ?4, ?5)");
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    const auto& c = chunks[k];
    if (c.old_seq) {
      bind_path(copy, 1, path);
      copy.bind(2, static_cast<std::int64_t>(k)).bind(3, -1 - *c.old_seq).run();
    } else {
      bind_path(add, 1, path);
      add.bind(2, static_cast<std::int64_t>(k))
          .bind(3, static_cast<std::int64_t>(c.digest))
          .bind(4, static_cast<std::int64_t>(c.records))
          .bind_blob(5, c.hashes)
          .run();
    }
  }
  auto gone = db.prepare("DELETE FROM source_chunks WHERE path = ?1 AND seq < 0");
  bind_path(gone, 1, path);
  gone.run();
  auto set = db.prepare(
      "INSERT INTO source_layouts(path, columns, chunk_bytes) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(path) DO UPDATE SET columns = excluded.columns, chunk_bytes = excluded.chunk_bytes");
  bind_path(set, 1, path);
  set.bind(2, layout.columns).bind(3, static_cast<std::int64_t>(layout.chunk_bytes)).run();
}

}  // namespace lfp::store
