#!/usr/bin/env bash
# Tests jobs/slurm/*.sbatch (and lfp_job.sh, their common part) on a real single-node Slurm
# that this script brings up and stops.
#
#   tests/slurm/test-slurm.sh [PATH_TO_lfp_mpi]      (default: $LFP_MPI, else build/lfp_mpi)
#
# As root, with Slurm installed (scripts/setup.sh installs slurmctld, slurmd, slurm-client,
# munge, libpmix-dev and sqlite3): runs munged, slurmctld and slurmd from a temporary
# directory with their own ports, configured with MpiDefault=none (the scripts must ask for
# PMIx themselves), submits the job scripts with sbatch and checks outputs, exit codes and
# job states. Whatever it started is stopped on exit. Prints one line per case and ends with
# "N passed, M failed"; exits 1 if a case failed, 77 when it cannot run (not root, Slurm not
# installed), 2 on a usage error. KEEP_TMP=1 keeps the temporary directory
# (it is kept anyway when a case failed). Takes about 2 minutes, most of it the time-limit
# case (Slurm's one-minute minimum plus its 30-second check); gives up by itself, stopping
# what it started, after LFP_SLURM_TEST_TIMEOUT seconds (480).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
source "$repo/tests/lib/shell_test.sh"
resolve_lfp tests/slurm/test-slurm.sh "$@"
jobs_dir=$repo/jobs/slurm
if (($(id -u) != 0)); then
  echo "test-slurm: skipped: needs root (to install Slurm and run slurmd and munged)"
  exit 77
fi

# ---- Packages: scripts/setup.sh installs them (without starting their daemons).
missing=()
for p in slurmctld slurmd slurm-client munge libpmix-dev sqlite3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test-slurm: skipped: ${missing[*]} not installed (scripts/setup.sh installs them)"
  exit 77
fi

# ---- Bring-up, in a fresh directory (job ids restart at 1 after a cold start).
T=$(mktemp -d /tmp/lfp-test-slurm.XXXXXX)
chmod 755 "$T"
export SLURM_CONF=$T/slurm.conf
failed=0 passed=0
started=()
watchdog=
summary_printed=0

pid_of() { [[ -s $1 ]] && tr -dc 0-9 <"$1"; }
stop_daemon() { # stop_daemon PIDFILE NAME: only that pid, and only while it runs NAME
  local pid
  pid=$(pid_of "$1") || return 0
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]] || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
cleanup() {
  local rc=$?
  begin_cleanup test-slurm
  if [[ " ${started[*]} " == *" slurmctld "* ]]; then
    local ids
    ids=$(squeue -h -o %i 2>/dev/null)
    if [[ -n $ids ]]; then
      # shellcheck disable=SC2086
      scancel $ids 2>/dev/null
      for _ in $(seq 60); do [[ -z $(squeue -h -o %i 2>/dev/null) ]] && break; sleep 0.5; done
    fi
  fi
  stop_daemon "$T/slurmd.pid" slurmd
  stop_daemon "$T/slurmctld.pid" slurmctld
  stop_daemon "$T/munge/munged.pid" munged
  if ((failed)) || [[ -n ${KEEP_TMP:-} ]] || ((rc != 0 && rc != 1)); then
    echo "test-slurm: kept $T (daemon logs: $T/*.log)"
  else
    rm -rf "$T"
  fi
  exit "$rc"
}
trap_exit cleanup
# A runner that kills this script with SIGKILL on a timeout would leave the daemons running:
# give up first, by ourselves. Cancelling the jobs ends any sbatch --wait we are in, so that
# the TERM handler runs.
# shellcheck disable=SC2016 # expanded by the watchdog
start_watchdog "test-slurm (LFP_SLURM_TEST_TIMEOUT)" "${LFP_SLURM_TEST_TIMEOUT:-480}" \
  'ids=$(squeue -h -o %i 2>/dev/null) && [[ -n $ids ]] && scancel $ids'

