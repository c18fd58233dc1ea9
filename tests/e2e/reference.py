"""Reference model of `lfp_mpi ingest`, written from the product description with Python's
csv module, for the end-to-end tests to compare the real program against.

    result = expected([file1_bytes, file2_bytes], existing={sku: (name, description)})
    result.products  -> {sku: (name, description)}      all values are bytes, stored verbatim
    result.counts    -> {name: number of products}
    result.rejects   -> [(file_index, line, reason)]    in file order, then byte order
    result.records_read, result.rows_written           what the runs row reports

Byte offsets of rejected records are not modelled (csv.reader does not report positions);
the tests check them against hand-written files instead.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

BOM = b"\xef\xbb\xbf"
COLUMNS = (b"name", b"sku", b"description")
REASONS = ("open_quote", "nul_byte", "invalid_utf8", "field_count", "empty_sku")


class HeaderError(Exception):
    """A file has no valid header: the whole job fails (exit 4) and writes nothing."""

    def __init__(self, file_index: int, why: str):
        super().__init__(f"file {file_index}: {why}")
        self.file_index = file_index


@dataclass
class Record:
    line: int  # 1-based line where the record starts
    fields: list[bytes]
    open_quote: bool = False  # a quoted field was still open at end of file


@dataclass
class Expected:
    products: dict[bytes, tuple[bytes, bytes]]
    counts: dict[bytes, int]
    rejects: list[tuple[int, int, str]] = field(default_factory=list)
    records_read: int = 0
    rows_written: int = 0


def _read(text_bytes: bytes) -> list[Record]:
    # latin-1 maps every byte to one character and back, so arbitrary bytes survive.
    reader = csv.reader(io.StringIO(text_bytes.decode("latin-1"), newline=""))
    records = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return records
        if row:  # [] is a blank line
            records.append(Record(line, [f.encode("latin-1") for f in row]))


def parse(data: bytes) -> list[Record]:
    """The non-blank records of one file (header included), in order; a leading BOM is skipped."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    records = _read(data)
    if records:
        # Python returns a record whose quoted field is open at end of file as if closed;
        # one more LF would land inside that field, so the last record would change.
        if _read(data + b"\n")[-1].fields != records[-1].fields:
            records[-1].open_quote = True
    return records


def header_columns(header: Record) -> dict[bytes, int] | None:
    """Index of name, sku, description in the header, or None if it does not name each once."""
    if header.open_quote:
        return None
    found: dict[bytes, list[int]] = {c: [] for c in COLUMNS}
    for i, f in enumerate(header.fields):
        key = f.strip(b" \t").lower()  # bytes.lower() is ASCII-only
        if key in found:
            found[key].append(i)
    if any(len(v) != 1 for v in found.values()):
        return None
    return {c: v[0] for c, v in found.items()}


def reject_reason(record: Record, header_fields: int, columns: dict[bytes, int]) -> str | None:
    if record.open_quote:
        return "open_quote"
    if any(b"\x00" in f for f in record.fields):
        return "nul_byte"
    for f in record.fields:
        try:
            f.decode("utf-8")
        except UnicodeDecodeError:
            return "invalid_utf8"
    if len(record.fields) != header_fields:
        return "field_count"
    if record.fields[columns[b"sku"]] == b"":
        return "empty_sku"
    return None


def expected(files: list[bytes], existing: dict[bytes, tuple[bytes, bytes]] | None = None) -> Expected:
    """What the database holds after one `ingest` run over `files` (contents, in command-line
    order) on top of a database holding `existing` products. Raises HeaderError if the run
    must fail on a header."""
    parsed = []
    for i, data in enumerate(files):
        records = parse(data)
        if not records:
            raise HeaderError(i, "empty file")
        columns = header_columns(records[0])
        if columns is None:
            raise HeaderError(i, "header does not name name, sku, description once each")
        parsed.append((records, columns))

    products = dict(existing or {})
    result = Expected(products={}, counts={})
    written = set()
    for i, (records, columns) in enumerate(parsed):
        width = len(records[0].fields)
        for r in records[1:]:
            result.records_read += 1
            reason = reject_reason(r, width, columns)
            if reason:
                result.rejects.append((i, r.line, reason))
                continue
            sku = r.fields[columns[b"sku"]]
            products[sku] = (r.fields[columns[b"name"]], r.fields[columns[b"description"]])
            written.add(sku)
    result.products = products
    result.counts = dict(Counter(name for name, _ in products.values()))
    result.rows_written = len(written)
    return result
