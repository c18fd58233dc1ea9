// libFuzzer: the records K simulated ranks find (partition, range summaries, prefix fold,
// owned records: the ingest job's boundary logic without MPI) equal one sequential parse,
// over 1 to 3 files and 1 to 9 ranks. Also: a cursor that keeps only the header's fields
// gives every record the same verdict as one that keeps all of them.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "csv/header.hpp"
#include "csv/range_scan.hpp"
#include "ingest/byte_partition.hpp"
#include "records/reject.hpp"
#include "tools/simulated_ranks.hpp"

namespace {

struct Seen {
  std::size_t file;
  std::uint64_t index;
  lfp::csv::OwnedRecord record;
  bool operator==(const Seen&) const = default;
};

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte: ranks (1-9) and files (1-3); the files are the rest, split at 0xFE bytes.
  const int ranks = data[0] % 9 + 1;
  const std::size_t max_files = data[0] / 9 % 3 + 1;
  std::vector<std::string> files(1);
  for (std::size_t i = 1; i < size; ++i) {
    if (data[i] == 0xFE && files.size() < max_files)
      files.emplace_back();
    else
      files.back().push_back(static_cast<char>(data[i]));
  }

  std::vector<Seen> sequential, parallel;
  lfp::testing::for_each_record_sequentially(files, [&](std::size_t f, std::uint64_t index, const lfp::csv::Record& r) {
    sequential.push_back({f, index, lfp::csv::to_owned(r)});
  });
  lfp::testing::for_each_record_as_ranks(files, ranks,
                                         [&](std::size_t f, std::uint64_t index, const lfp::csv::Record& r) {
                                           parallel.push_back({f, index, lfp::csv::to_owned(r)});
                                         });
  require(parallel == sequential);

  // Field limit: the same verdict with only the header's fields stored.
  for (const auto& file : files) {
    lfp::csv::Cursor all(file, lfp::csv::bom_length(file), lfp::csv::State::RecordStart, 0);
    lfp::csv::Record header;
    if (all.seek_record_start(file.size()) >= file.size()) continue;
    all.parse(header);
    const auto check = lfp::csv::check_header(header);
    if (check.problem != lfp::csv::HeaderProblem::None) continue;
    lfp::csv::Cursor few(file, all.position(), all.state(), 0);
    few.keep_fields(check.columns.fields);
    lfp::csv::Record a, b;
    while (all.seek_record_start(file.size()) < file.size()) {
      require(few.seek_record_start(file.size()) == all.position());
      all.parse(a);
      few.parse(b);
      require(a.field_count() == b.field_count() && a.end == b.end);
      require(lfp::check_record(a, check.columns) == lfp::check_record(b, check.columns));
    }
  }
  return 0;
}
