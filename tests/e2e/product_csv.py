"""Writing the tests' input files."""
from __future__ import annotations

from pathlib import Path


def write(path: Path, data: bytes) -> Path:
    """`data` as the file `path` (parent folders made); returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def csv_line(fields) -> bytes:
    """One CSV record ending in CRLF; a field holding a comma, quote or line break is quoted."""
    return b",".join(b'"' + f.replace(b'"', b'""') + b'"' if any(c in f for c in b',"\r\n') else f
                     for f in fields) + b"\r\n"


def product_file(rows, eol: bytes = b"\r\n") -> bytes:
    """A product CSV: the header name,sku,description, then one line per (name, sku, description)."""
    return b"name,sku,description" + eol + b"".join(b"%s,%s,%s%s" % (*r, eol) for r in rows)


def write_product_file(path: Path, rows) -> Path:
    return write(path, product_file(rows))
