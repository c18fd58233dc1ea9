#include "ingest/summary.hpp"

#include "util/log.hpp"

namespace lfp {

std::vector<std::string> summary_lines(const RunSummary& s) {
  std::vector<std::string> out;
  std::string files = log::count(static_cast<std::int64_t>(s.files), "file");
  if (s.files_read != s.files)
    files += " (" + std::to_string(s.files_read) + " read, " + std::to_string(s.files - s.files_read) +
             " unchanged and skipped)";
  out.push_back(log::count(s.ranks, "rank") + ", " + files + ": " + log::count(s.records_read, "record") + " read, " +
                std::to_string(s.rejected) + " rejected");
  const auto& o = s.outcome;
  out.push_back(log::format("products: %lld inserted, %lld updated, %lld unchanged; the database holds %s and %s",
                            static_cast<long long>(o.inserted), static_cast<long long>(o.updated),
                            static_cast<long long>(o.unchanged), log::count(o.products, "product").c_str(),
                            log::count(o.names, "name").c_str()));
  if (o.folded)
    out.push_back("the changes kept in products_recent reached a quarter of the products and were folded into "
                  "products_main");
  double total = 0;
  std::string phases;
  for (const auto& [name, secs] : o.phase_seconds) {
    if (name == "total")
      total = secs;
    else
      phases += log::format(" %s %.3f", name.c_str(), secs);
  }
  const std::string wrote = log::format("wrote %s%s%s (run %lld) in %.3f s:", s.db.c_str(), s.h5.empty() ? "" : " and ",
                                        s.h5.c_str(), static_cast<long long>(o.run_id), total) +
                            phases;
  out.push_back(wrote);
  return out;
}

}  // namespace lfp
