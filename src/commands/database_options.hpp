#pragma once
// The options of the commands that work on one database from rank 0 (update, delete, query,
// verify, snapshot): --db, --h5/--no-h5 and -q, added with each command's help texts, and
// how such a command runs.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "commands/command.hpp"
#include "mpi/comm.hpp"

namespace lfp {

struct DatabaseOptions {
  std::string db = "products.db";
  std::string h5;  // --h5; empty: store::snapshot_path's default beside the database
  bool no_h5 = false, quiet = false;
};

// The help text of each option; a null one leaves that option out of the command.
struct DatabaseHelp {
  const char* db = nullptr;
  const char* h5 = nullptr;
  const char* no_h5 = nullptr;  // --no-h5 excludes --h5
  const char* quiet = nullptr;  // -q,--quiet
};

// The texts of the commands that edit products (update, delete).
inline constexpr DatabaseHelp kEditHelp{"database to edit (never created)",
                                        "snapshot to refresh (default: the database path with .h5, if present)",
                                        "leave the snapshot stale", "print errors only"};

// --db (with its default shown), first in the command's help.
void add_db_option(CLI::App& sub, DatabaseOptions& opt, const DatabaseHelp& help);
// --h5, --no-h5 and -q, those that `help` names, after the command's own options.
void add_snapshot_options(CLI::App& sub, DatabaseOptions& opt, const DatabaseHelp& help);

// Runs an edit of `db` on rank 0: an output error (exit 5) also notes, when it applies,
// that an unfinished write is rolled back by the next command (store::note_unfinished_write).
int edit_on_root(const mpi::Comm& comm, const std::string& db, const std::function<int()>& edit);

// The options of a command that edits products: the shared ones and the command line, which
// the runs row records.
struct EditOptions : DatabaseOptions {
  std::string command;
};

// Adds an edit command (update, delete): --db, then what `add_own` adds, then --h5, --no-h5
// and -q (kEditHelp); it runs `edit` through edit_on_root.
template <class Options>
Command add_edit_command(CLI::App& app, const std::string& command_line, const std::string& name,
                         const std::string& description, const std::function<void(CLI::App&, Options&)>& add_own,
                         int (*edit)(const Options&)) {
  auto opt = std::make_shared<Options>();
  opt->command = command_line;
  auto* sub = app.add_subcommand(name, description);
  add_db_option(*sub, *opt, kEditHelp);
  add_own(*sub, *opt);
  add_snapshot_options(*sub, *opt, kEditHelp);
  return {sub, [opt, edit](const mpi::Comm& comm) { return edit_on_root(comm, opt->db, [&] { return edit(*opt); }); },
          true};
}

}  // namespace lfp
