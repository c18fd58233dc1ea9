// lfp_mpi: registers the subcommands and runs the one named on the command line. Every rank
// parses the same argv; only rank 0 prints.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <optional>
#include <vector>

#include "commands/cli_options.hpp"
#include "commands/command.hpp"
#include "mpi/comm.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/shell_quote.hpp"
#include "util/suggest.hpp"

namespace {

// "  ingest    Import CSV files ..." for each subcommand.
std::string subcommand_list(const std::vector<lfp::Command>& commands) {
  std::string out = "Subcommands:\n";
  for (const auto& c : commands)
    out += lfp::log::format("  %-9s %s\n", c.app->get_name().c_str(), c.app->get_description().c_str());
  return out + "Run 'lfp_mpi SUBCOMMAND --help' for its options, 'lfp_mpi --help' for exit codes.\n";
}

// Bare `lfp_mpi`, `lfp_mpi help` and a mistyped subcommand, before CLI11 (whose message
// would only say that a subcommand is required). Returns the exit code, or -1 to go on.
int check_subcommand(int argc, char** argv, const std::vector<lfp::Command>& commands, bool print) {
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c.app->get_name());
  if (argc < 2) {
    if (print)
      std::fprintf(stderr, "%s\n%s", lfp::log::error_line("a subcommand is required").c_str(),
                   subcommand_list(commands).c_str());
    return lfp::kExitUsage;
  }
  const std::string word = argv[1];
  if (word == "help") {
    if (print)
      std::printf("lfp_mpi: parallel import of product CSV files into SQLite and HDF5\n%s",
                  subcommand_list(commands).c_str());
    return lfp::kExitOk;
  }
  if (word.empty() || word[0] == '-' || std::find(names.begin(), names.end(), word) != names.end()) return -1;
  const std::string guess = lfp::closest(word, names);
  std::string message = "unknown subcommand '" + word + "'";
  if (!guess.empty()) message += ": did you mean '" + guess + "'?";
  if (print) std::fprintf(stderr, "%s\n%s", lfp::log::error_line(message).c_str(), subcommand_list(commands).c_str());
  return lfp::kExitUsage;
}

// The single-process commands skip MPI_Init when no launcher started them.
bool needs_mpi(int argc, char** argv, const std::vector<lfp::Command>& commands) {
  if (lfp::mpi::launched_by_mpi() || argc < 2) return true;
  for (const auto& c : commands)
    if (c.app->get_name() == argv[1]) return !c.single_process;
  return true;
}

// CLI11's message for a parse error, in plain words where CLI11's own would show its
// internals. Bad values already come plain from the validators (commands/cli_options).
std::string parse_error_message(const CLI::App& app, const std::vector<lfp::Command>& commands, const CLI::Error& e) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    for (const auto& c : commands)
      if (c.app->parsed() && !c.app->remaining().empty())
        return lfp::unexpected_arguments_message(*c.app, c.app->remaining());
    return lfp::unexpected_arguments_message(app, app.remaining());
  }
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && what.find(':') != std::string::npos) {
    const std::string option = what.substr(0, what.find(':'));
    // "--rows: 1 required N missing": the option was given without its value.
    if (what.find(" missing") != std::string::npos) return option + ": needs a value";
    // "--sku: At Most 1 required but received 2": a one-value option given twice.
    if (what.find("At Most 1 ") != std::string::npos) return option + ": takes one value; give it once";
  }
  return what;
}

}  // namespace

int main(int argc, char** argv) {
  // Past the file size limit (ulimit -f) a write fails with EFBIG and the job exits 5 after
  // removing its temporary files, instead of dying on SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"lfp_mpi: parallel import of product CSV files into SQLite and HDF5, kept current"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lfp_mpi " LFP_VERSION);
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 usage, 3 input file, 4 bad header, 5 database or snapshot,\n"
      "6 verify found a disagreement, 7 no such sku, 8 committed but the snapshot could not be written,\n"
      "9 the memory budget (--mem-per-rank) is too small to work in.\n"
      "Run under mpirun for parallel runs, e.g. mpirun -n 8 lfp_mpi ingest products.csv");

  // Quoted as a shell reads it back, for the runs table: the run can be repeated by pasting it.
  const std::string command_line = lfp::shell_command(argc, argv);
  const std::vector<lfp::Command> commands{lfp::add_ingest(app, command_line),
                                           lfp::add_generate(app),
                                           lfp::add_update(app, command_line),
                                           lfp::add_delete(app, command_line),
                                           lfp::add_query(app),
                                           lfp::add_verify(app),
                                           lfp::add_snapshot(app)};
  // CLI11's own messages come out like every other: "lfp_mpi: error: ...".
  app.failure_message([&commands](const CLI::App* top, const CLI::Error& e) {
    return lfp::log::error_line(parse_error_message(*top, commands, e)) + "\nRun with --help for more information.\n";
  });
  std::optional<lfp::mpi::Environment> env;
  if (needs_mpi(argc, argv, commands)) env.emplace(argc, argv);
  const lfp::mpi::Comm comm = env ? lfp::mpi::world() : lfp::mpi::Comm::solo();

  if (const int code = check_subcommand(argc, argv, commands, comm.root()); code >= 0) return code;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parsed the same argv, so all agree; rank 0 alone prints.
    if (comm.root()) app.exit(e);
    return e.get_exit_code() == 0 ? 0 : lfp::kExitUsage;
  }

  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.run(comm);
  } catch (const std::bad_alloc&) {
    // Out of memory anywhere is exit 1, as SQLite's and mmap's are; peers may be blocked in
    // a collective, so abort.
    lfp::log::error(comm.rank(), lfp::kOutOfMemory);
    if (env) lfp::mpi::abort(lfp::kExitInternal);
  } catch (const std::exception& e) {
    // Unexpected (a bug): peers may be blocked in a collective, so abort.
    lfp::log::error(comm.rank(), std::string("internal error: ") + e.what());
    if (env) lfp::mpi::abort(lfp::kExitInternal);
  }
  return lfp::kExitInternal;
}
