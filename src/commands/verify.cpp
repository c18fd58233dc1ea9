// `lfp_mpi verify`: the database is sound (PRAGMA integrity_check), product_counts equals the
// GROUP BY of products, every product is one an ingest would store, and the snapshot mirrors
// the database (state and every value).
// Exit 0 when all hold, 6 when a check fails, 5 when something cannot be opened.
#include <filesystem>
#include <memory>

#include "commands/command.hpp"
#include "commands/database_options.hpp"
#include "commands/on_root.hpp"
#include "csv/utf8.hpp"
#include "store/h5_reader.hpp"
#include "store/schema.hpp"
#include "store/snapshot_path.hpp"
#include "util/log.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kChunk = 65536;  // snapshot elements compared per read
constexpr int kShown = 5;                // differences named per check

class Checks {
 public:
  explicit Checks(bool quiet) : quiet_(quiet) {}
  void pass(const std::string& what) {
    if (!quiet_) log::info("ok: " + what);
  }
  void fail(const std::string& what) {
    ++failures_;
    log::note("FAILED: " + what);
  }
  int failures() const { return failures_; }

 private:
  bool quiet_;
  int failures_ = 0;
};

void check_integrity(store::Connection& db, Checks& checks) {
  auto s = db.prepare("PRAGMA integrity_check");
  std::string problems;
  int n = 0;
  while (s.step())
    if (s.text(0) != "ok" && n++ < kShown)
      problems += std::string(problems.empty() ? "" : "; ") + std::string(s.text(0));
  if (n == 0)
    checks.pass("integrity_check");
  else
    checks.fail("integrity_check: " + problems);
}

void check_counts(store::Connection& db, Checks& checks) {
  // Both directions: names whose stored count differs (or is missing), and stored names
  // that no product has.
  auto s = db.prepare(
      "SELECT g.name, g.n, c.products FROM (SELECT name, count(*) AS n FROM products GROUP BY name) g "
      "LEFT JOIN product_counts c ON c.name = g.name WHERE c.products IS NOT g.n "
      "UNION ALL SELECT c.name, 0, c.products FROM product_counts c "
      "WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.name = c.name)");
  std::string shown;
  int n = 0;
  while (s.step()) {
    if (n++ < kShown)
      shown += log::format("%s'%s': %s, product_counts says %s", shown.empty() ? "" : "; ",
                           std::string(s.text(0)).c_str(), log::count(s.integer(1), "product").c_str(),
                           s.is_null(2) ? "nothing" : std::to_string(s.integer(2)).c_str());
  }
  if (n == 0)
    checks.pass("product_counts equals SELECT name, count(*) FROM products GROUP BY name");
  else
    checks.fail(log::count(n, "name") + " with a wrong count in product_counts, e.g. " + shown);
  auto t = db.prepare(
      "SELECT products, names, (SELECT coalesce(sum(products), 0) FROM product_counts), "
      "(SELECT count(*) FROM product_counts) FROM totals");
  if (t.step() && t.integer(0) == t.integer(2) && t.integer(1) == t.integer(3))
    checks.pass("totals match product_counts");
  else
    checks.fail("the totals table does not match product_counts");
  if (store::has_column(db, "totals", "product_rows")) {
    const auto rows = db.integer("SELECT product_rows FROM totals"), n = db.integer("SELECT count(*) FROM products");
    if (rows == n)
      checks.pass("totals.product_rows equals the number of products");
    else
      checks.fail("totals.product_rows is " + std::to_string(rows) + ", the products table holds " + std::to_string(n));
  }
}

// Why an ingest would reject this stored product (empty when it would not): a value that is
// not text (a BLOB, a number, NULL), holds a NUL byte or is not UTF-8, or an empty sku.
std::string rejected_because(const store::Statement& s) {
  static constexpr const char* kColumns[] = {"sku", "name", "description"};
  for (int c = 0; c < 3; ++c) {
    const int type = sqlite3_column_type(s.get(), c);
    const std::string column = kColumns[c];
    if (type == SQLITE_BLOB) return column + " is a BLOB";
    if (type == SQLITE_NULL) return column + " is NULL";
    if (type != SQLITE_TEXT) return column + " is a number";
    const auto check = csv::check_text(s.text(c));
    if (check == csv::TextCheck::HasNul) return column + " holds a NUL byte";
    if (check == csv::TextCheck::InvalidUtf8) return column + " is not UTF-8";
  }
  return s.text(0).empty() ? "the sku is empty" : "";
}

// The products view refuses such values (schema 5), but a database edited through version
// 4's view, or under the view, may hold them: they break later ingests and readers.
void check_values(store::Connection& db, Checks& checks) {
  auto s = db.prepare("SELECT sku, name, description FROM products");
  std::int64_t n = 0;
  std::string shown;
  while (s.step()) {
    const std::string why = rejected_because(s);
    if (why.empty() || n++ >= kShown) continue;
    std::string sku = csv::escape_invalid_utf8(s.text(0));
    for (auto at = sku.find('\0'); at != std::string::npos; at = sku.find('\0', at)) sku.replace(at, 1, "\\x00");
    shown += (shown.empty() ? "" : "; ") + ("sku '" + sku + "': " + why);
  }
  if (n == 0)
    checks.pass("every product is one an ingest would store (text, UTF-8, no NUL byte, an sku)");
  else
    checks.fail(log::count(n, "product") + " an ingest would reject, e.g. " + shown +
                "; delete or correct them through the products view");
}

