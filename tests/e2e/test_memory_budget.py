"""Issue 17, what is built so far: --mem-per-rank (and the node's memory by default) is
checked before any row is parsed. A rank's share that does not fit is exit 9 with the budget
that would do, said once, and the database is untouched; that budget then works. Uses the
fixtures of conftest.py; run once per rank count.
"""
from __future__ import annotations

import re
from pathlib import Path

from dbread import products_digest, runs

EXIT_USAGE, EXIT_MEMORY = 2, 9


def test_a_budget_too_small_is_exit_9_before_anything_is_written(lfp, ranks, sample_csv, generated_one_rank, tmp_path):
    db = tmp_path / "m.db"
    lfp.ingest(sample_csv, db=db)
    before, h5_before = products_digest(db), (tmp_path / "m.h5").read_bytes()
    p = lfp.run("ingest", generated_one_rank, "--db", db, "--mem-per-rank", "8M")
    assert p.returncode == EXIT_MEMORY, p.stderr_text
    errors = [line for line in p.stderr_text.splitlines() if "error:" in line]
    assert len(errors) == 1, p.stderr_text  # said once, not by every rank
    assert "more than its budget of 8.0 MiB (--mem-per-rank)" in errors[0], errors[0]
    assert re.search(r"run with --mem-per-rank \d+M or more", errors[0]), errors[0]
    assert products_digest(db) == before and len(runs(db)) == 1
    assert (tmp_path / "m.h5").read_bytes() == h5_before
    assert not [f.name for f in tmp_path.iterdir() if ".partial-" in f.name]


def test_the_budget_the_message_asks_for_is_enough_and_changes_nothing_else(lfp, ranks, generated_one_rank, tmp_path):
    small = lfp.run("ingest", generated_one_rank, "--db", tmp_path / "a.db", "--mem-per-rank", "100M")
    assert small.returncode == EXIT_MEMORY, small.stderr_text
    asked = re.search(r"--mem-per-rank (\d+M) or more", small.stderr_text).group(1)
    assert not (tmp_path / "a.db").exists()
    lfp.run("ingest", generated_one_rank, "--db", tmp_path / "a.db", "--mem-per-rank", asked, "-q", check=True)
    lfp.ingest(generated_one_rank, db=tmp_path / "b.db")  # the default: the node's memory
    assert products_digest(tmp_path / "a.db") == products_digest(tmp_path / "b.db")


def test_sizes_that_are_not_sizes_are_usage_errors(lfp, ranks, sample_csv, tmp_path):
    for bad in ("lots", "0", "4X", "-1G"):
        p = lfp.run("ingest", sample_csv, "--db", tmp_path / "u.db", f"--mem-per-rank={bad}")
        assert p.returncode == EXIT_USAGE and "--mem-per-rank" in p.stderr_text, (bad, p.stderr_text)
    assert not (tmp_path / "u.db").exists()
