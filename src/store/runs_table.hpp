#pragma once
// The runs table: one row per run that changed the database (ingest, update, delete). Its
// one writer, so that the row of every kind of run holds its figures the same way.
#include <cstdint>
#include <optional>
#include <string>

#include "store/run_stats.hpp"
#include "store/sqlite.hpp"

namespace lfp::store {

// What a runs row holds beyond the RunStats figures.
struct RunRow {
  std::string kind;                     // "ingest", "update", "delete"
  std::string command;                  // the whole command line, as typed
  std::string files;                    // the input paths, one per line ("" for an edit)
  std::optional<std::int64_t> deleted;  // edits only (NULL in an ingest's row)
};

// Writes the row of run `id` (0: a new row) with `run`'s figures and the totals as the
// database holds them now; returns its id. Call inside the run's transaction.
std::int64_t write_run(Connection& db, std::int64_t id, const RunStats& run, const RunRow& row);

}  // namespace lfp::store
