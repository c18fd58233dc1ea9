"""Issue 17: --mem-per-rank. When a rank's share does not fit its budget, every rank reads
its share in windows and spills sorted runs to scratch; the database and snapshot are the
same as with the rows in memory. A budget too small to work in is exit 9, said once, with
the database untouched. Uses the fixtures of conftest.py; run once per rank count.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbread import products_digest, rank_independent_outputs, runs
from product_csv import csv_line, write

EXIT_USAGE, EXIT_OUTPUT, EXIT_MEMORY = 2, 5, 9
TINY = "16M"  # the minimum: windows of 1 MiB, runs of 2 MiB


def spilled_runs(stderr: str) -> int:
    m = re.search(r"memory: (\d+) sorted runs? of rows", stderr)
    assert m, stderr
    return int(m.group(1))


def adversarial_rows() -> list:
    """What stresses runs and windows: a record longer than a window, a sku repeated across
    the whole file (its last record must win over every run), 1-byte and 1,000-byte skus,
    empty descriptions, quotes and line breaks, non-ASCII text."""
    rows = [("Widget", "S-000", "first")]
    for i in range(3000):
        rows.append((f"Name {i % 37}", f"S-{i:05d}", f"d{i} \"quoted\"\nsecond line" if i % 5 == 0 else ""))
        if i % 500 == 0:
            rows.append(("Moved", "S-000", f"version {i}"))
    rows.append(("Long", "L" * 1000, "x" * (3 << 20)))  # 3 MiB: more than a window
    rows.append(("Ü", "k", "ünïcödé ✓"))
    rows.append(("Moved", "S-000", "the last one"))
    return rows


def test_a_tiny_budget_spills_and_writes_what_memory_writes(lfp, ranks, sample_csv, tmp_path):
    gen = tmp_path / "gen.csv"
    lfp.generate(60000, gen, seed=11, ranks=1)
    # The first 2,000 records again, later: their order keys win across files and runs.
    tail = gen.read_bytes().split(b"\n")
    again = tmp_path / "again.csv"
    again.write_bytes(b"\n".join(tail[:2001]) + b"\n")
    odd = write(tmp_path / "odd.csv", b"name,sku,description\r\n" +
                b"".join(csv_line([f.encode() for f in r]) for r in adversarial_rows()))
    files = [sample_csv, gen, odd, again]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    p = lfp.run("ingest", *files, "--db", tmp_path / "s.db", "--mem-per-rank", TINY, "--scratch", scratch, check=True)
    assert "every rank reads its share in windows" in p.stderr_text, p.stderr_text
    assert spilled_runs(p.stderr_text) >= ranks + 1, p.stderr_text  # some rank merged several runs
    lfp.ingest(*files, db=tmp_path / "m.db")
    spilled = rank_independent_outputs(tmp_path / "s.db", tmp_path / "s.h5")
    assert spilled == rank_independent_outputs(tmp_path / "m.db", tmp_path / "m.h5")
    assert products_digest(tmp_path / "s.db")[1]  # integrity_check
    assert dict((r[0], r[2]) for r in spilled["products"])[b"S-000"] == b"the last one"
    assert list(scratch.iterdir()) == []  # the runs are gone


def test_one_sku_in_every_window_is_exchanged_in_parts_and_its_last_record_wins(lfp, ranks, tmp_path):
    """Nine records in ten update one product: whatever the probes saw, every rank's window
    sends them to one rank. What that rank takes in at once stays under two windows: the
    windows are exchanged in parts (from 3 ranks on, 1 MiB windows at 16M), same result."""
    rows = []
    for i in range(60000):
        sku = f"S-{i:06d}" if i % 10 == 0 else "HOT"
        rows.append((f"Name {i % 13}", sku, f"version {i} " + "z" * 80))
    hot = write(tmp_path / "hot.csv", b"name,sku,description\n" +
                b"".join(csv_line([f.encode() for f in r]) for r in rows))
    p = lfp.run("ingest", hot, "--db", tmp_path / "s.db", "--mem-per-rank", TINY, check=True)
    if ranks >= 3:
        assert "were exchanged in parts" in p.stderr_text, p.stderr_text
    lfp.ingest(hot, db=tmp_path / "m.db")
    spilled = rank_independent_outputs(tmp_path / "s.db", tmp_path / "s.h5")
    assert spilled == rank_independent_outputs(tmp_path / "m.db", tmp_path / "m.h5")
    assert dict((r[0], r[2]) for r in spilled["products"])[b"HOT"] == f"version 59999 {'z' * 80}".encode()
    assert len(spilled["products"]) == 6001


def test_more_runs_than_one_merge_can_read_are_merged_in_passes(lfp, ranks, tmp_path):
    """At 16M a merge reads 16 runs of 2 MiB at once; one rank holding 40 MB of rows has more
    runs: they are merged a group at a time first, and the result does not change."""
    if ranks != 1:
        pytest.skip("one rank holds every row at 1 rank only; the merge is the same code at any count")
    gen = tmp_path / "gen.csv"
    lfp.generate(230000, gen, seed=5, ranks=1)
    p = lfp.run("ingest", gen, "--db", tmp_path / "s.db", "--no-h5", "--mem-per-rank", TINY, check=True)
    assert spilled_runs(p.stderr_text) > 16, p.stderr_text
    lfp.ingest(gen, db=tmp_path / "m.db", no_h5=True)
    assert products_digest(tmp_path / "s.db") == products_digest(tmp_path / "m.db")
    assert products_digest(tmp_path / "s.db")[1]


def test_an_existing_database_is_updated_under_the_budget_as_in_memory(lfp, ranks, sample_csv, generated_one_rank,
                                                                       tmp_path):
    for name in ("s", "m"):
        lfp.ingest(sample_csv, db=tmp_path / f"{name}.db")
    lfp.run("ingest", generated_one_rank, "--db", tmp_path / "s.db", "--mem-per-rank", TINY, "-q", check=True)
    lfp.ingest(generated_one_rank, db=tmp_path / "m.db")
    assert rank_independent_outputs(tmp_path / "s.db", tmp_path / "s.h5") == \
        rank_independent_outputs(tmp_path / "m.db", tmp_path / "m.h5")


def test_a_budget_under_the_minimum_is_exit_9_before_anything_is_written(lfp, ranks, sample_csv, generated_one_rank,
                                                                        tmp_path):
    db = tmp_path / "m.db"
    lfp.ingest(sample_csv, db=db)
    before, h5_before = products_digest(db), (tmp_path / "m.h5").read_bytes()
    p = lfp.run("ingest", generated_one_rank, "--db", db, "--mem-per-rank", "8M")
    assert p.returncode == EXIT_MEMORY, p.stderr_text
    errors = [line for line in p.stderr_text.splitlines() if "error:" in line]
    assert len(errors) == 1, p.stderr_text  # said once, not by every rank
    assert "8.0 MiB (--mem-per-rank) is too small to work in: the minimum is 16 MiB" in errors[0], errors[0]
    assert products_digest(db) == before and len(runs(db)) == 1
    assert (tmp_path / "m.h5").read_bytes() == h5_before
    assert not [f.name for f in tmp_path.iterdir() if ".partial-" in f.name]


def test_a_scratch_directory_that_cannot_hold_runs_is_exit_5_naming_it(lfp, ranks, generated_one_rank, tmp_path):
    missing = tmp_path / "no-such-dir"
    p = lfp.run("ingest", generated_one_rank, "--db", tmp_path / "x.db", "--mem-per-rank", TINY, "--scratch", missing)
    assert p.returncode == EXIT_OUTPUT, p.stderr_text
    assert f"scratch directory {missing} (--scratch)" in p.stderr_text, p.stderr_text
    assert not (tmp_path / "x.db").exists()


def test_a_full_scratch_disk_is_exit_5_on_every_rank_and_leaves_the_database(lfp, ranks, sample_csv, tmp_path):
    """The runs hit each rank's file size limit (ulimit -f), as a full scratch disk would: the
    rank that fails says why, no rank waits for it in an exchange, nothing is written."""
    import subprocess
    gen = tmp_path / "gen.csv"
    lfp.generate(60000, gen, seed=3, ranks=1)  # 11 MB: runs of a few MB on every rank
    db = tmp_path / "f.db"
    lfp.ingest(sample_csv, db=db)
    before = products_digest(db)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cmd = ["mpirun", "-n", str(ranks), "prlimit", "--fsize=1000000", str(lfp.binary), "ingest", str(gen), "--db",
           str(db), "--no-h5", "--mem-per-rank", TINY, "--scratch", str(scratch)]
    p = subprocess.run(cmd, env=lfp.env, capture_output=True, timeout=300)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == EXIT_OUTPUT, err
    assert re.search(rf"scratch file {re.escape(str(scratch))}/lfp_mpi-\w+\.partial-\S+ \(--scratch\): cannot write", err), err
    assert products_digest(db) == before
    assert list(scratch.iterdir()) == []


def test_sizes_that_are_not_sizes_are_usage_errors(lfp, ranks, sample_csv, tmp_path):
    for bad in ("lots", "0", "4X", "-1G"):
        p = lfp.run("ingest", sample_csv, "--db", tmp_path / "u.db", f"--mem-per-rank={bad}")
        assert p.returncode == EXIT_USAGE and "--mem-per-rank" in p.stderr_text, (bad, p.stderr_text)
    assert not (tmp_path / "u.db").exists()


def test_a_compressed_input_spills_like_a_plain_one(lfp, ranks, generated_one_rank, tmp_path):
    import gzip
    gz = tmp_path / "in.csv.gz"
    gz.write_bytes(gzip.compress(generated_one_rank.read_bytes(), compresslevel=1))
    p = lfp.run("ingest", gz, "--db", tmp_path / "z.db", "--mem-per-rank", TINY, "--scratch", tmp_path, check=True)
    assert spilled_runs(p.stderr_text) >= 1, p.stderr_text
    lfp.ingest(generated_one_rank, db=tmp_path / "p.db")
    z = rank_independent_outputs(tmp_path / "z.db", tmp_path / "z.h5")
    plain = rank_independent_outputs(tmp_path / "p.db", tmp_path / "p.h5")
    z.pop("runs"), plain.pop("runs")  # the file names differ
    assert z == plain
    assert not [f.name for f in tmp_path.iterdir() if "lfp_mpi-" in f.name]  # scratch files gone
