#include "store/h5_snapshot.hpp"

#include "store/sqlite.hpp"

#include <algorithm>
#include <future>
#include <type_traits>

#include "store/h5_chunks.hpp"
#include "store/h5_columns.hpp"
#include "store/h5_handles.hpp"
#include "util/error.hpp"

namespace lfp::store {
namespace {

constexpr std::int64_t kLayoutVersion = 2;  // offsets + data string columns, compressed chunks
constexpr int kDeflateLevel = kH5DeflateLevel;
constexpr std::size_t kChunkBytes = kH5ChunkBytes;

void string_attribute(hid_t file, const char* name, const std::vector<const char*>& values, bool scalar,
                      const std::string& path) {
  auto type = h5::utf8_string_type(path);
  const hsize_t n = values.size();
  // An empty list is a null dataspace (HDF5 has no zero-length simple attribute).
  auto space = scalar   ? h5::checked<h5::Space>(H5Screate(H5S_SCALAR), path, "create scalar")
               : n == 0 ? h5::checked<h5::Space>(H5Screate(H5S_NULL), path, "create empty dataspace")
                        : h5::checked<h5::Space>(H5Screate_simple(1, &n, nullptr), path, "create dataspace");
  auto attr = h5::checked<h5::Attribute>(H5Acreate2(file, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                         path, std::string("create attribute ") + name);
  if (scalar || n > 0)
    h5::check(H5Awrite(attr.get(), type.get(), values.data()), path, std::string("write attribute ") + name);
}

void int_attribute(hid_t file, const char* name, std::int64_t value, const std::string& path) {
  auto scalar = h5::checked<h5::Space>(H5Screate(H5S_SCALAR), path, "create scalar");
  auto attr = h5::checked<h5::Attribute>(H5Acreate2(file, name, H5T_STD_I64LE, scalar.get(), H5P_DEFAULT, H5P_DEFAULT),
                                         path, std::string("create attribute ") + name);
  h5::check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), path, std::string("write attribute ") + name);
}

template <class T>
hid_t file_type() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_STD_U8LE;
  if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_STD_U64LE;
  return H5T_STD_I64LE;
}

}  // namespace

// A 1-D chunked dataset of T (shuffled when T is wider than a byte, then deflated), filled
// by appending. Each full chunk is compressed on a thread of its own and handed to HDF5 as
// a finished chunk by the writer thread, in order.
template <class T>
class H5Snapshot::Column {
 public:
  static constexpr std::size_t kElements = kChunkBytes / sizeof(T);

  Column(hid_t parent, const char* name, BackgroundWriter& writer, const std::string& path)
      : name_(name), path_(path), writer_(writer) {
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = kElements;
    auto space = h5::checked<h5::Space>(H5Screate_simple(1, &zero, &unlimited), path, "create dataspace");
    auto props = h5::checked<h5::Props>(H5Pcreate(H5P_DATASET_CREATE), path, "create dataset properties");
    h5::check(H5Pset_chunk(props.get(), 1, &chunk), path, "set chunking");
    if (sizeof(T) > 1) h5::check(H5Pset_shuffle(props.get()), path, "set the shuffle filter");
    h5::check(H5Pset_deflate(props.get(), kDeflateLevel), path, "set the deflate filter");
    dataset_ = h5::checked<h5::Dataset>(
        H5Dcreate2(parent, name, file_type<T>(), space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT), path,
        "create dataset " + name_);
    buffer_.reserve(kElements);
  }

  void append(const T* values, std::size_t n) {
    while (n > 0) {
      const std::size_t take = std::min(n, kElements - buffer_.size());
      buffer_.insert(buffer_.end(), values, values + take);
      values += take;
      n -= take;
      total_ += take;
      if (buffer_.size() == kElements) submit();
    }
  }

  // For chunks finished elsewhere: the column's final size, before any put_chunk().
  void preset(std::uint64_t total) {
    buffer_.clear();
    total_ = total;
    writer_.post([this, total] {
      const hsize_t extent = total;
      h5::check(H5Dset_extent(dataset_.get(), &extent), path_, "size " + name_);
    });
  }
  // A chunk as encode_chunk() made it.
  void put_chunk(std::uint64_t index, std::span<const std::uint8_t> bytes) {
    writer_.post(
        [this, offset = hsize_t{index * kElements}, bytes = std::vector<unsigned char>(bytes.begin(), bytes.end())] {
          h5::check(H5Dwrite_chunk(dataset_.get(), H5P_DEFAULT, 0, &offset, bytes.size(), bytes.data()), path_,
                    "write " + name_);
        });
  }

