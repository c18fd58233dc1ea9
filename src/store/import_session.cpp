#include "store/import_session.hpp"

#include <algorithm>
#include <filesystem>

#include "csv/utf8.hpp"
#include "records/order_key.hpp"
#include "records/reject.hpp"
#include "store/runs_table.hpp"
#include "store/schema.hpp"
#include "util/error.hpp"

namespace lfp::store {

namespace {
// `PRAGMA cache_size` in KiB (negative): `wanted` bytes, or at most `limit` when one is set.
std::string cache_pragma(std::uint64_t wanted, std::uint64_t limit) {
  const std::uint64_t bytes = limit > 0 ? std::min(wanted, limit) : wanted;
  return "PRAGMA cache_size=-" + std::to_string(std::max<std::uint64_t>(bytes >> 10, 64)) + ";";
}
}  // namespace

ImportSession::ImportSession(std::string path, std::uint64_t cache_limit)
    : path_(std::move(path)), cache_limit_(cache_limit) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path_, ec);
  if (ec) throw Error(kExitOutput, "database " + path_ + ": " + ec.message());
  std::string open_path = path_;
  if (!exists) {
    temp_ = std::make_unique<TempFile>(path_);
    open_path = temp_->path();
  }
  db_ = std::make_unique<Connection>(open_path, exists ? Connection::Mode::ReadWrite : Connection::Mode::Temporary,
                                     path_);
  if (!exists) {
    // Nobody can see the temporary file: no journal, no syncs until the final fsync.
    db_->exec(
        "PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;");
  }
  // threads: CREATE INDEX may sort on helper threads. The cache: a new database is written
  // left to right and needs little (128 MiB also bounds the index sort's memory; in one-off
  // trials at 10M rows a larger cache sorted slower); an update appends to products_recent
  // and reads products_main once, in key order, and needs less (fold_recent_into_main() raises it).
  db_->exec(cache_pragma((exists ? std::uint64_t{32} : std::uint64_t{128}) << 20, cache_limit_) + " PRAGMA threads=2;");
  // Statement journals (one per UPDATE of an existing database) in memory: as temporary
  // files they cost a write system call per page per statement.
  db_->exec(exists ? "PRAGMA temp_store=MEMORY;" : "PRAGMA temp_store=FILE;");
  transaction_.emplace(*db_);
  if (exists) {
    check_and_upgrade(*db_);
  } else {
    create_tables(*db_);
    db_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  }
  started_empty_ = db_->integer(
                       "SELECT NOT EXISTS (SELECT 1 FROM products_main) AND "
                       "NOT EXISTS (SELECT 1 FROM products_recent)") != 0;
  // The import keeps counts (and the state) itself: the per-row triggers would only slow it.
  drop_triggers(*db_);
  if (started_empty_) {
    // No products means no counts: clear any stale ones so direct inserts cannot collide.
    db_->exec("DELETE FROM product_counts");
    products_ = std::make_unique<BulkInsert>(*db_, "products_main(sku, name, description)", 3, "products");
    counts_ = std::make_unique<BulkInsert>(*db_, "product_counts(name, products)", 2, "product_counts");
  } else {
    // New and changed products go to products_recent, in sku order: into an empty one they
    // are appended (its name index is built once at the end), so the run writes about what
    // it brings, not what the database holds.
    recent_rows_ = db_->integer("SELECT count(*) FROM products_recent");
    const bool recent_empty = recent_rows_ == 0;
    if (recent_empty) db_->exec("DROP INDEX IF EXISTS products_recent_by_name");
    lookup_ = std::make_unique<SplitLookup>(*db_, !recent_empty);
    products_ = std::make_unique<BulkInsert>(
        *db_, "products_recent(sku, name, description)", 3, "products",
        recent_empty ? "" : "ON CONFLICT(sku) DO UPDATE SET name = excluded.name, description = excluded.description");
  }
  prepare_run();
}

ImportSession::ImportSession(std::string path, std::unique_ptr<TempFile> built, std::int64_t products)
    : path_(std::move(path)), started_empty_(true), prebuilt_(true), inserted_(products), temp_(std::move(built)) {
  db_ = std::make_unique<Connection>(temp_->path(), Connection::Mode::Temporary, path_);
  // As for any new database: nobody sees the file until it is published.
  db_->exec(
      "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-32768; "
      "PRAGMA temp_store=FILE;");
  transaction_.emplace(*db_);
  create_tables(*db_, products);  // the hand-written tables are there: IF NOT EXISTS skips them
  db_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  prepare_run();
}

