#include "ingest/report.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/log.hpp"
#include "util/temp_files.hpp"

namespace lfp {
namespace {

// A JSON string. Bytes above 0x7f pass through: paths are UTF-8 in practice.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += log::format("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string integer(std::int64_t v) { return std::to_string(v); }

}  // namespace

std::string report_json(const RunStats& s, const RunReport& r) {
  std::string out = "{\n";
  auto field = [&](const char* key, const std::string& value) {
    out += std::string("  \"") + key + "\": " + value + ",\n";
  };
  field("records_read", integer(s.records_read));
  field("rejected", integer(s.rejected));
  field("records_unchanged", integer(s.records_unchanged));
  field("chunks", integer(s.chunks));
  field("chunks_read", integer(s.chunks_read));
  field("inserted", integer(s.inserted));
  field("updated", integer(s.updated));
  field("unchanged", integer(s.unchanged));
  field("products", integer(s.products));
  field("names", integer(s.names));
  field("vanished", integer(s.vanished));
  field("pruned", integer(s.pruned));
  field("phase_seconds", phase_seconds_json(s.phase_seconds));  // as the runs table stores them
  std::string files = "[";
  for (const auto& f : r.files)
    files += std::string(files.size() > 1 ? "," : "") + "\n    {\"path\": " + quoted(f.path) +
             ", \"status\": " + quoted(f.status.empty() ? "not read" : f.status) +
             ", \"records\": " + integer(f.records) + ", \"rejects\": " + integer(f.rejects) + "}";
  field("files", files + (r.files.empty() ? "]" : "\n  ]"));
  std::string nodes = "[";
  for (const auto& n : r.nodes) {
    std::string ranks;
    for (const int k : n.ranks) ranks += (ranks.empty() ? "" : ", ") + std::to_string(k);
    nodes += std::string(nodes.size() > 1 ? "," : "") + "\n    {\"host\": " + quoted(n.host) + ", \"ranks\": [" +
             ranks + "]}";
  }
  field("nodes", nodes + (r.nodes.empty() ? "]" : "\n  ]"));
  out += "  \"exit_code\": " + integer(r.exit_code) + ",\n";
  out += "  \"error\": " + (r.exit_code == 0 ? std::string("null") : quoted(r.error)) + "\n}\n";
  return out;
}

void settle_file_statuses(RunReport& report) {
  for (auto& f : report.files) {
    if (f.status == "skipped" || f.status == "rejected header") continue;
    struct stat st {};
    const bool stream = f.path == "-";
    if (!stream && ::stat(f.path.c_str(), &st) != 0)
      f.status = errno == ENOENT || errno == ENOTDIR ? "missing" : "unreadable";
    else if (!stream && S_ISDIR(st.st_mode))
      f.status = "not a regular file";
    else if (!stream && ::access(f.path.c_str(), R_OK) != 0)
      f.status = "unreadable";
    else if (report.error.rfind(f.path + ":", 0) == 0)
      f.status = "failed";
    else if (f.status.empty())
      f.status = "not read";
  }
}

void write_report(const std::string& target, const RunStats& stats, const RunReport& report) {
  const std::string text = report_json(stats, report);
  if (target == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  TempFile temp(target);
  std::FILE* f = std::fopen(temp.path().c_str(), "w");
  if (!f) throw Error(kExitOutput, "JSON report " + target + ": cannot create: " + std::strerror(errno));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw Error(kExitOutput, "JSON report " + target + ": cannot write");
  temp.publish(/*replace=*/true);
}

}  // namespace lfp
