#pragma once
// `lfp_mpi snapshot`: re-exports the HDF5 snapshot from the database. Also what the edit
// commands call afterwards to keep an existing snapshot current.
#include <cstdint>
#include <string>

#include "commands/database_options.hpp"

namespace lfp {

// Before an edit of `edit.db` commits: the snapshot it will refresh must be writable (exit
// 5, the database unchanged), so that a failure after the commit is rare.
void check_snapshot_before_edit(const DatabaseOptions& edit);
// After an edit of `edit.db` committed as run `run`: refreshes the snapshot at `edit.h5`
// (default: beside the database) when one exists there or --h5 was given; with --no-h5,
// says that it is left stale. A failure is exit 8 (committed, snapshot stale), saying so.
void refresh_snapshot_after_edit(const DatabaseOptions& edit, std::int64_t run);

// An ingest that found every input unchanged: writes the snapshot at `h5` again when it is
// missing, unreadable or mirrors another database state (a run killed between its commit
// and the snapshot's rename leaves one behind). Returns true when it wrote it.
bool refresh_stale_snapshot(const std::string& db, const std::string& h5);

}  // namespace lfp
