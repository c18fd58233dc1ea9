#include "ingest/summary.hpp"

#include "util/log.hpp"

namespace lfp {

std::vector<std::string> summary_lines(const RunSummary& s) {
  auto plural = [](std::int64_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  std::vector<std::string> out;
  std::string files = plural(static_cast<std::int64_t>(s.files), "file");
  if (s.files_read != s.files)
    files += " (" + std::to_string(s.files_read) + " read, " + std::to_string(s.files - s.files_read) +
             " unchanged and skipped)";
  out.push_back(plural(s.ranks, "rank") + ", " + files + ": " + std::to_string(s.records_read) + " records read, " +
                std::to_string(s.rejected) + " rejected");
  const auto& o = s.outcome;
  out.push_back(log::format("products: %lld inserted, %lld updated, %lld unchanged; the database holds %lld "
                            "products and %lld names",
                            static_cast<long long>(o.inserted), static_cast<long long>(o.updated),
                            static_cast<long long>(o.unchanged), static_cast<long long>(o.products),
                            static_cast<long long>(o.names)));
  if (o.folded)
    out.push_back("the changes kept in products_recent reached a quarter of the products and were folded into "
                  "products_main");
  std::string wrote = log::format("wrote %s%s%s (run %lld) in %.2f s:", s.db.c_str(), s.h5.empty() ? "" : " and ",
                                  s.h5.c_str(), static_cast<long long>(o.run_id), s.seconds);
  for (const auto& [name, secs] : s.phases) wrote += log::format(" %s %.3f", name.c_str(), secs);
  out.push_back(wrote);
  return out;
}

}  // namespace lfp
