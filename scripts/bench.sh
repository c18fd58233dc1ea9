#!/usr/bin/env bash
# Sets up and runs the side-by-side benchmark (scripts/bench.py; options pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
scripts/setup.sh >/dev/null
for p in python3-pandas time nodejs npm; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [[ -n "${missing:-}" ]] && ! command -v npm >/dev/null; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y -qq $missing >/dev/null
fi
exec /usr/bin/python3 scripts/bench.py "$@"
