#pragma once
// How a subcommand plugs into main: it adds itself (options and help) to the CLI11 app and
// returns what runs it once parsed. Every rank parses the same argv, so all pick the same.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "mpi/comm.hpp"

namespace lfp {

struct Command {
  CLI::App* app = nullptr;
  std::function<int(const mpi::Comm&)> run;
  // Works on one database file from rank 0: needs no MPI when not started by a launcher.
  bool single_process = false;
};

// `command_line`: the whole argv, shell-quoted, for the runs row of the commands that write one.
Command add_ingest(CLI::App& app, const std::string& command_line);
Command add_generate(CLI::App& app);
Command add_update(CLI::App& app, const std::string& command_line);
Command add_delete(CLI::App& app, const std::string& command_line);
Command add_query(CLI::App& app);
Command add_verify(CLI::App& app);
Command add_snapshot(CLI::App& app);

}  // namespace lfp
