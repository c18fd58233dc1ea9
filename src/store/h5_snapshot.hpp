#pragma once
// The HDF5 mirror of the database: /products/{sku,name,description} in sku order and
// /product_counts/{name,products} in name order, each string column as offsets + data,
// chunked and compressed (deflate, shuffled where that helps), written to a temporary file
// and renamed into place so readers never see half a snapshot. Chunks are compressed on
// worker threads and written by a background thread while the caller goes on producing rows.
#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/background_writer.hpp"
#include "store/h5_columns.hpp"
#include "store/h5_handles.hpp"
#include "util/temp_files.hpp"

namespace lfp::store {

// What the root attributes record: when, from which files, and which database state (run
// id and state token) the snapshot mirrors.
struct SnapshotInfo {
  std::string created_at;
  std::vector<std::string> files;
  std::int64_t run_id = 0;
  std::string state;
  std::string generator = "lfp_mpi ingest";
};

class H5Snapshot {
 public:
  explicit H5Snapshot(std::string path);
  ~H5Snapshot();
  H5Snapshot(const H5Snapshot&) = delete;
  H5Snapshot& operator=(const H5Snapshot&) = delete;

  void add_product(std::string_view sku, std::string_view name, std::string_view description);
  void add_count(std::string_view name, std::int64_t products);
  // Instead of rows: chunks the ranks encoded (h5_slice.hpp, encode_chunk), after the
  // columns' final sizes; each chunk once, in any order.
  void set_sizes(const H5ColumnSizes& sizes);
  void add_chunk(H5Column column, std::uint64_t index, std::span<const std::uint8_t> bytes);
  // Root attributes (see SnapshotInfo).
  // No more rows or counts: the last partial chunks start compressing and the datasets are
  // closed on the writer thread, while the caller goes on (rank 0 builds SQLite's indexes).
  void seal();
  void describe(const SnapshotInfo& info);
  // Writes everything still buffered, closes the file and syncs it to disk: after this only
  // publish() is left, a rename that cannot fail for want of space, so it can follow the
  // database commit.
  void finish();
  // Renames the finished snapshot into place.
  void publish();

 private:
  template <class T>
  class Column;
  class StringColumn;
  template <class Fn>
  void with_column(H5Column column, Fn&& fn);
  // Destroyed bottom-up: the writer drains before the columns close their datasets, the
  // columns before the file, the file before its temporary name is removed.
  std::string path_;
  TempFile temp_;
  h5::File file_;
  std::unique_ptr<StringColumn> sku_, name_, description_, count_name_;
  std::unique_ptr<Column<std::int64_t>> count_;
  std::unique_ptr<BackgroundWriter> writer_;
  bool sealed_ = false;
};

}  // namespace lfp::store

namespace lfp::store {

class Connection;
// Writes the snapshot of the database `db` to `path` (temporary file, then renamed), reading
// products and counts in one read transaction so they mirror one state. `info.state` and
// `info.run_id` are filled from the database.
void export_snapshot(Connection& db, const std::string& path, SnapshotInfo info);

}  // namespace lfp::store
