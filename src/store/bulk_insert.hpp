#pragma once
// Inserts rows into one SQLite table many at a time: one prepared multi-row INSERT runs per
// kRows rows, which spends far less time per row in statement setup than one INSERT each.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace lfp::store {

class BulkInsert {
 public:
  static constexpr int kRows = 64;

  // `target` is "table(col1, col2, ...)" with `columns` columns; `what` names it in errors;
  // `on_conflict`, if given, is an upsert clause ("ON CONFLICT(key) DO UPDATE SET ...").
  BulkInsert(Connection& db, const std::string& target, int columns, std::string what,
             const std::string& on_conflict = "");

  // Column values of the next row, in order: text or integer.
  void text(std::string_view v);
  void integer(std::int64_t v);
  void end_row();
  // Inserts the rows still pending. Call before reading the table.
  void flush();

 private:
  struct Value {
    bool is_text;
    std::int64_t integer;
    std::size_t begin, size;  // text bytes in arena_
  };
  void run(Statement& stmt, std::size_t first_row, std::size_t rows);

  Connection& db_;
  int columns_;
  std::string what_;
  Statement many_, one_;
  std::string arena_;  // pending rows' text, bound without copying when the batch runs
  std::vector<Value> values_;
};

}  // namespace lfp::store
