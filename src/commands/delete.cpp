// `lfp_mpi delete`: removes products by sku, all or none: an unknown sku changes nothing.
#include <memory>

#include "commands/command.hpp"
#include "commands/on_root.hpp"
#include "commands/snapshot.hpp"
#include "store/edit_session.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

struct DeleteOptions {
  std::string db = "products.db", h5;
  std::vector<std::string> skus;
  bool no_h5 = false, quiet = false;
  std::string command;
};

int remove(const DeleteOptions& opt) {
  check_snapshot_before_edit(opt.db, opt.h5, opt.no_h5);
  store::EditSession edit(opt.db, "delete", opt.command);
  store::EditCounts counts;
  for (const auto& sku : opt.skus) {
    if (edit.products().remove(sku)) {
      ++counts.deleted;
    } else if (!edit.products().find(sku)) {
      // Not there (or named twice): the transaction rolls back, nothing is deleted.
      bool earlier = false;
      for (const auto& s : opt.skus) {
        if (&s == &sku) break;
        earlier |= s == sku;
      }
      if (!earlier)
        throw Error(kExitNotFound, "database " + opt.db + ": no product has sku '" + sku + "'; nothing was deleted");
    }
  }
  const auto run = edit.commit(counts);
  if (!opt.quiet)
    log::info("deleted " + log::count(counts.deleted, "product") + " from " + opt.db + " (run " + std::to_string(run) +
              ")");
  refresh_snapshot_after_edit(opt.db, opt.h5, opt.no_h5, opt.quiet, run);
  return kExitOk;
}

}  // namespace

Command add_delete(CLI::App& app, const std::string& command_line) {
  auto opt = std::make_shared<DeleteOptions>();
  opt->command = command_line;
  auto* sub = app.add_subcommand("delete", "Remove products by sku (all or none)");
  sub->add_option("--db", opt->db, "database to edit (never created)")->capture_default_str();
  sub->add_option("--sku", opt->skus, "sku to delete; repeat for more")->required();
  auto* h5 = sub->add_option("--h5", opt->h5, "snapshot to refresh (default: the database path with .h5, if present)");
  sub->add_flag("--no-h5", opt->no_h5, "leave the snapshot stale")->excludes(h5);
  sub->add_flag("-q,--quiet", opt->quiet, "print errors only");
  return {sub, [opt](const mpi::Comm& comm) { return on_root(comm, [&] {
              try {
                return remove(*opt);
              } catch (const Error& e) {
                if (e.code() == kExitOutput) store::note_unfinished_write(opt->db);
                throw;
              }
            }); }, true};
}

}  // namespace lfp
