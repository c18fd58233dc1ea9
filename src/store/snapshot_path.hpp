#pragma once
// Where the HDF5 snapshot of a database is: the path given with --h5, else the database path
// with its extension replaced by .h5. Every command that writes, refreshes, checks or
// reports a snapshot asks here.
#include <filesystem>
#include <string>

namespace lfp::store {

// `h5_option`: --h5 as given, empty when not given.
inline std::string snapshot_path(const std::string& db, const std::string& h5_option = "") {
  if (!h5_option.empty()) return h5_option;
  std::filesystem::path p(db);
  p.replace_extension(".h5");
  return p.string();
}

}  // namespace lfp::store
