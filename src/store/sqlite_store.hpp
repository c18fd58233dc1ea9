#pragma once
// The SQLite database that rank 0 writes. One run is one transaction: a new database is
// built in a temporary file beside the target and renamed into place on commit; an
// existing one is changed inside a single transaction. Either way a failed or killed run
// leaves what was there before.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "row_codec.hpp"
#include "store/bulk_insert.hpp"
#include "temp_files.hpp"

namespace lfp {

struct RunRecord {
  std::string started_at;  // ISO 8601, UTC
  std::string command;
  int ranks = 0;
  std::string files;  // newline-separated, command-line order
  std::int64_t records_read = 0, rows_written = 0, rejects = 0;
  std::vector<std::pair<std::string, double>> phase_seconds;  // stored as JSON
};

class SqliteStore {
 public:
  explicit SqliteStore(std::string path);
  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // True when the products table started empty (a new database, or an empty one).
  bool direct() const { return direct_; }
  std::int64_t run_id() const { return run_id_; }

  void add_reject(const std::string& file_name, const RejectView& reject);
  void add_product(const RowView& row);      // call in sku order
  void add_count(const NameCount& count);    // call in name order
  // Writes pending rows; applies staged rows and counts as upserts (existing database).
  void finish_import();

  void for_each_product(const std::function<void(std::string_view, std::string_view, std::string_view)>& fn);
  void for_each_count(const std::function<void(std::string_view, std::int64_t)>& fn);

  void record_run(const RunRecord& run);
  // Makes the run visible: commit, and for a new database, sync and rename into place.
  void commit();

 private:
  struct Db;
  struct Stmt;
  void exec(const char* sql);

  // Declaration order is destruction order reversed: statements go before the connection,
  // the connection before its temporary file, also when the constructor throws.
  std::string path_;
  bool direct_ = false;
  bool committed_ = false;
  std::int64_t run_id_ = 0;
  std::unique_ptr<TempFile> temp_;  // a new database is built here
  std::unique_ptr<Db> db_;
  std::unique_ptr<BulkInsert> products_, counts_;
  std::unique_ptr<Stmt> insert_reject_;
};

}  // namespace lfp
