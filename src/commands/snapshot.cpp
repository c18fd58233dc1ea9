#include "commands/snapshot.hpp"

#include <filesystem>
#include <memory>

#include "commands/command.hpp"
#include "commands/database_options.hpp"
#include "commands/on_root.hpp"
#include "ingest/input_files.hpp"
#include "store/h5_reader.hpp"
#include "store/h5_snapshot.hpp"
#include "store/schema.hpp"
#include "store/snapshot_path.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

void export_from(const std::string& db_path, const std::string& h5, const char* generator) {
  auto db = store::open_existing(db_path, store::Connection::Mode::ReadOnly);
  store::SnapshotInfo info;
  info.generator = generator;
  info.created_at = utc_now();
  store::export_snapshot(db, h5, info);
}

}  // namespace

namespace {

// The snapshot an edit keeps current: "" when there is none to refresh.
std::string snapshot_to_refresh(const std::string& db, const std::string& h5_option, bool no_h5) {
  const std::string h5 = store::snapshot_path(db, h5_option);
  std::error_code ec;
  if (no_h5 || (!std::filesystem::exists(h5, ec) && h5_option.empty())) return "";
  return h5;
}

}  // namespace

void check_snapshot_before_edit(const DatabaseOptions& edit) {
  const std::string h5 = snapshot_to_refresh(edit.db, edit.h5, edit.no_h5);
  if (!h5.empty()) check_output_path(h5, "snapshot");
}

void refresh_snapshot_after_edit(const DatabaseOptions& edit, std::int64_t run) {
  const std::string& db = edit.db;
  const std::string h5 = snapshot_to_refresh(db, edit.h5, edit.no_h5);
  std::error_code ec;
  if (edit.no_h5) {
    const std::string stale = store::snapshot_path(db, edit.h5);
    if (std::filesystem::exists(stale, ec))
      log::warning("the snapshot " + stale + " no longer mirrors the database (--no-h5): 'lfp_mpi snapshot --db " + db +
                   "' refreshes it");
    return;
  }
  if (h5.empty()) return;  // no snapshot to keep current
  try {
    export_from(db, h5, "lfp_mpi snapshot");
  } catch (const Error& e) {
    throw Error(kExitSnapshot, "run " + std::to_string(run) + " is committed to " + db + ", but the snapshot " + h5 +
                                   " could not be written (" + e.what() + "); it is stale: 'lfp_mpi snapshot --db " +
                                   db + "' writes it");
  }
  if (!edit.quiet) log::info("refreshed the snapshot " + h5);
}

bool refresh_stale_snapshot(const std::string& db_path, const std::string& h5) {
  {
    auto db = store::open_existing(db_path, store::Connection::Mode::ReadOnly);
    std::error_code ec;
    if (std::filesystem::exists(h5, ec)) {
      try {
        if (store::H5Reader(h5).string_attribute("state") == store::state_token(db)) return false;
      } catch (const Error&) {
        // unreadable: written again below
      }
    }
  }
  export_from(db_path, h5, "lfp_mpi ingest");
  return true;
}

Command add_snapshot(CLI::App& app) {
  auto opt = std::make_shared<DatabaseOptions>();
  auto* sub = app.add_subcommand("snapshot", "Write the HDF5 snapshot of the database again");
  const DatabaseHelp help{.db = "database to export",
                          .h5 = "snapshot path (default: the database path with .h5)",
                          .quiet = "print errors only"};
  add_db_option(*sub, *opt, help);
  add_snapshot_options(*sub, *opt, help);
  return {sub,
          [opt](const mpi::Comm& comm) {
            return on_root(comm, [&] {
              const std::string h5 = store::snapshot_path(opt->db, opt->h5);
              std::error_code ec;
              if (std::filesystem::weakly_canonical(h5, ec) == std::filesystem::weakly_canonical(opt->db, ec))
                throw Error(kExitUsage, "the snapshot path " + h5 + " is the database path");
              check_output_path(h5, "snapshot");  // a directory, a missing one: named before the work
              export_from(opt->db, h5, "lfp_mpi snapshot");
              if (!opt->quiet) log::info("wrote " + h5 + " from " + opt->db);
              return kExitOk;
            });
          },
          true};
}

}  // namespace lfp