fatal() {
  echo "test-slurm: $*"
  for f in "$T"/*.log "$T"/munge/*.log; do [[ -f $f ]] && { echo "== $f"; tail -n 20 "$f"; }; done
  echo "0 passed, 1 failed"
  failed=1 summary_printed=1
  exit 1
}

# munged as the munge user, everything under $T (its directory must be searchable by all).
start_munged "$T/munge" || fatal "munged did not start"
started+=(munged)

free_port() { # a port nobody listens on, from a range Linux does not hand out by itself
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 12000))
    [[ " $* " == *" $p "* ]] && continue
    (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}
ctld_port=$(free_port) || fatal "no free port"
d_port=$(free_port "$ctld_port") || fatal "no free port"
mkdir -p "$T/state" "$T/spool" "$T/tmp"
cat >"$SLURM_CONF" <<EOF
# Single-node test cluster of tests/slurm/test-slurm.sh
ClusterName=lfptest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
TmpFS=$T/tmp
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
# Slurm's own default, which Debian's Open MPI cannot start under: the scripts must ask for pmix.
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# More CPUs and memory than the machine has (memory is not enforced here): 8 tasks of 2 GB.
SlurmdParameters=config_overrides
EnforcePartLimits=ALL
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$T/jobcomp.txt
MinJobAge=3600
ReturnToService=2
NodeName=localhost CPUs=8 RealMemory=16384 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -c -f "$SLURM_CONF" || fatal "slurmctld did not start"
started+=(slurmctld)
slurmd -f "$SLURM_CONF" -N localhost || fatal "slurmd did not start"
started+=(slurmd)
for _ in $(seq 100); do
  [[ $(sinfo -h -o %T 2>/dev/null) == idle ]] && break
  sleep 0.2
done
[[ $(sinfo -h -o %T 2>/dev/null) == idle ]] || fatal "the node did not come up: $(sinfo 2>&1)"

# ---- What the jobs inherit (sbatch exports the environment): Open MPI as root, more ranks
# than cores, idle ranks that yield (2-3 x faster when oversubscribed). Nothing of the
# caller's LFP_* settings.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
unset LFP_MPI LFP_DB LFP_ENV_FILE LFP_LAUNCHER LFP_SRUN_MPI
clean_path=
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do [[ -x $d/lfp_mpi ]] || clean_path+=${clean_path:+:}$d; done
export PATH=$clean_path

# ---- Inputs and references, made here by the binary under test on one rank.
D=$T/data
mkdir -p "$D"
(
  cd "$D" || exit 1
  "$lfp" generate -q --rows 3000 --seed 11 -o small.csv &&
    "$lfp" generate -q --rows 2000 --seed 12 -o small2.csv &&
    "$lfp" generate -q --rows 1000 --seed 13 -o small3.csv &&
    "$lfp" generate -q --rows 400000 --seed 14 -o big.csv &&
    "$lfp" generate -q --rows 20000 --seed 15 -o gen-ref.csv &&
    "$lfp" ingest -q small.csv small2.csv --db ref.db --no-h5 &&
    "$lfp" ingest -q small.csv --db base.db
) || fatal "cannot make the test inputs with $lfp"

content() { # content DB: a digest of products and product_counts
  sqlite3 -batch "$1" 'SELECT sku, name, description FROM products ORDER BY sku;
                       SELECT name, products FROM product_counts ORDER BY name;' 2>&1 | md5sum | cut -c1-32
}
ref_content=$(content "$D/ref.db")
base_content=$(content "$D/base.db")

# ---- Helpers.
case_dir() { mkdir -p "$T/$1" && echo "$T/$1"; }
state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
exit_code() { scontrol show job "$1" 2>/dev/null | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p'; }
log_of() { ls "$1"/*-"$2".out 2>/dev/null | head -n 1; }
last_line() { local f; f=$(log_of "$1" "$2"); [[ -n $f ]] && tail -n 1 "$f"; }
matches() { [[ $1 =~ $2 ]]; }
not_grep() { ! grep -q "$@"; }
equals() { [[ $1 == "$2" ]]; }
runs_of() { sqlite3 -batch "$1" 'SELECT max(id) FROM runs' 2>&1; }
# sbatch --wait in DIR; sets JOB and RC (the job's exit code).
submit_wait() {
  local dir=$1
  shift
  JOB=$(cd "$dir" && sbatch --parsable --wait "$@" 2>"$dir/sbatch.err")
  RC=$?
  JOB=${JOB%%;*}
}
wait_done() { # wait_done JOB SECONDS: until the job has left the queue's active states
  local s
  for _ in $(seq $(($2 * 5))); do
    s=$(squeue -h -j "$1" -o %T 2>/dev/null)
    [[ -z $s || ! $s =~ ^(PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|STOPPED)$ ]] && return 0
    sleep 0.2
  done
  return 1
}
# Submits an update of base.db by big.csv in DIR (no --wait) and stops its ranks with SIGSTOP
# while the run is writing (its snapshot's partial file exists); sets JOB.
start_stopped_update() {
  local dir=$1 pids p
  shift
  cp "$D/base.db" "$D/base.h5" "$dir/"
  JOB=$(cd "$dir" && sbatch --parsable "$@" "$jobs_dir/ingest.sbatch" "$D/big.csv" --db base.db 2>"$dir/sbatch.err")
  JOB=${JOB%%;*}
  [[ -n $JOB ]] || return 1
  for _ in $(seq 3000); do
    compgen -G "$dir/base.h5.partial-*" >/dev/null && break
    [[ $(state "$JOB") =~ ^(PENDING|RUNNING|CONFIGURING)$ ]] || return 1
    sleep 0.02
  done
  pids=$(scontrol listpids "$JOB" 2>/dev/null | awk 'NR > 1 && $3 == "0" { print $1 }')
  for p in $pids; do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == lfp_mpi ]] && kill -STOP "$p"
  done
  compgen -G "$dir/base.h5.partial-*" >/dev/null
}
old_db_intact() { # old_db_intact DIR
  [[ $(content "$1/base.db") == "$base_content" && $(runs_of "$1/base.db") == 1 ]] &&
    [[ $(sqlite3 -batch "$1/base.db" 'PRAGMA integrity_check') == ok ]] &&
    cmp -s "$1/base.h5" "$D/base.h5"
}
no_partials() { ! compgen -G "$1/*.partial-*" >/dev/null; }

# ---- The cases that wait for Slurm's clock start first and run beside the others.
c_tl=$(case_dir time-limit)
tl_started=0
LFP_MPI=$lfp start_stopped_update "$c_tl" --ntasks=2 --time=1 || tl_started=1
tl_job=$JOB
c_sig=$(case_dir signal)
sig_started=0
LFP_MPI=$lfp start_stopped_update "$c_sig" --ntasks=2 --time=2 --signal=B:TERM@60 || sig_started=1
sig_job=$JOB

# 1. The common part of the job scripts is lfp_job.sh; the loader that sources it is the same
# in each; they parse.
fail_why=
ref_part=$(sed -n '/^# ==== Loader/,$p' "$jobs_dir/ingest.sbatch")
for f in "$jobs_dir"/*.sbatch "$jobs_dir/lfp_job.sh"; do
  check "$(basename "$f") does not parse" bash -n "$f"
  [[ $f == *.sbatch ]] || continue
  check "$(basename "$f") has no or another loader" equals "$(sed -n '/^# ==== Loader/,$p' "$f")" "$ref_part"
  check "$(basename "$f") is more than #SBATCH lines and a loader" test "$(grep -cv '^#' "$f")" -lt 30
done
check "empty loader" matches "$ref_part" 'source "\$lib/lfp_job.sh"'
check "empty common part" matches "$(cat "$jobs_dir/lfp_job.sh")" 'exit "\$rc"'
report "job scripts: one common part (lfp_job.sh), one loader, valid bash"

# 2. 2 tasks, binary from LFP_MPI, submitted from a directory outside the repository, --db.
c=$(case_dir ingest-2)
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 "$jobs_dir/ingest.sbatch" "$D/small.csv" "$D/small2.csv" --db out.db
check "exit code $RC, not 0" equals "$RC" 0
check "state $(state "$JOB")" equals "$(state "$JOB")" COMPLETED
check "wrong content" equals "$(content "$c/out.db")" "$ref_content"
check "last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: wrote out\.db and out\.h5 \(run 1\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)$'
check "log not named lfp_ingest-$JOB.out" test -f "$c/lfp_ingest-$JOB.out"
check "products.db created beside --db" test ! -e "$c/products.db"
check "ran at $(grep -o '[0-9]* ranks' "$(log_of "$c" "$JOB")")" grep -q '2 ranks' "$(log_of "$c" "$JOB")"
report "ingest, 2 tasks, LFP_MPI, another directory, --db" "$c"

# 3. 3 tasks, lfp_mpi on PATH set by LFP_ENV_FILE, --db=ABSOLUTE and --h5; a copy of
# ingest.sbatch finds lfp_job.sh as installed beside that lfp_mpi (BIN/../share/lfp_mpi/slurm).
c=$(case_dir ingest-3)
mkdir -p "$c/prefix/bin" "$c/prefix/share/lfp_mpi/slurm" "$c/out"
ln -s "$lfp" "$c/prefix/bin/lfp_mpi"
cp "$jobs_dir/lfp_job.sh" "$c/prefix/share/lfp_mpi/slurm/"
cp "$jobs_dir/ingest.sbatch" "$c/my.sbatch"
printf 'export PATH=%q:$PATH\n' "$c/prefix/bin" >"$c/env.sh"
LFP_ENV_FILE=$c/env.sh submit_wait "$c" --ntasks=3 my.sbatch "$D/small.csv" "$D/small2.csv" "--db=$c/out/x.db" --h5 snap.h5
check "exit code $RC, not 0" equals "$RC" 0
check "wrong content" equals "$(content "$c/out/x.db")" "$ref_content"
check "binary not taken from PATH" grep -q "^lfp job: binary $c/prefix/bin/lfp_mpi\$" "$(log_of "$c" "$JOB")"
check "lfp_job.sh not the one beside lfp_mpi" \
  grep -q "^lfp job: common part $c/prefix/bin/\.\./share/lfp_mpi/slurm/lfp_job\.sh\$" "$(log_of "$c" "$JOB")"
check "last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" "^lfp job: wrote $c/out/x\.db and snap\.h5 \(run 1\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)\$"
check "no snapshot snap.h5" test -s "$c/snap.h5"
check "ran at $(grep -o '[0-9]* ranks' "$(log_of "$c" "$JOB")")" grep -q '3 ranks' "$(log_of "$c" "$JOB")"
report "ingest, 3 tasks, lfp_mpi and lfp_job.sh from PATH set by LFP_ENV_FILE, --db=PATH --h5" "$c"

# 4. 4 tasks, no LFP_MPI nor PATH: the build tree of the repository the script was submitted
# from (a copy of the repository's layout, so that any binary can be tested); LFP_DB is not
# used when --db is given.
c=$(case_dir ingest-4)
mkdir -p "$c/repo/jobs" "$c/repo/build" "$c/work"
cp -r "$jobs_dir" "$c/repo/jobs/"
ln -s "$lfp" "$c/repo/build/lfp_mpi"
LFP_DB=$c/work/not-this.db submit_wait "$c/work" --ntasks=4 ../repo/jobs/slurm/ingest.sbatch "$D/small.csv" "$D/small2.csv" --db out.db
check "exit code $RC, not 0" equals "$RC" 0
check "wrong content" equals "$(content "$c/work/out.db")" "$ref_content"
check "binary not from the script's repository" grep -q "^lfp job: binary $c/repo/build/lfp_mpi\$" "$(log_of "$c/work" "$JOB")"
check "lfp_job.sh not beside the submitted script" \
  grep -q "^lfp job: common part $c/work/\.\./repo/jobs/slurm/lfp_job\.sh\$" "$(log_of "$c/work" "$JOB")"
check "LFP_DB used although --db was given" test ! -e "$c/work/not-this.db"
check "last line: $(last_line "$c/work" "$JOB")" matches "$(last_line "$c/work" "$JOB")" '^lfp job: wrote out\.db and out\.h5 \(run 1\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)$'
check "ran at $(grep -o '[0-9]* ranks' "$(log_of "$c/work" "$JOB")")" grep -q '4 ranks' "$(log_of "$c/work" "$JOB")"
# ... and an update of that database by another file is run 2.
LFP_MPI=$lfp submit_wait "$c/work" --ntasks=2 ../repo/jobs/slurm/ingest.sbatch "$D/small3.csv" --db out.db
check "update: exit code $RC, not 0" equals "$RC" 0
check "update: last line: $(last_line "$c/work" "$JOB")" matches "$(last_line "$c/work" "$JOB")" '^lfp job: wrote out\.db and out\.h5 \(run 2\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)$'
report "ingest, 4 tasks, build tree of the submitted script's repository; update is run 2" "$c"

# 5. MpiDefault=none: a bare srun cannot start Debian's Open MPI, the scripts can.
c=$(case_dir mpi-default-none)
check "MpiDefault is not none" matches "$(scontrol show config | grep -i '^MpiDefault')" '= none$'
(cd "$c" && srun --ntasks=2 --mem-per-cpu=100M "$lfp" ingest "$D/small.csv" --db bare.db >bare.log 2>&1)
check "a bare srun worked with MpiDefault=none: is this test still meaningful?" test $? -ne 0
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 "$jobs_dir/ingest.sbatch" "$D/small.csv" "$D/small2.csv" --db out.db
check "exit code $RC, not 0" equals "$RC" 0
check "wrong content" equals "$(content "$c/out.db")" "$ref_content"
check "srun not given --mpi=pmix" grep -q '^lfp job: running: srun --mpi=pmix ' "$(log_of "$c" "$JOB")"
report "MpiDefault=none: bare srun fails, ingest.sbatch asks for pmix" "$c"

# 6. LFP_LAUNCHER=mpirun: Open MPI's mpirun inside the allocation.
c=$(case_dir mpirun)
LFP_MPI=$lfp LFP_LAUNCHER=mpirun submit_wait "$c" --ntasks=3 "$jobs_dir/ingest.sbatch" "$D/small.csv" "$D/small2.csv" --db out.db
check "exit code $RC, not 0" equals "$RC" 0
check "wrong content" equals "$(content "$c/out.db")" "$ref_content"
check "not run by mpirun" grep -q '^lfp job: running: mpirun ' "$(log_of "$c" "$JOB")"
check "ran at $(grep -o '[0-9]* ranks' "$(log_of "$c" "$JOB")")" grep -q '3 ranks' "$(log_of "$c" "$JOB")"
check "last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: wrote out\.db and out\.h5 \(run 1\) '
report "LFP_LAUNCHER=mpirun, 3 tasks" "$c"

# 7. A missing input: exit 3, the old database unchanged, and the log says so.
c=$(case_dir missing-input)
cp "$D/base.db" "$D/base.h5" "$c/"
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 "$jobs_dir/ingest.sbatch" "$D/small2.csv" no-such.csv --db base.db
check "exit code $RC, not 3" equals "$RC" 3
check "state $(state "$JOB")" equals "$(state "$JOB")" FAILED
check "ExitCode $(exit_code "$JOB")" equals "$(exit_code "$JOB")" 3:0
check "old database changed" old_db_intact "$c"
check "last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: error: no-such\.csv: .* \(lfp_mpi exit 3: input file missing or unreadable; the outputs are unchanged\)$'
report "missing input: exit 3, database unchanged" "$c"

# 7b. Slurm's memory per CPU becomes lfp_mpi's --mem-per-rank: a share larger than it is read
# in windows and spilled to scratch; a budget under the minimum (16 MiB) is exit 9 before
# anything is written; the arguments' own --mem-per-rank takes precedence.
c=$(case_dir memory-budget)
cp "$D/base.db" "$D/base.h5" "$c/"
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 --mem-per-cpu=10M "$jobs_dir/ingest.sbatch" "$D/small2.csv" --db base.db
check "exit code $RC, not 9" equals "$RC" 9
check "old database changed" old_db_intact "$c"
check "--mem-per-rank not passed" grep -q -- '--mem-per-rank 10M' "$(log_of "$c" "$JOB")"
check "last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: (rank [0-9]+: )?error: a memory budget of 10 MiB \(--mem-per-rank\) is too small to work in: the minimum is 16 MiB.* \(lfp_mpi exit 9: the memory budget \(--mem-per-rank\) is too small to work in; the outputs are unchanged\)$'
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 --mem-per-cpu=20M "$jobs_dir/ingest.sbatch" "$D/small2.csv" --db base.db
check "20M per CPU: exit code $RC, not 0" equals "$RC" 0
check "20M per CPU: no spill reported" grep -q 'spilled to scratch' "$(log_of "$c" "$JOB")"
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 --mem-per-cpu=20M "$jobs_dir/ingest.sbatch" "$D/small2.csv" --db base.db --force --mem-per-rank 1G
check "given --mem-per-rank: exit code $RC, not 0" equals "$RC" 0
check "given --mem-per-rank: spilled all the same" not_grep 'spilled to scratch' "$(log_of "$c" "$JOB")"
report "--mem-per-cpu under 16M: exit 9, database unchanged; 20M: spills; --mem-per-rank overrides it" "$c"

# 8. Errors of the job scripts themselves: usage (2), no binary (127); generate's usage (2).
c=$(case_dir script-errors)
submit_wait "$c" --ntasks=1 "$jobs_dir/ingest.sbatch"
check "ingest without arguments: exit code $RC, not 2" equals "$RC" 2
check "ingest without arguments: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: usage: '
submit_wait "$c" --ntasks=1 "$jobs_dir/generate.sbatch"
check "generate without arguments: exit code $RC, not 2" equals "$RC" 2
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 "$jobs_dir/generate.sbatch" --rows many -o x.csv
check "generate --rows many: exit code $RC, not 2" equals "$RC" 2
check "generate --rows many: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: error: --rows: .*many \(lfp_mpi exit 2: usage error; the outputs are unchanged\)$'
LFP_MPI=$c/nowhere/lfp_mpi submit_wait "$c" --ntasks=1 "$jobs_dir/ingest.sbatch" "$D/small.csv"
check "LFP_MPI missing: exit code $RC, not 127" equals "$RC" 127
check "LFP_MPI missing: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" "^lfp job: no lfp_mpi binary found \(exit 127\); tried: LFP_MPI=$c/nowhere/lfp_mpi"
mkdir -p "$c/repo/jobs"
cp -r "$jobs_dir" "$c/repo/jobs/"
submit_wait "$c" --ntasks=1 repo/jobs/slurm/ingest.sbatch "$D/small.csv"
check "no binary anywhere: exit code $RC, not 127" equals "$RC" 127
check "no binary anywhere: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" "tried: lfp_mpi on PATH; $c/build/lfp_mpi; $c/repo/jobs/slurm/\.\./\.\./build/lfp_mpi"
check "a database appeared" test ! -e "$c/products.db"
LFP_SLURM_LIB=$c/nowhere submit_wait "$c" --ntasks=1 "$jobs_dir/ingest.sbatch" "$D/small.csv"
check "LFP_SLURM_LIB wrong: exit code $RC, not 127" equals "$RC" 127
check "LFP_SLURM_LIB wrong: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" "^lfp job: no lfp_job\.sh in $c/nowhere; set LFP_SLURM_LIB"
report "script errors: usage exit 2, no binary or no lfp_job.sh exit 127 naming what was tried" "$c"

# 9. generate (3 tasks) then ingest (2 tasks) of its output.
c=$(case_dir generate-ingest)
LFP_MPI=$lfp submit_wait "$c" --ntasks=3 "$jobs_dir/generate.sbatch" --rows 20000 --seed 15 -o gen.csv
check "generate: exit code $RC, not 0" equals "$RC" 0
check "generate: not the file one rank writes" cmp -s "$c/gen.csv" "$D/gen-ref.csv"
check "generate: log not named lfp_generate-$JOB.out" test -f "$c/lfp_generate-$JOB.out"
check "generate: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: generated 20000 records \([0-9]+ bytes, seed 15\) in gen\.csv on 3 ranks in [0-9.]+ s \(lfp_mpi exit 0: ok\)$'
LFP_MPI=$lfp submit_wait "$c" --ntasks=2 "$jobs_dir/ingest.sbatch" gen.csv --db gen.db --no-h5
check "ingest: exit code $RC, not 0" equals "$RC" 0
check "ingest: records read $(sqlite3 "$c/gen.db" 'SELECT records_read FROM runs')" equals "$(sqlite3 "$c/gen.db" 'SELECT records_read FROM runs')" 20000
check "ingest: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" '^lfp job: wrote gen\.db \(run 1\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)$'
report "generate, then ingest of its output" "$c"

# 10. Nodes without the sqlite3 shell, and without python3 too: the job scripts read no
# database, the last line is lfp_mpi's own word. PATH holds every command of the machine but
# those.
c=$(case_dir no-sqlite3)
mkdir -p "$c/bin" "$c/bin-none"
for f in /usr/local/bin/* /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
  n=${f##*/}
  [[ -x $f && ! -e $c/bin/$n && $n != sqlite3* ]] || continue
  ln -s "$f" "$c/bin/$n"
  [[ $n == python* ]] || ln -s "$f" "$c/bin-none/$n"
