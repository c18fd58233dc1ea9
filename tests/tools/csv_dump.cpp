// Test tool: prints every record of the given files as JSON lines, found either by one
// sequential parse or by K simulated ranks (partition, summaries, prefix fold, owned
// records: the ingest job's boundary logic without MPI). Fields are hex-encoded bytes;
// `index` is the record's position in its file, which decides which record is the header.
//   csv_dump [--ranks K] FILE...
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "csv/range_scan.hpp"
#include "ingest/plan.hpp"

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void print(std::size_t file, std::uint64_t index, const lfp::csv::Record& r) {
  static const char* hex = "0123456789abcdef";
  std::string out = "{\"file\": " + std::to_string(file) + ", \"index\": " + std::to_string(index) + ", \"line\": " + std::to_string(r.line) +
                    ", \"offset\": " + std::to_string(r.offset) +
                    ", \"open_quote\": " + (r.open_quote ? "true" : "false") + ", \"fields\": [";
  for (std::size_t i = 0; i < r.fields.size(); ++i) {
    out += i ? ", \"" : "\"";
    for (unsigned char c : r.fields[i]) {
      out += hex[c >> 4];
      out += hex[c & 15];
    }
    out += "\"";
  }
  out += "]}\n";
  std::fputs(out.c_str(), stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int ranks = 0;  // 0: sequential parse
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ranks") == 0 && i + 1 < argc)
      ranks = std::atoi(argv[++i]);
    else
      files.push_back(read_file(argv[i]));
  }
  if (ranks == 0) {
    for (std::size_t f = 0; f < files.size(); ++f) {
      lfp::csv::Cursor cursor(files[f], lfp::csv::bom_length(files[f]), lfp::csv::State::RecordStart, 0);
      lfp::csv::Record r;
      std::uint64_t index = 0;
      while (cursor.seek_record_start(files[f].size()) < files[f].size()) {
        cursor.parse(r);
        print(f, index++, r);
      }
    }
    return 0;
  }
  std::vector<std::uint64_t> sizes;
  for (const auto& f : files) sizes.push_back(f.size());
  const auto ranges = lfp::partition(sizes, ranks);
  std::vector<lfp::csv::RangeSummary> summaries;
  for (const auto& range : ranges) {
    auto s = lfp::csv::RangeSummary::identity();
    for (const auto& seg : lfp::segments_of(sizes, range))
      s = s.then(lfp::csv::summarize(files[seg.file], seg.begin, seg.end));
    summaries.push_back(s);
  }
  for (int r = 0; r < ranks; ++r) {
    const auto start = lfp::csv::fold_prefix(summaries.data(), r);
    const auto segs = lfp::segments_of(sizes, ranges[r]);
    for (std::size_t i = 0; i < segs.size(); ++i)
      lfp::csv::for_each_owned_record(files[segs[i].file], segs[i].begin, segs[i].end,
                                      i == 0 ? start : lfp::csv::RangeStart{},
                                      [&](std::uint64_t index, const lfp::csv::Record& rec) { print(segs[i].file, index, rec); });
  }
  return 0;
}
