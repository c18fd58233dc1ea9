# Sourced by the shell tests that bring up daemons of their own (tests/slurm/test-slurm.sh,
# scripts/test-multinode.sh): what both need, written once: cases, a watchdog, munged.

# start_watchdog NAME SECONDS [COMMAND]: after SECONDS, says that NAME gives up, runs
# COMMAND (e.g. cancelling jobs, so that a waiting sbatch returns) and sends this script
# SIGTERM, so that its EXIT trap stops what it started even when the runner would only kill
# it later with SIGKILL. Sets `watchdog` to the watchdog's pid (kill it to stop it).
start_watchdog() {
  local name=$1 seconds=$2 then=${3:-}
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$seconds" >/dev/null 2>&1 &
    sleeper=$!
    wait "$sleeper" || exit 0
    echo "$name: still running after $seconds s: giving up"
    kill -TERM $$
    [[ -n $then ]] && eval "$then"
  ) &
  watchdog=$!
}

# start_munged DIR: munged as the munge user with a new key, everything in DIR (created; it
# must be searchable by all); its socket is DIR/munge.socket, its pid in DIR/munged.pid.
start_munged() {
  local dir=$1
  mkdir -m 755 "$dir" && chown munge:munge "$dir" &&
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none &&
    chown munge:munge "$dir/munge.key" && chmod 600 "$dir/munge.key" &&
    runuser -u munge -- munged --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
      --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" --key-file="$dir/munge.key"
}

# The start of an EXIT trap (`cleanup() { local rc=$?; begin_cleanup NAME; ...; }`): no more
# signals, the watchdog stopped, and the closing line if the script stopped before printing
# its own (it reads passed, failed and summary_printed, and sets the caller's rc to 1 then).
begin_cleanup() {
  trap '' INT TERM
  [[ -n ${watchdog:-} ]] && kill "$watchdog" 2>/dev/null
  if ((!summary_printed)); then
    echo "$1: stopped before the end"
    echo "$passed passed, $((failed + 1)) failed"
    ((rc)) || rc=1
  fi
}

# trap_exit FUNCTION: FUNCTION on every exit; INT and TERM exit through it (130, 143).
trap_exit() {
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# resolve_lfp NAME [PATH_TO_lfp_mpi]: sets `lfp` to the binary to test, absolute: the
# argument, else $LFP_MPI, else build/lfp_mpi of `repo`; exit 2 when there is none.
resolve_lfp() {
  local name=$1
  shift
  (($# <= 1)) || { echo "usage: $name [PATH_TO_lfp_mpi]" >&2; exit 2; }
  lfp=${1:-${LFP_MPI:-$repo/build/lfp_mpi}}
  [[ -f $lfp && -x $lfp ]] || { echo "$name: no lfp_mpi at $lfp: build it first (see README)" >&2; exit 2; }
  lfp=$(cd "$(dirname "$lfp")" && pwd -P)/$(basename "$lfp")
}

# Cases: `check DESCRIPTION COMMAND...` remembers the first failed check of a case, `report
# NAME [DIR]` prints its line (ok or FAIL with the reason) and counts it in passed/failed.
fail_why=
check() {
  "${@:2}" && return 0
  [[ -n $fail_why ]] || fail_why=$1
  return 1
}
report() {
  if [[ -z $fail_why ]]; then
    printf 'ok    %s\n' "$1"
    passed=$((passed + 1))
  else
    printf 'FAIL  %s: %s%s\n' "$1" "$fail_why" "${2:+ (see $2)}"
    failed=$((failed + 1))
  fi
  fail_why=
}
