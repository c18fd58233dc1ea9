// The benchmark's yardstick for lfp_mpi's write phase: the fastest plain use of SQLite we know
// for the same rows, nothing else (no MPI, no merge, no ledger). It loads every product and
// count of an lfp_mpi database into memory (not timed), then times writing them, in the same
// sorted order, into a new database: one transaction, no journal, no syncs but the last,
// 16 KiB pages, WITHOUT ROWID tables, prepared statements binding 64 rows at a time; then the
// two indexes lfp_mpi's queries need. Prints JSON: {"rows", "insert_s", "indexes_s", "total_s"}.
//
//   bare_sqlite_write SOURCE.db OUT.db
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "bare_sqlite_write: %s: %s\n", what, db ? sqlite3_errmsg(db) : "cannot open");
  std::exit(1);
}

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) die(db, sql);
}

struct Table {
  std::vector<std::string> text;  // column-major would not help SQLite: row after row
  int columns = 0;
};

Table load(sqlite3* db, const char* sql, int columns) {
  Table t;
  t.columns = columns;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) die(db, sql);
  while (sqlite3_step(s) == SQLITE_ROW)
    for (int c = 0; c < columns; ++c)
      t.text.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, c)), sqlite3_column_bytes(s, c));
  sqlite3_finalize(s);
  return t;
}

void insert_all(sqlite3* db, const Table& t, const std::string& table, bool last_is_integer) {
  constexpr int kRows = 64;
  auto sql_for = [&](int rows) {
    std::string row = "(";
    for (int c = 0; c < t.columns; ++c) row += c ? ",?" : "?";
    row += ")";
    std::string sql = "INSERT INTO " + table + " VALUES ";
    for (int r = 0; r < rows; ++r) sql += (r ? "," : "") + row;
    return sql;
  };
  sqlite3_stmt* many = nullptr;
  sqlite3_stmt* one = nullptr;
  if (sqlite3_prepare_v2(db, sql_for(kRows).c_str(), -1, &many, nullptr) != SQLITE_OK) die(db, "prepare");
  if (sqlite3_prepare_v2(db, sql_for(1).c_str(), -1, &one, nullptr) != SQLITE_OK) die(db, "prepare");
  const std::size_t rows = t.text.size() / t.columns;
  std::size_t r = 0;
  auto run = [&](sqlite3_stmt* s, int n) {
    int p = 1;
    for (int k = 0; k < n; ++k, ++r)
      for (int c = 0; c < t.columns; ++c, ++p) {
        const std::string& v = t.text[r * t.columns + c];
        if (last_is_integer && c == t.columns - 1)
          sqlite3_bind_int64(s, p, std::atoll(v.c_str()));
        else
          sqlite3_bind_text64(s, p, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
    if (sqlite3_step(s) != SQLITE_DONE) die(db, "insert");
    sqlite3_reset(s);
  };
  while (rows - r >= kRows) run(many, kRows);
  while (r < rows) run(one, 1);
  sqlite3_finalize(many);
  sqlite3_finalize(one);
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bare_sqlite_write SOURCE.db OUT.db\n");
    return 2;
  }
  sqlite3* src = nullptr;
  if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) die(src, argv[1]);
  const Table products = load(src, "SELECT sku, name, description FROM products ORDER BY sku", 3);
  const Table counts = load(src, "SELECT name, products FROM product_counts ORDER BY name", 2);
  sqlite3_close(src);

  unlink(argv[2]);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    die(db, argv[2]);
  const auto start = std::chrono::steady_clock::now();
  exec(db,
       "PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
       "PRAGMA cache_size=-262144; PRAGMA threads=2;");
  exec(db, "BEGIN");
  exec(db,
       "CREATE TABLE products(sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID; "
       "CREATE TABLE product_counts(name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID;");
  insert_all(db, products, "products", false);
  insert_all(db, counts, "product_counts", true);
  const double insert_s = since(start);
  const auto indexes = std::chrono::steady_clock::now();
  exec(db,
       "CREATE INDEX products_by_name ON products(name); "
       "CREATE INDEX product_counts_by_products ON product_counts(products DESC, name);");
  const double indexes_s = since(indexes);
  exec(db, "COMMIT");
  sqlite3_close(db);
  // The same durability as lfp_mpi: the file reaches the disk before the run counts as done.
  if (FILE* f = std::fopen(argv[2], "r+")) {
    fsync(fileno(f));
    std::fclose(f);
  }
  std::printf("{\"rows\": %zu, \"insert_s\": %.3f, \"indexes_s\": %.3f, \"total_s\": %.3f}\n", products.text.size() / 3,
              insert_s, indexes_s, since(start));
  return 0;
}
