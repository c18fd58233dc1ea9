# shellcheck shell=bash
# The common part of the Slurm job scripts ingest.sbatch, ingest-2nodes.sbatch and
# generate.sbatch: each holds its #SBATCH lines, sets LFP_COMMAND (ingest or generate) and
# sources this file, which runs `lfp_mpi LFP_COMMAND ARGS...` in the allocation and exits
# with its exit code. Installed beside them (share/lfp_mpi/slurm/); a job script finds it in
# $LFP_SLURM_LIB, else beside the job script as submitted, else in ../share/lfp_mpi/slurm of
# the lfp_mpi on PATH, else in jobs/slurm/ of the submit directory.
#
# Environment (all optional):
#   LFP_MPI        the lfp_mpi binary; else `lfp_mpi` on PATH (an installed one), else
#                  build/lfp_mpi of the submit directory, else build/lfp_mpi of the repository
#                  the job script was submitted from
#   LFP_DB         ingest: the database path when the arguments have no --db
#   LFP_ENV_FILE   a file the job script sources first (module loads, PATH, MPI settings)
#   LFP_SLURM_LIB  the directory of this file, when the job script cannot find it
#   LFP_LAUNCHER   srun (default) or mpirun (Open MPI's mpirun inside the allocation, for
#                  a Slurm without PMIx support: `srun --mpi=list` shows what it has)
#   LFP_SRUN_MPI   srun's --mpi plugin (default pmix, which Debian's and most Open MPI
#                  builds need whatever the cluster's MpiDefault is)
#
# The log ends with one line starting "lfp job:": lfp_mpi's own last word on its output (e.g.
# "wrote products.db and products.h5 (run 4) in 12.3 s", "stopped by SIGTERM during the
# parse phase of ingest into products.db: products.db is unchanged ...", or its error) and
# its exit code with the meaning from the table below. The job script reads no database.
#
# Exit code: lfp_mpi's (lfp_job_meaning below; 128+N when the ranks were killed by signal N);
# 2 for a usage error of the job script, 127 when no lfp_mpi binary was found.
#
# A stopped or failed ingest leaves the previous database as it was. If an update is cut off
# while SQLite writes into the database file, a hot journal (DB-journal) stays beside it and
# the database file alone is not consistent until SQLite rolls the journal back at the next
# open; the last line says so. Then copy DB-journal together with the database, or run
# `sqlite3 DB 'PRAGMA quick_check'` once before copying (that open rolls it back). A
# DB-journal that is not hot (cut off before anything reached the database: the usual case)
# is ignored by SQLite. lfp_mpi removes its DB.partial-HOST-PID files on SIGTERM; after a
# SIGKILL the next run on that host does.

# The one table of lfp_mpi's exit codes (src/util/error.hpp; `lfp_mpi --help`).
lfp_job_meaning() {
  case $1 in
    0) echo ok ;;
    1) echo "internal error (or out of memory); the outputs are unchanged" ;;
    2) echo "usage error; the outputs are unchanged" ;;
    3) echo "input file missing or unreadable; the outputs are unchanged" ;;
    4) echo "bad header; the outputs are unchanged" ;;
    5) echo "database or snapshot error; the outputs are unchanged" ;;
    6) echo "verify found a disagreement" ;;
    7) echo "no such sku" ;;
    8) echo "committed, but the snapshot could not be written" ;;
    9) echo "the memory budget (--mem-per-rank) is too small to work in; the outputs are unchanged" ;;
    *)
      local name
      if (($1 > 128)) && name=$(kill -l $(($1 - 128)) 2>/dev/null); then
        echo "killed by SIG$name"
      else
        echo "exit $1"
      fi
      ;;
  esac
}

job_start=$(date +%s)
say() { printf 'lfp job: %s\n' "$*"; }
set -uo pipefail # after the site's files, which may use unset variables

case $LFP_COMMAND in
  ingest) usage="sbatch [sbatch options] ingest.sbatch FILE... [lfp_mpi ingest options]" ;;
  generate) usage="sbatch [sbatch options] generate.sbatch --rows N -o FILE [--seed S]" ;;
