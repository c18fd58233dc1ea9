// lfp_mpi: registers the subcommands and runs the one named on the command line. Every rank
// parses the same argv; only rank 0 prints.
#include <CLI/CLI.hpp>

#include <csignal>
#include <exception>
#include <optional>
#include <vector>

#include "commands/command.hpp"
#include "mpi/comm.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace {

// The single-process commands skip MPI_Init when no launcher started them.
bool needs_mpi(int argc, char** argv, const std::vector<lfp::Command>& commands) {
  if (lfp::mpi::launched_by_mpi() || argc < 2) return true;
  for (const auto& c : commands)
    if (c.app->get_name() == argv[1]) return !c.single_process;
  return true;
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
      "6 verify found a disagreement, 7 no such sku.\n"
      "Run under mpirun for parallel runs, e.g. mpirun -n 8 lfp_mpi ingest products.csv");

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  const std::vector<lfp::Command> commands{lfp::add_ingest(app, command_line), lfp::add_generate(app),
                                           lfp::add_update(app),   lfp::add_delete(app),
                                           lfp::add_query(app),    lfp::add_verify(app),
                                           lfp::add_snapshot(app)};
  std::optional<lfp::mpi::Environment> env;
  if (needs_mpi(argc, argv, commands)) env.emplace(argc, argv);
  const lfp::mpi::Comm comm = env ? lfp::mpi::Comm(MPI_COMM_WORLD) : lfp::mpi::Comm::solo();

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
  } catch (const std::exception& e) {
    // Unexpected (out of memory, a bug): peers may be blocked in a collective, so abort.
    lfp::log::error(comm.rank(), std::string("internal error: ") + e.what());
    if (env) MPI_Abort(MPI_COMM_WORLD, lfp::kExitInternal);
  }
  return lfp::kExitInternal;
}
