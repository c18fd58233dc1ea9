#!/usr/bin/env bash
# Sets up and runs the side-by-side benchmark (scripts/bench.py; options pass through):
# pandas, matplotlib, GNU time and Node.js from Debian, DuckDB's Node.js API from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpi_env.sh
scripts/setup.sh >/dev/null
missing=()
for p in python3-pandas python3-matplotlib time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere (NodeSource's nodejs carries its own npm and conflicts
# with Debian's): only the commands matter.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec /usr/bin/python3 scripts/bench.py "$@"