esac
if (($# == 0)); then
  say "usage: $usage (exit 2)"
  exit 2
fi
args=("$@")
submit_dir=${SLURM_SUBMIT_DIR:-$PWD}

# ---- The binary: $LFP_MPI, else lfp_mpi on PATH, else a build tree.
lfp=
tried=()
if [[ -n ${LFP_MPI:-} ]]; then
  [[ -f $LFP_MPI && -x $LFP_MPI ]] && lfp=$LFP_MPI
  tried+=("LFP_MPI=$LFP_MPI")
else
  lfp=$(command -v lfp_mpi 2>/dev/null) || lfp=
  tried+=("lfp_mpi on PATH")
  candidates=("$submit_dir/build/lfp_mpi")
  # LFP_JOB_SCRIPT: the path the job script was submitted as (the job script sets it).
  [[ ${LFP_JOB_SCRIPT:-} == */* ]] && candidates+=("${LFP_JOB_SCRIPT%/*}/../../build/lfp_mpi")
  for c in "${candidates[@]}"; do
    [[ -n $lfp ]] && break
    tried+=("$c")
    [[ -f $c && -x $c ]] && lfp=$(cd "${c%/*}" && pwd -P)/lfp_mpi
  done
fi
if [[ -z $lfp ]]; then
  say "no lfp_mpi binary found (exit 127); tried: $(printf '%s; ' "${tried[@]}")set LFP_MPI, install lfp_mpi into a directory on PATH, or submit from a directory that has build/lfp_mpi"
  exit 127
fi

# ---- ingest: the database (the user's --db is never replaced) and the snapshot beside it.
# The memory budget: Slurm's memory per CPU times the CPUs of a task, unless the arguments set
# one (with --mem or --mem-per-node, lfp_mpi finds the job's cgroup limit on each node).
db='' h5='' budget=''
if [[ $LFP_COMMAND == ingest ]]; then
  for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
      --db) db=${args[i + 1]:-} ;;
      --db=*) db=${args[i]#--db=} ;;
      --h5) h5=${args[i + 1]:-} ;;
      --h5=*) h5=${args[i]#--h5=} ;;
      --mem-per-rank | --mem-per-rank=*) budget=given ;;
    esac
  done
  if [[ -z $budget && ${SLURM_MEM_PER_CPU:-} =~ ^[0-9]+$ ]]; then
    args+=(--mem-per-rank "$((SLURM_MEM_PER_CPU * ${SLURM_CPUS_PER_TASK:-1}))M")
  fi
  if [[ -z $db && -n ${LFP_DB:-} ]]; then
    db=$LFP_DB
    args+=(--db "$db")
  fi
  db=${db:-products.db}
  if [[ -z $h5 ]]; then # lfp_mpi's default: the database path with its extension replaced
    base=${db##*/}
    if [[ $base == ?*.* ]]; then h5=${db%.*}.h5; else h5=$db.h5; fi
  fi
fi

# ---- The launcher: srun with an explicit MPI plugin, or mpirun inside the allocation.
launcher=${LFP_LAUNCHER:-srun}
case $launcher in
  # --cpu-bind=none: rank 0 writes the HDF5 snapshot from a second thread; let it float.
  srun) cmd=(srun --mpi="${LFP_SRUN_MPI:-pmix}" --cpu-bind=none "$lfp" "$LFP_COMMAND" "${args[@]}") ;;
  mpirun) cmd=(mpirun --bind-to none "$lfp" "$LFP_COMMAND" "${args[@]}") ;;
  *)
    say "LFP_LAUNCHER must be srun or mpirun, not '$launcher' (exit 2)"
    exit 2
    ;;
esac

say "job ${SLURM_JOB_ID:-(none)} on ${SLURMD_NODENAME:-$(hostname)}, ${SLURM_NTASKS:-?} tasks on ${SLURM_JOB_NUM_NODES:-?} nodes, started $(date -d "@$job_start" '+%F %T')"
say "binary $lfp"
say "common part ${BASH_SOURCE[0]}"
[[ $LFP_COMMAND == ingest ]] && say "database $db"
say "running: ${cmd[*]}"

