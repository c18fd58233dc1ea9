#include "store/bulk_insert.hpp"

#include "util/error.hpp"

namespace lfp::store {
namespace {

std::string insert_sql(const std::string& target, int columns, int rows, const std::string& on_conflict) {
  std::string row = "(";
  for (int c = 0; c < columns; ++c) row += c ? ",?" : "?";
  row += ")";
  std::string sql = "INSERT INTO " + target + " VALUES ";
  for (int r = 0; r < rows; ++r) sql += (r ? "," : "") + row;
  return on_conflict.empty() ? sql : sql + " " + on_conflict;
}

}  // namespace

BulkInsert::BulkInsert(Connection& db, const std::string& target, int columns, std::string what,
                       const std::string& on_conflict)
    : db_(db),
      columns_(columns),
      what_(std::move(what)),
      many_(db, insert_sql(target, columns, kRows, on_conflict)),
      one_(db, insert_sql(target, columns, 1, on_conflict)) {}

void BulkInsert::text(std::string_view v) {
  values_.push_back({true, 0, arena_.size(), v.size()});
  arena_.append(v);
}

void BulkInsert::integer(std::int64_t v) { values_.push_back({false, v, 0, 0}); }

void BulkInsert::end_row() {
  if (values_.size() == static_cast<std::size_t>(kRows * columns_)) {
    run(many_, 0, kRows);
    values_.clear();
    arena_.clear();
  }
}

void BulkInsert::flush() {
  const std::size_t rows = values_.size() / columns_;
  for (std::size_t r = 0; r < rows; ++r) run(one_, r, 1);
  values_.clear();
  arena_.clear();
}

void BulkInsert::run(Statement& stmt, std::size_t first_row, std::size_t rows) {
  int param = 1;
  for (std::size_t i = first_row * columns_; i < (first_row + rows) * columns_; ++i, ++param) {
    const Value& v = values_[i];
    const int rc =
        v.is_text ? sqlite3_bind_text64(stmt.get(), param, arena_.data() + v.begin, v.size, SQLITE_STATIC, SQLITE_UTF8)
                  : sqlite3_bind_int64(stmt.get(), param, v.integer);
    if (rc != SQLITE_OK)  // e.g. SQLITE_TOOBIG for a value over SQLite's length limit
      throw Error(kExitOutput, "database " + db_.label() + ": cannot insert into " + what_ + ": " + sqlite3_errstr(rc));
  }
  try {
    stmt.run();
  } catch (const Error& e) {
    throw Error(e.code(), std::string(e.what()) + " (inserting into " + what_ + ")");
  }
}

}  // namespace lfp::store
