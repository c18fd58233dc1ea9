#pragma once
// One ingest run's changes to the database, as one transaction. A new database is built in
// a temporary file beside the target (no journal, bulk inserts in key order, indexes and
// triggers afterwards) and linked into place on commit; an existing one gets its new and
// changed products in products_recent (folded into products_main when that grows large),
// inside a single transaction. Either way a failed or killed run leaves what was there before.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "records/row_codec.hpp"
#include "store/bulk_insert.hpp"
#include "store/products.hpp"
#include "store/run_stats.hpp"
#include "store/sqlite.hpp"
#include "util/temp_files.hpp"

namespace lfp::store {

// One input file as the sources ledger records it.
struct SourceRecord {
  std::string path;  // absolute
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string digest;  // hex
  std::int64_t records = 0, rejects = 0;
};

class ImportSession {
 public:
  // `cache_limit`: at most this many bytes of SQLite page cache (0: the session's own sizes,
  // 32-256 MiB), so that rank 0 keeps to a memory budget (--mem-per-rank).
  explicit ImportSession(std::string path, std::uint64_t cache_limit = 0);
  // A new database whose products_main and product_counts, with their indexes, were written
  // by hand into `built` (sqlite_file/, ingest/page_plan.hpp) and hold `products` products:
  // the session adds the rest of the schema, the rejects and the run, and publishes `built`
  // as `path` on commit. add_product and add_count are not called.
  ImportSession(std::string path, std::unique_ptr<TempFile> built, std::int64_t products);
  ~ImportSession();
  ImportSession(const ImportSession&) = delete;
  ImportSession& operator=(const ImportSession&) = delete;

  // True when the products table started empty (a new database, or an empty one): the
  // import then writes products_main and product_counts directly, and the database ends up
  // holding exactly the merged stream.
  bool started_empty() const { return started_empty_; }
  std::int64_t run_id() const { return run_id_; }
  Connection& connection() { return *db_; }

  // How many products the run will bring (before add_product): an update large next to
  // products_recent rebuilds that table's name index once instead of changing it row by row.
  void expect(std::int64_t incoming);
  void add_reject(const std::string& file_name, const RejectView& reject);
  void add_product(const RowView& row);    // call in sku order
  void add_count(const NameCount& count);  // call in name order; used only when started_empty()
  // Writes pending rows and brings counts, indexes and triggers up to date. Returns the new
  // database state token (the snapshot records it).
  std::string finish_import();

  std::int64_t inserted() const { return inserted_; }
  std::int64_t updated() const { return updated_; }
  std::int64_t unchanged() const { return unchanged_; }
  // True when finish_import() folded products_recent into products_main.
  bool folded() const { return folded_; }

  void record_sources(const std::vector<SourceRecord>& sources, const std::string& when);
  // Fills in the run row from `run` (totals of products and names are read from the
  // database); `files`: the inputs as given, newline-separated.
  void record_run(const RunStats& run, const std::string& command = "", const std::string& files = "");
  // Makes the run visible: commit, and for a new database, sync and link into place.
  void commit();

 private:
  Change classify(const RowView& row);  // sets old_name_ for Updated
  void prepare_run();                   // the reject statement and the run row
  // Destroyed in reverse: statements before the connection, the connection before its
  // temporary file, also when the constructor throws.
  std::string path_;
  bool started_empty_ = false, folded_ = false, prebuilt_ = false;
  std::int64_t run_id_ = 0;
  std::int64_t inserted_ = 0, updated_ = 0, unchanged_ = 0;
  std::string old_name_;          // scratch for classify()
  std::int64_t recent_rows_ = 0;  // rows in products_recent, counted once and then kept
  std::uint64_t cache_limit_ = 0;
  std::unique_ptr<TempFile> temp_;  // a new database is built here
  std::unique_ptr<Connection> db_;
  std::optional<Transaction> transaction_;
  std::unique_ptr<BulkInsert> products_, counts_;
  std::unique_ptr<SplitLookup> lookup_;  // an update's lookups of stored products
  NameDeltas deltas_;
  std::unique_ptr<Statement> insert_reject_;
};

}  // namespace lfp::store
