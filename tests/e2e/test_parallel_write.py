"""`ingest --db-writer pages` against `--db-writer sqlite`: a new database whose four product
b-trees (products_main, products_by_name, product_counts, product_counts_by_products) every
rank built by hand, page by page, must be the database that inserting the rows through SQLite
gives, and must stay usable by everything that opens it afterwards.

1. For each input below, a new database from each writer at the pytest's rank count: the
   pages one passes `PRAGMA integrity_check` and `lfp_mpi verify`, every key a scan finds is
   found by a seek, and tables, indexes, schema, stable header fields, `sqlite3 .dump` and the
   HDF5 snapshot equal the sqlite writer's (and products and counts equal reference.py's).
2. After a pages ingest, `query`, `update`, `delete`, later ingests (kept in products_recent,
   then folded into the hand-built products_main) and hand edits through the `products` view
   give what the same steps give on the sqlite writer's database.
3. A pages run that fails (over --max-rejects, over the file size limit) or is stopped while
   it writes (SIGTERM to mpirun, SIGKILL to a rank) leaves no database and no temporary file.

    python3 -m pytest -q tests/e2e/test_parallel_write.py --lfp build/lfp_mpi --ranks 8
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

import reference
from checks import check_tables
from dbread import connect, read_db
from product_csv import csv_line, write
from snapshot import read_snapshot
from test_reliability import run_limited
from test_robustness import partials, wait_for_exit

SQLITE3 = "/usr/bin/sqlite3"
WRITERS = ("pages", "sqlite")
HEADER = b"name,sku,description\r\n"
PAGE_SIZE = 16384  # of a new database, either writer

# Payload limits of an index b-tree cell (a WITHOUT ROWID table's too) at 16,384-byte pages,
# from SQLite's file format: up to X bytes stay on the page; a longer payload keeps
# K = M + (P - M) % (U - 4) bytes on the page if K <= X, else M, and the rest goes to overflow
# pages of U - 4 bytes each. The inputs put payloads on both sides of each boundary.
U = PAGE_SIZE
X = (U - 12) * 64 // 255 - 23  # 4086
M = (U - 12) * 32 // 255 - 23  # 2031
OVERFLOW = U - 4  # 16380


def quoted_file(rows) -> bytes:
    """A product CSV of (name, sku, description) rows, fields quoted where they need it."""
    return HEADER + b"".join(csv_line(r) for r in rows)


# Random ASCII text of an exact length (letters, digits, space, dot: nothing to quote).
TEXT_TABLE = bytes(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ."[i % 64] for i in range(256))


def text(rng: random.Random, n: int) -> bytes:
    return rng.randbytes(n).translate(TEXT_TABLE)


def shuffled(rng: random.Random, rows: list) -> list:
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------------------------
# The inputs: each a function of the real sample's path returning the files of one ingest, as
# paths or bytes (written to the test's directory). Deterministic: fixed seeds.


def real_sample(sample: Path):
    return [sample]


def long_descriptions(sample: Path):
    """Descriptions of 5 KB, 20 KB and 100 KB, and sweeps across the overflow boundaries of a
    products_main cell (payload = record header + sku + name + description): X (one page),
    M + 16380 (one full overflow page), M + 16380 + (X - M) (a second overflow page), two
    pages; also 16,000-16,400 bytes (a page's worth) and exact multiples of the page size."""
    rng = random.Random(101)
    lengths = [5000, 20000, 100000, 16380, 16384, 32768, 65536]
    lengths += list(range(X - 90, X + 10))
    lengths += list(range(16000, 16401, 4))
    lengths += list(range(M + OVERFLOW - 45, M + OVERFLOW + 10))
    lengths += list(range(M + OVERFLOW + (X - M) - 45, X + OVERFLOW + 10))
    lengths += list(range(M + 2 * OVERFLOW - 40, M + 2 * OVERFLOW + 10, 2))
    rows = [(b"Long %d" % (i % 7), b"d%05d" % i, text(rng, n)) for i, n in enumerate(lengths)]
    # Names near the boundaries too: they are the whole key of product_counts and lead the
    # keys of products_by_name and product_counts_by_products.
    for i, n in enumerate(list(range(X - 30, X + 5)) + list(range(M + OVERFLOW - 20, M + OVERFLOW + 5)) + [100000]):
        name = text(rng, n)
        rows += [(name, b"n%05d-%d" % (i, k), b"long name %d" % k) for k in range(1 + i % 3)]
    return [quoted_file(shuffled(rng, rows))]


def sku_sizes(sample: Path):
    """1-byte skus (every byte from 0x01 to 0x7f, quoted where CSV needs it); 3,000 skus of
    1,000 bytes sharing 990 (about 15 to a page, whole in interior cells: products_main gets
    three levels of interior pages, products_by_name two); skus around X bytes and of 5 and
    20 KB (overflow in every tree that holds the sku)."""
    rng = random.Random(102)
    rows = [(b"One", bytes([c]), b"byte %d" % c) for c in range(1, 128)]
    prefix = text(rng, 990)
    rows += [(b"Thousand %d" % (i % 5), prefix + b"%010d" % rng.randrange(10**10), text(rng, 50)) for i in range(3000)]
    rows += [(b"Near X", text(rng, n), b"") for n in range(X - 40, X + 10)]
    rows += [(b"Huge sku", text(rng, n), text(rng, 100)) for n in (5000, 5001, 20000, 20001) for _ in range(3)]
    return [quoted_file(shuffled(rng, rows))]


def empty_and_special_values(sample: Path):
    """Empty names and descriptions (an empty name is a product_counts key), blanks, quotes,
    commas and line breaks inside values."""
    rng = random.Random(103)
    rows = [(b"", b"e%04d" % i, b"") for i in range(200)]
    rows += [(b"", b"f%04d" % i, text(rng, 30)) for i in range(100)]
    rows += [(b"Named", b"g%04d" % i, b"") for i in range(100)]
    rows += [(b" ", b"h1", b" "), (b"  ", b" h2", b"  "), (b"a,b", b"h,3", b'say "hi"'), (b'"', b'"', b'"'),
             (b"line\nbreak", b"h\r\n4", b"cr\ronly"), (b"\t", b"\t", b"\t"), (b"x\r\n", b"h5\n", b"\r\n")]
    return [quoted_file(shuffled(rng, rows))]


def prefixes_and_high_bytes(sample: Path):
    """Skus and names that are prefixes of each other, and that differ only in bytes >= 0x80
    (valid UTF-8 from U+0080 to U+10FFFF: byte order, not signed chars). The ingest rejects a
    record holding a byte that is not valid UTF-8 (0xFF, a lone continuation byte, an overlong
    form: `invalid_utf8`), so such records are in the file as rejects, not as products."""
    rng = random.Random(104)
    rows = [(b"p" * (i % 5 + 1), b"p" * i, b"prefix %d" % i) for i in range(1, 60)]
    for base in (b"q", b"q\x7f", "qé".encode()):
        rows += [(base + ch.encode(), base + ch.encode(), ch.encode() * 3)
                 for ch in ("", "\x7f", "\x80", "é", "ÿ", "\u0100", "\u07ff", "\u0800", "\ufffd", "\uffff",
                            "\U00010000", "\U0010ffff", "é\x01", "€uro")]
    rows += [(b"High", "\U0010ffff".encode() * k, b"") for k in range(1, 5)]
    good = quoted_file(shuffled(rng, rows))
    bad = b"".join(csv_line(r) for r in [(b"ff", b"q\xff", b"x"), (b"ok", b"q\x80", b"lone"),
                                         (b"ok", b"q\xc0\xaf", b"overlong"), (b"\xff", b"r1", b"bad name"),
                                         (b"ok", b"r2", b"bad \xed\xa0\x80 surrogate")])
    return [good + bad]


def huge_group(sample: Path):
    """One name shared by 100,000 products (a product_counts row of 100,000, a run of equal
    names across many products_by_name pages and every rank) and a few small names."""
    rng = random.Random(105)
    rows = [(b"Everyone", b"s%06d" % i, b"%d" % i) for i in range(100000)]
    rows += [(b"Few %d" % k, b"s%06d-%d" % (rng.randrange(100000), k), b"few") for k in range(1, 6) for _ in range(k)]
    return [quoted_file(shuffled(rng, rows))]


def duplicates(sample: Path):
    """A sku repeated 5,000 times with changing names (the last record wins), and 2,000 skus
    each repeated 1 to 4 times, across two files (the second file's records are later)."""
    rng = random.Random(106)
    files = []
    for f in range(2):
        rows = [(b"Dup %d" % rng.randrange(40), b"same", b"version %d.%d" % (f, i)) for i in range(2500)]
        rows += [(b"Dup %d" % rng.randrange(40), b"k%04d" % rng.randrange(2000), b"file %d row %d" % (f, i))
                 for i in range(4000)]
        files.append(quoted_file(shuffled(rng, rows)))
    return files


def one_record(sample: Path):
    return [quoted_file([(b"Solo", b"only", b"the one record")])]


def two_records(sample: Path):
    return [quoted_file([(b"B", b"zz", b"second sku"), (b"A", b"aa", b"first sku")])]


def three_records(sample: Path):
    return [quoted_file([(b"N", b"m", b"3"), (b"N", b"a", b"1"), (b"O", b"z", b"2")])]


def all_but_one_rejected(sample: Path):
    """60 rejects of every kind the parser finds and one product in the middle."""
    bad = [b"N,,empty sku", b"N,a,b,too many", b"too few", b"N,\xff,invalid", b"N,x\x00y,nul"] * 12
    lines = bad[:30] + [b"Kept,k1,the only product"] + bad[30:] + [b'N,open,"never closed\n']
    return [HEADER + b"\r\n".join(lines)]


def header_only(sample: Path):
    return [HEADER]


INPUTS = {f.__name__: f for f in (real_sample, long_descriptions, sku_sizes, empty_and_special_values,
                                  prefixes_and_high_bytes, huge_group, duplicates, one_record, two_records,
                                  three_records, all_but_one_rejected, header_only)}


def input_files(case: str, sample: Path, directory: Path) -> list[Path]:
    out = []
    for i, f in enumerate(INPUTS[case](sample)):
        out.append(f if isinstance(f, Path) else write(directory / f"{case}-{i}.csv", f))
    return out


# ---------------------------------------------------------------------------------------------
# Running and comparing


def ingest(lfp, writer: str, files, db: Path, *args, check=True):
    return lfp.run("ingest", *files, "--db", db, "--db-writer", writer, "-q", *args, check=check)


def new_databases(lfp, files, tmp_path: Path) -> dict[str, Path]:
    """A new database from each writer, in directories of their own: pages/products.db,
    sqlite/products.db (snapshots beside them)."""
    dbs = {}
    for writer in WRITERS:
        db = tmp_path / writer / "products.db"
        db.parent.mkdir()
        ingest(lfp, writer, files, db)
        dbs[writer] = db
    assert built_from_pages(dbs["pages"]) and not built_from_pages(dbs["sqlite"])
    return dbs


def built_from_pages(db: Path) -> bool:
    """Whether the four product b-trees came first in the file (src/sqlite_file/README.md: the
    pages writer writes them, and SQLite creates the other tables after them), so that the
    comparisons compare two writers and not one writer twice. SQLite itself creates
    products_main, then products_recent (root pages 2 and 3), indexes last."""
    with connect(db) as con:
        roots = dict(con.execute("SELECT name, rootpage FROM sqlite_schema"))
    trees = ("products_main", "products_by_name", "product_counts", "product_counts_by_products")
    return max(roots[t.encode()] for t in trees) < roots[b"products_recent"]


# What is compared between the two databases, row by row, each query in a defined order.
# INDEXED BY makes SQLite read the index b-tree itself (it is covering, so the table is not read).
CONTENT = {
    "products": "SELECT * FROM products ORDER BY sku",
    "products_main": "SELECT * FROM products_main ORDER BY sku",
    "products_recent": "SELECT * FROM products_recent ORDER BY sku",
    "product_counts": "SELECT * FROM product_counts ORDER BY name",
    "products_by_name": "SELECT name, sku FROM products_main INDEXED BY products_by_name ORDER BY name, sku",
    "products_by_name backwards":
        "SELECT name, sku FROM products_main INDEXED BY products_by_name ORDER BY name DESC, sku DESC",
    "product_counts_by_products": "SELECT products, name FROM product_counts INDEXED BY product_counts_by_products "
                                  "ORDER BY products DESC, name",
    # The records as stored, whatever the shape of the trees: in an index b-tree (the four
    # are) every entry is one cell, on a leaf or an interior page, so the cells, the bytes of
    # their records (varints and serial types included: a 1 as a 1-byte integer instead of
    # schema format 4's constant 1 would show) and the overflow pages they need are sums that
    # do not depend on where the pages split.
    "record bytes": "SELECT name, sum(ncell), sum(payload), sum(pagetype = 'overflow') FROM dbstat "
                    "WHERE name IN ('products_main', 'products_by_name', 'product_counts', "
                    "'product_counts_by_products') GROUP BY name ORDER BY name",
    "totals": "SELECT * FROM totals",
    "schema": "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
    "rejects": "SELECT * FROM rejects ORDER BY rowid",
    # runs and sources without the columns that differ between any two runs (see VOLATILE)
    "runs": "SELECT id, kind, ranks, files, records_read, rows_written, rejects, inserted, updated, unchanged, "
            "deleted, products, names, files_read, files_skipped FROM runs ORDER BY id",
    "sources": "SELECT path, size, mtime_ns, digest, records, rejects, run_id FROM sources ORDER BY path",
    "meta keys": "SELECT key FROM meta ORDER BY key",
    "user_version": "PRAGMA user_version",
}

# Every key a scan of a b-tree finds must be found by a seek in the same b-tree: a scan reads
# the cells page by page in order, a seek descends from the root comparing the key with the
# cells of interior pages, so a misplaced separator or a wrong child pointer can hide keys from
# seeks alone. Each query counts the keys of a scan that a seek does not find: 0 when sound.
# (sqlite_autoindex_T_1 names the b-tree of a WITHOUT ROWID table T: its primary key.)
UNSOUGHT = {
    "products_main": "SELECT count(*) FROM products_main AS a INDEXED BY sqlite_autoindex_products_main_1 "
                     "WHERE NOT EXISTS (SELECT 1 FROM products_main AS b "
                     "WHERE b.sku = a.sku AND b.name = a.name AND b.description = a.description)",
    "products_by_name": "SELECT count(*) FROM products_main AS a INDEXED BY products_by_name "
                        "WHERE NOT EXISTS (SELECT 1 FROM products_main AS b INDEXED BY products_by_name "
                        "WHERE b.name = a.name AND b.sku = a.sku)",
    "product_counts": "SELECT count(*) FROM product_counts AS a INDEXED BY sqlite_autoindex_product_counts_1 "
                      "WHERE NOT EXISTS (SELECT 1 FROM product_counts AS b "
                      "WHERE b.name = a.name AND b.products = a.products)",
    "product_counts_by_products": "SELECT count(*) FROM product_counts AS a INDEXED BY product_counts_by_products "
                                  "WHERE NOT EXISTS (SELECT 1 FROM product_counts AS b "
                                  "INDEXED BY product_counts_by_products "
                                  "WHERE b.products = a.products AND b.name = a.name)",
}

# The fields of the 100-byte database header that do not depend on how or how often the file
# was written, as (offset, size): page size, file format write/read versions, reserved bytes
# per page, the three payload fractions, schema format (4: descending indexes), default cache
# size, auto-vacuum's largest root page, text encoding, user version, incremental vacuum,
# application id. The rest legitimately differs: change counter, page count, freelist, schema
# cookie, version-valid-for, the SQLite version that wrote it last.
STABLE_HEADER = {"page size": (16, 2), "format versions": (18, 2), "reserved bytes": (20, 1),
                 "payload fractions": (21, 3), "schema format": (44, 4), "default cache size": (48, 4),
                 "auto-vacuum": (52, 4), "text encoding": (56, 4), "user version": (60, 4),
                 "incremental vacuum": (64, 4), "application id": (68, 4)}

# Values that differ between any two runs of the same input whatever the writer, blanked in a
# copy of each database before `sqlite3 .dump`: a run's start time, its command line (it names
# the writer and the --db path) and seconds per phase; the state token (random, new at every
# change of products); an input's time of ingest. Blanking these values rather than dropping
# their lines keeps every other value of these rows, and every other row, in the comparison.
# The order of the dump (tables in sqlite_schema order, then their rows in key order) is
# compared too: the pages writer lists the schema in the order SQLite creates it.
VOLATILE = ("UPDATE runs SET started_at = '', command = '', phase_seconds = ''; "
            "UPDATE meta SET value = '' WHERE key = 'state'; "
            "UPDATE sources SET ingested_at = '';")


def first_difference(what: str, got: list, want: list) -> str:
    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    lines = [f"{what}: pages has {len(got)} rows, sqlite {len(want)}; first difference at row {at}:"]
    for i in range(max(0, at - 2), min(max(len(got), len(want)), at + 3)):
        a = got[i] if i < len(got) else "(none)"
        b = want[i] if i < len(want) else "(none)"
        lines.append(f"  {i}: pages  {short(a)}")
        lines.append(f"  {i}: sqlite {short(b)}")
    return "\n".join(lines)


def short(value) -> str:
    r = repr(value)
    return r if len(r) <= 300 else r[:150] + f" ...({len(r)} chars)... " + r[-100:]


def contents(db: Path) -> dict[str, list]:
    with connect(db) as con:
        return {what: con.execute(sql).fetchall() for what, sql in CONTENT.items()}


def check_sound(db: Path):
    """integrity_check ok, and every key a scan finds is found by a seek."""
    with connect(db) as con:
        problems = [r[0] for r in con.execute("PRAGMA integrity_check")]
        assert problems == [b"ok"], f"{db}: integrity_check: {problems[:10]}"
        for tree, sql in UNSOUGHT.items():
            assert con.execute(sql).fetchone()[0] == 0, f"{db}: {tree}: rows a scan finds and a seek does not"
        page_size, pages = (con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
    assert db.stat().st_size == page_size * pages, f"{db}: {db.stat().st_size} bytes for {pages} pages"


def free_pages(db: Path) -> int:
    with connect(db) as con:
        return con.execute("PRAGMA freelist_count").fetchone()[0]


def header_fields(db: Path) -> dict[str, bytes]:
    header = db.read_bytes()[:100]
    return {what: header[at:at + size] for what, (at, size) in STABLE_HEADER.items()}


def dump(db: Path, scratch: Path) -> list[str]:
    """`sqlite3 .dump` of a copy of `db` with the VOLATILE values blanked."""
    copy = scratch / f"dump-{db.parent.name}-{db.name}"
    shutil.copyfile(db, copy)
    con = sqlite3.connect(copy)
    con.executescript(VOLATILE)
    con.close()
    p = subprocess.run([SQLITE3, copy, ".dump"], capture_output=True, check=True)
    copy.unlink()
    return p.stdout.decode("utf-8", "backslashreplace").splitlines()


def assert_same_databases(pages: Path, sqlite: Path, scratch: Path):
    """The pages database is sound and holds what the sqlite one holds, in every table, index
    and dump line (but the VOLATILE values)."""
    check_sound(pages)
    check_sound(sqlite)
    got, want = contents(pages), contents(sqlite)
    for what in CONTENT:
        assert got[what] == want[what], first_difference(what, got[what], want[what])
    assert header_fields(pages) == header_fields(sqlite), "database header"
    assert int.from_bytes(header_fields(pages)["page size"], "big") == PAGE_SIZE
    got, want = dump(pages, scratch), dump(sqlite, scratch)
    if got != want:
        same_lines = sorted(got) == sorted(want)
        pytest.fail(("the same lines in another order; " if same_lines else "") +
                    first_difference(".dump", got, want))


def assert_same_snapshots(pages: Path, sqlite: Path):
    """Every dataset equal; the attributes too but the creation time and the state token
    (random per database; `verify` checks each snapshot records its own database's)."""
    got, want = read_snapshot(pages), read_snapshot(sqlite)
    got_attrs, want_attrs = got.pop("attrs"), want.pop("attrs")
    for what in want:
        assert got[what] == want[what], first_difference(f"{pages.name} {what}", got[what], want[what])
    for attrs in (got_attrs, want_attrs):
        attrs.pop("created_at")
        attrs.pop("state")
    assert sorted(got_attrs) == sorted(want_attrs)
    for key in want_attrs:
        assert str(got_attrs[key]) == str(want_attrs[key]), f"snapshot attribute {key}"


def verify(lfp, db: Path, *args):
    p = lfp.run("verify", "--db", db, *args, mpirun=False)
    assert p.returncode == 0, f"verify {db}: exit {p.returncode}\n{p.stdout_text}{p.stderr_text}"


# ---------------------------------------------------------------------------------------------
# 1. A new database: the pages writer's equals the sqlite writer's


@pytest.mark.parametrize("case", INPUTS)
def test_a_new_database_from_pages_equals_the_sqlite_writers(lfp, ranks, sample_csv, tmp_path, case):
    files = input_files(case, sample_csv, tmp_path / "in")
    dbs = new_databases(lfp, files, tmp_path)
    check_tables(read_db(dbs["pages"]), reference.expected([f.read_bytes() for f in files]))
    assert_same_databases(dbs["pages"], dbs["sqlite"], tmp_path)
    # No page left over: the pages writer's file has as many free pages as SQLite's (none).
    assert [free_pages(db) for db in dbs.values()] == [0, 0]
    assert_same_snapshots(dbs["pages"].with_suffix(".h5"), dbs["sqlite"].with_suffix(".h5"))
    verify(lfp, dbs["pages"])


# ---------------------------------------------------------------------------------------------
# 2. The pages database is usable: commands, later ingests, hand edits


def rows_file(rows) -> bytes:
    """quoted_file of rows of str."""
    return quoted_file([tuple(v.encode() for v in r) for r in rows])


def recent_rows(db: Path) -> int:
    with connect(db) as con:
        return con.execute("SELECT count(*) FROM products_recent").fetchone()[0]


def query(lfp, db: Path, *args) -> str:
    return lfp.run("query", "--db", db, "--format", "json", *args, mpirun=False, check=True).stdout_text


def edit_by_hand(db: Path, tag: str, skus: list[str], name: str):
    """INSERT, UPDATE (of a name, of a sku) and DELETE (of one product, of every product named
    `name`) through the products view in Python's sqlite3, as docs/schema.md shows them; the
    view's triggers keep the counts."""
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO products VALUES(?, 'Hand', 'inserted in sqlite3')", (f"hand-{tag}",))
        con.execute("UPDATE products SET name = 'Hand' WHERE sku = ?", (skus[0],))
        con.execute("UPDATE products SET sku = ? WHERE sku = ?", (f"moved-{tag}", skus[1]))
        con.execute("DELETE FROM products WHERE sku = ?", (skus[2],))
        con.execute("DELETE FROM products WHERE name = ?", (name,))
    con.close()
    check_sound(db)


def test_a_pages_database_takes_every_later_change_as_the_sqlite_writers_does(lfp, ranks, sample_csv, tmp_path):
    """The same commands, ingests and hand edits on a database from each writer leave the same
    database. The first database holds long values too, so that SQLite frees and rewrites
    hand-built cells with overflow chains: an update of a long-named product deletes a
    product_counts row (and its index entry) at once; the fold rewrites products_main."""
    rng = random.Random(201)
    long_values = [(b"Long %d" % (i % 3), b"d%03d" % i, text(rng, n))
                   for i, n in enumerate([5000, 20000, 100000] + [X - 20, X + 20, M + OVERFLOW + 5] * 5)]
    long_values += [(name, b"n%03d-%d" % (i, k), b"long name") for i, name in
                    enumerate(text(rng, n) for n in (X - 10, X + 10, 20000)) for k in range(2 - i // 2)]
    first = [sample_csv, *input_files("prefixes_and_high_bytes", sample_csv, tmp_path / "in"),
             write(tmp_path / "in" / "long.csv", quoted_file(long_values))]
    base = reference.expected([f.read_bytes() for f in first]).products
    skus = [s.decode() for s in sorted(base)]  # command-line arguments
    base = {s.decode(): (n.decode(), d.decode()) for s, (n, d) in base.items()}
    long_skus = [s for s in skus if len(base[s][1]) > X or len(base[s][0]) > X]
    assert len(long_skus) == 16
    # Second ingest: 150 renamed or redescribed, 50 new products; products_recent stays under a
    # quarter of the products. Third: 800 changed and every long value made short, which folds
    # products_recent into products_main.
    second = write(tmp_path / "in" / "second.csv", rows_file(
        [(f"Renamed {i % 3}", s, base[s][1]) for i, s in enumerate(rng.sample(skus, 100))] +
        [(base[s][0], s, "described again") for s in rng.sample(skus, 50)] +
        [("Newcomer", f"new-{i:03d}", "") for i in range(50)]))
    third = write(tmp_path / "in" / "third.csv", rows_file(
        [(f"Folded {i % 9}", s, f"third {i}") for i, s in enumerate(rng.sample(skus, 800) + long_skus)]))

    dbs = {}
    for writer in WRITERS:
        db = dbs[writer] = tmp_path / writer / "products.db"
        db.parent.mkdir()
        ingest(lfp, writer, first, db)
        verify(lfp, db)
    assert built_from_pages(dbs["pages"])
    for args in (["--top", "7"], ["--sku", skus[0]], ["--sku", skus[-1]], ["--name", base[skus[5]][0]],
                 ["--name", base["n002-0"][0]], ["--sku", "d002"]):
        assert query(lfp, dbs["pages"], *args) == query(lfp, dbs["sqlite"], *args), f"query {args[0]}"

    for writer, db in dbs.items():
        for edit in (["update", "--sku", skus[1], "--name", "Edited"],
                     ["update", "--sku", "n002-0", "--name", "Edited"],  # its 20 KB name is gone
                     ["update", "--sku", "d002", "--description", "was 100 KB"],
                     ["update", "--sku", skus[-2], "--description", "edited\ntwice"],
                     ["update", "--insert", "--sku", "inserted", "--name", "Edited", "--description", "new"],
                     ["delete", "--sku", skus[2], "--sku", skus[-3], "--sku", "d001"]):
            lfp.run(*edit, "--db", db, mpirun=False, check=True)
        edit_by_hand(db, "1", skus[3:], "Long 1")  # 5 products of 4,106-byte descriptions
        ingest(lfp, writer, [second], db)
        assert recent_rows(db) > 150, "the second ingest was not kept in products_recent"
        verify(lfp, db)
    assert_same_databases(dbs["pages"], dbs["sqlite"], tmp_path)

    for writer, db in dbs.items():
        ingest(lfp, writer, [third], db)
        assert recent_rows(db) == 0, "the third ingest did not fold products_recent into products_main"
        edit_by_hand(db, "2", skus[6:], "Folded 4")
        lfp.run("snapshot", "--db", db, mpirun=False, check=True)
        verify(lfp, db)
    got = read_db(dbs["pages"])
    assert got.products[b"hand-2"] == (b"Hand", b"inserted in sqlite3") and b"moved-1" in got.products
    assert_same_databases(dbs["pages"], dbs["sqlite"], tmp_path)
    assert_same_snapshots(dbs["pages"].with_suffix(".h5"), dbs["sqlite"].with_suffix(".h5"))
    for args in (["--top", "12"], ["--name", "Hand"], ["--name", "Edited"], ["--sku", "moved-2"]):
        assert query(lfp, dbs["pages"], *args) == query(lfp, dbs["sqlite"], *args), f"query {args[0]}"


# ---------------------------------------------------------------------------------------------
# 3. A failed or stopped pages run leaves nothing


def test_a_pages_run_over_max_rejects_leaves_no_database_and_no_temporary_file(lfp, ranks, sample_csv, tmp_path):
    reject = write(tmp_path / "in" / "one-reject.csv", HEADER + b"N,,empty sku\r\n")
    out, scratch = tmp_path / "out", tmp_path / "scratch"
    out.mkdir()
    scratch.mkdir()
    p = ingest(lfp, "pages", [sample_csv, reject], out / "products.db", "--max-rejects", "0", "--scratch", scratch,
               check=False)
    assert p.returncode == 3, p.stderr_text
    assert sorted(x.name for x in out.iterdir()) == [] and list(scratch.iterdir()) == []
    assert sorted(x.name for x in reject.parent.iterdir()) == ["one-reject.csv"]
    # One reject allowed: the same run writes the database and its snapshot, and only them;
    # without --db-writer, with the pages writer (the default).
    lfp.run("ingest", sample_csv, reject, "--db", out / "products.db", "--max-rejects", "1", "--scratch", scratch,
            "-q", check=True)
    assert sorted(x.name for x in out.iterdir()) == ["products.db", "products.h5"] and list(scratch.iterdir()) == []
    assert built_from_pages(out / "products.db")


def test_a_pages_write_cut_short_by_the_file_size_limit_leaves_nothing(lfp, ranks, sample_csv, tmp_path):
    """Rank 0 fails in the middle of writing the pages (the database would be 7 MB, the limit
    is 1 MB): exit 5, and neither the database nor its temporary file remains."""
    files = input_files("long_descriptions", sample_csv, tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    db = out / "products.db"
    p = run_limited(lfp, ranks, 1_000_000, "ingest", *files, "--db", db, "--db-writer", "pages", "-q")
    assert p.returncode == 5, p.stderr_text
    assert f"database {db}: " in p.stderr_text, p.stderr_text
    assert sorted(x.name for x in out.iterdir()) == []


def rank_pids(mpirun_pid: int) -> dict[int, int]:
    """rank -> process id of the ranks mpirun started (its children, by OMPI_COMM_WORLD_RANK)."""
    pids = {}
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) != mpirun_pid:
                continue
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for var in env:
            if var.startswith(b"OMPI_COMM_WORLD_RANK="):
                pids[int(var.split(b"=")[1])] = int(proc.name)
    return pids


@pytest.mark.parametrize("stop", ["sigterm_to_mpirun", "sigkill_to_the_last_rank"])
def test_a_pages_run_stopped_while_writing_leaves_no_database(lfp, ranks, sample_csv, tmp_path, stop):
    """When the write begins (every rank builds its pages, rank 0 writes them), SIGTERM to
    mpirun (a time limit, scancel), or SIGKILL to the last rank (a crash; rank 0 itself at one
    rank): no database, no snapshot; a temporary file a SIGKILLed rank 0 left is removed by the
    next run, which works."""
    files = input_files("huge_group", sample_csv, tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    db = out / "products.db"
    cmd = ["mpirun", "-n", str(ranks), str(lfp.binary), "ingest", *map(str, files), "--db", str(db),
           "--db-writer", "pages"]
    p = subprocess.Popen(cmd, env={**lfp.env, "LFP_PROGRESS": "lines"}, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    seen = []
    for line in p.stderr:
        seen.append(line)
        if " write_db: started" in line:
            if stop == "sigterm_to_mpirun":
                p.send_signal(signal.SIGTERM)
            else:
                pids = rank_pids(p.pid)
                assert sorted(pids) == list(range(ranks)), pids
                os.kill(pids[ranks - 1], signal.SIGKILL)
            break
    seen += p.stderr.readlines()
    assert p.wait(timeout=60) != 0, "".join(seen)
    assert any(" write_db: started" in line for line in seen), "".join(seen)
    assert not db.exists() and not db.with_suffix(".h5").exists()
    for name in partials(out):  # mpirun can return before its ranks are gone
        wait_for_exit(int(name.rsplit("-", 1)[1]))
    ingest(lfp, "pages", files, db)
    assert sorted(x.name for x in out.iterdir()) == ["products.db", "products.h5"]
    check_sound(db)
