#include "commands/generate.hpp"

#include "commands/cli_options.hpp"
#include "commands/command.hpp"

#include <chrono>
#include <filesystem>
#include <memory>

#include "generate/product_generator.hpp"
#include "mpi/agree.hpp"
#include "mpi/file.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/temp_files.hpp"

namespace lfp {
namespace {

constexpr std::uint64_t kRowsPerRankRound = 100000;  // bounds each rank's buffer (~20 MB)

// Rank 0 publishes the finished file; the other ranks learn whether it worked.
void publish(const mpi::Comm& comm, TempFile* temp, const std::string& output, bool force) {
  std::string why;
  if (comm.root()) {
    try {
      // Without --force, link(): a file created meanwhile is not replaced either.
      temp->publish(/*replace=*/force);
    } catch (const Error& e) {
      why = e.what();
    }
  }
  mpi::all_succeeded(comm, why.empty(), kExitOutput, why.empty() ? output + ": cannot rename into place" : why);
}

}  // namespace

int run_generate(const mpi::Comm& comm, const GenerateOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t written = 0;
  // Written under rank 0's temporary name and renamed by rank 0: no half-written file.
  std::unique_ptr<TempFile> temp;
  try {
    std::vector<char> name;
    const int code = mpi::agree(comm, [&] {
      if (!comm.root()) return;
      std::error_code ec;
      if (!opt.force && std::filesystem::exists(opt.output, ec))
        throw Error(kExitUsage, opt.output + ": exists; not replaced (--force replaces it)");
      temp = std::make_unique<TempFile>(opt.output);
      name.assign(temp->path().begin(), temp->path().end());
    });
    if (code != kExitOk) return code;
    comm.bcast(name);
    mpi::SharedFile file(comm, std::string(name.begin(), name.end()));
    file.append_in_rank_order(comm.root() ? generate::header() : std::string_view{});
    std::string buf;
    const std::uint64_t per_round = kRowsPerRankRound * comm.size();
    for (std::uint64_t first = 0; first < opt.rows; first += per_round) {
      const std::uint64_t round_rows = std::min(per_round, opt.rows - first);
      const std::uint64_t lo = first + round_rows * comm.rank() / comm.size();
      const std::uint64_t hi = first + round_rows * (comm.rank() + 1) / comm.size();
      buf.clear();
      for (std::uint64_t i = lo; i < hi; ++i) generate::append_record(opt.seed, i, buf);
      file.append_in_rank_order(buf);
    }
    written = file.size();
    file.close();
    publish(comm, temp.get(), opt.output, opt.force);
  } catch (const Error& e) {
    // Every step above fails on all ranks together: rank 0 speaks for them.
    if (comm.root()) log::error(0, e.what());
    return e.code();
  }
  if (comm.root() && !opt.quiet) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log::info(log::format("generated %s (%s, seed %llu) in %s on %s in %.2f s",
                          log::count(static_cast<std::int64_t>(opt.rows), "record").c_str(),
                          log::count(static_cast<std::int64_t>(written), "byte").c_str(),
                          static_cast<unsigned long long>(opt.seed), opt.output.c_str(),
                          log::count(comm.size(), "rank").c_str(), secs));
  }
  return kExitOk;
}

}  // namespace lfp

namespace lfp {

Command add_generate(CLI::App& app) {
  auto opt = std::make_shared<GenerateOptions>();
  auto* ge = app.add_subcommand("generate", "Write a synthetic products file like the real one");
  add_whole_number(ge, "--rows", opt->rows, "number of records (up to 2^40)", 0, std::uint64_t{1} << 40)->required();
  ge->add_option("-o,--output", opt->output, "file to write")
      ->required()
      ->check(non_empty_path("output"))
      ->check(CLI::Validator(
          [](std::string& path) {
            // The ranks write their parts at their offsets of the file: a stream cannot take that.
            return path == "-" ? std::string("the ranks write the file at offsets: name a file, not '-'") : "";
          },
          "FILE"));
  add_whole_number(ge, "--seed", opt->seed, "data set seed")->capture_default_str();
  ge->add_flag("--force", opt->force, "replace the output file if it exists");
  ge->add_flag("-q,--quiet", opt->quiet, "print errors only");
  return {ge, [opt](const mpi::Comm& comm) { return run_generate(comm, *opt); }};
}

}  // namespace lfp
