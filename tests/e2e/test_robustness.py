"""What operators rely on: a stopped or killed run never damages or half-writes the
database, leftovers of killed runs are cleaned, and memory-bounding options do not change
results. Uses the fixtures of conftest.py; run once per rank count like test_ingest.py.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import h5py
import pytest

from dbread import products_digest


@pytest.fixture(scope="module")
def big_csv(lfp, tmp_path_factory) -> Path:
    """Large enough that a run takes a noticeable fraction of a second."""
    out = tmp_path_factory.mktemp("big") / "big.csv"
    lfp.generate(400000, out, seed=3, ranks=2)
    return out


def wait_for_exit(pid: int, seconds: float = 30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
                return  # a zombie: gone in all but name
        except FileNotFoundError:
            return
        time.sleep(0.05)
    pytest.fail(f"process {pid} of the stopped run is still running after {seconds}s")


def partials(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".partial" in p.name)


JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def wait_for_hot_journal(journal: Path, proc: subprocess.Popen, seconds: float = 120) -> bool:
    """True once `journal` starts with SQLite's journal magic, which the writer puts there
    when it synced the journal and begins to overwrite the database file (before that a
    journal is not hot and readers ignore it); False if `proc` ended first."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with open(journal, "rb") as f:
                if f.read(8) == JOURNAL_MAGIC:
                    return True
        except FileNotFoundError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.001)
    pytest.fail(f"{journal} did not become hot within {seconds}s")


def kill_inside_write(lfp, csv: Path, db: Path) -> None:
    """SIGKILLs a one-rank ingest into `db` once its rollback journal exists, i.e. inside
    its write transaction has begun to overwrite the database, and checks that the kill
    left the journal hot."""
    journal = Path(f"{db}-journal")
    for _ in range(5):
        p = subprocess.Popen([str(lfp.binary), "ingest", str(csv), "--db", str(db), "-q", "--no-h5"], env=lfp.env)
        landed = wait_for_hot_journal(journal, p)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if landed and journal.exists():
            return
    pytest.fail("the run committed before every kill: no hot journal to test with")


def read_only_fails(db: Path) -> bool:
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        con.close()


@pytest.mark.parametrize("command", ["query", "verify", "ingest", "snapshot"])
def test_sigkill_inside_the_write_leaves_the_old_database_for_every_command(
        lfp, ranks, sample_csv, big_csv, tmp_path, command):
    """A writer killed inside its transaction leaves a hot journal. SQLite's read-only
    readers cannot roll it back; every lfp_mpi command does, says so, and then finds the
    database as it was before the killed run."""
    if ranks > 2:
        pytest.skip("the reading command runs on rank 0 alone: 1 and 2 ranks cover it")
    base = tmp_path / "base.db"
    lfp.ingest(sample_csv, db=base, no_h5=True, ranks=1, mpirun=False)
    before = products_digest(base)
    db = tmp_path / "killed.db"
    db.write_bytes(base.read_bytes())
    kill_inside_write(lfp, big_csv, db)
    assert read_only_fails(db), "SQLite's mode=ro readers are expected to fail on a hot journal"
    args = {"query": ["query", "--db", db], "verify": ["verify", "--db", db, "--no-h5"],
            "ingest": ["ingest", sample_csv, "--db", db, "--no-h5"],
            "snapshot": ["snapshot", "--db", db]}[command]
    p = lfp.run(*args)
    assert p.returncode == 0, p.stderr_text
    assert "rolled back the unfinished write of a killed run" in p.stderr_text
    assert not Path(f"{db}-journal").exists()
    assert not read_only_fails(db)
    assert products_digest(db) == before


def test_a_hot_journal_the_reader_cannot_roll_back_names_the_fix(lfp, ranks, sample_csv, big_csv, tmp_path):
    if ranks != 1:
        pytest.skip("one rank is enough")
    if os.getuid() != 0 or not shutil.which("runuser"):
        pytest.skip("needs root and runuser to read as a user who cannot write the directory")
    db = tmp_path / "killed.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    kill_inside_write(lfp, big_csv, db)
    os.chmod(tmp_path, 0o755)
    for parent in tmp_path.parents:  # pytest's temporary directories are 0700
        if parent == Path("/tmp"):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o055)
    os.chmod(db, 0o644)
    p = subprocess.run(["runuser", "-u", "nobody", "--", str(lfp.binary), "query", "--db", str(db)],
                       capture_output=True, text=True, env=lfp.env)
    assert p.returncode == 5, p.stderr
    assert f"left its unfinished write in {db}-journal" in p.stderr
    assert f"lfp_mpi verify --db {db}" in p.stderr
    assert Path(f"{db}-journal").exists()  # nothing was lost: the next writer rolls it back


