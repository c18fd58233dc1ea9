#!/usr/bin/env bash
# Sets up, builds and runs every test: through CTest the unit tests, the MPI layer at 1-4
# and 8 ranks, the CSV parser against Python's csv module, the end-to-end runs of the real binary
# at 1, 2, 3, 4 and 8 ranks, the Slurm job scripts on a real single-node Slurm
# (tests/slurm/test-slurm.sh) and the job across simulated nodes (scripts/test-multinode.sh);
# then every libFuzzer target for 30 s and the AddressSanitizer + UBSan build's tests.
#   scripts/test.sh [ctest arguments]     (with arguments: CTest only, e.g. -L unit)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh

scripts/setup.sh
(cd build && ctest --output-on-failure --timeout 1200 "$@")
if (($# == 0)); then
  bash scripts/fuzz.sh 30
  bash scripts/test-asan.sh
fi
