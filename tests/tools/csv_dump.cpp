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

#include "tools/simulated_ranks.hpp"

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void print(std::size_t file, std::uint64_t index, const lfp::csv::Record& r) {
  static const char* hex = "0123456789abcdef";
  std::string out = "{\"file\": " + std::to_string(file) + ", \"index\": " + std::to_string(index) +
                    ", \"line\": " + std::to_string(r.line) + ", \"offset\": " + std::to_string(r.offset) +
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
  if (ranks == 0)
    lfp::testing::for_each_record_sequentially(files, print);
  else
    lfp::testing::for_each_record_as_ranks(files, ranks, print);
  return 0;
}