done
for bin in bin bin-none; do
  PATH=$c/$bin LFP_MPI=$lfp submit_wait "$c" --ntasks=2 "$jobs_dir/ingest.sbatch" "$D/small.csv" --db $bin.db
  check "$bin: exit code $RC, not 0" equals "$RC" 0
  check "$bin: last line: $(last_line "$c" "$JOB")" matches "$(last_line "$c" "$JOB")" "^lfp job: wrote $bin\.db and $bin\.h5 \(run 1\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)\$"
done
report "no sqlite3 (nor python3) on the node: the same last line" "$c"

# 11-13. An update stopped while its ranks write: the old database stays, the log says so.
# check_stopped DIR JOB SECONDS STATE [EXITCODE]
check_stopped() {
  local c=$1 job=$2
  check "job did not end within $3 s" wait_done "$job" "$3"
  check "state $(state "$job")" equals "$(state "$job")" "$4"
  [[ -z ${5:-} ]] || check "ExitCode $(exit_code "$job")" equals "$(exit_code "$job")" "$5"
  check "old database changed" old_db_intact "$c"
  check "partial files left" no_partials "$c"
  check "log has no stop line" grep -q '^lfp job: got SIGTERM' "$(log_of "$c" "$job")"
  # On a loaded node mpirun's SIGKILL can beat rank 0's SIGTERM handler; the line rank 0 said
  # on mpirun's SIGCONT is then the last one, and it states the database just as well.
  check "last line: $(last_line "$c" "$job")" matches "$(last_line "$c" "$job")" '^lfp job: (stopped by SIGTERM|stopping \(mpirun sent SIGCONT, its SIGTERM follows\)) during the [a-z_]+ phase of ingest into base\.db: base\.db is unchanged .*\(lfp_mpi exit 143: killed by SIGTERM; the job got SIGTERM \(scancel, time limit or --signal\)\)'
}
c=$(case_dir scancel)
if LFP_MPI=$lfp start_stopped_update "$c" --ntasks=2; then
  scancel "$JOB"
  check_stopped "$c" "$JOB" 60 CANCELLED
else
  check "could not catch the run while it wrote (state $(state "$JOB"))" false
fi
report "scancel while writing: old database intact, clear last line" "$c"

# --signal=B:TERM@60 reaches the batch shell only: it is forwarded to the ranks.
if ((sig_started == 0)); then
  check_stopped "$c_sig" "$sig_job" 150 FAILED 143:0
else
  check "could not catch the run while it wrote (state $(state "$sig_job"))" false
fi
report "--signal=B:TERM@60 before the time limit: forwarded, old database intact" "$c_sig"

# The time limit (--time=1) while the ranks write.
if ((tl_started == 0)); then
  check_stopped "$c_tl" "$tl_job" 150 TIMEOUT
else
  check "could not catch the run while it wrote (state $(state "$tl_job"))" false
fi
report "time limit while writing: old database intact, clear last line" "$c_tl"

echo "$passed passed, $failed failed"
summary_printed=1
((failed == 0))
