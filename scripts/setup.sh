#!/usr/bin/env bash
# Installs the build and test dependencies from Debian's archive (when missing) and builds
# lfp_mpi into build/. Safe to run again: it installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config openmpi-bin libopenmpi-dev libhdf5-dev hdf5-tools
          libsqlite3-dev sqlite3 libcli11-dev libgtest-dev libxxhash-dev zlib1g-dev libdeflate-dev libzstd-dev zstd python3 python3-pytest python3-h5py iproute2
          clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