// Compares one snapshot column with a query's column, chunk by chunk.
template <class Get>
std::uint64_t compare_column(store::H5Reader& h5, const char* dataset, std::uint64_t rows, store::Connection& db,
                             const std::string& sql, Get get, std::string& first) {
  auto s = db.prepare(sql);
  std::uint64_t differ = 0, i = 0;
  while (i < rows) {
    const std::uint64_t n = std::min(kChunk, rows - i);
    const auto values = get(h5, dataset, i, n);
    for (std::uint64_t k = 0; k < n; ++k) {
      if (!s.step()) return differ + (rows - i - k);
      if (!(values[k] == s.text(0))) {
        if (differ++ == 0) first = std::string(dataset) + "[" + std::to_string(i + k) + "]";
      }
    }
    i += n;
  }
  return differ;
}

void check_snapshot(store::Connection& db, const std::string& path, Checks& checks) {
  store::H5Reader h5(path);
  const std::string state = h5.string_attribute("state"), now = store::state_token(db);
  if (state != now)
    checks.fail("snapshot " + path + " is stale: it mirrors database state " + (state.empty() ? "(none)" : state) +
                " (run " + std::to_string(h5.int_attribute("run_id")) + "), the database is at " + now +
                "; 'lfp_mpi snapshot' refreshes it");
  else
    checks.pass("snapshot " + path + " records the database's current state");
  if (h5.int_attribute("layout_version") != 2) {
    checks.fail("snapshot " + path + " has layout version " + std::to_string(h5.int_attribute("layout_version")) +
                ", not 2; 'lfp_mpi snapshot' writes it again");
    return;
  }
  for (const char* d : {"/products/sku/offsets", "/products/sku/data", "/products/name/offsets", "/products/name/data",
                        "/products/description/offsets", "/products/description/data", "/product_counts/name/offsets",
                        "/product_counts/name/data", "/product_counts/products"})
    if (!h5.has(d)) {
      checks.fail("snapshot " + path + ": no dataset " + d);
      return;
    }
  const auto products = static_cast<std::uint64_t>(db.integer("SELECT count(*) FROM products"));
  const auto names = static_cast<std::uint64_t>(db.integer("SELECT count(*) FROM product_counts"));
  const std::uint64_t n_sku = h5.string_count("/products/sku");
  if (n_sku != products || h5.string_count("/products/name") != products ||
      h5.string_count("/products/description") != products || h5.string_count("/product_counts/name") != names ||
      h5.length("/product_counts/products") != names) {
    checks.fail("snapshot " + path + " holds " + log::count(static_cast<std::int64_t>(n_sku), "product") + " and " +
                log::count(static_cast<std::int64_t>(h5.string_count("/product_counts/name")), "name") +
                ", the database " + std::to_string(products) + " and " + std::to_string(names));
    return;
  }
  auto strings = [](store::H5Reader& r, const char* d, std::uint64_t i, std::uint64_t n) { return r.strings(d, i, n); };
  auto numbers = [](store::H5Reader& r, const char* d, std::uint64_t i, std::uint64_t n) {
    std::vector<std::string> out;
    for (auto v : r.integers(d, i, n)) out.push_back(std::to_string(v));
    return out;
  };
  std::string first;
  std::uint64_t differ = 0;
  differ += compare_column(h5, "/products/sku", products, db, "SELECT sku FROM products ORDER BY sku", strings, first);
  differ +=
      compare_column(h5, "/products/name", products, db, "SELECT name FROM products ORDER BY sku", strings, first);
  differ += compare_column(h5, "/products/description", products, db, "SELECT description FROM products ORDER BY sku",
                           strings, first);
  differ += compare_column(h5, "/product_counts/name", names, db, "SELECT name FROM product_counts ORDER BY name",
                           strings, first);
  differ += compare_column(h5, "/product_counts/products", names, db,
                           "SELECT CAST(products AS TEXT) FROM product_counts ORDER BY name", numbers, first);
  if (differ == 0)
    checks.pass("every snapshot value equals the database (" +
                log::count(static_cast<std::int64_t>(products), "product") + ", " +
                log::count(static_cast<std::int64_t>(names), "name") + ")");
  else
    checks.fail("snapshot " + path + ": " + log::count(static_cast<std::int64_t>(differ), "value") +
                (differ == 1 ? " differs" : " differ") + " from the database, first at " + first);
}

int verify(const DatabaseOptions& opt) {
  auto db = store::open_existing(opt.db, store::Connection::Mode::ReadOnly);
  db.exec("BEGIN");  // one consistent state for every check
  Checks checks(opt.quiet);
  check_integrity(db, checks);
  check_counts(db, checks);
  check_values(db, checks);
  if (!opt.no_h5) {
    const std::string h5 = store::snapshot_path(opt.db, opt.h5);
    std::error_code ec;
    if (opt.h5.empty() && !std::filesystem::exists(h5, ec)) {
      if (!opt.quiet) log::info("no snapshot at " + h5 + ": not checked");
    } else {
      check_snapshot(db, h5, checks);
    }
  }
  db.exec("COMMIT");
  if (checks.failures() > 0) {
    log::error(0, opt.db + ": " + log::count(checks.failures(), "check") + " failed");
    return kExitVerify;
  }
  if (!opt.quiet) log::info(opt.db + ": all checks passed");
  return kExitOk;
}

}  // namespace

Command add_verify(CLI::App& app) {
  auto opt = std::make_shared<DatabaseOptions>();
  auto* sub = app.add_subcommand("verify", "Check the database, its counts and the snapshot agree (exit 6 if not)");
  const DatabaseHelp help{"database to check", "snapshot to check (default: the database path with .h5, if present)",
                          "do not check a snapshot", "print failures only"};
  add_db_option(*sub, *opt, help);
  add_snapshot_options(*sub, *opt, help);
  return {sub, [opt](const mpi::Comm& comm) { return on_root(comm, [&] { return verify(*opt); }); }, true};
}

}  // namespace lfp
