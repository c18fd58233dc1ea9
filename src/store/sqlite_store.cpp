#include "store/sqlite_store.hpp"

#include <cstdio>
#include <filesystem>

#include "error.hpp"
#include "records.hpp"
#include "temp_files.hpp"

namespace lfp {

struct SqliteStore::Db {
  sqlite3* handle = nullptr;
  ~Db() { sqlite3_close_v2(handle); }
};

struct SqliteStore::Stmt {
  sqlite3_stmt* handle = nullptr;
  ~Stmt() { sqlite3_finalize(handle); }
};

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS products(
  sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS product_counts(
  name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, command TEXT NOT NULL,
  ranks INTEGER NOT NULL, files TEXT NOT NULL, records_read INTEGER,
  rows_written INTEGER, rejects INTEGER, phase_seconds TEXT);
CREATE TABLE IF NOT EXISTS rejects(
  run_id INTEGER NOT NULL REFERENCES runs(id), file TEXT NOT NULL,
  line INTEGER NOT NULL, byte_offset INTEGER NOT NULL, reason TEXT NOT NULL,
  detail TEXT NOT NULL, record BLOB NOT NULL);
)sql";

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& doing) {
  throw Error(kExitOutput, "database " + path + ": " + doing + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

}  // namespace

void SqliteStore::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_->handle, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown error";
    sqlite3_free(msg);
    throw Error(kExitOutput, "database " + path_ + ": " + m);
  }
}

SqliteStore::SqliteStore(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path_, ec);
  if (ec) throw Error(kExitOutput, "database " + path_ + ": " + ec.message());
  std::string open_path = path_;
  if (!exists) {
    temp_ = std::make_unique<TempFile>(path_);
    open_path = temp_->path();
  }
  db_ = std::make_unique<Db>();
  if (sqlite3_open_v2(open_path.c_str(), &db_->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    fail(db_->handle, path_, "cannot open");
  sqlite3_busy_timeout(db_->handle, 10000);
  if (!exists) {
    // Nobody can see the temporary file: no journal, no syncs until the final fsync.
    exec("PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;");
  }
  exec("PRAGMA cache_size=-262144; PRAGMA temp_store=FILE;");
  exec("BEGIN IMMEDIATE");
  exec(kSchema);
  {
    // An existing file must be one of ours (or empty): check the columns we write.
    Stmt check;
    if (sqlite3_prepare_v2(db_->handle,
                           "SELECT (SELECT count(*) FROM products), sku, name, description FROM products LIMIT 0",
                           -1, &check.handle, nullptr) != SQLITE_OK)
      fail(db_->handle, path_, "not an lfp_mpi database (products table has other columns)");
    Stmt check2;
    if (sqlite3_prepare_v2(db_->handle, "SELECT name, products FROM product_counts LIMIT 0", -1, &check2.handle,
                           nullptr) != SQLITE_OK)
      fail(db_->handle, path_, "not an lfp_mpi database (product_counts table has other columns)");
    Stmt empty;
    sqlite3_prepare_v2(db_->handle, "SELECT NOT EXISTS (SELECT 1 FROM products)", -1, &empty.handle, nullptr);
    if (sqlite3_step(empty.handle) != SQLITE_ROW) fail(db_->handle, path_, "cannot read products");
    direct_ = sqlite3_column_int(empty.handle, 0) != 0;
  }
  // No products means no counts: clear any stale ones so direct inserts cannot collide.
  if (direct_) exec("DELETE FROM product_counts");
  std::string products_table = "products", counts_table = "product_counts";
  if (!direct_) {
    // Updates go through staging tables so the count changes can be worked out in SQL.
    exec(
        "CREATE TEMP TABLE incoming(sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) "
        "WITHOUT ROWID;"
        "CREATE TEMP TABLE incoming_counts(name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID;");
    products_table = "temp.incoming";
    counts_table = "temp.incoming_counts";
  }
  products_ = std::make_unique<BulkInsert>(db_->handle, products_table + "(sku, name, description)", 3, "products");
  counts_ = std::make_unique<BulkInsert>(db_->handle, counts_table + "(name, products)", 2, "product_counts");
  insert_reject_ = std::make_unique<Stmt>();
  if (sqlite3_prepare_v2(db_->handle,
                         "INSERT INTO rejects(run_id, file, line, byte_offset, reason, detail, record) "
                         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         -1, &insert_reject_->handle, nullptr) != SQLITE_OK)
    fail(db_->handle, path_, "cannot prepare statements");
  // The run row exists from the start so rejects can point at it; record_run() fills it in.
  exec("INSERT INTO runs(started_at, command, ranks, files) VALUES('', '', 0, '')");
  run_id_ = sqlite3_last_insert_rowid(db_->handle);
}

SqliteStore::~SqliteStore() {
  products_.reset();
  counts_.reset();
  insert_reject_.reset();
  if (!committed_ && db_->handle) sqlite3_exec(db_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteStore::add_reject(const std::string& file_name, const RejectView& r) {
  auto* s = insert_reject_->handle;
  const auto detail = reject_detail(static_cast<RejectReason>(r.reason), r.fields, r.expected);
  sqlite3_bind_int64(s, 1, run_id_);
  bind_text(s, 2, file_name);
  sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(r.line));
  sqlite3_bind_int64(s, 4, static_cast<sqlite3_int64>(key_offset(r.order)));
  bind_text(s, 5, reason_code(static_cast<RejectReason>(r.reason)));
  bind_text(s, 6, detail);
  sqlite3_bind_blob64(s, 7, r.record.data(), r.record.size(), SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE) fail(db_->handle, path_, "cannot insert reject");
  sqlite3_reset(s);
}

void SqliteStore::add_product(const RowView& row) {
  products_->text(row.sku);
  products_->text(row.name);
  products_->text(row.description);
  products_->end_row();
}

void SqliteStore::add_count(const NameCount& c) {
  counts_->text(c.name);
  counts_->integer(c.products);
  counts_->end_row();
}

void SqliteStore::finish_import() {
  products_->flush();
  counts_->flush();
  if (direct_) return;
  // New count = old count - replaced rows that had that name + incoming rows with it.
  // (WHERE true: SQLite needs it to tell an upsert from a join after INSERT ... SELECT.)
  exec(R"sql(
INSERT INTO temp.incoming_counts(name, products)
  SELECT p.name, -count(*) FROM temp.incoming i JOIN main.products p ON p.sku = i.sku
  WHERE true GROUP BY p.name
  ON CONFLICT(name) DO UPDATE SET products = products + excluded.products;
INSERT INTO main.product_counts(name, products)
  SELECT name, products FROM temp.incoming_counts WHERE true
  ON CONFLICT(name) DO UPDATE SET products = products + excluded.products;
DELETE FROM main.product_counts WHERE products = 0;
INSERT INTO main.products(sku, name, description)
  SELECT sku, name, description FROM temp.incoming WHERE true
  ON CONFLICT(sku) DO UPDATE SET name = excluded.name, description = excluded.description;
DROP TABLE temp.incoming;
DROP TABLE temp.incoming_counts;
)sql");
}

void SqliteStore::for_each_product(
    const std::function<void(std::string_view, std::string_view, std::string_view)>& fn) {
  Stmt s;
  if (sqlite3_prepare_v2(db_->handle, "SELECT sku, name, description FROM products ORDER BY sku", -1, &s.handle,
                         nullptr) != SQLITE_OK)
    fail(db_->handle, path_, "cannot read products");
  auto text = [&](int i) {
    return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s.handle, i)),
                            sqlite3_column_bytes(s.handle, i));
  };
  int rc;
  while ((rc = sqlite3_step(s.handle)) == SQLITE_ROW) fn(text(0), text(1), text(2));
  if (rc != SQLITE_DONE) fail(db_->handle, path_, "cannot read products");
}

