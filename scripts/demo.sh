#!/usr/bin/env bash
# Sets up, generates the built-in default data set (500,000 products like the real file),
# ingests it with RANKS ranks (default 4), then shows what a user would look at: a summary,
# the top names, a re-ingest that skips the unchanged file, one edit, and a verification.
#   scripts/demo.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
rows=${1:-500000}
ranks=${RANKS:-4}
lfp=build/lfp_mpi

scripts/setup.sh
mkdir -p demo
[[ -f demo/products.csv ]] || mpirun -n 2 $lfp generate --rows "$rows" --seed 1 -o demo/products.csv
rm -f demo/products.db demo/products.h5
mpirun -n "$ranks" $lfp ingest demo/products.csv --db demo/products.db

echo; echo "== lfp_mpi query --db demo/products.db"
$lfp query --db demo/products.db
echo; echo "== lfp_mpi query --db demo/products.db --top 5"
$lfp query --db demo/products.db --top 5
echo; echo "== the same file again: unchanged, so skipped"
mpirun -n "$ranks" $lfp ingest demo/products.csv --db demo/products.db
sku=$($lfp query --db demo/products.db --top 1 --format csv | sed -n 2p | cut -d, -f1)
first=$(sqlite3 demo/products.db "SELECT sku FROM products WHERE name = '$sku' LIMIT 1")
echo; echo "== lfp_mpi update --sku $first --description 'edited by the demo'"
$lfp update --db demo/products.db --sku "$first" --description "edited by the demo"
echo; echo "== lfp_mpi verify --db demo/products.db"
$lfp verify --db demo/products.db
echo; echo "== h5dump -H demo/products.h5 (datasets)"
h5dump -H demo/products.h5 | grep -E 'GROUP|DATASET|DATASPACE  SIMPLE'
