#include "store/edit_session.hpp"

#include "csv/utf8.hpp"
#include "store/schema.hpp"
#include "util/clock.hpp"

namespace lfp::store {
namespace {

// Upgrades an older database before the first statement on products is prepared.
Connection& upgraded(Connection& db) {
  check_and_upgrade(db);
  return db;
}

}  // namespace

EditSession::EditSession(const std::string& path, std::string kind, std::string command)
    : kind_(std::move(kind)),
      command_(std::move(command)),
      started_at_(utc_now()),
      db_(open_existing(path, Connection::Mode::ReadWrite)),
      transaction_(db_),
      products_(upgraded(db_)) {}

std::int64_t EditSession::commit(const EditCounts& c) {
  auto s = db_.prepare(
      "INSERT INTO runs(started_at, command, ranks, files, records_read, rows_written, rejects, inserted, updated, "
      "unchanged, deleted, files_read, files_skipped, kind, products, names) "
      "VALUES(?1, ?2, 1, '', 0, ?3, 0, ?4, ?5, ?6, ?7, 0, 0, ?8, "
      "(SELECT products FROM totals), (SELECT names FROM totals))");
  s.bind(1, started_at_)
      .bind(2, csv::escape_invalid_utf8(command_))
      .bind(3, c.inserted + c.updated + c.deleted)
      .bind(4, c.inserted)
      .bind(5, c.updated)
      .bind(6, c.unchanged)
      .bind(7, c.deleted)
      .bind(8, kind_)
      .run();
  const std::int64_t id = db_.last_insert_rowid();
  transaction_.commit();
  return id;
}

}  // namespace lfp::store
