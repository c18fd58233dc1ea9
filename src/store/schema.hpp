#pragma once
// The database's tables, indexes and triggers, and the upgrade of databases written by
// earlier versions. The triggers keep product_counts equal to the GROUP BY of products
// under any edit (lfp_mpi's or a sqlite3 shell's) and mark the database state as changed;
// the bulk import drops them inside its transaction and keeps both right itself.
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace lfp::store {

// 5: the view's triggers refuse rejected values and honour each conflict clause.
inline constexpr int kSchemaVersion = 6;

// Tables only (a new database gets its indexes after the bulk insert, which is faster).
// `product_rows`: the products the tables hold, when the caller knows it (-1: count them,
// a scan of the products view).
void create_tables(Connection& db, std::int64_t product_rows = -1);
void create_indexes(Connection& db);
void create_triggers(Connection& db);
void drop_triggers(Connection& db);
// Every object of a new database's schema (tables, view, indexes, triggers) as SQLite stores
// it, in sqlite_schema's order, with what its b-tree root is: for a database file written by
// hand (ingest/write.cpp), whose page 1 lists them all so that SQLite sees the very schema,
// in the very order, of a database it made itself.
struct SchemaObject {
  std::string type, name, table, sql;
  bool has_tree = false;       // a table or index (rootpage != 0)
  bool without_rowid = false;  // an index b-tree (WITHOUT ROWID table, or index) when has_tree
};
std::vector<SchemaObject> new_database_schema();
bool has_table(Connection& db, const std::string& name);
bool has_column(Connection& db, const std::string& table, const std::string& column);
// Recomputes the totals row (products, names) from product_counts, after a bulk change made
// with the triggers dropped.
void refresh_totals(Connection& db);

// An existing database: refuses a file that is not ours or whose counts are damaged, adds
// what older versions lacked. Call inside a write transaction.
void check_and_upgrade(Connection& db);
// The same checks for a read-only open (nothing is added): throws if it is not ours.
void check_readable(Connection& db);
// Refuses (Error kExitOutput) a database whose product_counts were changed by hand, so that
// no run builds on wrong counts: totals.products (kept from product_counts) must equal
// totals.product_rows (kept from products). O(1) when they agree (a refusal counts the
// tables, so its message names true numbers); verify does the full comparison.
void check_counts_intact(Connection& db);
// Rank 0 before an ingest reads any input: an existing database at `path` is ours and its
// counts are intact.
void check_before_write(const std::string& path);

// The database state token: a random id that every change to products replaces, so a
// snapshot that records it can tell cheaply whether it still mirrors the database.
std::string state_token(Connection& db);
std::string new_state_token(Connection& db);  // sets and returns a fresh one

}  // namespace lfp::store

namespace lfp::store {

// Opens an existing lfp_mpi database (never creates one): Error(kExitOutput) when the file
// is missing or not ours.
Connection open_existing(const std::string& path, Connection::Mode mode);

}  // namespace lfp::store
