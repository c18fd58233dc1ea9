#pragma once
// `lfp_mpi snapshot`: re-exports the HDF5 snapshot from the database. Also what the edit
// commands call afterwards to keep an existing snapshot current.
#include <string>

namespace lfp {

// After an edit of `db`: refreshes the snapshot at `h5` (default: beside the database) when
// one exists there or `h5` was given; with `no_h5`, says that it is left stale.
void refresh_snapshot_after_edit(const std::string& db, const std::string& h5, bool no_h5, bool quiet);

// An ingest that found every input unchanged: writes the snapshot at `h5` again when it is
// missing, unreadable or mirrors another database state (a run killed between its commit
// and the snapshot's rename leaves one behind). Returns true when it wrote it.
bool refresh_stale_snapshot(const std::string& db, const std::string& h5);

}  // namespace lfp
