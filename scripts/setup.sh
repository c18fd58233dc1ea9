#!/usr/bin/env bash
# Installs the build and test dependencies from Debian's archive (when missing) and builds
# lfp_mpi into build/. Safe to run again: it installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config openmpi-bin libopenmpi-dev libhdf5-dev hdf5-tools
          libsqlite3-dev sqlite3 libcli11-dev libgtest-dev libxxhash-dev zlib1g-dev libisal-dev libzstd-dev zstd python3 python3-pytest python3-h5py iproute2
          clang libclang-rt-14-dev clang-format
          slurmctld slurmd slurm-client munge libpmix-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  # A policy-rc.d that refuses keeps the install from starting daemons (munged, slurmctld,
  # slurmd): tests/slurm/test-slurm.sh and scripts/test-multinode.sh run their own.
  policy_created=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null &&
      $sudo chmod 755 /usr/sbin/policy-rc.d && policy_created=1
    trap '((policy_created)) && $sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
  ((policy_created)) && $sudo rm -f /usr/sbin/policy-rc.d && policy_created=0
  trap - EXIT
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
