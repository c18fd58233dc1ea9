// `lfp_mpi query`: reads the database: a summary, or one of --top, --sku, --name,
// --rejects, --runs, --sources, --vanished, as a table, CSV or JSON.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "commands/cli_options.hpp"
#include "commands/command.hpp"
#include "commands/database_options.hpp"
#include "commands/on_root.hpp"
#include "commands/output_format.hpp"
#include "ingest/digest.hpp"
#include "store/h5_reader.hpp"
#include "store/schema.hpp"
#include "store/snapshot_path.hpp"
#include "store/sources.hpp"
#include "util/mapped_file.hpp"

namespace lfp {
namespace {

struct QueryOptions : DatabaseOptions {
  std::optional<std::int64_t> top;
  std::optional<std::string> sku, name;
  bool rejects = false, runs = false, sources = false, vanished = false;
  Format format = Format::Table;
};

Rows select(store::Connection& db, const std::string& sql, const std::vector<std::string>& params = {}) {
  auto s = db.prepare(sql);
  for (std::size_t i = 0; i < params.size(); ++i) s.bind(static_cast<int>(i + 1), params[i]);
  Rows out;
  for (int c = 0; c < s.columns(); ++c) out.columns.push_back(s.column_name(c));
  while (s.step()) {
    std::vector<Value> row;
    for (int c = 0; c < s.columns(); ++c) {
      switch (sqlite3_column_type(s.get(), c)) {
        case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
        case SQLITE_INTEGER: row.emplace_back(s.integer(c)); break;
        case SQLITE_FLOAT: row.emplace_back(s.real(c)); break;
        default: row.emplace_back(std::string(s.text(c)));
      }
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

// Each ledger file with its status now: unchanged, changed or missing (digests recomputed).
Rows sources(store::Connection& db) {
  Rows out;
  out.columns = {"path", "status", "size", "digest", "records", "rejects", "run_id", "ingested_at"};
  for (const auto& [path, e] : store::read_ledger(db)) {
    std::string status = "missing";
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      try {
        const MappedFile file(path);
        status = file.bytes().size() == e.size && digest_of(file.bytes()) == e.digest ? "unchanged" : "changed";
      } catch (const Error&) {
        status = "missing";  // unreadable now
      }
    }
    out.rows.push_back(
        {path, status, static_cast<std::int64_t>(e.size), e.digest, e.records, e.rejects, e.run_id, e.ingested_at});
  }
  return out;
}

// The snapshot's state compared with the database's, in a word.
std::string snapshot_status(store::Connection& db, const std::string& db_path) {
  const std::string h5 = store::snapshot_path(db_path);
  std::error_code ec;
  if (!std::filesystem::exists(h5, ec)) return "none";
  try {
    store::H5Reader reader(h5);
    return reader.string_attribute("state") == store::state_token(db) ? "current" : "stale";
  } catch (const Error&) {
    return "unreadable";
  }
}

int query(const QueryOptions& opt) {
  auto db = store::open_existing(opt.db, store::Connection::Mode::ReadOnly);
  Rows rows;
  if (opt.top) {
    rows = select(
        db, "SELECT name, products FROM product_counts ORDER BY products DESC, name LIMIT " + std::to_string(*opt.top));
  } else if (opt.sku) {
    rows = select(db, "SELECT sku, name, description FROM products WHERE sku = ?1", {*opt.sku});
  } else if (opt.name) {
    rows = select(db, "SELECT sku, name, description FROM products WHERE name = ?1 ORDER BY sku", {*opt.name});
  } else if (opt.rejects) {
    rows = select(db, "SELECT run_id, file, line, byte_offset, reason, detail FROM rejects ORDER BY rowid");
  } else if (opt.runs) {
    rows = select(db,
                  "SELECT id, kind, started_at, ranks, files_read, files_skipped, records_read, rejects, inserted, "
                  "updated, unchanged, deleted, products, names, command FROM runs ORDER BY id");
  } else if (opt.sources) {
    rows = sources(db);
  } else if (opt.vanished) {
    // The last ingest that read a file: what vanished from the files it read.
    if (store::has_table(db, "vanished"))
      rows = select(db,
                    "SELECT sku, path, run_id, pruned FROM vanished WHERE run_id = (SELECT max(id) FROM runs WHERE "
                    "kind = 'ingest' AND files_read > 0) ORDER BY path, sku");
    else
      rows.columns = {"sku", "path", "run_id", "pruned"};
  } else {
    rows = select(
        db, std::string(store::has_table(db, "totals")
                            ? "SELECT (SELECT products FROM totals) AS products, (SELECT names FROM totals) AS names, "
                            : "SELECT (SELECT coalesce(sum(products), 0) FROM product_counts) AS products, "
                              "(SELECT count(*) FROM product_counts) AS names, ") +
                "(SELECT count(*) FROM rejects) AS rejects, "
                "(SELECT count(*) FROM runs) AS runs, (SELECT max(id) FROM runs) AS last_run, "
                "(SELECT started_at FROM runs ORDER BY id DESC LIMIT 1) AS last_run_at");
    rows.columns.push_back("snapshot");
    rows.rows[0].push_back(snapshot_status(db, opt.db));
    std::fputs(render(rows, opt.format).c_str(), stdout);
    if (opt.format == Format::Table) {
      std::fputs("\nlast runs:\n", stdout);
      std::fputs(render(select(db,
                               "SELECT id, kind, started_at, records_read, rejects, inserted, updated, unchanged, "
                               "deleted FROM runs ORDER BY id DESC LIMIT 5"),
                        opt.format)
                     .c_str(),
                 stdout);
    }
    return kExitOk;
  }
  std::fputs(render(rows, opt.format).c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_query(CLI::App& app) {
  auto opt = std::make_shared<QueryOptions>();
  auto* sub =
      app.add_subcommand("query", "Print a summary, or products, counts, rejects, runs, sources or vanished skus");
  add_db_option(*sub, *opt, {.db = "database to read"});
  auto* top = add_whole_number(sub, "--top", opt->top, "the N names with most products (ties by name)", 0,
                               std::uint64_t{1} << 40);
  auto* sku = sub->add_option("--sku", opt->sku, "the product with this sku");
  auto* name = sub->add_option("--name", opt->name, "the products with this name, in sku order");
  auto* rejects = sub->add_flag("--rejects", opt->rejects, "every rejected record");
  auto* runs = sub->add_flag("--runs", opt->runs, "every run");
  auto* sources = sub->add_flag("--sources", opt->sources, "the sources ledger, with each file's status now");
  auto* vanished = sub->add_flag("--vanished", opt->vanished,
                                 "the skus that vanished from the files the last ingest read (with --prune: deleted "
                                 "unless another file holds them)");
  const std::vector<CLI::Option*> forms{top, sku, name, rejects, runs, sources, vanished};
  for (auto* a : forms)
    for (auto* b : forms)
      if (a != b) a->excludes(b);
  add_choice(sub, "--format", opt->format, "table, csv or json (any case)", {"table", "csv", "json"});
  return {sub, [opt](const mpi::Comm& comm) { return on_root(comm, [&] { return query(*opt); }); }, true};
}

}  // namespace lfp
