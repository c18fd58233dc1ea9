#include "store/schema.hpp"

#include <filesystem>
#include <set>

#include "util/error.hpp"
#include "util/log.hpp"

namespace lfp::store {
namespace {

// products is a view over two tables, so that an update costs what the update is: a new
// database goes into products_main in one sorted pass; later ingests and edits go into
// products_recent (a deleted product is a row with NULL name and description there, which
// hides its products_main row) until it holds a quarter as many rows as there are products,
// when the ingest folds it into products_main (ImportSession::fold_recent).
constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS products_main(
  sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS products_recent(
  sku TEXT PRIMARY KEY, name TEXT, description TEXT,
  CHECK ((name IS NULL) = (description IS NULL))) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS products(sku, name, description) AS
  SELECT sku, name, description FROM products_recent WHERE name IS NOT NULL
  UNION ALL
  SELECT sku, name, description FROM products_main AS m
    WHERE NOT EXISTS (SELECT 1 FROM products_recent AS r WHERE r.sku = m.sku);
CREATE TABLE IF NOT EXISTS product_counts(
  name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, command TEXT NOT NULL,
  ranks INTEGER NOT NULL, files TEXT NOT NULL, records_read INTEGER,
  rows_written INTEGER, rejects INTEGER, phase_seconds TEXT,
  inserted INTEGER, updated INTEGER, unchanged INTEGER, products INTEGER, names INTEGER,
  files_read INTEGER, files_skipped INTEGER, deleted INTEGER, kind TEXT NOT NULL DEFAULT 'ingest');
CREATE TABLE IF NOT EXISTS rejects(
  run_id INTEGER NOT NULL REFERENCES runs(id), file TEXT NOT NULL,
  line INTEGER NOT NULL, byte_offset INTEGER NOT NULL, reason TEXT NOT NULL,
  detail TEXT NOT NULL, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
  path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL,
  records INTEGER NOT NULL, rejects INTEGER NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(id),
  ingested_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_chunks(
  path TEXT NOT NULL, seq INTEGER NOT NULL, digest INTEGER NOT NULL, records INTEGER NOT NULL,
  hashes BLOB NOT NULL, PRIMARY KEY(path, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_layouts(
  path TEXT PRIMARY KEY, columns TEXT NOT NULL, chunk_bytes INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vanished(
  run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL, sku TEXT NOT NULL,
  pruned INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals(
  id INTEGER PRIMARY KEY CHECK (id = 1), products INTEGER NOT NULL, names INTEGER NOT NULL,
  product_rows INTEGER NOT NULL DEFAULT 0);
INSERT OR IGNORE INTO meta(key, value) VALUES('state', lower(hex(randomblob(16))));
)sql";

// Columns that runs gained after version 1 (ALTER TABLE for older databases).
constexpr const char* kRunColumnsV2[][2] = {
    {"inserted", "INTEGER"},      {"updated", "INTEGER"}, {"unchanged", "INTEGER"},
    {"products", "INTEGER"},      {"names", "INTEGER"},   {"files_read", "INTEGER"},
    {"files_skipped", "INTEGER"}, {"deleted", "INTEGER"}, {"kind", "TEXT NOT NULL DEFAULT 'ingest'"}};

constexpr const char* kIndexes = R"sql(
CREATE INDEX IF NOT EXISTS products_by_name ON products_main(name);
CREATE INDEX IF NOT EXISTS products_recent_by_name ON products_recent(name);
CREATE INDEX IF NOT EXISTS product_counts_by_products ON product_counts(products DESC, name);
)sql";

// A new random state on every change; the count triggers follow the GROUP BY, and the
// totals follow product_counts (so a summary needs no scan). totals.product_rows follows
// products itself: a hand edit of product_counts moves totals.products away from it, which
// check_counts_intact() sees without a scan. products is a view, so its triggers do the
// writes too, and must behave as a table would under each conflict clause. Inside a trigger
// SQLite applies the outer statement's clause (OR IGNORE, OR FAIL, ...) to the trigger's own
// statements, so each trigger first refuses what an ingest would reject (RAISE(ABORT): the
// statement is undone whatever its clause), then runs a probe: a write of the visible row
// onto itself, which conflicts exactly when the sku is taken. Under ABORT, FAIL and ROLLBACK
// the probe fails before anything is written; under IGNORE it changes no row (changes() is
// 0), and RAISE(IGNORE) skips the rest for that row; under REPLACE it rewrites the row as it
// was and the trigger goes on to replace it. After the probe nothing can fail.
// INSERT then copies a visible products_main row into products_recent, and the counts take
// off the row that was visible before and add the one visible after.
// UPDATE is DELETE then INSERT, after the same probe for a new sku.
constexpr const char* kRefuseRejects = R"sql(
  SELECT RAISE(ABORT, 'NOT NULL constraint failed: products.sku') WHERE NEW.sku IS NULL;
  SELECT RAISE(ABORT, 'NOT NULL constraint failed: products.name') WHERE NEW.name IS NULL;
  SELECT RAISE(ABORT, 'NOT NULL constraint failed: products.description') WHERE NEW.description IS NULL;
  SELECT RAISE(ABORT, 'products: sku, name and description must be text, not a BLOB (an ingest stores text)')
    WHERE typeof(NEW.sku) = 'blob' OR typeof(NEW.name) = 'blob' OR typeof(NEW.description) = 'blob';
  SELECT RAISE(ABORT, 'products: the sku must not be empty (an ingest rejects it: empty_sku)') WHERE NEW.sku = '';
  SELECT RAISE(ABORT, 'products: a value holds a NUL byte (an ingest rejects it: nul_byte)')
    WHERE instr(NEW.sku, char(0)) OR instr(NEW.name, char(0)) OR instr(NEW.description, char(0));
)sql";

// The probe for the sku `key` (an expression), when `when` holds: in products_recent when
// its row is there and visible, else in products_main when its row is visible there.
std::string probe(const std::string& key, const std::string& when) {
  const std::string recent_row = "FROM products_recent WHERE sku = " + key;
  const std::string main_only = "sku = " + key + " AND NOT EXISTS (SELECT 1 " + recent_row + ")";
  std::string sql;
  sql += "  INSERT INTO products_recent(sku, name, description) SELECT sku, name, description " + recent_row;
  sql += " AND name IS NOT NULL AND " + when + ";\n";
  sql += "  SELECT RAISE(IGNORE) WHERE changes() = 0 AND " + when + " AND EXISTS (SELECT 1 " + recent_row;
  sql += " AND name IS NOT NULL);\n";
  sql += "  INSERT INTO products_main(sku, name, description) SELECT sku, name, description FROM products_main";
  sql += " WHERE " + main_only + " AND " + when + ";\n";
  sql += "  SELECT RAISE(IGNORE) WHERE changes() = 0 AND " + when + " AND EXISTS (SELECT 1 FROM products_main";
  sql += " WHERE " + main_only + ");";
  return sql;
}

// The INSERT trigger's body with each NEW value as text: SQLite gives the view's TEXT
// affinity to an UPDATE's new values but not to an INSERT's, and a number must be stored as
// its text, as a TEXT column stores it (after kRefuseRejects, no value is a BLOB or NULL).
std::string as_text(std::string sql) {
  for (const char* column : {"sku", "name", "description"}) {
    const std::string from = std::string("NEW.") + column, to = "CAST(NEW." + std::string(column) + " AS TEXT)";
    for (auto at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size()))
      sql.replace(at, from.size(), to);
  }
  return sql;
}

std::string triggers() {
  return std::string("CREATE TRIGGER IF NOT EXISTS products_insert INSTEAD OF INSERT ON products BEGIN") +
         kRefuseRejects + as_text(probe("NEW.sku", "true") + R"sql(
  UPDATE product_counts SET products = products - 1 WHERE name = (SELECT name FROM products WHERE sku = NEW.sku);
  UPDATE totals SET product_rows = product_rows - (SELECT count(*) FROM products WHERE sku = NEW.sku);
  INSERT INTO products_recent(sku, name, description) SELECT sku, name, description FROM products_main
    WHERE sku = NEW.sku AND NOT EXISTS (SELECT 1 FROM products_recent WHERE sku = NEW.sku);
  DELETE FROM products_recent WHERE sku = NEW.sku AND name IS NULL;
  INSERT INTO products_recent(sku, name, description) VALUES(NEW.sku, NEW.name, NEW.description);
  INSERT INTO product_counts(name, products) SELECT name, 1 FROM products_recent WHERE sku = NEW.sku
    ON CONFLICT(name) DO UPDATE SET products = products + 1;
  DELETE FROM product_counts WHERE products <= 0;
  UPDATE totals SET product_rows = product_rows + 1;
  UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'state';
END;)sql") +
         R"sql(
CREATE TRIGGER IF NOT EXISTS products_delete INSTEAD OF DELETE ON products BEGIN
  UPDATE product_counts SET products = products - 1 WHERE name = OLD.name;
  DELETE FROM product_counts WHERE name = OLD.name AND products <= 0;
  INSERT INTO products_recent(sku, name, description) SELECT OLD.sku, NULL, NULL
    WHERE EXISTS (SELECT 1 FROM products_main WHERE sku = OLD.sku)
    ON CONFLICT(sku) DO UPDATE SET name = NULL, description = NULL;
  DELETE FROM products_recent WHERE sku = OLD.sku AND NOT EXISTS (SELECT 1 FROM products_main WHERE sku = OLD.sku);
  UPDATE totals SET product_rows = product_rows - 1;
  UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'state';
END;
CREATE TRIGGER IF NOT EXISTS products_update INSTEAD OF UPDATE ON products BEGIN)sql" +
         kRefuseRejects + probe("NEW.sku", "NEW.sku IS NOT OLD.sku") + R"sql(
  DELETE FROM products WHERE sku = OLD.sku;
  INSERT INTO products(sku, name, description) VALUES(NEW.sku, NEW.name, NEW.description);
END;
CREATE TRIGGER IF NOT EXISTS counts_insert AFTER INSERT ON product_counts BEGIN
  UPDATE totals SET products = products + NEW.products, names = names + 1;
END;
CREATE TRIGGER IF NOT EXISTS counts_update AFTER UPDATE ON product_counts BEGIN
  UPDATE totals SET products = products + NEW.products - OLD.products;
END;
CREATE TRIGGER IF NOT EXISTS counts_delete AFTER DELETE ON product_counts BEGIN
  UPDATE totals SET products = products - OLD.products, names = names - 1;
END;
)sql";
}

std::set<std::string> columns_of(Connection& db, const std::string& table) {
  std::set<std::string> out;
  auto s = db.prepare("SELECT name FROM pragma_table_info('" + table + "')");
  while (s.step()) out.emplace(s.text(0));
  return out;
}

void require_columns(Connection& db, const std::string& table, const std::set<std::string>& wanted) {
  const auto have = columns_of(db, table);
  if (have.empty()) return;  // created below (or a read-only open of an older database)
  for (const auto& c : wanted)
    if (!have.count(c))
      throw Error(kExitOutput,
                  "database " + db.label() + ": not an lfp_mpi database (table " + table + " has no column " + c + ")");
}

void check_ours(Connection& db) {
  require_columns(db, "products", {"sku", "name", "description"});
  require_columns(db, "product_counts", {"name", "products"});
  require_columns(db, "runs", {"id", "started_at", "files", "records_read"});
  require_columns(db, "rejects", {"run_id", "file", "line", "reason"});
}

}  // namespace

void create_tables(Connection& db, std::int64_t product_rows) {
  db.exec(kTables);
  // Only when missing: counting the products view costs a scan of both tables.
  if (db.integer("SELECT NOT EXISTS (SELECT 1 FROM totals)"))
    db.exec("INSERT INTO totals(id, products, names, product_rows) SELECT 1, coalesce(sum(products), 0), count(*), " +
            (product_rows < 0 ? std::string("(SELECT count(*) FROM products)") : std::to_string(product_rows)) +
            " FROM product_counts");
}
void create_indexes(Connection& db) { db.exec(kIndexes); }

std::vector<SchemaObject> new_database_schema() {
  // The objects in the order the SQLite path creates them: tables, indexes, triggers.
  Connection db(":memory:", Connection::Mode::Create);
  create_tables(db, 0);
  create_indexes(db);
  create_triggers(db);
  std::vector<SchemaObject> out;
  auto s = db.prepare(
      "SELECT s.type, s.name, s.tbl_name, s.sql, s.rootpage <> 0, "
      "s.type = 'index' OR coalesce((SELECT t.wr FROM pragma_table_list AS t WHERE t.name = s.name), 0) "
      "FROM sqlite_schema AS s ORDER BY s.rowid");
  while (s.step())
    out.push_back({std::string(s.text(0)), std::string(s.text(1)), std::string(s.text(2)), std::string(s.text(3)),
                   s.integer(4) != 0, s.integer(5) != 0});
  return out;
}
void create_triggers(Connection& db) { db.exec(triggers()); }
void drop_triggers(Connection& db) {
  db.exec(
      "DROP TRIGGER IF EXISTS products_insert; DROP TRIGGER IF EXISTS products_delete; "
      "DROP TRIGGER IF EXISTS products_update; DROP TRIGGER IF EXISTS counts_insert; "
      "DROP TRIGGER IF EXISTS counts_update; DROP TRIGGER IF EXISTS counts_delete;");
}

bool has_table(Connection& db, const std::string& name) {
  auto s = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  s.bind(1, name);
  return s.step();
}

bool has_column(Connection& db, const std::string& table, const std::string& column) {
  return columns_of(db, table).count(column) > 0;
}

void refresh_totals(Connection& db) {
  db.exec(
      "UPDATE totals SET products = (SELECT coalesce(sum(products), 0) FROM product_counts), "
      "names = (SELECT count(*) FROM product_counts)");
}

void check_and_upgrade(Connection& db) {
  check_ours(db);
  const auto runs = columns_of(db, "runs");
  const auto totals = columns_of(db, "totals");
  if (!totals.empty() && !totals.count("product_rows")) {
    // Version 2: one scan now, and triggers that keep the new column.
    db.exec(
        "ALTER TABLE totals ADD COLUMN product_rows INTEGER NOT NULL DEFAULT 0; "
        "UPDATE totals SET product_rows = (SELECT count(*) FROM products)");
    drop_triggers(db);
  }
  if (has_table(db, "products")) {
    // Version 3: products was one table. Renamed, it is products_main under the view: O(1).
    drop_triggers(db);
    db.exec("ALTER TABLE products RENAME TO products_main");
  }
  // Version 4's view triggers let a conflict clause or a rejected value through: replaced
  // (CREATE TRIGGER IF NOT EXISTS below would keep them).
  if (db.integer("PRAGMA user_version") < 5) drop_triggers(db);
  create_tables(db);
  if (!runs.empty())
    for (const auto& [name, type] : kRunColumnsV2)
      if (!runs.count(name)) db.exec(std::string("ALTER TABLE runs ADD COLUMN ") + name + " " + type);
  create_indexes(db);
  create_triggers(db);
  db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  check_counts_intact(db);
}

void check_counts_intact(Connection& db) {
  if (!columns_of(db, "totals").count("product_rows")) return;  // an older database, read-only
  auto s = db.prepare("SELECT products, product_rows FROM totals");
  if (!s.step() || s.integer(0) == s.integer(1)) return;
  const std::int64_t said_counts = s.integer(0), said_rows = s.integer(1);
  s.reset();
  // Refused: the message names what the tables hold, not what the totals row says (a scan,
  // only on this path), so it does not repeat a wrong number.
  const std::int64_t counts = db.integer("SELECT coalesce(sum(products), 0) FROM product_counts");
  const std::int64_t rows = db.integer("SELECT count(*) FROM products");
  const std::string tail =
      "; refused, nothing was changed. 'lfp_mpi verify' names the wrong counts; docs/schema.md "
      "shows how to rebuild them";
  if (counts != rows)
    throw Error(kExitOutput, "database " + db.label() + ": product_counts is damaged (changed outside lfp_mpi?): its " +
                                 "counts add up to " + log::count(counts, "product") + ", the products table " +
                                 "holds " + std::to_string(rows) + tail);
  throw Error(kExitOutput, "database " + db.label() + ": the totals row is damaged (changed outside lfp_mpi?): it " +
                               "says product_counts adds up to " + log::count(said_counts, "product") + " and " +
                               "the products table holds " + std::to_string(said_rows) + ", both hold " +
                               std::to_string(rows) + tail);
}

void check_before_write(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  auto db = open_existing(path, Connection::Mode::ReadOnly);
  check_counts_intact(db);
}

void check_readable(Connection& db) {
  check_ours(db);
  if (columns_of(db, "products").empty())
    throw Error(kExitOutput, "database " + db.label() + ": not an lfp_mpi database (no products table)");
}

std::string state_token(Connection& db) {
  if (columns_of(db, "meta").empty()) return "";
  auto s = db.prepare("SELECT value FROM meta WHERE key = 'state'");
  return s.step() ? std::string(s.text(0)) : std::string();
}

std::string new_state_token(Connection& db) {
  db.exec(
      "INSERT INTO meta(key, value) VALUES('state', lower(hex(randomblob(16)))) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  return state_token(db);
}

}  // namespace lfp::store

#include <filesystem>

namespace lfp::store {

Connection open_existing(const std::string& path, Connection::Mode mode) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(kExitOutput, "database " + path + ": is a directory");
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(kExitOutput, "database " + path + ": no such database (lfp_mpi ingest creates it)");
  Connection db(path, mode == Connection::Mode::Create ? Connection::Mode::ReadWrite : mode);
  // SQLite opens any file; only the first read finds that it is not a database, and would
  // name the statement it was preparing.
  if ((sqlite3_exec(db.get(), "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr) & 0xff) ==
      SQLITE_NOTADB)
    throw Error(kExitOutput, "database " + path + ": not an SQLite database");
  check_readable(db);
  return db;
}

}  // namespace lfp::store
