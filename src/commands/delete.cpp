// `lfp_mpi delete`: removes products by sku, all or none: an unknown sku changes nothing.
#include <memory>

#include "commands/command.hpp"
#include "commands/database_options.hpp"
#include "commands/snapshot.hpp"
#include "store/edit_session.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

struct DeleteOptions : EditOptions {
  std::vector<std::string> skus;
};

int remove(const DeleteOptions& opt) {
  check_snapshot_before_edit(opt);
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
  refresh_snapshot_after_edit(opt, run);
  return kExitOk;
}

}  // namespace

Command add_delete(CLI::App& app, const std::string& command_line) {
  return add_edit_command<DeleteOptions>(
      app, command_line, "delete", "Remove products by sku (all or none)",
      [](CLI::App& sub, DeleteOptions& opt) {
        sub.add_option("--sku", opt.skus, "sku to delete; repeat for more")->required();
      },
      remove);
}

}  // namespace lfp
