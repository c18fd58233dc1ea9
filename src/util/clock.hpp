#pragma once
// Wall-clock time as the runs table and the snapshot record it.
#include <ctime>
#include <string>

namespace lfp {

// Now, UTC, ISO 8601 to the second ("2026-11-27T11:30:29Z").
inline std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace lfp
