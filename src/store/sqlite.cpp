#include "store/sqlite.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "util/error.hpp"
#include "util/log.hpp"

namespace lfp::store {
namespace {

// SQLite's message, with the system's reason for an I/O failure when there is one.
std::string message_of(sqlite3* db) {
  if (!db) return "out of memory";
  std::string m = sqlite3_errmsg(db);
  const int code = sqlite3_extended_errcode(db), primary = code & 0xff;
  const int err = sqlite3_system_errno(db);
  if ((primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN) && err != 0)
    m += std::string(" (") + std::strerror(err) + ")";
  else if (code == SQLITE_IOERR_WRITE)  // write(2) wrote less than asked, without an errno
    m += " (a write was cut short: disk full, quota or file size limit)";
  else if (primary == SQLITE_BUSY)
    m += " (another connection held it for 10 s: a writer, or a reader's open transaction; nothing was changed)";
  return m;
}

// The first read of a database whose last writer was killed finds its rollback journal
// "hot". A read-write connection rolls it back then; a read-only one cannot and fails with
// SQLITE_READONLY_ROLLBACK (so does every mode=ro reader, pandas included, until someone
// rolls back). So before any open of an existing database, a read-only probe asks SQLite
// whether the journal is hot, and only then a short read-write open rolls it back.
void recover_hot_journal(const std::string& file, const std::string& label) {
  std::error_code ec;
  if (std::filesystem::file_size(file + "-journal", ec) == 0 || ec) return;  // none, or empty: not hot
  auto probe = [&](int flags) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db, 10000);
      sqlite3_extended_result_codes(db, 1);
      rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) rc = sqlite3_extended_errcode(db);
    }
    sqlite3_close_v2(db);
    return rc;
  };
  if (probe(SQLITE_OPEN_READONLY) != SQLITE_READONLY_ROLLBACK) return;  // a live writer's journal, or none now
  const int rc = probe(SQLITE_OPEN_READWRITE);
  if (rc != SQLITE_OK)
    throw Error(kExitOutput, "database " + label + ": a killed run left its unfinished write in " + label +
                                 "-journal, and rolling it back failed (" + sqlite3_errstr(rc) +
                                 "): that needs write access to the database and its directory. Run 'lfp_mpi "
                                 "verify --db " +
                                 label +
                                 "' once as a user who can write there; until then "
                                 "read-only readers fail with 'attempt to write a readonly database'");
  log::note("database " + label + ": rolled back the unfinished write of a killed run (" + label +
            "-journal); the database is as it was before that run");
}

// SQLite running out of memory is the job running out of memory: exit 1, as everywhere.
ExitCode code_of(sqlite3* db) {
  return !db || (sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOMEM ? kExitInternal : kExitOutput;
}

}  // namespace

bool note_unfinished_write(const std::string& path) {
  static constexpr unsigned char kMagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
  unsigned char head[8] = {};
  std::FILE* f = std::fopen((path + "-journal").c_str(), "rb");
  if (!f) return false;
  const bool hot = std::fread(head, 1, sizeof head, f) == sizeof head && std::memcmp(head, kMagic, sizeof head) == 0;
  std::fclose(f);
  if (hot)
    log::note("database " + path + " is unchanged: the failed run's unfinished write is in " + path +
              "-journal, which the next lfp_mpi command (or any read-write open) rolls back");
  return hot;
}

Connection::Connection(const std::string& file, Mode mode, std::string label) : label_(std::move(label)) {
  if (mode == Mode::ReadOnly || mode == Mode::ReadWrite) recover_hot_journal(file, label_);
  const int flags = mode == Mode::ReadOnly    ? SQLITE_OPEN_READONLY
                    : mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE
                    : mode == Mode::Temporary ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  // NOMUTEX: a connection is only ever used by the thread that opened it, so SQLite need not
  // lock it around every call (a few percent of an update's time went to those locks).
  const int rc = sqlite3_open_v2(file.c_str(), db_.out(), flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) fail("cannot open");
  // Waits for another writer (a concurrent run, a sqlite3 shell) instead of failing at once.
  lock_wait_->db = db_.get();
  sqlite3_busy_handler(db_.get(), on_busy, lock_wait_.get());
  sqlite3_extended_result_codes(db_.get(), 1);
}

// sqlite3_busy_timeout() grants every lock attempt its full time. A large update tries for
// an exclusive lock each time its cache spills, so behind a reader's open transaction it
// waited 10 s per spill (minutes in all) while new readers were locked out. One deadline per
// transaction keeps the documented 10 s: once spent, spills give up at once (SQLite then
// keeps the pages in memory) and the commit fails with "database is locked".
int Connection::on_busy(void* wait, int attempt) {
  auto* w = static_cast<LockWait*>(wait);
  struct timespec now {};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const std::int64_t now_ns = std::int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
  // Outside a transaction each statement has its own wait.
  if (w->since_ns == 0 || (attempt == 0 && sqlite3_get_autocommit(w->db))) w->since_ns = now_ns;
  const std::int64_t left_ms = kLockWaitMs - (now_ns - w->since_ns) / 1000000;
  if (left_ms <= 0) return 0;
  const std::int64_t nap_ms = std::min<std::int64_t>({left_ms, attempt < 4 ? 1 << attempt : 25});
  sqlite3_sleep(static_cast<int>(nap_ms));
  return 1;
}

void Connection::fail(const std::string& doing) const {
  throw Error(code_of(db_.get()), "database " + label_ + ": " + doing + ": " + message_of(db_.get()));
}

void Connection::exec(const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    const std::string m = message_of(db_.get());
    sqlite3_free(msg);
    throw Error(code_of(db_.get()), "database " + label_ + ": " + m);
  }
}

Statement Connection::prepare(const std::string& sql) { return Statement(*this, sql); }

std::int64_t Connection::integer(const std::string& sql) {
  Statement s(*this, sql);
  return s.step() ? s.integer(0) : 0;
}

void Connection::close() {
  sqlite3* db = db_.release();
  if (sqlite3_close_v2(db) != SQLITE_OK) throw Error(kExitOutput, "database " + label_ + ": cannot close");
}

Statement::Statement(Connection& connection, const std::string& sql) : connection_(&connection), sql_(sql) {
  if (sqlite3_prepare_v2(connection.get(), sql.c_str(), -1, stmt_.out(), nullptr) != SQLITE_OK)
    connection.fail("cannot prepare \"" + sql.substr(0, 60) + "\"");
}

Statement& Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) connection_->fail("cannot bind a value");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) connection_->fail("cannot bind a value");
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string msg = message_of(connection_->get());
  sqlite3_reset(stmt_.get());
  throw Error(code_of(connection_->get()), "database " + connection_->label() + ": " + msg);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() { sqlite3_reset(stmt_.get()); }

std::string_view Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
  return p ? std::string_view(p, sqlite3_column_bytes(stmt_.get(), column)) : std::string_view();
}

std::string_view Statement::blob(int column) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), column));
  return p ? std::string_view(p, sqlite3_column_bytes(stmt_.get(), column)) : std::string_view();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_.get(), column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
int Statement::columns() const { return sqlite3_column_count(stmt_.get()); }
std::string Statement::column_name(int column) const { return sqlite3_column_name(stmt_.get(), column); }

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.reset_lock_wait();
  connection_.exec("BEGIN IMMEDIATE");
  open_ = true;
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(connection_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  open_ = false;
  connection_.reset_lock_wait();
}

}  // namespace lfp::store
