#include "store/h5_snapshot.hpp"

#include "error.hpp"
#include "temp_files.hpp"

namespace lfp {
namespace {

constexpr hsize_t kChunk = 16384;   // elements per HDF5 chunk
constexpr std::size_t kBatch = 65536;  // elements buffered before each write

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id < 0) throw Error(kExitOutput, "HDF5: cannot " + what);
  }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

void check(herr_t rc, const std::string& what) {
  if (rc < 0) throw Error(kExitOutput, "HDF5: cannot " + what);
}

Handle utf8_string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose, "create string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "set string size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string charset");
  return t;
}

// A 1-D extendible chunked dataset that grows by appended batches.
Handle create_growing(hid_t parent, const char* name, hid_t type) {
  const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
  Handle space(H5Screate_simple(1, &zero, &unlimited), H5Sclose, "create dataspace");
  Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create dataset properties");
  check(H5Pset_chunk(props.get(), 1, &kChunk), "set chunking");
  return Handle(H5Dcreate2(parent, name, type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT), H5Dclose,
                std::string("create dataset ") + name);
}

void append(hid_t dataset, hid_t type, hsize_t& size, const void* data, hsize_t n, const char* name) {
  if (n == 0) return;
  const hsize_t grown = size + n;
  check(H5Dset_extent(dataset, &grown), std::string("extend ") + name);
  Handle file_space(H5Dget_space(dataset), H5Sclose, "get dataspace");
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &size, nullptr, &n, nullptr), "select");
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create memory dataspace");
  check(H5Dwrite(dataset, type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), std::string("write ") + name);
  size = grown;
}

}  // namespace

class H5Snapshot::StringColumn {
 public:
  StringColumn(hid_t parent, const char* name, BackgroundWriter& writer)
      : name_(name), writer_(writer), type_(utf8_string_type()) {
    dataset_ = create_growing(parent, name, type_.get());
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
      append(dataset_.get(), type_.get(), size_, ptrs.data(), ptrs.size(), name_);
    });
  }

 private:
  const char* name_;
  BackgroundWriter& writer_;
  Handle type_, dataset_;
  hsize_t size_ = 0;  // touched by the writer thread only
  std::string bytes_;
  std::vector<std::size_t> offsets_;
};

class H5Snapshot::IntColumn {
 public:
  IntColumn(hid_t parent, const char* name, BackgroundWriter& writer) : name_(name), writer_(writer) {
    dataset_ = create_growing(parent, name, H5T_STD_I64LE);
  }
  void add(std::int64_t v) {
    values_.push_back(v);
    if (values_.size() == kBatch) flush();
  }
  void flush() {
    auto values = std::make_shared<std::vector<std::int64_t>>(std::move(values_));
    values_.clear();
    writer_.post([this, values] {
      append(dataset_.get(), H5T_NATIVE_INT64, size_, values->data(), values->size(), name_);
    });
  }

 private:
  const char* name_;
  BackgroundWriter& writer_;
  Handle dataset_;
  hsize_t size_ = 0;
  std::vector<std::int64_t> values_;
};

H5Snapshot::FileId::~FileId() {
  if (id >= 0) H5Fclose(id);
}

H5Snapshot::H5Snapshot(std::string path) : path_(std::move(path)), temp_(path_) {
  // No HDF5 clean-up at process exit: after a failed write it could touch a broken file.
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // our messages say what failed
  // Dense attribute storage: the list of source files may hold thousands of names, more
  // than the 64 KiB an object header can hold.
  Handle create(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create file properties");
  check(H5Pset_attr_phase_change(create.get(), 0, 0), "set dense attributes");
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create file access properties");
  check(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), "set format version");
  file_.id = H5Fcreate(temp_.path().c_str(), H5F_ACC_TRUNC, create.get(), access.get());
  if (file_.id < 0) throw Error(kExitOutput, "snapshot " + path_ + ": cannot create " + temp_.path());
  Handle products(H5Gcreate2(file_.id, "products", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "create group /products");
  Handle counts(H5Gcreate2(file_.id, "product_counts", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                "create group /product_counts");
  writer_ = std::make_unique<BackgroundWriter>();
  // HDF5 keeps error-printing settings per thread: silence the writer thread as well.
  writer_->post([] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
  sku_ = std::make_unique<StringColumn>(products.get(), "sku", *writer_);
  name_ = std::make_unique<StringColumn>(products.get(), "name", *writer_);
  description_ = std::make_unique<StringColumn>(products.get(), "description", *writer_);
  count_name_ = std::make_unique<StringColumn>(counts.get(), "name", *writer_);
  count_ = std::make_unique<IntColumn>(counts.get(), "products", *writer_);
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

void H5Snapshot::describe(const std::string& created_at, const std::vector<std::string>& files,
                          std::int64_t run_id) {
  writer_->drain();  // from here on this thread calls HDF5 directly
  auto type = utf8_string_type();
  auto string_attr = [&](const char* name, const std::vector<const char*>& values) {
    const hsize_t n = values.size();
    Handle space = values.size() == 1 ? Handle(H5Screate(H5S_SCALAR), H5Sclose, "create scalar")
                                      : Handle(H5Screate_simple(1, &n, nullptr), H5Sclose, "create dataspace");
    Handle attr(H5Acreate2(file_.id, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                std::string("create attribute ") + name);
    check(H5Awrite(attr.get(), type.get(), values.data()), std::string("write attribute ") + name);
  };
  string_attr("created_at", {created_at.c_str()});
  std::vector<const char*> names;
  for (const auto& f : files) names.push_back(f.c_str());
  {
    const hsize_t n = names.size();
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create dataspace");
    Handle attr(H5Acreate2(file_.id, "source_files", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "create attribute source_files");
    check(H5Awrite(attr.get(), type.get(), names.data()), "write attribute source_files");
  }
  Handle scalar(H5Screate(H5S_SCALAR), H5Sclose, "create scalar");
  Handle attr(H5Acreate2(file_.id, "run_id", H5T_STD_I64LE, scalar.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "create attribute run_id");
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &run_id), "write attribute run_id");
  string_attr("generator", {"lfp_mpi ingest"});
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
  const hid_t id = file_.id;
  file_.id = -1;
  check(H5Fclose(id), "write and close " + temp_.path());
}

void H5Snapshot::publish() { temp_.publish(/*replace=*/true); }

}  // namespace lfp
