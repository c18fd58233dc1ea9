// `lfp_mpi update`: changes (or with --insert creates) one product; the triggers keep
// product_counts right, and an existing snapshot is refreshed.
#include <memory>
#include <optional>

#include "commands/command.hpp"
#include "commands/database_options.hpp"
#include "commands/snapshot.hpp"
#include "csv/utf8.hpp"
#include "store/edit_session.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

struct UpdateOptions : EditOptions {
  std::string sku;
  std::optional<std::string> name, description;
  bool insert = false;
};

int update(const UpdateOptions& opt) {
  // Before the database is opened: a run that could change nothing is a mistake, not a run.
  if (!opt.name && !opt.description)
    throw Error(kExitUsage,
                "update --sku " + opt.sku + ": nothing to change: add --name NAME and/or --description TEXT");
  // What an ingest would reject is refused here too: a stored value that is not text breaks
  // verify, the JSON output and the snapshot's readers.
  const std::pair<const char*, const std::string*> given[] = {
      {"--sku", &opt.sku},
      {"--name", opt.name ? &*opt.name : nullptr},
      {"--description", opt.description ? &*opt.description : nullptr}};
  for (const auto& [option, value] : given) {
    if (!value) continue;
    const auto check = csv::check_text(*value);
    if (check != csv::TextCheck::Ok)
      throw Error(kExitUsage, std::string(option) + ": " +
                                  (check == csv::TextCheck::HasNul ? "holds a NUL byte" : "is not valid UTF-8") +
                                  " (an ingest would reject such a record); nothing was changed");
  }
  check_snapshot_before_edit(opt);
  store::EditSession edit(opt.db, "update", opt.command);
  const auto current = edit.products().find(opt.sku);
  if (!current && !opt.insert)
    throw Error(kExitNotFound, "database " + opt.db + ": no product has sku '" + opt.sku + "' (--insert creates it)");
  if (!current && !opt.name) throw Error(kExitUsage, "--insert of the new sku '" + opt.sku + "' needs --name");
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
    log::info(std::string(counts.inserted  ? "inserted"
                          : counts.updated ? "updated"
                                           : "left unchanged") +
              " sku '" + opt.sku + "' in " + opt.db + " (run " + std::to_string(run) + ")");
  if (counts.unchanged == 0) refresh_snapshot_after_edit(opt, run);
  return kExitOk;
}

}  // namespace

Command add_update(CLI::App& app, const std::string& command_line) {
  return add_edit_command<UpdateOptions>(
      app, command_line, "update", "Change one product (--insert: create it if absent)",
      [](CLI::App& sub, UpdateOptions& opt) {
        sub.add_option("--sku", opt.sku, "the product's sku")->required();
        sub.add_option("--name", opt.name, "new name");
        sub.add_option("--description", opt.description, "new description");
        sub.add_flag("--insert", opt.insert, "create the product when no product has this sku");
      },
      update);
}

}  // namespace lfp
