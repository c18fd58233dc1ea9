#include "store/bulk_insert.hpp"

#include "error.hpp"

namespace lfp {
namespace {

sqlite3_stmt* prepare_insert(sqlite3* db, const std::string& target, int columns, int rows, const std::string& what) {
  std::string row = "(";
  for (int c = 0; c < columns; ++c) row += c ? ",?" : "?";
  row += ")";
  std::string sql = "INSERT INTO " + target + " VALUES ";
  for (int r = 0; r < rows; ++r) sql += (r ? "," : "") + row;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
    throw Error(kExitOutput, "database: cannot prepare insert into " + what + ": " + sqlite3_errmsg(db));
  return stmt;
}

}  // namespace

BulkInsert::BulkInsert(sqlite3* db, const std::string& target, int columns, std::string what)
    : db_(db),
      columns_(columns),
      what_(std::move(what)),
      many_(prepare_insert(db, target, columns, kRows, what_)),
      one_(prepare_insert(db, target, columns, 1, what_)) {}

void BulkInsert::text(std::string_view v) {
  values_.push_back({true, 0, arena_.size(), v.size()});
  arena_.append(v);
}

void BulkInsert::integer(std::int64_t v) { values_.push_back({false, v, 0, 0}); }

void BulkInsert::end_row() {
  if (values_.size() == static_cast<std::size_t>(kRows * columns_)) {
    run(many_.get(), 0, kRows);
    values_.clear();
    arena_.clear();
  }
}

void BulkInsert::flush() {
  const std::size_t rows = values_.size() / columns_;
  for (std::size_t r = 0; r < rows; ++r) run(one_.get(), r, 1);
  values_.clear();
  arena_.clear();
}

void BulkInsert::run(sqlite3_stmt* stmt, std::size_t first_row, std::size_t rows) {
  int param = 1;
  for (std::size_t i = first_row * columns_; i < (first_row + rows) * columns_; ++i, ++param) {
    const Value& v = values_[i];
    const int rc = v.is_text ? sqlite3_bind_text64(stmt, param, arena_.data() + v.begin, v.size, SQLITE_STATIC,
                                                   SQLITE_UTF8)
                             : sqlite3_bind_int64(stmt, param, v.integer);
    if (rc != SQLITE_OK)  // e.g. SQLITE_TOOBIG for a value over SQLite's length limit
      throw Error(kExitOutput, "database: cannot insert into " + what_ + ": " + sqlite3_errstr(rc));
  }
  if (sqlite3_step(stmt) != SQLITE_DONE) {
    const std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(stmt);
    throw Error(kExitOutput, "database: cannot insert into " + what_ + ": " + msg);
  }
  sqlite3_reset(stmt);
}

}  // namespace lfp
