#include "commands/database_options.hpp"

#include "commands/cli_options.hpp"
#include "commands/on_root.hpp"
#include "store/sqlite.hpp"
#include "util/error.hpp"

namespace lfp {

void add_db_option(CLI::App& sub, DatabaseOptions& opt, const DatabaseHelp& help) {
  sub.add_option("--db", opt.db, help.db)->capture_default_str()->check(non_empty_path("database"));
}

void add_snapshot_options(CLI::App& sub, DatabaseOptions& opt, const DatabaseHelp& help) {
  CLI::Option* h5 = help.h5 ? sub.add_option("--h5", opt.h5, help.h5)->check(non_empty_path("snapshot")) : nullptr;
  if (help.no_h5) {
    auto* no_h5 = sub.add_flag("--no-h5", opt.no_h5, help.no_h5);
    if (h5) no_h5->excludes(h5);
  }
  if (help.quiet) sub.add_flag("-q,--quiet", opt.quiet, help.quiet);
}

int edit_on_root(const mpi::Comm& comm, const std::string& db, const std::function<int()>& edit) {
  return on_root(comm, [&] {
    try {
      return edit();
    } catch (const Error& e) {
      if (e.code() == kExitOutput) store::note_unfinished_write(db);
      throw;
    }
  });
}

}  // namespace lfp