def test_sigterm_through_mpirun_leaves_no_half_written_database(lfp, ranks, sample_csv, big_csv, tmp_path):
    """SIGTERM to mpirun (Slurm's time limit) stops the run before it commits: its partial
    files are removed and the next run into the same path works."""
    db = tmp_path / "new.db"
    cmd = ["mpirun", "-n", str(ranks), str(lfp.binary), "ingest", str(big_csv), "--db", str(db)]
    p = subprocess.Popen(cmd, env={**lfp.env, "LFP_PROGRESS": "lines"}, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if " parse: started" in line:
            p.send_signal(signal.SIGTERM)
            break
    p.stderr.read()
    assert p.wait(timeout=60) != 0
    assert not db.exists()
    # mpirun can return before its ranks are gone; the next job starts after they are.
    for name in partials(tmp_path):
        wait_for_exit(int(name.rsplit("-", 1)[1]))
    lfp.ingest(sample_csv, db=db)
    assert partials(tmp_path) == []


@pytest.mark.parametrize("phase", ["parse", "write_db", "write_h5"])
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_ctrl_c_under_mpirun_never_commits_and_the_last_line_says_so(
        lfp, ranks, sample_csv, big_csv, tmp_path, phase, existing):
    """Ctrl-C reaches mpirun, which sends the ranks SIGCONT at once and SIGTERM a second
    later. A run that would finish within that second must not commit: the last line says
    the database is unchanged (or was not created) and it is."""
    if ranks < 2:
        pytest.skip("Ctrl-C through mpirun: 2 or more ranks")
    db = tmp_path / "products.db"
    if existing:
        lfp.ingest(sample_csv, db=db)
        before = products_digest(db)
    env = {**lfp.env, "LFP_PROGRESS": "lines"}
    p = subprocess.Popen(["mpirun", "-n", str(ranks), str(lfp.binary), "ingest", str(big_csv), "--db", str(db)],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    for line in p.stdout:
        seen.append(line)
        if f" {phase}: started" in line:
            p.send_signal(signal.SIGINT)
            break
    else:
        pytest.fail(f"no '{phase}: started' line:\n{''.join(seen)}")
    seen += p.stdout.read().splitlines(keepends=True)
    assert p.wait(timeout=60) != 0
    last = [l for l in seen if l.startswith("lfp_mpi:")][-1]
    state = "is unchanged" if existing else "was not created"
    # The SIGTERM's line, or (when mpirun's SIGKILL came before rank 0's SIGTERM handler ran,
    # as happens on a loaded machine) the line rank 0 printed on mpirun's SIGCONT.
    assert ("stopped by SIGTERM" in last or "stopping (mpirun sent SIGCONT" in last), "".join(seen[-5:])
    assert f"{db}: {db} {state}" in last, "".join(seen[-5:])
    for name in partials(tmp_path):
        wait_for_exit(int(name.rsplit("-", 1)[1]))
    if existing:
        assert lfp.run("query", "--db", db, mpirun=False).returncode == 0  # rolls back a hot journal
        assert products_digest(db) == before
    else:
        assert not db.exists() and not (tmp_path / "products.h5").exists()
    if partials(tmp_path):
        # Rank 0 was SIGKILLed before its handler ran (see above): the next run into the
        # same paths removes what it left.
        lfp.run("ingest", sample_csv, "--db", db, "--force", "-q", check=True)
    assert partials(tmp_path) == []


def test_leftovers_of_a_killed_run_are_removed(lfp, ranks, sample_csv, tmp_path):
    dead_pid = 4194303  # above any pid_max in use: no such process
    host = socket.gethostname()
    for name in (f"products.db.partial-{host}-{dead_pid}", f"products.h5.partial-{host}-{dead_pid}"):
        (tmp_path / name).write_bytes(b"half written")
    other_node = tmp_path / f"products.db.partial-othernode-{dead_pid}"
    other_node.write_bytes(b"another node's run, maybe alive")
    lfp.ingest(sample_csv, cwd=tmp_path)
    assert partials(tmp_path) == [other_node.name]
    assert (tmp_path / "products.db").is_file() and (tmp_path / "products.h5").is_file()


def test_small_rounds_and_batches_give_the_same_database(lfp, ranks, generated_one_rank, tmp_path):
    """--round-mb and --batch-mb bound memory (many all-to-all rounds, many gather
    batches); the result must not depend on them."""
    default = tmp_path / "default.db"
    small = tmp_path / "small.db"
    lfp.ingest(generated_one_rank, db=default, no_h5=True)
    lfp.run("ingest", generated_one_rank, "--db", small, "--no-h5", "-q", "--round-mb", "1", "--batch-mb", "1",
            check=True)
    assert products_digest(small) == products_digest(default)


def test_colliding_output_paths_are_refused(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "p.db"
    lfp.ingest(sample_csv, db=db)
    before = db.read_bytes()
    p = lfp.ingest(sample_csv, db=db, h5=db, check=False)  # the snapshot would replace the database
    assert p.returncode == 2 and "snapshot path" in p.stderr_text
    p = lfp.ingest(sample_csv, db=tmp_path / "x.h5", check=False)  # default snapshot path = database path
    assert p.returncode == 2 and not (tmp_path / "x.h5").exists()
    copy = tmp_path / "input.csv"
    copy.write_bytes(sample_csv.read_bytes())
    p = lfp.ingest(copy, db=copy, check=False)
    assert p.returncode == 2 and "input file" in p.stderr_text
    assert db.read_bytes() == before and copy.read_bytes() == sample_csv.read_bytes()


def test_thousands_of_input_files(lfp, ranks, tmp_path):
    """Many small files: no mapping limit is hit, and the snapshot names them all."""
    folder = tmp_path / "in"
    folder.mkdir()
    names = []
    for i in range(5000):
        names.append(f"f{i:04d}.csv")
        (folder / names[-1]).write_bytes(b"name,sku,description\r\nN%d,s%d,d\r\n" % (i % 7, i % 4000))
    db, h5 = tmp_path / "many.db", tmp_path / "many.h5"
    lfp.ingest(*names, db=db, h5=h5, cwd=folder)  # relative names keep the command line short
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM products").fetchone()[0] == 4000
    # skus s0..s999 appear twice: the later file wins
    assert con.execute("SELECT name FROM products WHERE sku = 's5'").fetchone()[0] == f"N{4005 % 7}"
    con.close()
    with h5py.File(h5, "r") as f:
        assert [s.decode() if isinstance(s, bytes) else s for s in f.attrs["source_files"]] == names


def test_snapshot_write_failure_leaves_database_unchanged(lfp, ranks, sample_csv, tmp_path):
    """The snapshot is completely written before the database commits: a full disk under the
    snapshot fails the run with exit code 5 and the database keeps its previous state."""
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        db = tmp_path / "p.db"
        lfp.ingest(sample_csv, db=db, no_h5=True)
        before = products_digest(db)
        big = tmp_path / "big.csv"
        lfp.generate(30000, big, seed=5, ranks=1)
        p = lfp.ingest(big, db=db, h5=small / "p.h5", check=False)
        assert p.returncode == 5, p.stderr_text
        assert "HDF5" in p.stderr_text or "snapshot" in p.stderr_text
        assert products_digest(db) == before
        assert partials(small) == [] and not (small / "p.h5").exists()
    finally:
        subprocess.run(["umount", str(small)], capture_output=True)


def test_an_edit_committed_whose_snapshot_cannot_be_written_exits_8_and_says_so(lfp, ranks, sample_csv, tmp_path):
    """The snapshot is refreshed after the edit commits: when that fails (here: a full file
    system), the exit code and message say the edit is committed and the snapshot stale,
    not that the database is unchanged."""
    if ranks != 1:
        pytest.skip("one process is enough")
    if os.getuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a small private file system")
    db = tmp_path / "p.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    full = tmp_path / "full"
    full.mkdir()
    h5 = full / "p.h5"
    script = (f"mount -t tmpfs -o size=16k tmpfs '{full}' && "
              f"'{lfp.binary}' update --db '{db}' --h5 '{h5}' --sku involve-available --name Renamed")
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, env=lfp.env)
    assert p.returncode == 8, p.stderr
    assert f"is committed to {db}, but the snapshot {h5} could not be written" in p.stderr
    assert f"lfp_mpi snapshot --db {db}" in p.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT name FROM products WHERE sku = 'involve-available'").fetchone() == ("Renamed",)
    con.close()


def test_a_write_cut_short_by_the_file_size_limit_says_where_the_unfinished_write_is(
        lfp, ranks, big_csv, tmp_path):
    """Past `ulimit -f` SQLite cannot roll back either: the journal stays hot. The message
    says the database is unchanged and how the journal goes; the next command rolls it back."""
    if ranks != 1:
        pytest.skip("one process is enough")
    db = tmp_path / "u.db"
    lfp.ingest(big_csv, db=db, no_h5=True)
    before = products_digest(db)
    sku = sqlite3.connect(db).execute("SELECT max(sku) FROM products_main").fetchone()[0]
    limit_kib = db.stat().st_size // 1024 // 3
    p = subprocess.run(["bash", "-c", f"ulimit -f {limit_kib}; exec '{lfp.binary}' update --db '{db}' "
                                      f"--sku '{sku}' --name X --no-h5"], capture_output=True, text=True, env=lfp.env)
    assert p.returncode == 5, p.stderr
    assert Path(f"{db}-journal").exists(), "the limit was expected to stop the rollback too"
    assert f"{db} is unchanged: the failed run's unfinished write is in {db}-journal" in p.stderr
    assert lfp.run("query", "--db", db, mpirun=False).returncode == 0
    assert products_digest(db) == before


def test_a_readers_open_transaction_fails_an_update_after_the_documented_wait(
        lfp, ranks, sample_csv, big_csv, tmp_path):
    """A reader that keeps a transaction open blocks the writer's commit. The writer gives
    up after 10 s of waiting in all (not 10 s per cache spill, minutes in all), changes
    nothing, and new readers can read all along."""
    if ranks != 1:
        pytest.skip("the lock wait is rank 0's: one rank covers it")
    db = tmp_path / "l.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    before = products_digest(db)
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM products_main").fetchone()
    started = time.monotonic()
    p = subprocess.Popen([str(lfp.binary), "ingest", str(big_csv), "--db", str(db), "--no-h5", "-q"],
                         env=lfp.env, stderr=subprocess.PIPE, text=True)
    while p.poll() is None:  # new readers are never locked out while the writer waits
        other = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        assert other.execute("SELECT count(*) FROM product_counts").fetchone()[0] > 0
        other.close()
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    reader.execute("COMMIT")
    reader.close()
    assert p.returncode == 5
    assert "database is locked" in p.stderr.read()
    # Generous: the run alone takes a few seconds, plus the 10 s wait (it was minutes).
    assert elapsed < 90, f"the writer waited {elapsed:.0f} s"
    assert products_digest(db) == before


def test_out_of_memory_is_exit_1_wherever_it_happens(lfp, ranks, big_csv, tmp_path):
    """Memory running out while mapping the input, in the C++ code or inside SQLite: one
    documented exit code (1) and a message that says so; no database appears."""
    if ranks != 1:
        pytest.skip("one process: ulimit -v applies to it alone")
    failed = 0
    for limit_mib in (150, 250, 330, 400, 500, 650):
        db = tmp_path / f"oom-{limit_mib}.db"
        p = subprocess.run(["bash", "-c", f"ulimit -v {limit_mib * 1024}; exec '{lfp.binary}' ingest '{big_csv}' "
                                          f"--db '{db}' --no-h5 -q"], capture_output=True, text=True, env=lfp.env)
        if p.returncode == 0:
            continue
        failed += 1
        assert p.returncode == 1, (limit_mib, p.stderr)
        assert "out of memory" in p.stderr, (limit_mib, p.stderr)
        assert not db.exists()
    assert failed > 0, "no limit made the run fail: lower them"
