#pragma once
// HDF5 identifiers owned through UniqueHandle, one alias per kind of identifier (each has
// its own close function), and checks that turn HDF5 failures into Errors naming the file.
#include <hdf5.h>

#include <string>

#include "util/error.hpp"
#include "util/unique_handle.hpp"

namespace lfp::store::h5 {

template <herr_t (*Close)(hid_t)>
using Handle = UniqueHandle<hid_t, Close, H5I_INVALID_HID>;
using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Space = Handle<H5Sclose>;
using Type = Handle<H5Tclose>;
using Props = Handle<H5Pclose>;
using Attribute = Handle<H5Aclose>;

// `id` if valid; otherwise throws "snapshot PATH: cannot WHAT".
template <class H>
H checked(hid_t id, const std::string& path, const std::string& what) {
  if (id < 0) throw Error(kExitOutput, "snapshot " + path + ": cannot " + what);
  return H(id);
}
inline void check(herr_t rc, const std::string& path, const std::string& what) {
  if (rc < 0) throw Error(kExitOutput, "snapshot " + path + ": cannot " + what);
}

// Variable-length UTF-8 strings (the snapshot's string type).
inline Type utf8_string_type(const std::string& path) {
  auto t = checked<Type>(H5Tcopy(H5T_C_S1), path, "create string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), path, "set string size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), path, "set string charset");
  return t;
}

}  // namespace lfp::store::h5
