"""The holes of issue 10, one test (or a few) per numbered case: a kill between the commit and
the snapshot's rename, damaged counts, records of very many fields, the file size limit,
output paths checked up front, file names that are not UTF-8. Uses the fixtures of
conftest.py; run once per rank count like test_kept_current.py.
"""
from __future__ import annotations

import os
import resource
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import TIMEOUT
from product_csv import product_file, write

EXIT_USAGE, EXIT_HEADER, EXIT_OUTPUT, EXIT_VERIFY = 2, 4, 5, 6


def partials(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".partial-" in p.name)


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def run_limited(lfp, ranks, fsize: int, *args):
    """lfp_mpi under mpirun with each rank's file size limit (ulimit -f) at `fsize` bytes;
    mpirun itself keeps no limit (its PMIx files would fail first)."""
    cmd = ["mpirun", "-n", str(ranks), "prlimit", f"--fsize={fsize}", str(lfp.binary), *map(str, args)]
    p = subprocess.run(cmd, env=lfp.env, capture_output=True, timeout=TIMEOUT)
    p.stderr_text = p.stderr.decode("utf-8", "replace")
    return p


# Case 1: a kill after the commit and before the snapshot's rename.

def test_a_snapshot_left_behind_by_a_kill_after_the_commit_is_noticed_and_refreshed(lfp, ranks, sample_csv, tmp_path):
    db, h5 = tmp_path / "k.db", tmp_path / "k.h5"
    update = write(tmp_path / "update.csv",
                   product_file([(b"Killed Name", b"k%d" % i, b"d") for i in range(20)], eol=b"\n"))
    lfp.ingest(sample_csv, db=db)
    old = tmp_path / "old.h5"
    shutil.copy(h5, old)
    lfp.ingest(update, db=db)
    # What a SIGKILL between the commit and the rename leaves: the database at run 2, the
    # snapshot at run 1, and the killed run's synced temporary snapshot.
    shutil.copy(old, h5)
    orphan = tmp_path / f"k.h5.partial-{socket.gethostname()}-{dead_pid()}"
    orphan.write_bytes(b"\x89HDF half")
    p = lfp.run("verify", "--db", db)
    assert p.returncode == EXIT_VERIFY and "stale" in p.stderr_text

    # Running the same command again notices the stale snapshot although no file changed.
    p = lfp.ingest(update, db=db, quiet=False)
    assert "snapshot" in p.stderr_text + p.stdout_text
    assert lfp.run("verify", "--db", db).returncode == 0
    assert partials(tmp_path) == []