# ---- Stops: scancel and the time limit signal every step (this shell, srun and the ranks);
# --signal=B:TERM@N signals this shell only. srun answers SIGTERM by killing its tasks
# outright, so the stop is forwarded to the ranks themselves, as SIGTERM (lfp_mpi removes its
# partial files) followed by SIGCONT (stopped ranks get it too, as Slurm does).
stop=
pid=
forward_stop() {
  say "got SIG$1 at $(date '+%F %T')${stop:+ again}: stopping lfp_mpi"
  [[ -z $stop && -n $pid ]] || { stop=$1; return 0; }
  stop=$1
  if [[ $launcher == srun ]]; then
    # Signals the job's steps, not the batch step. Fails when the whole job is being
    # cancelled: then Slurm signals the ranks itself.
    if [[ -n ${SLURM_JOB_ID:-} ]] && scancel --signal=TERM "$SLURM_JOB_ID" 2>/dev/null; then
      scancel --signal=CONT "$SLURM_JOB_ID" 2>/dev/null
    fi
  else
    kill -TERM "$pid" 2>/dev/null # mpirun forwards it to the ranks
  fi
  return 0
}
trap 'forward_stop TERM' TERM
trap 'forward_stop INT' INT

# lfp_mpi's output goes to the log as it comes and, for its last word, to a file: through
# two tee processes that outlive a stop (they ignore the signals that stop the job).
said_file=$(mktemp "${TMPDIR:-/tmp}/lfp_job.XXXXXX" 2>/dev/null) || said_file=/dev/null
exec {to_out}> >(trap '' TERM INT && exec tee -a "$said_file")
tee_out=$!
exec {to_err}> >(trap '' TERM INT && exec tee -a "$said_file" >&2)
tee_err=$!
"${cmd[@]}" >&"$to_out" 2>&"$to_err" {to_out}>&- {to_err}>&- &
pid=$!
if [[ -n $stop ]]; then s=$stop stop= && forward_stop "$s"; fi # a stop that came before $pid
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done # a trapped signal ends a wait early
wait "$pid"
rc=$?
trap '' TERM INT # from here on, finish the report
exec {to_out}>&- {to_err}>&-
for t in "$tee_out" "$tee_err"; do # until they have written everything (at most 10 s)
  for _ in {1..100}; do kill -0 "$t" 2>/dev/null || break; sleep 0.1; done
done

# ---- The last line: lfp_mpi's own last word on its output (not a progress line nor a
# warning), its exit code's meaning, and what a cut-off ingest left beside the database.
said=$(grep -a '^lfp_mpi: ' "$said_file" | grep -av -e '^lfp_mpi: warning: ' \
  -e '^lfp_mpi: [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T' | tail -n 1)
[[ $said_file == /dev/null ]] || rm -f "$said_file"
said=${said#lfp_mpi: }
[[ $said =~ ^(wrote .*\(run [0-9]+\) in [0-9.]+ s): ]] && said=${BASH_REMATCH[1]} # not the phases
[[ -n $said ]] || said="lfp_mpi said nothing of its outputs"
why="lfp_mpi exit $rc: $(lfp_job_meaning "$rc")"
[[ -n $stop ]] && why+="; the job got SIG$stop (scancel, time limit or --signal)"
leftovers=
if [[ $LFP_COMMAND == ingest && -e $db-journal ]]; then
  # A journal whose first byte is 0 was never synced: nothing of it reached the database,
  # SQLite ignores it and the next update removes it. Otherwise it is hot (see the top).
  if [[ ! -s $db-journal || $(head -c 1 "$db-journal" | od -An -tx1 | tr -d ' \n') == 00 ]]; then
    leftovers+="; a $db-journal was left that is not hot: ignore it, SQLite does (the next update removes it)"
  else
    leftovers+="; hot journal $db-journal left: copy it along with the database, or run sqlite3 '$db' 'PRAGMA quick_check' once before copying"
  fi
fi
if [[ $LFP_COMMAND == ingest ]]; then
  for f in "$db".partial-* "$h5".partial-*; do
    [[ -e $f ]] && leftovers+="; partial file $f left (the next run on that host removes it)"
  done
fi
say "$said ($why)$leftovers"
exit "$rc"
