#include "store/h5_snapshot.hpp"

#include "store/sqlite.hpp"

#include "store/h5_handles.hpp"
#include "util/error.hpp"

namespace lfp::store {
namespace {

constexpr hsize_t kChunk = 16384;      // elements per HDF5 chunk
constexpr std::size_t kBatch = 65536;  // elements buffered before each write

// A 1-D extendible chunked dataset that grows by appended batches.
h5::Dataset create_growing(hid_t parent, const char* name, hid_t type, const std::string& path) {
  const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
  auto space = h5::checked<h5::Space>(H5Screate_simple(1, &zero, &unlimited), path, "create dataspace");
  auto props = h5::checked<h5::Props>(H5Pcreate(H5P_DATASET_CREATE), path, "create dataset properties");
  h5::check(H5Pset_chunk(props.get(), 1, &kChunk), path, "set chunking");
  return h5::checked<h5::Dataset>(H5Dcreate2(parent, name, type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
                                  path, std::string("create dataset ") + name);
}

void append(hid_t dataset, hid_t type, hsize_t& size, const void* data, hsize_t n, const char* name,
            const std::string& path) {
  if (n == 0) return;
  const hsize_t grown = size + n;
  h5::check(H5Dset_extent(dataset, &grown), path, std::string("extend ") + name);
  auto file_space = h5::checked<h5::Space>(H5Dget_space(dataset), path, "get dataspace");
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &size, nullptr, &n, nullptr), path, "select");
  auto mem_space = h5::checked<h5::Space>(H5Screate_simple(1, &n, nullptr), path, "create memory dataspace");
  h5::check(H5Dwrite(dataset, type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), path,
            std::string("write ") + name);
  size = grown;
}

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

}  // namespace

class H5Snapshot::StringColumn {
 public:
  StringColumn(hid_t parent, const char* name, BackgroundWriter& writer, const std::string& path)
      : name_(name), path_(path), writer_(writer), type_(h5::utf8_string_type(path)) {
    dataset_ = create_growing(parent, name, type_.get(), path);
  }
  void add(std::string_view v) {
    offsets_.push_back(bytes_.size());
    bytes_.append(v);
    bytes_.push_back('\0');  // HDF5 variable-length strings are NUL-terminated
    if (offsets_.size() == kBatch) flush();
  }
  void flush() {
    auto bytes = std::make_shared<std::string>(std::move(bytes_));
    auto offsets = std::make_shared<std::vector<std::size_t>>(std::move(offsets_));
    bytes_.clear();
    offsets_.clear();
    writer_.post([this, bytes, offsets] {
      std::vector<const char*> ptrs(offsets->size());
      for (std::size_t i = 0; i < offsets->size(); ++i) ptrs[i] = bytes->data() + (*offsets)[i];
      append(dataset_.get(), type_.get(), size_, ptrs.data(), ptrs.size(), name_, path_);
    });
  }

 private:
  const char* name_;
  const std::string& path_;
  BackgroundWriter& writer_;
  h5::Type type_;
  h5::Dataset dataset_;
  hsize_t size_ = 0;  // touched by the writer thread only
  std::string bytes_;
  std::vector<std::size_t> offsets_;
};

class H5Snapshot::IntColumn {
 public:
  IntColumn(hid_t parent, const char* name, BackgroundWriter& writer, const std::string& path)
      : name_(name), path_(path), writer_(writer) {
    dataset_ = create_growing(parent, name, H5T_STD_I64LE, path);
  }
  void add(std::int64_t v) {
    values_.push_back(v);
    if (values_.size() == kBatch) flush();
  }
  void flush() {
    auto values = std::make_shared<std::vector<std::int64_t>>(std::move(values_));
    values_.clear();
    writer_.post([this, values] {
      append(dataset_.get(), H5T_NATIVE_INT64, size_, values->data(), values->size(), name_, path_);
    });
  }

 private:
  const char* name_;
  const std::string& path_;
  BackgroundWriter& writer_;
  h5::Dataset dataset_;
  hsize_t size_ = 0;
  std::vector<std::int64_t> values_;
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
  auto counts = h5::checked<h5::Group>(
      H5Gcreate2(file_.get(), "product_counts", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path_,
      "create group /product_counts");
  writer_ = std::make_unique<BackgroundWriter>();
  // HDF5 keeps error-printing settings per thread: silence the writer thread as well.
  writer_->post([] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
  sku_ = std::make_unique<StringColumn>(products.get(), "sku", *writer_, path_);
  name_ = std::make_unique<StringColumn>(products.get(), "name", *writer_, path_);
  description_ = std::make_unique<StringColumn>(products.get(), "description", *writer_, path_);
  count_name_ = std::make_unique<StringColumn>(counts.get(), "name", *writer_, path_);
  count_ = std::make_unique<IntColumn>(counts.get(), "products", *writer_, path_);
}

H5Snapshot::~H5Snapshot() = default;

void H5Snapshot::add_product(std::string_view sku, std::string_view name, std::string_view description) {
  sku_->add(sku);
  name_->add(name);
  description_->add(description);
}

void H5Snapshot::add_count(std::string_view name, std::int64_t products) {
  count_name_->add(name);
  count_->add(products);
}

void H5Snapshot::describe(const SnapshotInfo& info) {
  writer_->drain();  // from here on this thread calls HDF5 directly
  string_attribute(file_.get(), "created_at", {info.created_at.c_str()}, true, path_);
  std::vector<const char*> names;
  for (const auto& f : info.files) names.push_back(f.c_str());
  string_attribute(file_.get(), "source_files", names, false, path_);
  string_attribute(file_.get(), "state", {info.state.c_str()}, true, path_);
  string_attribute(file_.get(), "generator", {info.generator.c_str()}, true, path_);
  auto scalar = h5::checked<h5::Space>(H5Screate(H5S_SCALAR), path_, "create scalar");
  auto attr = h5::checked<h5::Attribute>(
      H5Acreate2(file_.get(), "run_id", H5T_STD_I64LE, scalar.get(), H5P_DEFAULT, H5P_DEFAULT), path_,
      "create attribute run_id");
  h5::check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &info.run_id), path_, "write attribute run_id");
}

void H5Snapshot::finish() {
  sku_->flush();
  name_->flush();
  description_->flush();
  count_name_->flush();
  count_->flush();
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
