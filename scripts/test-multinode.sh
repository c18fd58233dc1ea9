#!/usr/bin/env bash
# Runs lfp_mpi across simulated nodes on this one machine and compares every result with a
# one-node run of the same inputs (docs/multinode.md).
#
#   scripts/test-multinode.sh [PATH_TO_lfp_mpi]      (default: $LFP_MPI, else build/lfp_mpi)
#
# Each simulated node is a network namespace (its own eth0, 10.77.0.N/24, on a bridge that
# lives in a namespace of its own: nothing is added to the machine's own network), a UTS
# namespace (hostname nodeN) and a mount namespace in which a directory of its own is mounted
# on the common scratch path $T/scratch (and a hosts file naming the nodes on /etc/hosts).
# mpirun runs in node1 and starts the other nodes' daemons through an rsh agent that enters
# the node's namespaces with nsenter, so Open MPI sees distinct hosts and talks TCP between
# them. The build and the data are visible on every node at the same paths.
#
# Prints one line per case and "N passed, M failed"; exits 1 if a case failed, 77 (skipped)
# when this machine cannot create the namespaces (not root, no ip/unshare/nsenter), 2 on a
# usage error. KEEP_TMP=1 keeps the temporary directory (kept anyway when a case failed).
# LFP_MULTINODE_ONLY="GROUP..." runs only those groups of cases (transport 2x2 3x1 scratch
# faults slurm). LFP_MULTINODE_BREAK=1 gives every node the same scratch directory (node1's): the per-node
# scratch case must then fail, which shows that it can. Everything it started (namespaces,
# their processes and mounts) is removed on every exit; it gives up by itself after
# LFP_MULTINODE_TEST_TIMEOUT seconds (600).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
source "$repo/tests/lib/shell_test.sh"
resolve_lfp scripts/test-multinode.sh "$@"
compare=$repo/tests/multinode/compare.py
py=/usr/bin/python3

skip() { echo "test-multinode: skipped: $*"; exit 77; }
(($(id -u) == 0)) || skip "needs root (network, UTS and mount namespaces)"
for c in ip unshare nsenter mpirun sqlite3 gzip zstd "$py"; do
  command -v "$c" >/dev/null || skip "no $c on this machine"
done
"$py" -c 'import h5py' 2>/dev/null || skip "$py has no h5py (scripts/setup.sh installs it)"

T=$(mktemp -d /tmp/lfp-multinode.XXXXXX)
chmod 755 "$T"
P=lfpmn$$ # prefix of the namespace names
NODES=(1 2 3)
failed=0 passed=0 summary_printed=0 watchdog=
declare -A node_pid

# ---- Teardown: every process in our namespaces, then the namespaces (their mounts go with
# the last process of each mount namespace).
ns_pids() { ip netns pids "$1" 2>/dev/null; }
teardown_nodes() {
  local ns p
  for ns in "${P}n1" "${P}n2" "${P}n3" "${P}sw"; do
    [[ -e /run/netns/$ns ]] || continue
    for p in $(ns_pids "$ns"); do kill -KILL "$p" 2>/dev/null; done
    for _ in $(seq 100); do [[ -z $(ns_pids "$ns") ]] && break; sleep 0.05; done
    ip netns del "$ns" 2>/dev/null
  done
}
cleanup() {
  local rc=$?
  begin_cleanup test-multinode
  teardown_nodes
  declare -F stop_munged >/dev/null && stop_munged
  if ((failed)) || [[ -n ${KEEP_TMP:-} ]] || ((rc != 0 && rc != 1 && rc != 77)); then
    echo "test-multinode: kept $T"
  else
    rm -rf "$T"
  fi
  exit "$rc"
}
trap_exit cleanup
start_watchdog "test-multinode (LFP_MULTINODE_TEST_TIMEOUT)" "${LFP_MULTINODE_TEST_TIMEOUT:-600}"

fatal() {
  echo "test-multinode: $*"
  echo "0 passed, 1 failed"
  failed=1 summary_printed=1
  exit 1
}

