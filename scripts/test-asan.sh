#!/usr/bin/env bash
# AddressSanitizer + UBSan build (build dir build-asan, -DLFP_SANITIZE=address,undefined):
# the unit tests, then the end-to-end tests of test_ingest.py and test_reliability.py at 1
# and 3 ranks (test_robustness.py's timed kills of large runs are left to the plain build).
# Any sanitizer report fails the run (-fno-sanitize-recover); leak reports are off, since
# MPI and HDF5 keep memory until exit.
#   scripts/test-asan.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLFP_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"${LFP_ASAN_JOBS:-2}" --target lfp_mpi unit_tests
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
ctest --output-on-failure --timeout 1200 -L unit "$@"
cd ..
for n in 1 3; do
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e/test_ingest.py tests/e2e/test_reliability.py \
    --lfp build-asan/lfp_mpi --ranks "$n" --shared-data tests/data
done