void ImportSession::prepare_run() {
  insert_reject_ = std::make_unique<Statement>(*db_,
                                               "INSERT INTO rejects(run_id, file, line, byte_offset, reason, detail, "
                                               "record) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  // The run row exists from the start so rejects can point at it; record_run() fills it in.
  db_->exec("INSERT INTO runs(started_at, command, ranks, files) VALUES('', '', 0, '')");
  run_id_ = db_->last_insert_rowid();
}

ImportSession::~ImportSession() {
  // Statements first, then the transaction rolls back (unless committed), then the connection.
  insert_reject_.reset();
  lookup_.reset();
  products_.reset();
  counts_.reset();
  transaction_.reset();
}

void ImportSession::add_reject(const std::string& file_name, const RejectView& r) {
  const auto detail = reject_detail(static_cast<RejectReason>(r.reason), r.fields, r.expected);
  insert_reject_->bind(1, run_id_)
      .bind(2, csv::escape_invalid_utf8(file_name))
      .bind(3, static_cast<std::int64_t>(r.line))
      .bind(4, static_cast<std::int64_t>(key_offset(r.order)))
      .bind(5, reason_code(static_cast<RejectReason>(r.reason)))
      .bind(6, detail)
      .bind_blob(7, r.record)
      .run();
}

void ImportSession::add_product(const RowView& row) {
  if (prebuilt_) throw Error(kExitInternal, "a product added to a database built by hand");
  if (started_empty_) {
    products_->text(row.sku);
    products_->text(row.name);
    products_->text(row.description);
    products_->end_row();
    ++inserted_;
    return;
  }
  // Each sku comes once, so a product buffered for writing is never looked up again.
  const Change change = classify(row);
  if (change == Change::Unchanged) {
    ++unchanged_;
    return;
  }
  products_->text(row.sku);
  products_->text(row.name);
  products_->text(row.description);
  products_->end_row();
  if (change == Change::Inserted) {
    deltas_.add(row.name, 1);
    ++inserted_;
  } else {
    if (old_name_ != row.name) {
      deltas_.add(old_name_, -1);
      deltas_.add(row.name, 1);
    }
    ++updated_;
  }
}

Change ImportSession::classify(const RowView& row) {
  bool in_recent = false;
  const Change change = lookup_->classify(row.sku, row.name, row.description, old_name_, in_recent);
  // Written to products_recent: a new row there unless it was found there.
  if (change != Change::Unchanged && !in_recent) ++recent_rows_;
  return change;
}

void ImportSession::expect(std::int64_t incoming) {
  // A new database, or an empty products_recent: built in order anyway.
  if (started_empty_ || recent_rows_ == 0) return;
  // Upserts spread over a products_recent that already holds rows: as many random changes to
  // its name index cost more than rebuilding it once (create_indexes), unless they are few.
  if (cheaper_to_rebuild_index(incoming, recent_rows_)) db_->exec("DROP INDEX IF EXISTS products_recent_by_name");
}

void ImportSession::add_count(const NameCount& c) {
  if (!started_empty_) return;  // the product rules derive count changes from the rows themselves
  if (prebuilt_) throw Error(kExitInternal, "a count added to a database built by hand");
  counts_->text(c.name);
  counts_->integer(c.products);
  counts_->end_row();
}

std::string ImportSession::finish_import() {
  // A database built by hand has its products and counts already.
  if (!prebuilt_) products_->flush();
  if (started_empty_) {
    if (!prebuilt_) counts_->flush();
  } else {
    // Changes to many of the counts: rebuilding their index once (create_indexes) is cheaper
    // than moving that many entries in it.
    if (cheaper_to_rebuild_index(static_cast<std::int64_t>(deltas_.size()), db_->integer("SELECT names FROM totals")))
      db_->exec("DROP INDEX IF EXISTS product_counts_by_products");
    deltas_.apply(*db_);
    const std::int64_t products = db_->integer("SELECT product_rows FROM totals") + inserted_;
    if (recent_needs_fold(recent_rows_, products)) {
      products_.reset();
      fold_recent_into_main(*db_, cache_pragma(std::uint64_t{256} << 20, cache_limit_));
      folded_ = true;
    }
  }
  create_indexes(*db_);
  refresh_totals(*db_);
  // An import only inserts or updates products (the triggers that count them are off).
  db_->exec("UPDATE totals SET product_rows = " + std::string(started_empty_ ? "" : "product_rows + ") +
            std::to_string(inserted_));
  create_triggers(*db_);
  // Only a run that changed products gives the database a new state.
  if (inserted_ + updated_ > 0) return new_state_token(*db_);
  return state_token(*db_);
}

void ImportSession::record_sources(const std::vector<SourceRecord>& sources, const std::string& when) {
  auto s = db_->prepare(
      "INSERT INTO sources(path, size, mtime_ns, digest, records, rejects, run_id, ingested_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
      "mtime_ns = excluded.mtime_ns, digest = excluded.digest, records = excluded.records, "
      "rejects = excluded.rejects, run_id = excluded.run_id, ingested_at = excluded.ingested_at");
  for (const auto& src : sources) {
    // The ledger's key must be the exact name: one that is not UTF-8 is stored as a BLOB.
    if (csv::check_text(src.path) == csv::TextCheck::InvalidUtf8)
      s.bind_blob(1, src.path);
    else
      s.bind(1, src.path);
    s.bind(2, static_cast<std::int64_t>(src.size))
        .bind(3, src.mtime_ns)
        .bind(4, src.digest)
        .bind(5, src.records)
        .bind(6, src.rejects)
        .bind(7, run_id_)
        .bind(8, when)
        .run();
  }
}

void ImportSession::record_run(const RunStats& run, const std::string& command, const std::string& files) {
  write_run(*db_, run_id_, run, {"ingest", command, files, std::nullopt});
}

void ImportSession::commit() {
  insert_reject_.reset();
  lookup_.reset();
  products_.reset();
  counts_.reset();
  transaction_->commit();
  if (!temp_) return;
  db_->close();
  temp_->publish(/*replace=*/false);
}

}  // namespace lfp::store
