#include "store/edit_session.hpp"

#include "store/runs_table.hpp"
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
  RunStats run;
  run.started_at = started_at_;
  run.ranks = 1;
  run.distinct_skus = c.inserted + c.updated + c.deleted;  // rows written
  run.inserted = c.inserted;
  run.updated = c.updated;
  run.unchanged = c.unchanged;
  const std::int64_t id = write_run(db_, 0, run, {kind_, command_, "", c.deleted});
  transaction_.commit();
  return id;
}

}  // namespace lfp::store
