"""Reading what lfp_mpi wrote: the database (read-only, TEXT as exact bytes unless said) and,
with it, the HDF5 snapshot. The one place the end-to-end tests open a database to read it."""
from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from snapshot import read_snapshot


def connect(path: Path, text=bytes) -> closing[sqlite3.Connection]:
    """A read-only connection (closed at the end of a `with` block); TEXT comes as `text`."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    con.text_factory = text
    return closing(con)


@dataclass
class Db:
    products: dict[bytes, tuple[bytes, bytes]]
    counts: dict[bytes, int]
    grouped: dict[bytes, int]  # SELECT name, COUNT(*) FROM products GROUP BY name
    runs: list[dict]  # by id
    rejects: list[dict]  # by rowid


def read_db(path: Path) -> Db:
    """Everything the tests check: products, product_counts (and the GROUP BY they must
    equal), runs and rejects."""
    assert path.is_file(), f"{path}: no database"
    with connect(path) as con:
        products = {sku: (name, desc) for sku, name, desc in con.execute(
            "SELECT sku, name, description FROM products")}
        counts = dict(con.execute("SELECT name, products FROM product_counts"))
        grouped = dict(con.execute("SELECT name, COUNT(*) FROM products GROUP BY name"))
        con.row_factory = sqlite3.Row
        runs = [dict(r) for r in con.execute("SELECT * FROM runs ORDER BY id")]
        rejects = [dict(r) for r in con.execute("SELECT * FROM rejects ORDER BY rowid")]
    return Db(products, counts, grouped, runs, rejects)


def products_and_counts(path: Path) -> tuple[dict, dict]:
    """(products: sku -> (name, description), product_counts: name -> products)."""
    got = read_db(path)
    return got.products, got.counts


def runs(path: Path) -> list[dict]:
    """The runs table by id, TEXT as str."""
    with connect(path, text=str) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM runs ORDER BY id")]


def last_run(path: Path) -> dict:
    """The latest row of the runs table, TEXT as str."""
    with connect(path, text=str) as con:
        con.row_factory = sqlite3.Row
        return dict(con.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone())


def sources(path: Path) -> dict:
    """The sources ledger: path -> (records, rejects, size)."""
    with connect(path, text=str) as con:
        return {p: (r, j, size) for p, r, j, size in con.execute("SELECT path, records, rejects, size FROM sources")}


def products_digest(path: Path) -> tuple[str, bool]:
    """(sha256 of products and product_counts in key order, integrity check ok)."""
    with connect(path) as con:
        h = hashlib.sha256()
        for row in con.execute("SELECT sku, name, description FROM products ORDER BY sku"):
            h.update(repr(row).encode())
        for row in con.execute("SELECT name, products FROM product_counts ORDER BY name"):
            h.update(repr(row).encode())
        ok = con.execute("PRAGMA integrity_check").fetchone()[0] == b"ok"
        return h.hexdigest(), ok


def rank_independent_outputs(db: Path, h5: Path) -> dict:
    """What must not depend on the rank count: the tables in key order, the rejects, the run
    counts, and the snapshot without its attributes."""
    with connect(db) as con:
        out = {
            "products": con.execute("SELECT * FROM products ORDER BY sku").fetchall(),
            "product_counts": con.execute("SELECT * FROM product_counts ORDER BY name").fetchall(),
            "rejects": con.execute("SELECT file, line, byte_offset, reason, detail, record FROM rejects "
                                   "ORDER BY file, byte_offset").fetchall(),
            "runs": con.execute("SELECT files, records_read, rows_written, rejects FROM runs").fetchall(),
        }
    snap = read_snapshot(h5)
    snap.pop("attrs")
    out.update(snap)
    return out
