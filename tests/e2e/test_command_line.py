"""End-to-end tests of the small things a careful user trips over (issue 15, section 4): the
runs table's command line, an update that changes nothing, plain messages for bad options and
for a database path that is not a database, and counts with their nouns.

    python3 -m pytest tests/e2e/test_command_line.py --lfp build/lfp_mpi --ranks 2
"""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

import dbread
from product_csv import write_product_file

EXIT_USAGE, EXIT_OUTPUT = 2, 5


@pytest.fixture
def db(lfp, tmp_path) -> Path:
    """A database of two products, Ann's a1 and Bob's b1, in a directory whose name has a space."""
    d = tmp_path / "my data"
    d.mkdir()
    src = write_product_file(d / "two.csv", [(b"Ann", b"a1", b"one"), (b"Bob", b"b1", b"two")])
    path = d / "my products.db"
    lfp.ingest(src, db=path, no_h5=True)
    return path


def ours(stderr: str) -> list[str]:
    """lfp_mpi's lines on stderr, without mpirun's note that a rank exited non-zero."""
    return [line for line in stderr.splitlines() if line.startswith("lfp_mpi")]


def usage_error(p) -> str:
    assert p.returncode == EXIT_USAGE, (p.returncode, p.stderr_text)
    assert p.stdout_text == "", p.stdout_text
    lines = ours(p.stderr_text)
    assert lines and lines[0].startswith("lfp_mpi: error: "), p.stderr_text
    assert p.stderr_text.count("lfp_mpi: error: ") == 1, "only rank 0 prints"
    return lines[0][len("lfp_mpi: error: "):]


# ---------------------------------------------------------------------------------------------
# runs.command


def test_every_runs_row_holds_the_whole_command_line_quoted_to_be_run_again(lfp, ranks, db, tmp_path):
    binary = str(lfp.binary)
    update = ["update", "--db", str(db), "--sku", "a1", "--name", "New Name", "--description", "it's \"new\"",
              "--no-h5"]
    delete = ["delete", "--db", str(db), "--sku", "b1", "--sku", "a1", "--no-h5", "-q"]
    src = write_product_file(tmp_path / "more $files.csv", [(b"Cy", b"c1", b"three")])
    ingest = ["ingest", str(src), "--db", str(db), "--no-h5", "-q"]
    for args in (update, delete, ingest):
        lfp.run(*args, check=True)
    got = [r["command"] for r in dbread.runs(db)[1:]]
    assert got == [shlex.join([binary, *args]) for args in (update, delete, ingest)]
    assert f"--db '{db}'" in got[0] and "--name 'New Name'" in got[0], got[0]
    for command, args in zip(got, (update, delete, ingest)):
        assert shlex.split(command) == [binary, *args], "the shell reads back the same arguments"


# ---------------------------------------------------------------------------------------------
# update with nothing to change


def test_update_with_nothing_to_change_is_a_usage_error(lfp, ranks, db):
    before = dbread.runs(db)
    for extra in ([], ["--insert"], ["--no-h5"]):
        p = lfp.run("update", "--db", db, "--sku", "a1", *extra)
        message = usage_error(p)
        assert "nothing to change" in message and "--name" in message and "--description" in message, message
    assert dbread.runs(db) == before, "no run was recorded"


# ---------------------------------------------------------------------------------------------
# Plain messages for bad options


INTERNALS = re.compile(r"\{|\}|->|INT|UINT|FLOAT|TEXT|Check |not in range|1797693|\[|\]|Validation|Conversion")


def test_an_option_without_its_value_or_given_twice_says_which(lfp, ranks, db):
    assert usage_error(lfp.run("query", "--db", db, "--sku")) == "--sku: needs a value"
    assert usage_error(lfp.run("query", "--db", db, "--sku", "a1", "--sku", "b2")) == \
        "--sku: takes one value; give it once"


def test_format_names_its_choices_plainly_and_ignores_case(lfp, ranks, db):
    message = usage_error(lfp.run("query", "--db", db, "--format", "xml"))
    assert message == "--format: 'xml' is not one of table, csv, json", message
    p = lfp.run("query", "--db", db, "--sku", "a1", "--format", "JSON", check=True)
    assert json.loads(p.stdout_text) == [{"sku": "a1", "name": "Ann", "description": "one"}]


