// lfp_mpi: command line. Parses arguments on every rank (mpirun gives each the same argv);
// only rank 0 prints.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "error.hpp"
#include "generate_job.hpp"
#include "ingest_job.hpp"
#include "mpi/comm.hpp"

int main(int argc, char** argv) {
  lfp::mpi::Environment env(argc, argv);
  const lfp::mpi::Comm comm(MPI_COMM_WORLD);

  CLI::App app{"lfp_mpi: parallel import of product CSV files into SQLite and HDF5"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lfp_mpi " LFP_VERSION);
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 usage, 3 input file, 4 bad header, 5 database or snapshot.\n"
      "Run under mpirun for parallel runs, e.g. mpirun -n 8 lfp_mpi ingest products.csv");

  lfp::IngestOptions ingest;
  std::size_t batch_mb = 4, round_mb = 256;
  auto* in = app.add_subcommand("ingest", "Import CSV files (name,sku,description) into the database");
  in->add_option("files", ingest.files, "CSV files, applied in this order")->required();
  in->add_option("--db", ingest.db, "SQLite database to create or update")->capture_default_str();
  auto* h5 = in->add_option("--h5", ingest.h5, "HDF5 snapshot path (default: the database path with .h5)");
  in->add_flag("--no-h5", ingest.no_h5, "do not write the HDF5 snapshot")->excludes(h5);
  in->add_option("--batch-mb", batch_mb, "MiB per batch when rank 0 gathers results")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  in->add_option("--round-mb", round_mb, "MiB each rank sends per all-to-all round")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  in->add_flag("-q,--quiet", ingest.quiet, "print errors only");

  lfp::GenerateOptions gen;
  auto* ge = app.add_subcommand("generate", "Write a synthetic products file like the real one");
  ge->add_option("--rows", gen.rows, "number of records")->required()->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 40));
  ge->add_option("-o,--output", gen.output, "file to write")->required();
  ge->add_option("--seed", gen.seed, "data set seed")->capture_default_str();
  ge->add_flag("-q,--quiet", gen.quiet, "print errors only");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parsed the same argv, so all agree; rank 0 alone prints.
    if (comm.root()) app.exit(e);
    return e.get_exit_code() == 0 ? 0 : lfp::kExitUsage;
  }

  try {
    if (*in) {
      ingest.batch_bytes = batch_mb << 20;
      ingest.exchange_round_bytes = round_mb << 20;
      for (int i = 0; i < argc; ++i) ingest.command += (i ? " " : "") + std::string(argv[i]);
      return lfp::run_ingest(comm, ingest);
    }
    return lfp::run_generate(comm, gen);
  } catch (const std::exception& e) {
    // Unexpected (out of memory, a bug): peers may be blocked in a collective, so abort.
    std::fprintf(stderr, "lfp_mpi: rank %d: internal error: %s\n", comm.rank(), e.what());
    MPI_Abort(MPI_COMM_WORLD, lfp::kExitInternal);
  }
  return lfp::kExitInternal;
}
