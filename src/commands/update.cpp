// `lfp_mpi update`: changes (or with --insert creates) one product; the triggers keep
// product_counts right, and an existing snapshot is refreshed.
#include <memory>
#include <optional>

#include "commands/command.hpp"
#include "commands/on_root.hpp"
#include "commands/snapshot.hpp"
#include "store/edit_session.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

struct UpdateOptions {
  std::string db = "products.db", h5, sku;
  std::optional<std::string> name, description;
  bool insert = false, no_h5 = false, quiet = false;
  std::string command;
};

int update(const UpdateOptions& opt) {
  // Before the database is opened: a run that could change nothing is a mistake, not a run.
  if (!opt.name && !opt.description)
    throw Error(kExitUsage,
                "update --sku " + opt.sku + ": nothing to change: add --name NAME and/or --description TEXT");
  check_snapshot_before_edit(opt.db, opt.h5, opt.no_h5);
  store::EditSession edit(opt.db, "update", opt.command);
  const auto current = edit.products().find(opt.sku);
  if (!current && !opt.insert)
    throw Error(kExitNotFound, "database " + opt.db + ": no product has sku '" + opt.sku + "' (--insert creates it)");
  if (!current && !opt.name)
    throw Error(kExitUsage, "--insert of the new sku '" + opt.sku + "' needs --name");
  if (opt.sku.empty()) throw Error(kExitUsage, "--sku must not be empty");
  const std::string name = opt.name ? *opt.name : current->name;
  const std::string description = opt.description ? *opt.description : current ? current->description : "";
  store::EditCounts counts;
  switch (edit.products().put(opt.sku, name, description)) {
    case store::Change::Inserted: counts.inserted = 1; break;
    case store::Change::Updated: counts.updated = 1; break;
    case store::Change::Unchanged: counts.unchanged = 1; break;
  }
  const auto run = edit.commit(counts);
  if (!opt.quiet)
    log::info(std::string(counts.inserted ? "inserted" : counts.updated ? "updated" : "left unchanged") + " sku '" +
              opt.sku + "' in " + opt.db + " (run " + std::to_string(run) + ")");
  if (counts.unchanged == 0) refresh_snapshot_after_edit(opt.db, opt.h5, opt.no_h5, opt.quiet, run);
  return kExitOk;
}

}  // namespace

Command add_update(CLI::App& app, const std::string& command_line) {
  auto opt = std::make_shared<UpdateOptions>();
  opt->command = command_line;
  auto* sub = app.add_subcommand("update", "Change one product (--insert: create it if absent)");
  sub->add_option("--db", opt->db, "database to edit (never created)")->capture_default_str();
  sub->add_option("--sku", opt->sku, "the product's sku")->required();
  sub->add_option("--name", opt->name, "new name");
  sub->add_option("--description", opt->description, "new description");
  sub->add_flag("--insert", opt->insert, "create the product when no product has this sku");
  auto* h5 = sub->add_option("--h5", opt->h5, "snapshot to refresh (default: the database path with .h5, if present)");
  sub->add_flag("--no-h5", opt->no_h5, "leave the snapshot stale")->excludes(h5);
  sub->add_flag("-q,--quiet", opt->quiet, "print errors only");
  return {sub, [opt](const mpi::Comm& comm) { return on_root(comm, [&] {
              try {
                return update(*opt);
              } catch (const Error& e) {
                if (e.code() == kExitOutput) store::note_unfinished_write(opt->db);
                throw;
              }
            }); }, true};
}

}  // namespace lfp