@pytest.mark.parametrize("args, option, bad, rule", [
    (["ingest", "x.csv"], "--max-rejects", "-1", "0 or more"),
    (["ingest", "x.csv"], "--max-rejects", "2.5", "0 or more"),
    (["ingest", "x.csv"], "--batch-mb", "0", "from 1 to 1024"),
    (["ingest", "x.csv"], "--batch-mb", "-4", "from 1 to 1024"),
    (["ingest", "x.csv"], "--round-mb", "4096", "from 1 to 1024"),
    (["ingest", "x.csv"], "--round-mb", "1e3", "from 1 to 1024"),
    (["generate", "-o", "g.csv", "--rows", "5"], "--seed", "-1", "0 or more"),
    (["generate", "-o", "g.csv", "--rows", "5"], "--seed", "99999999999999999999", "from 0 to 18446744073709551615"),
    (["generate", "-o", "g.csv"], "--rows", "-10", "from 0 to 1099511627776"),
    (["generate", "-o", "g.csv"], "--rows", "ten", "from 0 to 1099511627776"),
    (["query"], "--top", "-1", "from 0 to 1099511627776"),
    (["query"], "--top", "0x10", "from 0 to 1099511627776"),
])
def test_every_numeric_option_refuses_a_bad_number_plainly(lfp, ranks, tmp_path, args, option, bad, rule):
    for form in ([option, bad], [f"{option}={bad}"]):
        p = lfp.run(*args, *form, cwd=tmp_path)
        message = usage_error(p)
        assert message == f"{option}: must be a whole number {rule}, not {bad}", message
        assert not INTERNALS.search("\n".join(ours(p.stderr_text))), p.stderr_text
    assert not (tmp_path / "g.csv").exists()


def test_a_mistyped_option_gets_a_suggestion(lfp, ranks, tmp_path):
    assert usage_error(lfp.run("ingest", "--dbb", "x", "y.csv")) == "unknown option '--dbb': did you mean '--db'?"
    assert usage_error(lfp.run("generate", "--rows", "3", "-o", "g.csv", "--sed=4", cwd=tmp_path)) == \
        "unknown option '--sed': did you mean '--seed'?"
    assert usage_error(lfp.run("query", "--frobnicate")) == "unknown option '--frobnicate'"
    assert not (tmp_path / "g.csv").exists()


# ---------------------------------------------------------------------------------------------
# A database path that is not a database


COMMANDS_ON_A_DATABASE = [
    ["query"],
    ["verify"],
    ["snapshot"],
    ["update", "--sku", "a1", "--name", "N"],
    ["delete", "--sku", "a1"],
]


@pytest.mark.parametrize("args", COMMANDS_ON_A_DATABASE, ids=lambda a: a[0])
def test_a_directory_as_database_is_named_as_such(lfp, ranks, tmp_path, args):
    d = tmp_path / "dir.db"
    d.mkdir()
    p = lfp.run(*args, "--db", d)
    assert p.returncode == EXIT_OUTPUT, p.stderr_text
    assert ours(p.stderr_text) == [f"lfp_mpi: error: database {d}: is a directory"], p.stderr_text


@pytest.mark.parametrize("args", COMMANDS_ON_A_DATABASE + [["ingest", "INPUT", "--no-h5", "-q"]], ids=lambda a: a[0])
def test_a_file_that_is_not_sqlite_is_named_as_such(lfp, ranks, tmp_path, args):
    not_db = write_product_file(tmp_path / "products.csv", [(b"Ann", b"a1", b"one")] * 200)
    before = not_db.read_bytes()
    src = write_product_file(tmp_path / "in.csv", [(b"Bob", b"b1", b"two")])
    p = lfp.run(*[str(src) if a == "INPUT" else a for a in args], "--db", not_db)
    assert p.returncode == EXIT_OUTPUT, p.stderr_text
    assert ours(p.stderr_text) == [f"lfp_mpi: error: database {not_db}: not an SQLite database"], p.stderr_text
    assert not_db.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Counts and their nouns; one total