void SqliteStore::for_each_count(const std::function<void(std::string_view, std::int64_t)>& fn) {
  Stmt s;
  if (sqlite3_prepare_v2(db_->handle, "SELECT name, products FROM product_counts ORDER BY name", -1, &s.handle,
                         nullptr) != SQLITE_OK)
    fail(db_->handle, path_, "cannot read product_counts");
  int rc;
  while ((rc = sqlite3_step(s.handle)) == SQLITE_ROW)
    fn(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s.handle, 0)),
                        sqlite3_column_bytes(s.handle, 0)),
       sqlite3_column_int64(s.handle, 1));
  if (rc != SQLITE_DONE) fail(db_->handle, path_, "cannot read product_counts");
}

void SqliteStore::record_run(const RunRecord& run) {
  std::string phases = "{";
  for (const auto& [name, secs] : run.phase_seconds) {
    char num[64];
    std::snprintf(num, sizeof num, "%.6f", secs);
    if (phases.size() > 1) phases += ", ";
    phases += "\"" + name + "\": " + num;
  }
  phases += "}";
  Stmt s;
  if (sqlite3_prepare_v2(db_->handle,
                         "UPDATE runs SET started_at=?1, command=?2, ranks=?3, files=?4, records_read=?5, "
                         "rows_written=?6, rejects=?7, phase_seconds=?8 WHERE id=?9",
                         -1, &s.handle, nullptr) != SQLITE_OK)
    fail(db_->handle, path_, "cannot record run");
  bind_text(s.handle, 1, run.started_at);
  bind_text(s.handle, 2, run.command);
  sqlite3_bind_int(s.handle, 3, run.ranks);
  bind_text(s.handle, 4, run.files);
  sqlite3_bind_int64(s.handle, 5, run.records_read);
  sqlite3_bind_int64(s.handle, 6, run.rows_written);
  sqlite3_bind_int64(s.handle, 7, run.rejects);
  bind_text(s.handle, 8, phases);
  sqlite3_bind_int64(s.handle, 9, run_id_);
  if (sqlite3_step(s.handle) != SQLITE_DONE) fail(db_->handle, path_, "cannot record run");
}

void SqliteStore::commit() {
  exec("COMMIT");
  if (!temp_) {
    committed_ = true;
    return;
  }
  products_.reset();
  counts_.reset();
  insert_reject_.reset();
  if (sqlite3_close_v2(db_->handle) != SQLITE_OK) fail(db_->handle, path_, "cannot close");
  db_->handle = nullptr;
  committed_ = true;
  temp_->publish(/*replace=*/false);
}

}  // namespace lfp
