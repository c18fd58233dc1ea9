"""Checks of the outputs against the reference model (reference.py) and of the HDF5 snapshot
against the database it mirrors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import reference
from dbread import Db, read_db
from snapshot import read_snapshot


def difference_lines(actual: dict, wanted: dict, what: str, describe=None) -> list[str]:
    """Lines naming how `actual` differs from `wanted` (empty when equal): counts, and up to
    five keys of each kind; `describe(key)` words a key's line (default: got / expected)."""
    if actual == wanted:
        return []
    if describe is None:
        def describe(k):
            return f"    {k!r}: got {actual.get(k)!r}, expected {wanted.get(k)!r}"
    missing = [k for k in wanted if k not in actual]
    extra = [k for k in actual if k not in wanted]
    differ = [k for k in wanted if k in actual and actual[k] != wanted[k]]
    lines = [f"{what}: {len(actual)} rows, expected {len(wanted)}"]
    for label, keys in (("missing", missing), ("unexpected", extra), ("different", differ)):
        if keys:
            lines.append(f"  {len(keys)} {label}, e.g.:")
            lines += [describe(k) for k in sorted(keys)[:5]]
    return lines


def assert_same(actual: dict, wanted: dict, what: str):
    lines = difference_lines(actual, wanted, what)
    if lines:
        pytest.fail("\n".join(lines))


def check_tables(db: Db, exp: reference.Expected):
    """products and product_counts equal the model; product_counts is the GROUP BY of products."""
    assert_same(db.products, exp.products, "products")
    assert_same(db.counts, exp.counts, "product_counts")
    assert_same(db.counts, db.grouped, "product_counts vs GROUP BY name")


def strings(value) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.atleast_1d(value)]


def check_h5(h5: Path, db_path: Path, files: list):
    """The snapshot mirrors the database after the run."""
    db = read_db(db_path)
    assert h5.is_file(), f"{h5}: no snapshot"
    snap = read_snapshot(h5)
    sku, name, desc = snap["products/sku"], snap["products/name"], snap["products/description"]
    count_name, count, attrs = snap["product_counts/name"], snap["product_counts/products"], snap["attrs"]
    assert int(np.asarray(attrs["layout_version"])) == 2
    assert sku == sorted(db.products), "/products/sku is not the database's skus in byte order"
    assert name == [db.products[s][0] for s in sku]
    assert desc == [db.products[s][1] for s in sku]
    assert count_name == sorted(db.counts)
    assert count == [db.counts[n] for n in count_name]
    assert int(np.asarray(attrs["run_id"])) == db.runs[-1]["id"]
    assert strings(attrs["source_files"]) == [str(p) for p in files]
    assert strings(attrs["created_at"])[0].strip()
