"""End-to-end tests of a database kept current: the sources ledger and change detection,
single-product edits, the triggers that keep product_counts right under hand edits,
`query` in every form and format, and `verify` catching what was altered behind its back.

    python3 -m pytest tests/e2e/test_kept_current.py --lfp build/lfp_mpi --ranks 3
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import sqlite3
import subprocess
from pathlib import Path

import h5py
import pytest

from conftest import REPO
from reference import expected
from checks import check_h5, check_tables
from dbread import read_db
from product_csv import product_file, write

EXIT_OUTPUT, EXIT_VERIFY, EXIT_NOT_FOUND = 5, 6, 7


def query(lfp, db, *args, fmt="json"):
    p = lfp.run("query", "--db", db, "--format", fmt, *args, check=True)
    return json.loads(p.stdout_text) if fmt == "json" else p.stdout_text


def verify(lfp, db, *args):
    return lfp.run("verify", "--db", db, *args)


@pytest.fixture
def three_files(tmp_path):
    a = write(tmp_path / "a.csv", product_file([(b"Ann", b"a%d" % i, b"first a%d" % i) for i in range(50)]))
    b = write(tmp_path / "b.csv", product_file([(b"Bob", b"b%d" % i, b"first b%d" % i) for i in range(50)]))
    c = write(tmp_path / "c.csv", product_file([(b"Cy", b"c%d" % i, b"first c%d" % i) for i in range(50)]))
    return a, b, c


def test_only_the_changed_file_is_read_and_the_result_equals_both_versions_in_order(lfp, ranks, three_files, tmp_path):
    a, b, c = three_files
    db = tmp_path / "cur.db"
    old_b = b.read_bytes()
    lfp.ingest(a, b, c, db=db)
    # b changes: two products renamed, one new description, one new product.
    new_b = product_file([(b"Bob", b"b%d" % i, b"first b%d" % i) for i in range(2, 50)] +
                         [(b"Dee", b"b0", b"first b0"), (b"Dee", b"b1", b"renamed"), (b"Eve", b"b99", b"new")])
    write(b, new_b)
    p = lfp.ingest(a, b, c, db=db, quiet=False)
    assert p.stderr_text.count("skipped") == 2, p.stderr_text
    got = read_db(db)
    want = expected([a.read_bytes(), old_b, c.read_bytes()])
    want = expected([new_b], existing=want.products)
    check_tables(got, want)
    run = got.runs[-1]
    # Only b's new or changed records are read again (its 48 other records are not applied).
    assert (run["files_read"], run["files_skipped"], run["records_read"]) == (1, 2, 3)
    # 2 renamed + 1 new description would be 3; "b1" also has a new description: still one update.
    assert (run["inserted"], run["updated"], run["unchanged"]) == (1, 2, 0)
    check_h5(tmp_path / "cur.h5", db, [b])
    assert verify(lfp, db).returncode == 0


def test_unchanged_files_are_skipped_and_force_reads_them(lfp, ranks, three_files, tmp_path):
    a, b, c = three_files
    db = tmp_path / "skip.db"
    lfp.ingest(a, b, db=db, no_h5=True)
    runs = read_db(db).runs
    os.utime(a, (1, 1))  # a new modification time alone is no change
    p = lfp.ingest(a, b, db=db, no_h5=True, quiet=False)
    assert "up to date" in p.stdout_text
    assert read_db(db).runs == runs
    lfp.ingest(a, c, db=db, no_h5=True)  # c is new: only c is read
    assert read_db(db).runs[-1]["files_read"] == 1
    lfp.ingest(a, b, "--force", db=db, no_h5=True)
    last = read_db(db).runs[-1]
    assert (last["files_read"], last["records_read"], last["unchanged"]) == (2, 100, 100)
    sources = query(lfp, db, "--sources")
    assert sorted(Path(s["path"]).name for s in sources) == ["a.csv", "b.csv", "c.csv"]
    assert {s["status"] for s in sources} == {"unchanged"}
    assert all(len(s["digest"]) == 32 and s["records"] == 50 for s in sources)


def test_a_ledger_file_deleted_or_changed_on_disk_shows_as_such(lfp, ranks, three_files, tmp_path):
    a, b, c = three_files
    db = tmp_path / "ledger.db"
    lfp.ingest(a, b, c, db=db, no_h5=True)
    a.unlink()
    write(b, b.read_bytes() + b"Zed,z1,new\r\n")
    status = {Path(s["path"]).name: s["status"] for s in query(lfp, db, "--sources")}
    assert status == {"a.csv": "missing", "b.csv": "changed", "c.csv": "unchanged"}


def test_a_file_recognised_at_another_rank_count(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "ranks.db"
    lfp.ingest(sample_csv, db=db, no_h5=True, ranks=1 if ranks > 1 else 2)
    p = lfp.ingest(sample_csv, db=db, no_h5=True, quiet=False)
    assert "up to date" in p.stdout_text


def test_update_insert_and_delete_keep_counts_and_snapshot_right(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "edit.db"
    lfp.ingest(sample_csv, db=db)
    before = read_db(db)
    sku = sorted(before.products)[0]
    old_name = before.products[sku][0]

    lfp.run("update", "--db", db, "--sku", sku.decode(), "--name", "Brand New Name", check=True)
    after = read_db(db)
    assert after.products[sku] == (b"Brand New Name", before.products[sku][1])
    assert after.counts == after.grouped and after.counts[b"Brand New Name"] == 1
    assert after.counts.get(old_name, 0) == before.counts[old_name] - 1
    check_h5(tmp_path / "edit.h5", db, [sample_csv.resolve()])  # refreshed: mirrors the database again
    assert verify(lfp, db).returncode == 0

    lfp.run("update", "--db", db, "--sku", "brand-new-sku", "--name", "Zed", "--description", "made by hand",
            "--insert", check=True)
    lfp.run("update", "--db", db, "--sku", sku.decode(), "--description", "line one\nline two", check=True)
    lfp.run("delete", "--db", db, "--sku", sorted(before.products)[1].decode(), "--sku",
            sorted(before.products)[2].decode(), check=True)
    final = read_db(db)
    assert final.products[b"brand-new-sku"] == (b"Zed", b"made by hand")
    assert final.products[sku][1] == b"line one\nline two"
    assert len(final.products) == len(before.products) + 1 - 2
    assert final.counts == final.grouped
    assert [r["kind"] for r in final.runs][-4:] == [b"update", b"update", b"update", b"delete"]
    assert verify(lfp, db).returncode == 0

    # Errors change nothing: an unknown sku, a missing database (not created).
    p = lfp.run("update", "--db", db, "--sku", "no-such-sku", "--name", "x")
    assert p.returncode == EXIT_NOT_FOUND and "no-such-sku" in p.stderr_text
    p = lfp.run("delete", "--db", db, "--sku", "brand-new-sku", "--sku", "no-such-sku")
    assert p.returncode == EXIT_NOT_FOUND
    assert read_db(db).products == final.products
    missing = tmp_path / "missing.db"
    p = lfp.run("update", "--db", missing, "--sku", "x", "--name", "y", "--insert")
    assert p.returncode == EXIT_OUTPUT and not missing.exists()

    # --no-h5 leaves the snapshot stale, and verify says so.
    lfp.run("delete", "--db", db, "--sku", "brand-new-sku", "--no-h5", check=True)
    p = verify(lfp, db)
    assert p.returncode == EXIT_VERIFY and "stale" in p.stderr_text
    lfp.run("snapshot", "--db", db, check=True)
    assert verify(lfp, db).returncode == 0


def test_hand_edits_in_sqlite_keep_counts_right(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "hand.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    con = sqlite3.connect(db)
    with con:
        name = con.execute("SELECT name FROM product_counts ORDER BY products DESC LIMIT 1").fetchone()[0]
        con.execute("DELETE FROM products WHERE name = ?", (name,))
        con.execute("UPDATE products SET name = 'Renamed' WHERE sku IN (SELECT sku FROM products LIMIT 10)")
        con.execute("UPDATE products SET sku = sku || '-x' WHERE sku IN (SELECT sku FROM products LIMIT 5)")
        con.execute("INSERT INTO products VALUES ('hand-1', 'Renamed', 'd'), ('hand-2', 'Solo', 'd')")
        # products is a view; it still behaves as a table under each conflict clause.
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("INSERT INTO products VALUES ('hand-2', 'Other', 'd')")
        con.execute("INSERT OR IGNORE INTO products VALUES ('hand-2', 'Other', 'd')")
        con.execute("INSERT OR REPLACE INTO products VALUES ('hand-3', 'Solo', 'd')")
        con.execute("INSERT OR REPLACE INTO products VALUES ('hand-3', 'Renamed', 'e')")
    con.close()
    got = read_db(db)
    assert got.counts == got.grouped
    assert got.products[b"hand-2"] == (b"Solo", b"d") and got.products[b"hand-3"] == (b"Renamed", b"e")
    assert name.encode() not in got.counts and got.counts[b"Renamed"] == 12 and got.counts[b"Solo"] == 1
    assert verify(lfp, db).returncode == 0
    # And the next ingest builds on the edited state.
    lfp.ingest(sample_csv, "--force", db=db, no_h5=True)
    got = read_db(db)
    assert got.counts == got.grouped


def totals(db) -> tuple:
    con = sqlite3.connect(db)
    row = con.execute("SELECT products, names, product_rows FROM totals").fetchone()
    con.close()
    return row


def check_a_later_ingest_is_right(lfp, db, tmp_path):
    """verify passes, and an ingest after the edit reports (and stores) the right totals."""
    assert verify(lfp, db, "--no-h5").returncode == 0
    later = write(tmp_path / "later.csv", product_file([(b"Later", b"later-%d" % i, b"d") for i in range(3)]))
    lfp.ingest(later, db=db, no_h5=True)
    got = read_db(db)
    assert got.counts == got.grouped
    assert (got.runs[-1]["products"], got.runs[-1]["names"]) == (len(got.products), len(got.grouped))
    assert totals(db) == (len(got.products), len(got.grouped), len(got.products))
    assert verify(lfp, db, "--no-h5").returncode == 0


def test_update_or_ignore_onto_a_taken_sku_leaves_both_products(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "ignore.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    before = read_db(db)
    a, b = (s.decode() for s in sorted(before.products)[:2])
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE OR IGNORE products SET sku = ? WHERE sku = ?", (b, a))  # as a table: a stays
    con.close()
    after = read_db(db)
    assert after.products == before.products and after.counts == before.counts
    check_a_later_ingest_is_right(lfp, db, tmp_path)


def test_or_fail_on_a_taken_sku_changes_nothing(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "fail.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    before, before_totals = read_db(db), totals(db)
    a, b = (s.decode() for s in sorted(before.products)[:2])
    con = sqlite3.connect(db, isolation_level=None)  # each statement on its own
    for sql, args in (("INSERT OR FAIL INTO products VALUES (?, 'X', 'x')", (a,)),
                      ("UPDATE OR FAIL products SET sku = ? WHERE sku = ?", (b, a))):
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(sql, args)
    con.close()
    after = read_db(db)
    assert after.products == before.products and after.counts == before.counts
    assert totals(db) == before_totals
    check_a_later_ingest_is_right(lfp, db, tmp_path)


def test_values_an_ingest_would_reject_are_refused_through_the_view(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "values.db"
    lfp.ingest(sample_csv, db=db)
    before = read_db(db)
    taken = sorted(before.products)[0]
    con = sqlite3.connect(db, isolation_level=None)
    for sql, args in (("INSERT INTO products VALUES (?, 'Blob', 'd')", (taken,)),  # bytes: a BLOB, the same sku
                      ("INSERT OR REPLACE INTO products VALUES (?, 'Blob', 'd')", (b"blob-sku",)),
                      ("INSERT INTO products VALUES ('', 'Empty', 'd')", ()),
                      ("INSERT INTO products VALUES ('nul', ?, 'd')", ("a\0b",)),
                      ("UPDATE products SET description = ? WHERE sku = ?", (b"bytes", taken.decode()))):
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(sql, args)
    con.close()
    assert read_db(db).products == before.products
    assert verify(lfp, db).returncode == 0  # the snapshot is still current: nothing changed
    # The sku again from a file: one product, still.
    again = write(tmp_path / "again.csv", product_file([(b"Again", taken, b"d")]))
    lfp.ingest(again, db=db)
    got = read_db(db)
    assert len(got.products) == len(before.products) and got.products[taken] == (b"Again", b"d")
    with h5py.File(tmp_path / "values.h5", "r") as f:
        assert f["/products/sku/offsets"].shape[0] - 1 == len(got.products)
    check_a_later_ingest_is_right(lfp, db, tmp_path)


@pytest.mark.parametrize("bad", [
    "INSERT INTO products VALUES (CAST(x'ff61' AS TEXT), 'N', 'd')",  # the view cannot check UTF-8
    # What version 4's view let through, written under the view with the counts it kept.
    "INSERT INTO products_recent VALUES (x'6131', 'N', 'd'); INSERT INTO product_counts VALUES ('N', 1); "
    "UPDATE totals SET product_rows = product_rows + 1",
    "INSERT INTO products_recent VALUES ('', 'N', 'd'); INSERT INTO product_counts VALUES ('N', 1); "
    "UPDATE totals SET product_rows = product_rows + 1",
])
def test_verify_names_a_product_an_ingest_would_reject(lfp, ranks, sample_csv, tmp_path, bad):
    db = tmp_path / "bad.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript(bad)
    con.close()
    p = verify(lfp, db, "--no-h5")
    assert p.returncode == EXIT_VERIFY and "an ingest would reject" in p.stderr_text, p.stderr_text
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("DELETE FROM products WHERE name = 'N'")  # the way out: delete (or correct) it
    con.close()
    assert verify(lfp, db, "--no-h5").returncode == 0


# Version 4's products_insert and products_update, as such databases hold them.
V4_TRIGGERS = """
CREATE TRIGGER products_insert INSTEAD OF INSERT ON products BEGIN
  SELECT RAISE(ABORT, 'NOT NULL constraint failed: products.sku') WHERE NEW.sku IS NULL;
  SELECT RAISE(ABORT, 'NOT NULL constraint failed: products.name') WHERE NEW.name IS NULL;
  SELECT RAISE(ABORT, 'NOT NULL constraint failed: products.description') WHERE NEW.description IS NULL;
  UPDATE product_counts SET products = products - 1 WHERE name = (SELECT name FROM products WHERE sku = NEW.sku);
  UPDATE totals SET product_rows = product_rows - (SELECT count(*) FROM products WHERE sku = NEW.sku);
  INSERT INTO products_recent(sku, name, description) SELECT sku, name, description FROM products_main
    WHERE sku = NEW.sku AND NOT EXISTS (SELECT 1 FROM products_recent WHERE sku = NEW.sku);
  DELETE FROM products_recent WHERE sku = NEW.sku AND name IS NULL;
  INSERT INTO products_recent(sku, name, description) VALUES(NEW.sku, NEW.name, NEW.description);
  INSERT INTO product_counts(name, products) SELECT name, 1 FROM products_recent WHERE sku = NEW.sku
    ON CONFLICT(name) DO UPDATE SET products = products + 1;
  DELETE FROM product_counts WHERE products <= 0;
  UPDATE totals SET product_rows = product_rows + 1;
  UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'state';