  // Writes the last, partial chunk, trims the dataset to what was appended and closes it
  // (closing flushes its chunk index: work the writer thread can do).
  void finish() {
    if (!buffer_.empty()) submit();
    writer_.post([this, total = total_] {
      const hsize_t extent = total;
      h5::check(H5Dset_extent(dataset_.get(), &extent), path_, "set the size of " + name_);
      h5::check(H5Dclose(dataset_.release()), path_, "close " + name_);
    });
  }

 private:
  void submit() {
    auto data = std::make_shared<std::vector<T>>(std::move(buffer_));
    buffer_ = {};
    buffer_.reserve(kElements);
    data->resize(kElements);  // a partial last chunk is stored whole, zero-padded
    auto encoded = std::make_shared<std::future<std::vector<unsigned char>>>(std::async(std::launch::async, [data] {
      return encode_chunk(reinterpret_cast<const unsigned char*>(data->data()), kElements * sizeof(T), sizeof(T));
    }));
    const hsize_t offset = chunks_++ * kElements;
    writer_.post([this, encoded, offset] {
      const auto bytes = encoded->get();
      const hsize_t extent = offset + kElements;
      h5::check(H5Dset_extent(dataset_.get(), &extent), path_, "extend " + name_);
      h5::check(H5Dwrite_chunk(dataset_.get(), H5P_DEFAULT, 0, &offset, bytes.size(), bytes.data()), path_,
                "write " + name_);
    });
  }

  std::string name_;
  const std::string& path_;
  BackgroundWriter& writer_;
  h5::Dataset dataset_;
  std::vector<T> buffer_;
  std::uint64_t chunks_ = 0, total_ = 0;
};

// A string column as Arrow lays one out: group NAME with `data` (the UTF-8 bytes of all
// values, concatenated) and `offsets` (n + 1 values from 0; value i is data[offsets[i],
// offsets[i + 1])).
class H5Snapshot::StringColumn {
 public:
  StringColumn(hid_t parent, const char* name, BackgroundWriter& writer, const std::string& path)
      : writer_(writer),
        group_(h5::checked<h5::Group>(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path,
                                      std::string("create group ") + name)),
        offsets_(group_.get(), "offsets", writer, path),
        data_(group_.get(), "data", writer, path) {
    offsets_.append(&end_, 1);
  }
  void add(std::string_view v) {
    data_.append(reinterpret_cast<const std::uint8_t*>(v.data()), v.size());
    end_ += v.size();
    offsets_.append(&end_, 1);
  }
  void finish() {
    offsets_.finish();
    data_.finish();
    writer_.post([this] { group_.reset(); });
  }
  Column<std::uint64_t>& offsets() { return offsets_; }
  Column<std::uint8_t>& data() { return data_; }

 private:
  BackgroundWriter& writer_;
  h5::Group group_;
  Column<std::uint64_t> offsets_;
  Column<std::uint8_t> data_;
  std::uint64_t end_ = 0;
};