# ---- The nodes.
mkdir -p "$T/scratch"
{
  echo "127.0.0.1 localhost"
  for i in "${NODES[@]}"; do echo "10.77.0.$i node$i"; done
} >"$T/hosts"
ip netns add "${P}sw" 2>"$T/netns.err" || skip "cannot create a network namespace: $(cat "$T/netns.err")"
ip -n "${P}sw" link set lo up && ip -n "${P}sw" link add br0 type bridge && ip -n "${P}sw" link set br0 up ||
  skip "cannot create a bridge in a network namespace"
for i in "${NODES[@]}"; do
  mkdir -p "$T/node$i/scratch"
  own=$T/node$i/scratch
  [[ -n ${LFP_MULTINODE_BREAK:-} ]] && own=$T/node1/scratch # deliberately wrong: one scratch for all
  ip netns add "${P}n$i" &&
    ip -n "${P}sw" link add "v$i" type veth peer name eth0 netns "${P}n$i" &&
    ip -n "${P}sw" link set "v$i" master br0 up &&
    ip -n "${P}n$i" addr add "10.77.0.$i/24" dev eth0 &&
    ip -n "${P}n$i" link set eth0 up && ip -n "${P}n$i" link set lo up ||
    skip "cannot set up the network of node$i (veth pair)"
  # One process holds the node's UTS and mount namespaces; nsenter, unshare, sh and sleep
  # exec each other, so $! is its pid. (Not ip netns exec: it mounts a /sys of its own,
  # without the cgroup file system slurmd needs.)
  nsenter --net="/run/netns/${P}n$i" unshare --uts --mount --propagation private sh -c \
    "hostname node$i && mount --bind '$own' '$T/scratch' && mount --bind '$T/hosts' /etc/hosts &&
     echo up >'$T/node$i/ready' && exec sleep infinity" </dev/null >"$T/node$i/log" 2>&1 &
  node_pid[$i]=$!
  disown "$!" # killed by teardown_nodes, without the shell's "Killed" notice
done
for i in "${NODES[@]}"; do
  for _ in $(seq 200); do [[ -e $T/node$i/ready ]] && break; kill -0 "${node_pid[$i]}" 2>/dev/null || break; sleep 0.05; done
  [[ -e $T/node$i/ready && $(cat "/proc/${node_pid[$i]}/comm" 2>/dev/null) == sleep ]] ||
    skip "cannot create the UTS and mount namespaces of node$i: $(cat "$T/node$i/log")"
  echo "${node_pid[$i]}" >"$T/node$i.pid"
done
on_node() { # on_node I COMMAND...: in node I's namespaces, in the current directory
  env "${NODE_ENV[@]}" nsenter -t "${node_pid[$1]}" --net --uts --mount --wd="$PWD" -- "${@:2}"
}
[[ $(on_node 2 hostname) == node2 ]] || fatal "node2 does not have its own hostname"
# The rsh agent Open MPI calls as `agent HOST COMMAND...`.
cat >"$T/agent" <<EOF
#!/bin/bash
host=\$1
shift
pid=\$(cat "$T/\$host.pid") || { echo "agent: unknown host \$host" >&2; exit 255; }
exec nsenter -t "\$pid" --net --uts --mount -- /bin/sh -c "\$*"
EOF
chmod 755 "$T/agent"

source "$repo/scripts/mpi_env.sh"
unset LFP_PROGRESS LFP_PROGRESS_INTERVAL
export OMPI_MCA_mpi_yield_when_idle=1
# Only for runs across the nodes: their daemons start through the agent, and Open MPI's
# out-of-band and MPI traffic go through the nodes' own network.
NODE_ENV=(OMPI_MCA_plm_rsh_agent="$T/agent" OMPI_MCA_plm_rsh_no_tree_spawn=1
  OMPI_MCA_oob_tcp_if_include=10.77.0.0/24 OMPI_MCA_btl_tcp_if_include=10.77.0.0/24)