def test_the_snapshot_is_synced_before_the_database_commits(lfp, ranks, sample_csv, tmp_path):
    if shutil.which("strace") is None:
        pytest.skip("no strace")
    db = tmp_path / "s.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    update = write(tmp_path / "update.csv", product_file([(b"Synced", b"s%d" % i, b"d") for i in range(20)], eol=b"\n"))
    trace = tmp_path / "trace"
    cmd = ["mpirun", "-n", str(ranks), "strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,rename,link,unlink",
           "-o", str(trace), str(lfp.binary), "ingest", str(update), "--db", str(db), "-q"]
    p = subprocess.run(cmd, env=lfp.env, capture_output=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr.decode()
    calls = [line for f in tmp_path.glob("trace*") for line in f.read_text().splitlines()]
    # The commit of an update ends with the rollback journal's removal.
    synced = [i for i, c in enumerate(calls) if "sync(" in c and "s.h5.partial-" in c]
    committed = [i for i, c in enumerate(calls) if c.split()[1].startswith("unlink(") and "s.db-journal" in c]
    assert synced and committed, "\n".join(calls)
    assert synced[0] < committed[-1], "\n".join(calls)


# Case 2: damaged counts are refused on open, not carried forward.

def test_counts_deleted_by_hand_are_refused_before_an_update_builds_on_them(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "d.db"
    lfp.ingest(sample_csv, db=db)
    con = sqlite3.connect(db)
    with con:
        names = [n for (n,) in con.execute("SELECT name FROM product_counts ORDER BY products DESC LIMIT 3")]
        con.executemany("DELETE FROM product_counts WHERE name = ?", [(n,) for n in names])
    before = con.execute("SELECT * FROM product_counts ORDER BY name").fetchall()
    con.close()
    update = write(tmp_path / "u.csv",
                   product_file([(n.encode(), b"new-%d" % i, b"d") for i, n in enumerate(names)], eol=b"\n"))
    p = lfp.ingest(update, db=db, check=False)
    assert p.returncode == EXIT_OUTPUT, p.stderr_text
    assert "product_counts" in p.stderr_text and "damaged" in p.stderr_text and str(db) in p.stderr_text
    con = sqlite3.connect(db)
    assert con.execute("SELECT * FROM product_counts ORDER BY name").fetchall() == before
    assert con.execute("SELECT count(*) FROM product_counts WHERE products <= 0").fetchone()[0] == 0
    con.close()
    # The edit commands refuse it as well; verify names the damage.
    p = lfp.run("update", "--db", db, "--sku", "new-x", "--name", names[0], "--description", "d", "--insert")
    assert p.returncode == EXIT_OUTPUT and "damaged" in p.stderr_text
    p = lfp.run("verify", "--db", db)
    assert p.returncode == EXIT_VERIFY and "product_counts" in p.stderr_text


# Case 3: fields past the header's count are counted, not stored.

def test_a_record_of_millions_of_commas_is_rejected_without_storing_each_field(lfp, ranks, tmp_path):
    commas = 20_000_000
    f = write(tmp_path / "commas.csv", b"name,sku,description\nA,a1,fine\n" + b"," * commas + b"\nB,b1,fine\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    db = tmp_path / "c.db"
    lfp.ingest(f, db=db, no_h5=True)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # A vector of 20 million string views alone would be 320 MiB.
    if "ASAN_OPTIONS" not in os.environ:  # AddressSanitizer's shadow memory inflates RSS
        assert peak_mib < 200, f"peak RSS {peak_mib:.0f} MiB (an earlier child peaked at {before / 1024:.0f} MiB)"
    con = sqlite3.connect(db)
    assert con.execute("SELECT reason, detail FROM rejects").fetchall() == [
        ("field_count", f"{commas + 1} fields, the header has 3")]
    assert con.execute("SELECT count(*) FROM products").fetchone()[0] == 2
    con.close()


# Case 5: the file size limit (SIGXFSZ) fails the write with exit 5, not a signal.

def test_a_database_over_the_file_size_limit_fails_with_exit_5_and_leaves_nothing(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "f.db"
    p = run_limited(lfp, ranks, 200_000, "ingest", sample_csv, "--db", db, "--no-h5", "-q")
    assert p.returncode == EXIT_OUTPUT, p.stderr_text
    assert f"database {db}: " in p.stderr_text and "disk I/O error (a write was cut short" in p.stderr_text
    assert partials(tmp_path) == [] and not db.exists()


def test_a_snapshot_over_the_file_size_limit_fails_with_exit_5_and_leaves_nothing(lfp, ranks, sample_csv, tmp_path):
    db, h5 = tmp_path / "g.db", tmp_path / "g.h5"
    # The compressed snapshot is always smaller than the database, so an ingest under a limit
    # fails on the database first (above); the snapshot's own write is tested on its own.
    # (A snapshot failing before an ingest's commit: test_robustness.py's full tmpfs.)
    lfp.ingest(sample_csv, db=db, no_h5=True)
    p = run_limited(lfp, ranks, 50_000, "snapshot", "--db", db, "-q")
    assert p.returncode == EXIT_OUTPUT, p.stderr_text
    assert f"snapshot {h5}: " in p.stderr_text
    assert partials(tmp_path) == [] and not h5.exists()


# Case 6: output paths are checked before any input is parsed.

@pytest.fixture
def bad_header(tmp_path) -> Path:
    """An input that fails the header check (exit 4): an output problem reported instead
    proves the outputs were checked first."""
    return write(tmp_path / "bad-header.csv", b"name,sku\nA,a1\n")


def test_a_directory_as_snapshot_path_is_refused_before_parsing(lfp, ranks, bad_header, tmp_path):
    (tmp_path / "dir.h5").mkdir()
    db = tmp_path / "o.db"
    p = lfp.ingest(bad_header, db=db, h5=tmp_path / "dir.h5", check=False)
    assert p.returncode == EXIT_OUTPUT and "is a directory" in p.stderr_text, p.stderr_text
    assert not db.exists()


def test_a_directory_as_database_path_is_refused_before_parsing(lfp, ranks, bad_header, tmp_path):
    (tmp_path / "dir.db").mkdir()
    p = lfp.ingest(bad_header, db=tmp_path / "dir.db", no_h5=True, check=False)
    assert p.returncode == EXIT_OUTPUT and "is a directory" in p.stderr_text, p.stderr_text


def test_a_dangling_symlink_as_database_path_is_named_as_such(lfp, ranks, bad_header, tmp_path):
    (tmp_path / "link.db").symlink_to(tmp_path / "nowhere" / "x.db")
    p = lfp.ingest(bad_header, db=tmp_path / "link.db", no_h5=True, check=False)
    assert p.returncode == EXIT_OUTPUT and "symbolic link" in p.stderr_text, p.stderr_text
    assert "another run" not in p.stderr_text


def test_an_empty_database_path_is_a_usage_error(lfp, ranks, sample_csv, tmp_path):
    p = lfp.ingest(sample_csv, db="", no_h5=True, check=False, cwd=tmp_path)
    assert p.returncode == EXIT_USAGE and "empty" in p.stderr_text, p.stderr_text


def test_a_missing_output_directory_is_reported_before_parsing(lfp, ranks, bad_header, tmp_path):
    p = lfp.ingest(bad_header, db=tmp_path / "no" / "such" / "x.db", no_h5=True, check=False)
    assert p.returncode == EXIT_OUTPUT and "no such directory" in p.stderr_text, p.stderr_text
    p = lfp.ingest(bad_header, db=tmp_path / "x.db", h5=tmp_path / "no" / "x.h5", check=False)
    assert p.returncode == EXIT_OUTPUT and "no such directory" in p.stderr_text, p.stderr_text


# Case 7: file names that are not UTF-8.

def test_file_names_that_are_not_utf8_are_stored_readably(lfp, ranks, tmp_path):
    name = b"caf\xe9-\xff.csv"  # Latin-1, not UTF-8
    path = os.path.join(os.fsencode(tmp_path), name)
    with open(path, "wb") as f:
        f.write(b"name,sku,description\nA,a1,fine\nB,,empty sku\n")
    db = tmp_path / "n.db"
    lfp.ingest(os.fsdecode(path), db=db)
    con = sqlite3.connect(db)  # the default text factory: str, which needs valid UTF-8
    files = con.execute("SELECT files FROM runs").fetchone()[0]
    command = con.execute("SELECT command FROM runs").fetchone()[0]
    reject_file = con.execute("SELECT file FROM rejects").fetchone()[0]
    con.execute("SELECT * FROM sources").fetchall()
    con.close()
    for text in (files, command, reject_file):
        assert isinstance(text, str) and "caf\\xe9-\\xff.csv" in text, text
    # The ledger still recognises the file.
    p = lfp.ingest(os.fsdecode(path), db=db, quiet=False)
    assert "unchanged" in p.stderr_text + p.stdout_text


# Found by a new user's trial: the JSON report's path, and update's values.

@pytest.mark.parametrize("target", ["database", "snapshot", "input"])
def test_a_json_report_that_would_replace_an_output_or_input_is_refused_first(lfp, ranks, sample_csv, tmp_path, target):
    csv = tmp_path / "in.csv"
    shutil.copyfile(sample_csv, csv)
    db, h5 = tmp_path / "r.db", tmp_path / "r.h5"
    lfp.ingest(csv, db=db)
    before = {p: p.read_bytes() for p in (csv, db, h5)}
    report = {"database": db, "snapshot": h5, "input": csv}[target]
    p = lfp.run("ingest", csv, "--db", db, "--force", "--json-report", report, "-q")
    assert p.returncode == EXIT_USAGE and f"the JSON report path {report}" in p.stderr_text, p.stderr_text
    assert {p: p.read_bytes() for p in (csv, db, h5)} == before


def test_a_json_report_that_cannot_be_written_fails_before_the_database_changes(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "w.db"
    for report, words in ((tmp_path / "no" / "r.json", "no such directory"), (tmp_path, "is a directory")):
        p = lfp.run("ingest", sample_csv, "--db", db, "--json-report", report, "-q")
        assert p.returncode == EXIT_OUTPUT and f"JSON report {report}: {words}" in p.stderr_text, p.stderr_text
        assert not db.exists() and partials(tmp_path) == []
    p = lfp.run("ingest", sample_csv, "--db", db, "--json-report", "", "-q")
    assert p.returncode == EXIT_USAGE and "the JSON report path is empty" in p.stderr_text, p.stderr_text


def test_update_refuses_values_an_ingest_would_reject(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "u.db"
    lfp.ingest(sample_csv, db=db)
    with sqlite3.connect(db) as con:
        sku = con.execute("SELECT sku FROM products LIMIT 1").fetchone()[0]
        runs_before = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    h5_before = (tmp_path / "u.h5").read_bytes()
    for args, option in (([b"--sku", sku.encode(), b"--name", b"N\xfe"], "--name"),
                         ([b"--sku", sku.encode(), b"--description", b"d\xc0\x80"], "--description"),
                         ([b"--sku", b"new\xff", b"--name", b"ok", b"--insert"], "--sku")):
        p = subprocess.run([str(lfp.binary), "update", "--db", str(db), *args], env=lfp.env, capture_output=True,
                           timeout=TIMEOUT)
        err = p.stderr.decode("utf-8", "replace")
        assert p.returncode == EXIT_USAGE and f"{option}: is not valid UTF-8" in err, err
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == runs_before
    assert (tmp_path / "u.h5").read_bytes() == h5_before
    assert subprocess.run([str(lfp.binary), "verify", "--db", str(db), "-q"], env=lfp.env).returncode == 0
