#include "store/h5_reader.hpp"

namespace lfp::store {
namespace {

// Reads elements [first, first + n) of `dataset` as `type` into `out`.
void read_range(hid_t file, const char* dataset, hid_t type, std::uint64_t first, std::uint64_t n, void* out,
                const std::string& path) {
  auto d = h5::checked<h5::Dataset>(H5Dopen2(file, dataset, H5P_DEFAULT), path, std::string("open dataset ") + dataset);
  auto file_space = h5::checked<h5::Space>(H5Dget_space(d.get()), path, "get dataspace");
  const hsize_t start = first, count = n;
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), path, "select");
  auto mem_space = h5::checked<h5::Space>(H5Screate_simple(1, &count, nullptr), path, "create dataspace");
  h5::check(H5Dread(d.get(), type, mem_space.get(), file_space.get(), H5P_DEFAULT, out), path,
            std::string("read ") + dataset);
}

}  // namespace

H5Reader::H5Reader(std::string path) : path_(std::move(path)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  file_ = h5::checked<h5::File>(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path_, "open");
}

std::string H5Reader::string_attribute(const char* name) {
  if (H5Aexists(file_.get(), name) <= 0) return "";
  auto attr = h5::checked<h5::Attribute>(H5Aopen(file_.get(), name, H5P_DEFAULT), path_, "open attribute");
  auto type = h5::utf8_string_type(path_);
  char* value = nullptr;
  h5::check(H5Aread(attr.get(), type.get(), &value), path_, std::string("read attribute ") + name);
  std::string out = value ? value : "";
  H5free_memory(value);
  return out;
}

std::int64_t H5Reader::int_attribute(const char* name) {
  if (H5Aexists(file_.get(), name) <= 0) return 0;
  auto attr = h5::checked<h5::Attribute>(H5Aopen(file_.get(), name, H5P_DEFAULT), path_, "open attribute");
  std::int64_t v = 0;
  h5::check(H5Aread(attr.get(), H5T_NATIVE_INT64, &v), path_, std::string("read attribute ") + name);
  return v;
}

bool H5Reader::has(const char* dataset) const {
  // H5Lexists needs each group level to exist: check the group, then the dataset.
  std::string p(dataset);
  for (std::size_t slash = p.find('/', 1); slash != std::string::npos; slash = p.find('/', slash + 1))
    if (H5Lexists(file_.get(), p.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
  return H5Lexists(file_.get(), dataset, H5P_DEFAULT) > 0;
}

std::uint64_t H5Reader::length(const char* dataset) {
  auto d = h5::checked<h5::Dataset>(H5Dopen2(file_.get(), dataset, H5P_DEFAULT), path_,
                                    std::string("open dataset ") + dataset);
  auto space = h5::checked<h5::Space>(H5Dget_space(d.get()), path_, "get dataspace");
  hsize_t n = 0;
  if (H5Sget_simple_extent_ndims(space.get()) != 1) return 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  return n;
}

std::vector<std::string> H5Reader::strings(const std::string& column, std::uint64_t first, std::uint64_t n) {
  std::vector<std::uint64_t> offsets(n + 1);
  read_range(file_.get(), (column + "/offsets").c_str(), H5T_NATIVE_UINT64, first, n + 1, offsets.data(), path_);
  if (offsets.back() < offsets.front())
    throw Error(kExitOutput, "snapshot " + path_ + ": " + column + "/offsets decrease");
  std::string data(offsets.back() - offsets.front(), '\0');
  if (!data.empty())
    read_range(file_.get(), (column + "/data").c_str(), H5T_NATIVE_UINT8, offsets.front(), data.size(), data.data(),
               path_);
  std::vector<std::string> out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (offsets[i + 1] < offsets[i] || offsets[i + 1] > offsets.back())
      throw Error(kExitOutput, "snapshot " + path_ + ": " + column + "/offsets decrease");
    out.push_back(data.substr(offsets[i] - offsets.front(), offsets[i + 1] - offsets[i]));
  }
  return out;
}

std::uint64_t H5Reader::string_count(const std::string& column) {
  const std::uint64_t n = length((column + "/offsets").c_str());
  return n == 0 ? 0 : n - 1;
}

std::vector<std::int64_t> H5Reader::integers(const char* dataset, std::uint64_t first, std::uint64_t n) {
  std::vector<std::int64_t> out(n);
  read_range(file_.get(), dataset, H5T_NATIVE_INT64, first, n, out.data(), path_);
  return out;
}

}  // namespace lfp::store
