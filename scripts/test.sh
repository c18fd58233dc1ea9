#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests, the CSV parser against Python's csv
# module, and end-to-end MPI runs of the real binary at 1, 2, 3, 4 and 8 ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh

scripts/setup.sh
cd build
ctest --output-on-failure --timeout 1200 "$@"