END;
CREATE TRIGGER products_update INSTEAD OF UPDATE ON products BEGIN
  DELETE FROM products WHERE sku = OLD.sku;
  INSERT INTO products(sku, name, description) VALUES(NEW.sku, NEW.name, NEW.description);
END;
"""


def test_a_schema_4_database_gets_the_new_triggers_on_its_first_write(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "v4.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript("DROP TRIGGER products_insert; DROP TRIGGER products_update;" + V4_TRIGGERS +
                      "PRAGMA user_version = 4;")
    con.close()
    assert verify(lfp, db, "--no-h5").returncode == 0  # read as it is
    before = read_db(db)
    a, b = (s.decode() for s in sorted(before.products)[:2])
    lfp.run("update", "--db", db, "--sku", b, "--description", "edited", "--no-h5", check=True)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 6
    with con:
        con.execute("UPDATE OR IGNORE products SET sku = ? WHERE sku = ?", (b, a))
    con.close()
    after = read_db(db)
    assert after.products[a.encode()] == before.products[a.encode()] and len(after.products) == len(before.products)
    check_a_later_ingest_is_right(lfp, db, tmp_path)


def readme_rebuild_recipe() -> str:
    """The rebuild command exactly as docs/schema.md gives it."""
    text = (REPO / "docs" / "schema.md").read_text()
    m = re.search(r'to rebuild them[^`|]*`(sqlite3 PATH "[^"`]+")`', text)
    assert m, "docs/schema.md: no rebuild recipe"
    return m.group(1)


@pytest.mark.parametrize("damage", [
    "DELETE FROM product_counts WHERE name IN (SELECT name FROM product_counts ORDER BY products DESC LIMIT 3)",
    "UPDATE product_counts SET products = products + 2 WHERE name = (SELECT min(name) FROM product_counts)",
    "UPDATE totals SET products = products + 5, names = names - 1",
    "UPDATE totals SET product_rows = product_rows + 3",
    "DELETE FROM products_main WHERE sku = (SELECT min(sku) FROM products_main)",  # under the view
    "DELETE FROM product_counts; DELETE FROM totals",
])
def test_the_readme_rebuild_repairs_every_damage_verify_checks(lfp, ranks, sample_csv, tmp_path, damage):
    db = tmp_path / "damaged.db"
    lfp.ingest(sample_csv, db=db, no_h5=True)
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript(damage)
    counted = con.execute("SELECT coalesce(sum(products), 0) FROM product_counts").fetchone()[0]
    rows = con.execute("SELECT count(*) FROM products").fetchone()[0]
    con.close()
    assert verify(lfp, db, "--no-h5").returncode == EXIT_VERIFY
    p = lfp.run("update", "--db", db, "--sku", "x-1", "--name", "X", "--description", "d", "--insert", "--no-h5")
    if p.returncode != 0:  # refused: the message names what the tables hold
        assert p.returncode == EXIT_OUTPUT, p.stderr_text
        said = re.search(r"add up to (\d+) products, the products table holds (\d+)", p.stderr_text)
        both = re.search(r"both hold (\d+)", p.stderr_text)
        assert (said and (int(said[1]), int(said[2])) == (counted, rows)) or (both and int(both[1]) == rows), \
            p.stderr_text
    else:
        lfp.run("delete", "--db", db, "--sku", "x-1", "--no-h5", check=True)
    recipe = shlex.split(readme_rebuild_recipe().replace("PATH", shlex.quote(str(db))))
    subprocess.run(recipe, check=True, capture_output=True)
    check_a_later_ingest_is_right(lfp, db, tmp_path)


def test_updates_accumulate_in_products_recent_until_a_quarter_then_fold(lfp, ranks, tmp_path):
    db = tmp_path / "fold.db"
    rows = [(b"N%d" % (i % 13), b"s%04d" % i, b"v0 %d" % i) for i in range(400)]
    base = write(tmp_path / "base.csv", product_file(rows))
    lfp.ingest(base, db=db)
    files = [base.read_bytes()]
    # 67 changed (renamed) and 13 new: 80 rows in products_recent for 413 products, under a quarter.
    small = product_file([(b"M%d" % (i % 5), b"s%04d" % i, b"v1 %d" % i) for i in range(0, 480, 6)])
    small_csv = write(tmp_path / "small.csv", small)
    p = lfp.ingest(small_csv, db=db, quiet=False)
    files.append(small)
    assert "folded" not in p.stdout_text + p.stderr_text
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM products_recent").fetchone()[0] == 80
    assert con.execute("SELECT count(*) FROM products_main").fetchone()[0] == 400
    con.close()
    check_tables(read_db(db), expected(files))
    check_h5(tmp_path / "fold.h5", db, [small_csv])
    lfp.run("delete", "--db", db, "--sku", "s0000", "--sku", "s0001", check=True)  # one in each table
    # 150 more changed, 100 of them not yet in products_recent: 181 rows for 411 products, folded.
    big = product_file([(b"K%d" % (i % 3), b"s%04d" % i, b"v2 %d" % i) for i in range(100, 400, 2)])
    p = lfp.ingest(write(tmp_path / "big.csv", big), db=db, quiet=False)
    files.append(big)
    assert "folded into products_main" in p.stdout_text + p.stderr_text
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM products_recent").fetchone()[0] == 0
    con.close()
    want = expected(files)
    del want.products[b"s0000"], want.products[b"s0001"]
    got = read_db(db)
    assert got.products == want.products and got.counts == got.grouped
    assert query(lfp, db, "--sku", "s0000") == []
    assert [r["sku"] for r in query(lfp, db, "--name", "K1")] == sorted(
        sku.decode() for sku, (name, _) in want.products.items() if name == b"K1")
    assert verify(lfp, db).returncode == 0


def test_every_query_form_and_format(lfp, ranks, sample_csv, tmp_path):
    bad = write(tmp_path / "bad.csv", b"name,sku,description\nA,,empty sku\nB,b1,fine\n")
    db = tmp_path / "q.db"
    lfp.ingest(sample_csv, bad, db=db)
    con = sqlite3.connect(db)
    top = con.execute("SELECT name, count(*) c FROM products GROUP BY name ORDER BY c DESC, name LIMIT 5").fetchall()
    sku, name, desc = con.execute("SELECT sku, name, description FROM products WHERE description LIKE '%\n%' "
                                  "LIMIT 1").fetchone()
    by_name = con.execute("SELECT sku FROM products WHERE name = 'Michael Smith' ORDER BY sku").fetchall()
    con.close()

    assert [(r["name"], r["products"]) for r in query(lfp, db, "--top", "5")] == top
    assert query(lfp, db, "--sku", sku) == [{"sku": sku, "name": name, "description": desc}]
    assert query(lfp, db, "--sku", "no such sku") == []
    assert [r["sku"] for r in query(lfp, db, "--name", "Michael Smith")] == [s for (s,) in by_name]
    rejects = query(lfp, db, "--rejects")
    assert [(Path(r["file"]).name, r["line"], r["reason"]) for r in rejects] == [("bad.csv", 2, "empty_sku")]
    runs = query(lfp, db, "--runs")
    assert len(runs) == 1 and runs[0]["inserted"] == 1999 and runs[0]["records_read"] == 2002
    summary = query(lfp, db)
    assert summary[0]["products"] == 1999 and summary[0]["rejects"] == 1 and summary[0]["snapshot"] == "current"

    # CSV parses back to the same rows (descriptions with line breaks included).
    rows = list(csv.DictReader(io.StringIO(query(lfp, db, "--sku", sku, fmt="csv"), newline="")))
    assert rows == [{"sku": sku, "name": name, "description": desc}]
    table = query(lfp, db, "--top", "3", fmt="table").splitlines()
    assert table[0].split() == ["name", "products"] and len(table) == 5
    assert "last runs" in query(lfp, db, fmt="table")
    p = lfp.run("query", "--db", tmp_path / "none.db")
    assert p.returncode == EXIT_OUTPUT and not (tmp_path / "none.db").exists()


def test_verify_fails_on_a_database_or_snapshot_altered_behind_its_back(lfp, ranks, sample_csv, tmp_path):
    db = tmp_path / "v.db"
    lfp.ingest(sample_csv, db=db)
    assert verify(lfp, db).returncode == 0

    # A count edited directly (the triggers only watch products).
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE product_counts SET products = products + 1 WHERE name = "
                    "(SELECT name FROM product_counts LIMIT 1)")
    con.close()
    p = verify(lfp, db)
    assert p.returncode == EXIT_VERIFY and "product_counts" in p.stderr_text
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE product_counts SET products = products - 1 WHERE name = "
                    "(SELECT name FROM product_counts LIMIT 1)")
    con.close()

    # A snapshot value changed in place, its state attribute untouched.
    lfp.run("snapshot", "--db", db, check=True)
    assert verify(lfp, db).returncode == 0
    with h5py.File(tmp_path / "v.h5", "r+") as f:
        d = f["/products/description/data"]
        d[3] = ord("#") if d[3] != ord("#") else ord("%")
    p = verify(lfp, db)
    assert p.returncode == EXIT_VERIFY and "differ" in p.stderr_text

    # A snapshot of another database state.
    lfp.run("snapshot", "--db", db, check=True)
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE products SET description = 'x' WHERE sku = (SELECT min(sku) FROM products)")
    con.close()
    p = verify(lfp, db)
    assert p.returncode == EXIT_VERIFY and "stale" in p.stderr_text
    assert verify(lfp, db, "--no-h5").returncode == 0
    assert verify(lfp, tmp_path / "nothing.db").returncode == EXIT_OUTPUT