# mpirun_nodes N_NODES RANKS_PER_NODE ARGS...: lfp_mpi ARGS across nodes 1..N_NODES (in the
# current directory, stdout and stderr to out/err), waits; sets RC.
hostfile() {
  local f=$T/hosts-$1x$2
  for i in $(seq "$1"); do echo "node$i slots=$2"; done >"$f"
  echo "$f"
}
mpirun_nodes() {
  local hf
  hf=$(hostfile "$1" "$2")
  on_node 1 mpirun --hostfile "$hf" -n $(($1 * $2)) "$lfp" "${@:3}" >out 2>err
  RC=$?
}
# start_nodes: the same in the background; sets MPIRUN, mpirun's pid (env and nsenter exec it).
# Bash starts background commands with SIGINT ignored: env gives mpirun a terminal's Ctrl-C.
start_nodes() {
  local hf
  hf=$(hostfile "$1" "$2")
  env --default-signal=INT "${NODE_ENV[@]}" nsenter -t "${node_pid[1]}" --net --uts --mount --wd="$PWD" -- \
    mpirun --hostfile "$hf" -n $(($1 * $2)) "$lfp" "${@:3}" >out 2>err &
  MPIRUN=$!
}
# mpirun_one RANKS ARGS...: the reference, every rank on this machine's own node.
mpirun_one() {
  mpirun -n "$1" "$lfp" "${@:2}" >out 2>err
  RC=$?
}

