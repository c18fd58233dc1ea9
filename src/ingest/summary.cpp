#include "ingest/summary.hpp"

#include "util/log.hpp"

namespace lfp {

std::vector<std::string> summary_lines(const RunStats& s, std::size_t files, const std::string& db,
                                       const std::string& h5) {
  std::vector<std::string> out;
  const auto named = static_cast<std::int64_t>(files);
  std::string inputs = log::count(named, "file");
  if (s.files_read != named)
    inputs += " (" + std::to_string(s.files_read) + " read, " + std::to_string(named - s.files_read) +
              " unchanged and skipped)";
  out.push_back(log::count(s.ranks, "rank") + ", " + inputs + ": " + log::count(s.records_read, "record") + " read, " +
                std::to_string(s.rejected) + " rejected");
  out.push_back(log::format("products: %lld inserted, %lld updated, %lld unchanged; the database holds %s and %s",
                            static_cast<long long>(s.inserted), static_cast<long long>(s.updated),
                            static_cast<long long>(s.unchanged), log::count(s.products, "product").c_str(),
                            log::count(s.names, "name").c_str()));
  if (s.chunks > 0)
    out.push_back(log::format("changed files: %lld of %s new and read; %s unchanged, not applied again",
                              static_cast<long long>(s.chunks_read), log::count(s.chunks, "chunk").c_str(),
                              log::count(s.records_unchanged, "record").c_str()));
  if (s.vanished > 0)
    out.push_back(log::count(s.vanished, "sku") + " vanished from the files read ('lfp_mpi query --vanished' lists " +
                  "them): " +
                  (s.pruned > 0 ? std::to_string(s.pruned) + " deleted (--prune), the others are held by other files"
                                : std::string("kept in the database (--prune deletes those no other file holds)")));
  if (s.folded)
    out.push_back(
        "the changes kept in products_recent reached a quarter of the products and were folded into "
        "products_main");
  double total = 0;
  std::string phases;
  for (const auto& [name, secs] : s.phase_seconds) {
    if (name == phase::kTotal)
      total = secs;
    else
      phases += log::format(" %s %.3f", name.c_str(), secs);
  }
  const std::string wrote = log::format("wrote %s%s%s (run %lld) in %.3f s:", db.c_str(), h5.empty() ? "" : " and ",
                                        h5.c_str(), static_cast<long long>(s.run_id), total) +
                            phases;
  out.push_back(wrote);
  return out;
}

}  // namespace lfp
