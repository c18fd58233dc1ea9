#pragma once
// SQLite handles: a connection, a prepared statement and a transaction, each owning its
// C handle through UniqueHandle. Every failure throws Error(kExitOutput) naming the database
// ("database PATH: doing: SQLite's message").
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/unique_handle.hpp"

namespace lfp::store {

class Statement;

// After a failed write to `path`: when SQLite could not roll back (a file size limit, a full
// disk), the unfinished write stays in PATH-journal and the database is logically unchanged
// until the next read-write open rolls it back. Prints a note saying so; true if it did.
bool note_unfinished_write(const std::string& path);

class Connection {
 public:
  // Temporary: the empty file a TempFile created, opened read-write and never through a
  // symlink.
  enum class Mode { ReadOnly, ReadWrite, Create, Temporary };
  // Opens `file`; `label` is the path errors name (a temporary file is built for a target).
  Connection(const std::string& file, Mode mode, std::string label);
  Connection(const std::string& file, Mode mode) : Connection(file, mode, file) {}

  sqlite3* get() const { return db_.get(); }
  const std::string& label() const { return label_; }
  void exec(const std::string& sql);
  Statement prepare(const std::string& sql);
  // The value of a one-row, one-column query (0 when it returns no row or NULL).
  std::int64_t integer(const std::string& sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  // Closes the connection and reports a failure to do so.
  void close();
  [[noreturn]] void fail(const std::string& doing) const;
  // A transaction begins or ends: the lock wait it may spend starts anew.
  void reset_lock_wait() { lock_wait_->since_ns = 0; }

  // How long a connection waits for another's lock, in all, within one transaction (or
  // one statement outside a transaction), before SQLITE_BUSY.
  static constexpr std::int64_t kLockWaitMs = 10000;

 private:
  static void close_db(sqlite3* db) { sqlite3_close_v2(db); }
  // SQLite keeps a pointer to it: on the heap, so that it stays put when the Connection moves.
  struct LockWait {
    sqlite3* db = nullptr;
    std::int64_t since_ns = 0;  // when this transaction's first wait began (0: none yet)
  };
  static int on_busy(void* wait, int attempt);
  std::unique_ptr<LockWait> lock_wait_ = std::make_unique<LockWait>();
  std::string label_;
  UniqueHandle<sqlite3*, close_db> db_;
};

class Statement {
 public:
  Statement(Connection& connection, const std::string& sql);

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  // Steps once: true when a row is ready, false when done (then the statement resets on
  // the next bind or step after reset()).
  bool step();
  // Steps to completion and resets, for statements that return no rows.
  void run();
  void reset();

  std::string_view text(int column) const;
  std::string_view blob(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  bool is_null(int column) const;
  int columns() const;
  std::string column_name(int column) const;
  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  static void finalize(sqlite3_stmt* s) { sqlite3_finalize(s); }
  Connection* connection_;
  std::string sql_;
  UniqueHandle<sqlite3_stmt*, finalize> stmt_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

}  // namespace lfp::store