# ---- Helpers.
want() { [[ -z ${LFP_MULTINODE_ONLY:-} || " $LFP_MULTINODE_ONLY " == *" $1 "* ]]; }
equals() { [[ $1 == "$2" ]]; }
contains() { grep -q -- "$2" "$1"; }
same() { # same DIR_A DIR_B NAME [--no-h5]: same database NAME.db (and snapshot NAME.h5)
  local out
  if [[ ${4:-} == --no-h5 ]]; then
    out=$("$py" "$compare" "$1/$3.db" "$2/$3.db" 2>&1)
  else
    out=$("$py" "$compare" "$1/$3.db" "$2/$3.db" "$1/$3.h5" "$2/$3.h5" 2>&1)
  fi
  (($? == 0)) && return 0
  fail_why=${fail_why:-"differs from the one-node run: $out"}
  return 1
}
no_partials() { ! compgen -G "$1/*.partial-*" >/dev/null; }
# partials_cleaned DIR DB: none left, or (when mpirun's SIGKILL came before rank 0's SIGTERM
# handler ran, as on a loaded machine) the next run into DB, on the same nodes, removes them.
partials_cleaned() {
  no_partials "$1" && return 0
  start_nodes "$n" "$k" ingest "$D/upd.csv" --db "$2"
  wait_pid "$MPIRUN" 120
  no_partials "$1"
}
lfp_pids() { # lfp_mpi processes on node I
  local p
  for p in $(ns_pids "${P}n$1"); do [[ $(cat "/proc/$p/comm" 2>/dev/null) == lfp_mpi ]] && echo "$p"; done
}
no_ranks_left() { # no lfp_mpi or orted left on any node (within 20 s)
  local p left
  for _ in $(seq 200); do
    left=
    for i in "${NODES[@]}"; do
      for p in $(ns_pids "${P}n$i"); do
        [[ $(cat "/proc/$p/comm" 2>/dev/null) =~ ^(lfp_mpi|orted|mpirun)$ ]] && left+=" $p"
      done
    done
    [[ -z $left ]] && return 0
    sleep 0.1
  done
  return 1
}
rank_of() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p'; }
wait_for_line() { # wait_for_line FILE REGEX PID SECONDS: until FILE has a matching line (or PID ended)
  for _ in $(seq $(($4 * 50))); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { grep -Eq -- "$2" "$1" 2>/dev/null; return; }
    sleep 0.02
  done
  return 1
}
wait_pid() { # wait_pid PID SECONDS: sets RC to its exit code; kills it after SECONDS
  local p=$1
  for _ in $(seq $(($2 * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  wait "$p"
  RC=$?
}

base_setup() { # base_setup DIR: up.db to update, before.db a copy
  mkdir -p "$1" && cd "$1" && "$lfp" ingest -q "$D/a.csv" --db up.db && cp up.db before.db && cp up.h5 before.h5
}
unchanged() { "$py" "$compare" up.db before.db up.h5 before.h5 >cmp.out 2>&1; } # in the current directory

# ---- Inputs, made here by the binary under test (one process each).
D=$T/data
mkdir -p "$D/dir"
(
  cd "$D" || exit 1
  cp "$repo/tests/data/products-head-2000.csv" sample.csv &&
    "$lfp" generate -q --rows 20000 --seed 21 -o a.csv &&
    "$lfp" generate -q --rows 15000 --seed 22 -o b.csv && gzip -n -c b.csv >b.csv.gz &&
    "$lfp" generate -q --rows 15000 --seed 23 -o c.csv && zstd -q -c c.csv >c.csv.zst &&
    "$lfp" generate -q --rows 400000 --seed 24 -o big.csv && zstd -q -1 -c big.csv >big.csv.zst &&
    printf 'name,sku,description\r\nA,a,"open\r\n"q"x,y\nB,,empty sku\r\nC,c,\xff\r\n\r\nD,d,"a ""quoted"" word",extra\rE,e,"line\nbreaks"\r\nF,a,last wins\r\nG,g,"never closed\n' >bad.csv &&
    # An update of a.csv's first 3000 products (other descriptions) and 500 new ones.
    "$py" -c 'import csv, sys
a, b = (list(csv.reader(open(f, newline=""))) for f in ("a.csv", "b.csv"))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerows([a[0]] + [[n, s, d + " v2"] for n, s, d in a[1:3001]] + b[-500:])' >upd.csv &&
    cp sample.csv dir/1-sample.csv && cp b.csv.gz dir/2-b.csv.gz && cp c.csv.zst dir/3-c.csv.zst &&
    cp bad.csv dir/4-bad.csv && touch dir/ignored.txt
) || fatal "cannot make the test inputs with $lfp"
gz_size=$(stat -c %s "$D/c.csv")

# ---- Open MPI sees distinct hosts and talks TCP between them.
if want transport; then
c=$T/transport
mkdir -p "$c" && cd "$c" || fatal "no $c"
hf=$(hostfile 2 2)
on_node 1 mpirun --hostfile "$hf" -n 4 sh -c 'echo "$(hostname) $OMPI_COMM_WORLD_RANK $OMPI_COMM_WORLD_LOCAL_SIZE"' >out 2>err
check "mpirun across 2 nodes exited $?: $(tail -n 3 err)" equals "$(sort out | tr '\n' ' ')" "node1 0 2 node1 1 2 node2 2 2 node2 3 2 "
# Shared memory alone cannot join two nodes: without the tcp BTL the job must fail.
OMPI_MCA_btl=self,vader mpirun_nodes 2 1 ingest "$D/sample.csv" --db vader.db -q
check "ran across nodes without TCP (shared memory across nodes?)" test "$RC" -ne 0
check "a database appeared without TCP" test ! -e vader.db
report "2 nodes: distinct hostnames, ranks 0-1 on node1 and 2-3 on node2; no run without the TCP transport" "$c"
fi

# ---- The hold-out checks, across nodes and on one node.
run_cases() { # run_cases N_NODES RANKS_PER_NODE
  local n=$1 k=$2 ranks=$(($1 * $2)) name="$1 nodes x $2 ranks" m o sc
  m=$T/m${n}x$k o=$T/o${n}x$k
  mkdir -p "$m" "$o"
  sc=(--scratch "$T/scratch")

  # Plain inputs with rejects (line numbers), the JSON report and -v.
  args=(ingest "$D/sample.csv" "$D/a.csv" "$D/bad.csv" --db plain.db --json-report plain.json -v)
  cd "$o" && mpirun_one "$ranks" "${args[@]}"
  check "one node: exit $RC" equals "$RC" 0
  cd "$m" && mpirun_nodes "$n" "$k" "${args[@]}"
  check "exit $RC: $(tail -n 2 err)" equals "$RC" 0
  same "$m" "$o" plain
  check "no rejects with line numbers" equals "$(sqlite3 plain.db "SELECT group_concat(line) FROM rejects WHERE file LIKE '%bad.csv'")" "2,4,5,7,11"
  local want_nodes want_lines
  want_nodes=$(for i in $(seq "$n"); do printf '%s:%s;' "node$i" "$(seq -s, $(((i - 1) * k)) $((i * k - 1)))"; done)
  check "JSON report nodes: $(tr -d '\n' <plain.json | grep -o '"nodes".*')" equals \
    "$("$py" -c 'import json,sys; print("".join(n["host"]+":"+",".join(map(str,n["ranks"]))+";" for n in json.load(open(sys.argv[1]))["nodes"]))' plain.json)" "$want_nodes"
  want_lines=$(for i in $(seq "$n"); do
    r=$(seq -s, $(((i - 1) * k)) $((i * k - 1)))
    ((k > 1)) && echo "node node$i: ranks $r" || echo "node node$i: rank $r"
  done)
  check "-v does not name the nodes: $(grep ' node ' err)" equals "$(sed -n 's/^lfp_mpi: [^ ]* \(node .*\)$/\1/p' err)" "$want_lines"
  check "-v has no per-rank parse line for rank $((ranks - 1))" contains err "parse: rank $((ranks - 1)) read"
  report "$name: plain inputs with rejects, JSON report and -v name the nodes and their ranks" "$m"

  # .gz and .zst: decompressed into each node's own scratch.
  args=(ingest "$D/b.csv.gz" "$D/c.csv.zst" --db comp.db "${sc[@]}" -q)
  cd "$o" && mpirun_one "$ranks" "${args[@]}"
  check "one node: exit $RC" equals "$RC" 0
  cd "$m" && mpirun_nodes "$n" "$k" "${args[@]}"
  check "exit $RC: $(tail -n 2 err)" equals "$RC" 0
  same "$m" "$o" comp
  for i in $(seq "$n"); do
    check "node$i's scratch not emptied: $(ls "$T/node$i/scratch")" test -z "$(ls -A "$T/node$i/scratch")"
  done
  report "$name: .gz and .zst inputs" "$m"

  # A directory.
  args=(ingest "$D/dir" --db dir.db "${sc[@]}" -q)
  cd "$o" && mpirun_one "$ranks" "${args[@]}"
  check "one node: exit $RC" equals "$RC" 0
  cd "$m" && mpirun_nodes "$n" "$k" "${args[@]}"
  check "exit $RC: $(tail -n 2 err)" equals "$RC" 0
  same "$m" "$o" dir
  check "not 4 files in the run" equals "$(sqlite3 dir.db 'SELECT files_read FROM runs')" 4
  report "$name: a directory of plain, .gz and .zst files" "$m"

  # Upsert into an existing database, then the ledger skips the unchanged file.
  (cd "$o" && "$lfp" ingest -q "$D/a.csv" --db up.db) || check "cannot make up.db" false
  cp "$o/up.db" "$o/up.h5" "$m/"
  args=(ingest "$D/upd.csv" --db up.db -q)
  cd "$o" && mpirun_one "$ranks" "${args[@]}"
  check "one node: exit $RC" equals "$RC" 0
  cd "$m" && mpirun_nodes "$n" "$k" "${args[@]}"
  check "exit $RC: $(tail -n 2 err)" equals "$RC" 0
  same "$m" "$o" up
  # a.csv repeats some skus: 3000 records of it are fewer products.
  check "not about 2800 updated and 500 inserted: $(sqlite3 up.db 'SELECT updated, inserted FROM runs WHERE id = 2')" \
    equals "$(sqlite3 up.db 'SELECT updated > 2500 AND inserted > 400 FROM runs WHERE id = 2')" 1
  report "$name: upsert into an existing database" "$m"
  args=(ingest "$D/upd.csv" "$D/sample.csv" --db up.db)
  cd "$o" && mpirun_one "$ranks" "${args[@]}"
  check "one node: exit $RC" equals "$RC" 0
  cd "$m" && mpirun_nodes "$n" "$k" "${args[@]}"
  check "exit $RC: $(tail -n 2 err)" equals "$RC" 0
  same "$m" "$o" up
  check "unchanged file not skipped: $(cat err)" contains err "skipped $D/upd.csv: unchanged since run 2"
  check "not 1 read, 1 skipped" equals "$(sqlite3 up.db 'SELECT files_read, files_skipped FROM runs WHERE id = 3')" "1|1"
  report "$name: the ledger skips the unchanged file on the next run" "$m"

  # Ctrl-C while the ranks write: the database is as before, mpirun fails.
  cp "$o/up.db" "$o/up.h5" "$m/" && cp "$o/up.db" "$m/before.db" && cp "$o/up.h5" "$m/before.h5"
  start_nodes "$n" "$k" ingest "$D/big.csv" --db up.db
  if wait_for_line err ' write_db: started' "$MPIRUN" 120; then
    kill -INT "$MPIRUN"
    wait_pid "$MPIRUN" 60
    check "exit code 0 after Ctrl-C" test "$RC" -ne 0
    check "no stop message: $(tail -n 3 err)" contains err "during the write_db phase of ingest into up.db: up.db is unchanged"
    check "the database changed: $(cat cmp.out 2>/dev/null)" unchanged
    check "ranks left running" no_ranks_left
    check "partial files left, not removed by the next run" partials_cleaned "$m" up.db
  else
    check "the run never reached write_db: $(tail -n 3 err)" false
    wait_pid "$MPIRUN" 60
  fi
  report "$name: Ctrl-C while writing leaves the database unchanged" "$m"

  # Ctrl-C while a new database is written: none appears.
  start_nodes "$n" "$k" ingest "$D/big.csv" --db new.db
  if wait_for_line err ' write_db: started' "$MPIRUN" 120; then
    kill -INT "$MPIRUN"
    wait_pid "$MPIRUN" 60
    check "exit code 0 after Ctrl-C" test "$RC" -ne 0
    check "no stop message: $(tail -n 3 err)" contains err "during the write_db phase of ingest into new.db: new.db was not created"
    check "a database appeared" test ! -e new.db -a ! -e new.h5
    check "ranks left running" no_ranks_left
    check "partial files left, not removed by the next run" partials_cleaned "$m" new.db
  else
    check "the run never reached write_db: $(tail -n 3 err)" false
    wait_pid "$MPIRUN" 60
  fi
  report "$name: Ctrl-C while writing a new database leaves none" "$m"
  cd "$T" || fatal "no $T"
}
want 2x2 && run_cases 2 2
want 3x1 && run_cases 3 1

# ---- Each node decompresses into its own scratch, and nothing lands in another's. The
# scratch files (lfp_mpi-scratch.partial-HOST-PID) live from the decompress phase to the end
# of the parse: each node's directory is listed every 10 ms meanwhile.
if want scratch; then
c=$T/scratch-per-node
mkdir -p "$c" && cd "$c" || fatal "no $c"
start_nodes 2 2 ingest "$D/big.csv.zst" --db s.db --no-h5 --scratch "$T/scratch" -q
while kill -0 "$MPIRUN" 2>/dev/null; do
  for i in 1 2; do ls "$T/node$i/scratch" >>"seen-node$i" 2>/dev/null; done
  sleep 0.01
done
wait "$MPIRUN"
RC=$?
check "exit $RC: $(tail -n 2 err)" equals "$RC" 0
for i in 1 2; do
  sort -u "seen-node$i" >"names-node$i"
  check "node$i's scratch never held node$i's file: $(tr '\n' ' ' <"names-node$i")" grep -q "^lfp_mpi-scratch\.partial-node$i-" "names-node$i"
  check "node$i's scratch held another node's file: $(tr '\n' ' ' <"names-node$i")" \
    test -z "$(grep -v "^lfp_mpi-scratch\.partial-node$i-" "names-node$i")"
  check "node$i's scratch not emptied" test -z "$(ls -A "$T/node$i/scratch")"
done
check "not 400000 records" equals "$(sqlite3 s.db 'SELECT records_read FROM runs')" 400000
report "2 nodes: each node decompresses into its own scratch, none into another's" "$c"
fi

# ---- Faults between nodes. Both update an existing database.

if want faults; then
# A rank on node2 killed with SIGKILL while the ranks parse.
c=$T/kill-rank
base_setup "$c" || fatal "cannot set up $c"
start_nodes 2 2 ingest "$D/big.csv" --db up.db
if wait_for_line err ' (parse|shuffle): started' "$MPIRUN" 120; then
  victim=
  for p in $(lfp_pids 2); do [[ $(rank_of "$p") == 2 ]] && victim=$p; done
  check "no rank 2 on node2 (lfp_mpi on node2: $(lfp_pids 2 | tr '\n' ' '))" test -n "$victim"
  [[ -n $victim ]] && kill -KILL "$victim"
  wait_pid "$MPIRUN" 60
  check "exit code 0 after a rank was killed" test "$RC" -ne 0
  check "the message does not name rank 2 on node2: $(grep -i 'signal 9\|killed' err | head -n 2)" \
    grep -Eq "rank 2 with PID $victim on node node2 exited on signal 9" err
  check "the database changed: $(cat cmp.out 2>/dev/null)" unchanged
  check "ranks left running" no_ranks_left
  check "partial files left: $(ls "$c")" no_partials "$c"
else
  check "the run never reached the parse: $(tail -n 3 err)" false
  wait_pid "$MPIRUN" 60
fi
report "2 nodes: rank 2 on node2 killed mid-run: all stop, database unchanged, node and rank named" "$c"

# node2's scratch is full: a 1 MiB tmpfs over it (in node2's mount namespace only).
c=$T/scratch-full
base_setup "$c" || fatal "cannot set up $c"
if on_node 2 mount -t tmpfs -o size=1m lfp-full "$T/scratch"; then
  mpirun_nodes 2 2 ingest "$D/c.csv.zst" --db up.db --scratch "$T/scratch"
  on_node 2 umount "$T/scratch"
  check "exit $RC, not 5: $(tail -n 3 err)" equals "$RC" 5
  check "the message does not name node2's scratch: $(grep error err | head -n 2)" \
    grep -Eq "error: .*scratch file $T/scratch/lfp_mpi-scratch\.partial-node2-[0-9]+ \(--scratch\)" err
  check "the database changed: $(cat cmp.out 2>/dev/null)" unchanged
  check "no space left not said" grep -qi "no space left" err
  check "scratch files left on node1" test -z "$(ls -A "$T/node1/scratch")"
  check "ranks left running" no_ranks_left
  check "test input too small for the tmpfs ($gz_size bytes)" test "$gz_size" -gt 1048576
else
  check "cannot mount a tmpfs on node2's scratch" false
fi
report "2 nodes: node2's scratch full: exit 5 naming the file, database unchanged" "$c"
fi

# ---- Slurm as two nodes: slurmctld and one slurmd in node1, one slurmd in node2 (each with
# the node's hostname and network), munged on this machine (its socket is a file, reachable
# from every node). jobs/slurm/ingest-2nodes.sbatch with one task per node, through srun's
# PMIx. Not run (said, not counted) when Slurm is not installed: scripts/setup.sh installs
# it.
munge_pid=
stop_munged() {
  [[ -n $munge_pid && $(cat "/proc/$munge_pid/comm" 2>/dev/null) == munged ]] && kill -TERM "$munge_pid"
  munge_pid=
}
if want slurm; then
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null ||
    ! command -v sbatch >/dev/null; then
    echo "note  Slurm across nodes not run: slurmctld, slurmd, munge or sbatch not installed (scripts/setup.sh installs them)"
  else
    c=$T/slurm
    S=$c/conf
    mkdir -p "$S/state" "$S/spool-node1" "$S/spool-node2" "$c/job" && cd "$c" || fatal "no $c"
    start_munged "$S/munge"
    munge_pid=$(cat "$S/munge/munged.pid" 2>/dev/null)
    printf '%s\n' "ClusterName=lfpmultinode" "SlurmctldHost=node1" "AuthType=auth/munge" "CredType=cred/munge" \
      "AuthInfo=socket=$S/munge/munge.socket" "SlurmUser=root" "SlurmdUser=root" "StateSaveLocation=$S/state" \
      "SlurmdSpoolDir=$S/spool-%n" "SlurmctldPidFile=$S/slurmctld.pid" "SlurmdPidFile=$S/slurmd-%n.pid" \
      "SlurmctldLogFile=$S/slurmctld.log" "SlurmdLogFile=$S/slurmd-%n.log" "MpiDefault=none" \
      "ProctrackType=proctrack/linuxproc" "TaskPlugin=task/none" "SelectType=select/cons_tres" \
      "SelectTypeParameters=CR_Core_Memory" "SlurmdParameters=config_overrides" \
      "AccountingStorageType=accounting_storage/none" "JobAcctGatherType=jobacct_gather/none" "ReturnToService=2" \
      "NodeName=node[1-2] CPUs=4 RealMemory=8192 State=UNKNOWN" \
      "PartitionName=test Nodes=node[1-2] Default=YES MaxTime=INFINITE State=UP" >"$S/slurm.conf"
    # The nodes share /tmp here, where PMIx puts its per-step client directory: on each node's
    # own scratch instead.
    echo "PMIxCliTmpDirBase=$T/scratch" >"$S/mpi.conf"
    export SLURM_CONF=$S/slurm.conf
    on_node 1 slurmctld -c -f "$SLURM_CONF" || check "slurmctld did not start" false
    for i in 1 2; do on_node "$i" slurmd -f "$SLURM_CONF" -N "node$i" || check "slurmd on node$i did not start" false; done
    for _ in $(seq 150); do
      [[ $(on_node 1 sinfo -h -N -o '%N %T' 2>/dev/null | tr '\n' ' ') == "node1 idle node2 idle " ]] && break
      sleep 0.2
    done
    check "the two nodes did not come up: $(on_node 1 sinfo -h -N -o '%N %T' 2>&1 | tr '\n' ' ')" \
      equals "$(on_node 1 sinfo -h -N -o '%N %T' 2>&1 | tr '\n' ' ')" "node1 idle node2 idle "
    if [[ -z $fail_why ]]; then
      cd "$c/job" || fatal "no $c/job"
      job=$(LFP_MPI=$lfp on_node 1 sbatch --parsable --wait --ntasks-per-node=1 --mem-per-cpu=500M --time=5 \
        "$repo/jobs/slurm/ingest-2nodes.sbatch" "$D/b.csv.gz" "$D/c.csv.zst" "$D/sample.csv" --db s.db \
        --scratch "$T/scratch" --json-report s.json 2>sbatch.err)
      RC=$?
      log=$(ls "$c"/job/*-"${job%%;*}".out 2>/dev/null | head -n 1)
      check "sbatch exit $RC: $(cat sbatch.err) $(tail -n 5 "$log" 2>/dev/null)" equals "$RC" 0
      check "last line: $(tail -n 1 "$log" 2>/dev/null)" grep -qE \
        '^lfp job: wrote s\.db and s\.h5 \(run 1\) in [0-9.]+ s \(lfp_mpi exit 0: ok\)$' <(tail -n 1 "$log" 2>/dev/null)
      check "the job's nodes: $(tr -d '\n ' <s.json 2>/dev/null | grep -o '"nodes".*')" \
        equals "$("$py" -c 'import json,sys; print(" ".join(n["host"]+":"+",".join(map(str,n["ranks"])) for n in json.load(open(sys.argv[1]))["nodes"]))' s.json 2>&1)" "node1:0 node2:1"
      mkdir -p ref && cd ref && mpirun_one 2 ingest "$D/b.csv.gz" "$D/c.csv.zst" "$D/sample.csv" --db s.db \
        --scratch "$T/scratch" --json-report s.json
      cd .. && "$py" "$compare" s.db ref/s.db s.h5 ref/s.h5 >cmp.out 2>&1
      check "differs from the one-node run: $(cat cmp.out)" test $? -eq 0
    fi
    report "Slurm as two nodes: jobs/slurm/ingest-2nodes.sbatch, one task on each" "$c"
    stop_munged
    unset SLURM_CONF
  fi
fi

cd "$T" || true
echo "$passed passed, $failed failed"
summary_printed=1
((failed == 0))
