#!/usr/bin/env bash
# Sets up, generates the built-in default data set (500,000 products like the real file),
# ingests it with RANKS ranks (default 4) and shows what a user would look at.
#   scripts/demo.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
rows=${1:-500000}
ranks=${RANKS:-4}

scripts/setup.sh
mkdir -p demo
[[ -f demo/products.csv ]] || mpirun -n 2 build/lfp_mpi generate --rows "$rows" --seed 1 -o demo/products.csv
rm -f demo/products.db demo/products.h5
mpirun -n "$ranks" build/lfp_mpi ingest demo/products.csv --db demo/products.db

echo
echo "== sqlite3 demo/products.db 'select * from product_counts order by products desc limit 10'"
sqlite3 -header -column demo/products.db 'select * from product_counts order by products desc limit 10'
echo
echo "== sqlite3 demo/products.db 'select * from runs'"
sqlite3 -header -column demo/products.db 'select id, ranks, records_read, rows_written, rejects, phase_seconds from runs'
echo
echo "== h5dump -H demo/products.h5 (datasets)"
h5dump -H demo/products.h5 | grep -E 'GROUP|DATASET|DATASPACE  SIMPLE'