def test_counts_of_one_take_the_singular(lfp, ranks, tmp_path):
    one = write_product_file(tmp_path / "one.csv", [(b"Ann", b"a1", b"one")])
    db = tmp_path / "one.db"
    p = lfp.ingest(one, db=db, no_h5=True, quiet=False)
    assert re.search(r"rank(s)?, 1 file: 1 record read, 0 rejected$", p.stdout_text, re.M), p.stdout_text
    assert "the database holds 1 product and 1 name" in p.stdout_text, p.stdout_text
    again = lfp.ingest(one, db=db, no_h5=True, quiet=False)
    assert (f"the 1 input file is unchanged since its last ingest: {db} is up to date (--force reads it again)"
            in again.stdout_text), again.stdout_text
    two = write_product_file(tmp_path / "two.csv", [(b"Bob", b"b1", b"two")])
    lfp.ingest(two, db=db, no_h5=True)
    both = lfp.ingest(one, two, db=db, no_h5=True, quiet=False)
    assert (f"all 2 input files are unchanged since their last ingest: {db} is up to date (--force reads them "
            "again)" in both.stdout_text), both.stdout_text
    bad = write_product_file(tmp_path / "bad.csv", [(b"Cy", b"", b"empty sku")])
    p = lfp.run("ingest", bad, "--db", db, "--no-h5", "--max-rejects", "0")
    assert "1 record rejected, more than --max-rejects 0" in p.stderr_text, p.stderr_text


def test_the_summary_total_is_the_json_reports_total(lfp, ranks, generated_one_rank, tmp_path):
    # A database with a snapshot: the commit and the snapshot's rename come after the runs row.
    p = lfp.run("ingest", generated_one_rank, "--db", tmp_path / "t.db", "--json-report", "-", check=True)
    report = json.loads(p.stdout_text)  # the summary went to stderr
    m = re.search(r"^lfp_mpi: wrote .* \(run 1\) in ([0-9.]+) s:(.*)$", p.stderr_text, re.M)
    assert m, p.stderr_text
    phases = dict(zip(m.group(2).split()[::2], map(float, m.group(2).split()[1::2])))
    assert m.group(1) == f"{report['phase_seconds']['total']:.3f}", (m.group(1), report["phase_seconds"])
    assert phases == {k: round(v, 3) for k, v in report["phase_seconds"].items() if k != "total"}


@pytest.mark.parametrize("args, message", [
    (["ingest", "x.csv", "--h5", ""], "--h5: the snapshot path is empty"),
    (["ingest", "x.csv", "--json-report", ""], "--json-report: the JSON report path is empty"),
    (["query", "--db", ""], "--db: the database path is empty"),
    (["verify", "--db", "x.db", "--h5", ""], "--h5: the snapshot path is empty"),
    (["snapshot", "--db", "x.db", "--h5", ""], "--h5: the snapshot path is empty"),
    (["generate", "--rows", "5", "-o", ""], "--output: the output path is empty"),
    (["generate", "--rows", "5", "-o", "-"], "name a file, not '-'"),
])
def test_an_empty_path_is_a_usage_error_not_the_default(lfp, ranks, tmp_path, args, message):
    # An empty value would otherwise stand for the option's default path, not what was typed.
    p = lfp.run(*args, mpirun=False, cwd=tmp_path)
    assert p.returncode == EXIT_USAGE and message in p.stderr_text, p.stderr_text
    assert list(tmp_path.iterdir()) == []


def test_snapshot_names_a_bad_snapshot_path_before_writing(lfp, ranks, db, tmp_path):
    for h5, words in ((tmp_path, "is a directory"), (tmp_path / "no" / "x.h5", "no such directory")):
        p = lfp.run("snapshot", "--db", db, "--h5", h5, mpirun=False)
        assert p.returncode == EXIT_OUTPUT and f"snapshot {h5}: {words}" in p.stderr_text, p.stderr_text
