#include "store/runs_table.hpp"

#include "csv/utf8.hpp"

namespace lfp::store {

std::int64_t write_run(Connection& db, std::int64_t id, const RunStats& run, const RunRow& row) {
  // An edit has no phases; its row keeps phase_seconds NULL, as it always had.
  auto s = db.prepare(
      "INSERT OR REPLACE INTO runs(id, started_at, command, ranks, files, records_read, rows_written, rejects, "
      "phase_seconds, inserted, updated, unchanged, deleted, files_read, files_skipped, kind, products, names) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
      "(SELECT products FROM totals), (SELECT names FROM totals))");
  if (id > 0)
    s.bind(1, id);
  else
    s.bind_null(1);
  // File names need not be UTF-8; the TEXT columns must be. Values are bound without a
  // copy (SQLITE_STATIC), so they live in locals until the statement has run.
  const std::string command = csv::escape_invalid_utf8(row.command), files = csv::escape_invalid_utf8(row.files);
  const std::string phases = phase_seconds_json(run.phase_seconds);
  s.bind(2, run.started_at)
      .bind(3, command)
      .bind(4, static_cast<std::int64_t>(run.ranks))
      .bind(5, files)
      .bind(6, run.records_read)
      .bind(7, run.distinct_skus)
      .bind(8, run.rejected);
  if (run.phase_seconds.empty())
    s.bind_null(9);
  else
    s.bind(9, phases);
  s.bind(10, run.inserted).bind(11, run.updated).bind(12, run.unchanged);
  if (row.deleted)
    s.bind(13, *row.deleted);
  else
    s.bind_null(13);
  s.bind(14, run.files_read).bind(15, run.files_skipped).bind(16, row.kind).run();
  return db.last_insert_rowid();
}

}  // namespace lfp::store