H5Snapshot::H5Snapshot(std::string path) : path_(std::move(path)), temp_(path_) {
  // No HDF5 clean-up at process exit: after a failed write it could touch a broken file.
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // our messages say what failed
  // Dense attribute storage: the list of source files may hold thousands of names, more
  // than the 64 KiB an object header can hold.
  auto create = h5::checked<h5::Props>(H5Pcreate(H5P_FILE_CREATE), path_, "create file properties");
  h5::check(H5Pset_attr_phase_change(create.get(), 0, 0), path_, "set dense attributes");
  auto access = h5::checked<h5::Props>(H5Pcreate(H5P_FILE_ACCESS), path_, "create file access properties");
  h5::check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), path_, "set format version");
  file_ = h5::checked<h5::File>(H5Fcreate(temp_.path().c_str(), H5F_ACC_TRUNC, create.get(), access.get()), path_,
                                "create " + temp_.path());
  auto products = h5::checked<h5::Group>(H5Gcreate2(file_.get(), "products", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                         path_, "create group /products");
  auto counts = h5::checked<h5::Group>(H5Gcreate2(file_.get(), "product_counts", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                       path_, "create group /product_counts");
  // Enough queued chunks to keep both cores compressing while the caller fills SQLite.
  writer_ = std::make_unique<BackgroundWriter>(8);
  // HDF5 keeps error-printing settings per thread: silence the writer thread as well.
  writer_->post([] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
  sku_ = std::make_unique<StringColumn>(products.get(), "sku", *writer_, path_);
  name_ = std::make_unique<StringColumn>(products.get(), "name", *writer_, path_);
  description_ = std::make_unique<StringColumn>(products.get(), "description", *writer_, path_);
  count_name_ = std::make_unique<StringColumn>(counts.get(), "name", *writer_, path_);
  count_ = std::make_unique<Column<std::int64_t>>(counts.get(), "products", *writer_, path_);
}

H5Snapshot::~H5Snapshot() = default;

void H5Snapshot::add_product(std::string_view sku, std::string_view name, std::string_view description) {
  sku_->add(sku);
  name_->add(name);
  description_->add(description);
}

void H5Snapshot::add_count(std::string_view name, std::int64_t products) {
  count_name_->add(name);
  count_->append(&products, 1);
}

template <class Fn>
void H5Snapshot::with_column(H5Column column, Fn&& fn) {
  switch (column) {
    case H5Column::SkuOffsets: return fn(sku_->offsets());
    case H5Column::SkuData: return fn(sku_->data());
    case H5Column::NameOffsets: return fn(name_->offsets());
    case H5Column::NameData: return fn(name_->data());
    case H5Column::DescriptionOffsets: return fn(description_->offsets());
    case H5Column::DescriptionData: return fn(description_->data());
    case H5Column::CountNameOffsets: return fn(count_name_->offsets());
    case H5Column::CountNameData: return fn(count_name_->data());
    case H5Column::CountProducts: return fn(*count_);
  }
}

void H5Snapshot::set_sizes(const H5ColumnSizes& sizes) {
  for (std::size_t k = 0; k < kH5Columns; ++k)
    with_column(static_cast<H5Column>(k), [&](auto& c) { c.preset(sizes[k]); });
}

void H5Snapshot::add_chunk(H5Column column, std::uint64_t index, std::span<const std::uint8_t> bytes) {
  with_column(column, [&](auto& c) { c.put_chunk(index, bytes); });
}

void H5Snapshot::describe(const SnapshotInfo& info) {
  writer_->drain();  // from here on this thread calls HDF5 directly
  int_attribute(file_.get(), "layout_version", kLayoutVersion, path_);
  int_attribute(file_.get(), "run_id", info.run_id, path_);
  string_attribute(file_.get(), "state", {info.state.c_str()}, true, path_);
  string_attribute(file_.get(), "created_at", {info.created_at.c_str()}, true, path_);
  std::vector<const char*> names;
  for (const auto& f : info.files) names.push_back(f.c_str());
  string_attribute(file_.get(), "source_files", names, false, path_);
  string_attribute(file_.get(), "generator", {info.generator.c_str()}, true, path_);
}

void H5Snapshot::seal() {
  if (sealed_) return;
  sealed_ = true;
  sku_->finish();
  name_->finish();
  description_->finish();
  count_name_->finish();
  count_->finish();
}

void H5Snapshot::finish() {
  seal();
  writer_->drain();
  writer_.reset();
  sku_.reset();
  name_.reset();
  description_.reset();
  count_name_.reset();
  count_.reset();
  h5::check(H5Fclose(file_.release()), path_, "write and close " + temp_.path());
  temp_.sync();  // on disk before the database commits: publish() is then a rename only
}

void H5Snapshot::publish() { temp_.publish(/*replace=*/true); }

}  // namespace lfp::store

#include "store/products.hpp"
#include "store/schema.hpp"
#include "store/sources.hpp"

namespace lfp::store {

void export_snapshot(Connection& db, const std::string& path, SnapshotInfo info) {
  db.exec("BEGIN");  // one consistent read of products, counts and state
  try {
    info.state = state_token(db);
    info.run_id = db.integer("SELECT coalesce(max(id), 0) FROM runs");
    // The files the data came from: every file in the sources ledger.
    info.files.clear();
    for (const auto& [path, entry] : read_ledger(db)) info.files.push_back(path);
    H5Snapshot snapshot(path);
    for_each_product(db, [&](auto sku, auto name, auto desc) { snapshot.add_product(sku, name, desc); });
    for_each_count(db, [&](auto name, auto n) { snapshot.add_count(name, n); });
    snapshot.describe(info);
    snapshot.finish();
    snapshot.publish();
  } catch (...) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  db.exec("COMMIT");
}

}  // namespace lfp::store
