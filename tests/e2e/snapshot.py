"""Reading an lfp_mpi HDF5 snapshot (layout 2) the way docs/schema.md tells users to: each string
column is a group with `offsets` (uint64, n + 1 values) and `data` (uint8, the UTF-8 bytes)."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

STRING_COLUMNS = ("products/sku", "products/name", "products/description", "product_counts/name")


def string_column(f: h5py.File, column: str) -> list[bytes]:
    offsets = f[column + "/offsets"][()]
    data = f[column + "/data"][()].tobytes()
    assert offsets.dtype == np.uint64 and offsets[0] == 0 and len(data) == offsets[-1], column
    assert np.all(np.diff(offsets.astype(np.int64)) >= 0), column
    return [data[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]


def read_snapshot(path: Path) -> dict:
    """Every column (strings as bytes, counts as ints) and the root attributes."""
    with h5py.File(path, "r") as f:
        out = {c: string_column(f, c) for c in STRING_COLUMNS}
        assert f["product_counts/products"].dtype == np.int64
        out["product_counts/products"] = [int(v) for v in f["product_counts/products"][()]]
        out["attrs"] = dict(f.attrs)
        for c in STRING_COLUMNS:
            assert f[c + "/data"].compression == "gzip", c  # deflate: every HDF5 reader has it
    return out
