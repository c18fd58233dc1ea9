"""End-to-end tests of issue 20, a changed file costs what changed in it: the ledger keeps each
ingested file's records, and an ingest applies only the records of a changed file that were not
in its last ingested content; skus that left a file are listed (`query --vanished`) and, with
`--prune`, deleted unless another source in the ledger still holds them.

The rule, which the reference below (`Model`) replays: for each file read, in command-line
order, OLD is its content at its last ingest (empty for a new path or a changed header line)
and NEW its content now; the records of NEW whose raw bytes (without the line terminator) occur
nowhere in OLD are applied in file order, every record of NEW with `--force`; a file whose bytes
did not change is skipped. Vanished: skus a record of OLD held and no record of NEW holds.

    python3 -m pytest tests/e2e/test_changes.py --lfp build/lfp_mpi --ranks 3
"""
from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest

import reference
from checks import difference_lines
from dbread import read_db
from product_csv import csv_line, write
from snapshot import read_snapshot

CHUNK = 4096  # --chunk-bytes for most runs (its least value): files of tens of KB get many chunks
DEFAULT_CHUNK = 1048576
SEEDS = (1, 2, 3, 4)
STEPS = 10

# ---------------------------------------------------------------------------------------------
# The reference: the rule replayed on the files' bytes


def split_records(data: bytes) -> list[bytes]:
    """A file's records as raw bytes without their line terminator (LF or CRLF), header first;
    a line break inside a quoted field belongs to its record, blank lines are no records.
    (A record is complete when it holds an even number of quotes: a doubled quote counts two.)"""
    out, pending = [], None
    for line in data.split(b"\n"):
        pending = line if pending is None else pending + b"\n" + line
        if pending.count(b'"') % 2 == 0:
            record = pending[:-1] if pending.endswith(b"\r") else pending
            if record:
                out.append(record)
            pending = None
    assert pending is None, "a quoted field open at end of file"
    return out


@lru_cache(maxsize=None)
def columns_of(header: bytes):
    """The column map of a header line (which field is name, sku, description)."""
    return reference.header_columns(reference.parse(header)[0])


def fields_of(raw: bytes) -> tuple[bytes, ...]:
    records = reference.parse(raw)
    assert len(records) == 1 and not records[0].open_quote, raw
    return tuple(records[0].fields)


@dataclass
class Source:
    """One ledger entry: a path's content at its last ingest."""
    data: bytes
    header: bytes
    records: list[bytes]
    skus: set[bytes]


@dataclass
class Outcome:
    """What one ingest run must do."""
    read: list[str]  # paths read, in command-line order
    records_read: int
    records_unchanged: int
    inserted: int  # products new to the database
    updated: int  # products whose values the run changed
    vanished: set | None  # {(sku, path, pruned)}; None when the rule leaves it open (--force)
    pruned: set[bytes]  # skus deleted by --prune
    naive: dict  # the products had every record of the read files been applied (for the self-check)
    notes: dict = field(default_factory=dict)  # sku -> why its value is what it is, where that is subtle
    remarks: list = field(default_factory=list)  # the same for the run


class Model:
    """The database after a history of ingest runs, by the rule of issue 20."""

    def __init__(self):
        self.ledger: dict[str, Source] = {}
        self.products: dict[bytes, tuple[bytes, bytes]] = {}
        self.vanished: set | None = set()  # of the latest run that read a file

    def ingest(self, files: list[tuple[str, bytes]], force=False, prune=False) -> Outcome:
        before, naive = dict(self.products), dict(self.products)
        read, rows, applied = [], set(), set()
        records_read = unchanged = 0
        notes, remarks = {}, []
        for path, data in files:
            prev = self.ledger.get(path)
            if prev is not None and prev.data == data and not force:
                continue  # skipped: not a byte changed
            header, *records = split_records(data)
            columns = reference.header_columns(reference.parse(header)[0])
            assert columns is not None, header
            name, sku, desc = (columns[c] for c in reference.COLUMNS)
            same_columns = prev is not None and columns_of(prev.header) == columns
            old = prev.records if same_columns else []
            if prev is not None and not same_columns and not force:
                remarks.append(f"{Path(path).name}: its header's columns changed, so OLD is empty: every record applies")
            old_set = set(old)
            read.append(path)
            records_read += len(records)
            # A changed record applies only when it is the last of its sku in the file (the one
            # an ingest of the file alone keeps); a first read applies every record in order.
            last = {fields_of(raw)[sku]: i for i, raw in enumerate(records)}
            skus = set()
            for i, raw in enumerate(records):
                f = fields_of(raw)
                skus.add(f[sku])
                naive[f[sku]] = (f[name], f[desc])
                if force or not old or (raw not in old_set and last[f[sku]] == i):
                    self.products[f[sku]] = (f[name], f[desc])
                    applied.add(f[sku])
                else:
                    unchanged += 1
                    if raw not in old_set:
                        notes[f[sku]] = (f"in {Path(path).name} record {i + 1} of this sku changed, but a later "
                                         f"record of the sku (record {last[f[sku]] + 1}) did not: it is not applied")
            # Vanished: skus the previous version held and this one does not (also under --force).
            gone = prev.skus - skus if prev is not None else set()
            rows |= {(s, path) for s in gone}
            self.ledger[path] = Source(data, header, records, skus)
        pruned = set()
        if prune:
            held = set().union(*(s.skus for s in self.ledger.values()))
            pruned = {s for s, _ in rows if s not in held}
            for s in pruned:
                del self.products[s]
                naive.pop(s, None)
        vanished = {(s, p, s in pruned) for s, p in rows}
        if read:
            self.vanished = vanished
        inserted = len(applied - before.keys())
        updated = sum(1 for s in applied & before.keys() if self.products[s] != before[s])
        return Outcome(read, records_read, unchanged, inserted, updated, vanished, pruned, naive, notes, remarks)


# ---------------------------------------------------------------------------------------------
# Random product files and edit histories

NAMES = ["Ann Smith", "Bob Jones", "Zoë Lefèvre", "Jürgen Groß", "Åsa Öberg", "東京 商店", "Ελένη Παππά",
         "O'Brien, Pat", 'The "Best" Co', "Nguyễn Văn An", "Ann Smith Jr", "Émile Zola"]
WORDS = ["steel", "bolt", "café", "naïve", "żółw", "日本語", "🚀", "red", "blue", "with, comma", '"quoted"',
         "size 10", "l'été", "Straße", "½ inch", "tool", "set", "of", "and", "new"]
SHARED = [s.encode() for s in [f"sh-{i:04d}" for i in range(240)] + [f"ü-{i}" for i in range(20)] +
          [f"sh,comma-{i}" for i in range(5)] + [f'sh"q-{i}' for i in range(5)]]  # skus files share
HEADERS = [b"name,sku,description", b"Name,SKU,Description", b"NAME,sku,Description"]


def quoted_all(fields) -> bytes:
    return b",".join(b'"' + f.replace(b'"', b'""') + b'"' for f in fields)


def minimal(fields) -> bytes:
    return csv_line(fields)[:-2]  # without its CRLF


@dataclass
class ProductFile:
    path: Path
    header: bytes = HEADERS[0]
    records: list[list] = field(default_factory=list)  # [raw, line terminator]

    def data(self) -> bytes:
        return self.header + b"\r\n" + b"".join(raw + eol for raw, eol in self.records)


@dataclass
class Run:
    paths: list[Path]
    force: bool = False
    prune: bool = False
    log: list[str] = field(default_factory=list)  # what changed before it

    def describe(self) -> str:
        flags = (" --force" if self.force else "") + (" --prune" if self.prune else "")
        return f"ingest {' '.join(p.name for p in self.paths)}{flags}; changes: {'; '.join(self.log) or 'none'}"


class History:
    """A seeded random edit history over 2-4 product files under `root`, each of some tens to a
    few hundred KB: every step changes files on disk and returns the ingest run that follows.
    Files share skus, so which record is applied decides values."""

    def __init__(self, seed: int, root: Path, files: int | None = None):
        self.rng = random.Random(seed)
        self.root = root
        self.fresh = 0
        self.renames = 0
        n = self.rng.randint(2, 4) if files is None else files
        self.files = []
        for i in range(n):
            f = ProductFile(root / f"f{i}.csv")
            f.records = [[self.record(self.sku(f"f{i}")), b"\r\n"] for _ in range(self.rng.randint(250, 1300))]
            self.files.append(f)
        self.save(self.files)

    def sku(self, tag: str) -> bytes:
        if self.rng.random() < 0.35:
            return self.rng.choice(SHARED)
        self.fresh += 1
        return f"{tag}-{self.fresh}".encode()

    def description(self) -> bytes:
        rng = self.rng
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 40))]
        for _ in range(rng.choice((0, 0, 0, 1, 2))):  # quoted line breaks
            words.insert(rng.randrange(len(words) + 1), rng.choice(("\n", "\r\n", "\n\n")))
        return " ".join(words).encode()

    def record(self, sku: bytes, name: bytes | None = None) -> bytes:
        name = name or self.rng.choice(NAMES).encode()
        fields = [name, sku, self.description()]
        return quoted_all(fields) if self.rng.random() < 0.05 else minimal(fields)

    def save(self, files):
        for f in files:
            write(f.path, f.data())

    # Changes to one file's records, each logged.
    def mutate(self, f: ProductFile, log: list[str]):
        rng, recs = self.rng, f.records
        tag = f.path.stem
        kind = rng.choices(["edit", "requote", "insert", "delete", "move", "duplicate", "sku", "eol"],
                           [5, 1, 3, 4, 3, 1, 2, 1])[0]
        if len(recs) < 60:
            kind = "insert"
        if kind == "edit":
            for i in rng.sample(range(len(recs)), rng.randint(1, 6)):
                name, sku, desc = fields_of(recs[i][0])
                if rng.random() < 0.3:
                    name = rng.choice(NAMES).encode()
                else:
                    desc = self.description()
                recs[i][0] = minimal([name, sku, desc])
            log.append(f"{f.path.name}: edit")
        elif kind == "requote":  # the same values in other bytes
            i = rng.randrange(len(recs))
            fields = fields_of(recs[i][0])
            recs[i][0] = minimal(fields) if recs[i][0] == quoted_all(fields) else quoted_all(fields)
            log.append(f"{f.path.name}: requote record {i}")
        elif kind == "insert":
            k = rng.randint(1, 30)
            for _ in range(k):
                if rng.random() < 0.2:  # a sku the file holds already, with other values
                    sku = fields_of(rng.choice(recs)[0])[1]
                else:
                    sku = self.sku(tag)
                recs.insert(rng.randint(0, len(recs)), [self.record(sku), b"\r\n"])
            log.append(f"{f.path.name}: insert {k}")
        elif kind == "delete":
            if rng.random() < 0.5:
                i, k = rng.randrange(len(recs)), rng.randint(1, 40)
                del recs[i:i + k]
                log.append(f"{f.path.name}: delete block at {i}")
            else:
                for i in sorted(rng.sample(range(len(recs)), rng.randint(1, 8)), reverse=True):
                    del recs[i]
                log.append(f"{f.path.name}: delete records")
        elif kind == "move":  # a block elsewhere in the file, small or many chunks long
            k = rng.choice((1, rng.randint(2, 20), rng.randint(20, len(recs) // 3)))
            i = rng.randrange(len(recs) - k + 1)
            block = recs[i:i + k]
            del recs[i:i + k]
            j = rng.randint(0, len(recs))
            recs[j:j] = block
            log.append(f"{f.path.name}: move {k} records {i} -> {j}")
        elif kind == "duplicate":
            i = rng.randrange(len(recs))
            recs.insert(rng.randint(0, len(recs)), list(recs[i]))
            log.append(f"{f.path.name}: duplicate record {i}")
        elif kind == "sku":
            i = rng.randrange(len(recs))
            name, _, desc = fields_of(recs[i][0])
            recs[i][0] = minimal([name, self.sku(tag), desc])
            log.append(f"{f.path.name}: new sku for record {i}")
        elif kind == "eol":  # LF instead of CRLF: the same records
            for i in rng.sample(range(len(recs)), rng.randint(1, 10)):
                recs[i][1] = b"\n" if recs[i][1] == b"\r\n" else b"\r\n"
            log.append(f"{f.path.name}: line terminators")

    def step(self, k: int) -> Run:
        rng = self.rng
        run = Run([])
        if k > 0:
            run.force = rng.random() < 0.12
            run.prune = not run.force and rng.random() < 0.5
            for f in self.files:
                if rng.random() < 0.06:  # only the header: every record applies
                    f.header = rng.choice([h for h in HEADERS if h != f.header])
                    run.log.append(f"{f.path.name}: header {f.header.decode()}")
                elif rng.random() < 0.65:
                    for _ in range(rng.randint(1, 3)):
                        self.mutate(f, run.log)
            if rng.random() < 0.12:
                f = rng.choice(self.files)
                self.renames += 1
                new = f.path.with_name(f"{f.path.stem.split('-')[0]}-r{self.renames}.csv")
                run.log.append(f"rename {f.path.name} -> {new.name}")
                f.path.rename(new)
                f.path = new
            self.save(self.files)
        chosen = self.files if k == 0 or rng.random() < 0.6 else rng.sample(self.files, rng.randint(1, len(self.files)))
        run.paths = [f.path for f in rng.sample(chosen, len(chosen))]
        return run


# ---------------------------------------------------------------------------------------------
# Running lfp_mpi and reading what it wrote


def ingest(lfp, db: Path, paths, chunk=CHUNK, force=False, prune=False, ranks=None) -> dict:
    """One ingest run; its JSON report."""
    args = ["ingest", *paths, "--db", db, "-q", "--json-report", "-"]
    if chunk is not None:
        args += ["--chunk-bytes", chunk]
    if force:
        args.append("--force")
    if prune:
        args.append("--prune")
    p = lfp.run(*args, ranks=ranks, check=True)
    return json.loads(p.stdout_text)


def query_vanished(lfp, db: Path, fmt="json"):
    p = lfp.run("query", "--db", db, "--vanished", "--format", fmt, mpirun=False, check=True)
    return json.loads(p.stdout_text) if fmt == "json" else p.stdout_text


def flag(value) -> bool:
    """A pruned value as JSON (true/false, 1/0) or CSV ("true", "1", ...) gives it."""
    if isinstance(value, str):
        assert value.lower() in ("true", "false", "1", "0"), value
        return value.lower() in ("true", "1")
    assert value in (True, False, 0, 1), value
    return bool(value)


def vanished_rows(listing) -> set:
    rows = {(r["sku"].encode(), r["path"], flag(r["pruned"])) for r in listing}
    assert len(rows) == len(listing), f"a vanished sku listed twice for one path: {listing}"
    return rows


def latest_ingest_id(db: Path) -> int:
    return max(r["id"] for r in read_db(db).runs if r["kind"] == b"ingest")


def totals(db: Path) -> tuple:
    con = sqlite3.connect(db)
    row = con.execute("SELECT products, names, product_rows FROM totals").fetchone()
    con.close()
    return row


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:60] + " ... " + text[-35:]


def differences(actual: dict, wanted: dict, what: str, naive: dict | None = None, notes: dict | None = None) -> list[str]:
    """Lines naming how `actual` differs from `wanted` (empty when equal); with the values
    re-applying every record would give, and notes on the keys, when given."""
    def describe(k):
        line = f"    {k!r}: got {short(actual.get(k))}, expected {short(wanted.get(k))}"
        if naive is not None and naive.get(k) != wanted.get(k):
            line += f" (re-applying every record gives {short(naive.get(k))})"
        if notes and k in notes:
            line += f" [{notes[k]}]"
        return line

    return difference_lines(actual, wanted, what, describe)


def check_database(db: Path, h5: Path, products: dict, naive: dict | None = None, notes: dict | None = None
                   ) -> list[str]:
    """products, product_counts (and its GROUP BY), totals and the snapshot against `products`."""
    got = read_db(db)
    counts = dict(Counter(name for name, _ in products.values()))
    errors = differences(got.products, products, "products", naive, notes)
    errors += differences(got.counts, counts, "product_counts")
    errors += differences(got.counts, got.grouped, "product_counts vs GROUP BY name")
    if totals(db) != (len(products), len(counts), len(products)):
        errors.append(f"totals {totals(db)}, expected {(len(products), len(counts), len(products))}")
    snap = read_snapshot(h5)
    skus = sorted(products)
    if snap["products/sku"] != skus:
        errors.append(f"snapshot: {len(snap['products/sku'])} skus, expected {len(skus)}; first differing: " +
                      repr(next(((a, b) for a, b in zip(snap["products/sku"], skus) if a != b), None)))
    else:
        rows = zip(skus, snap["products/name"], snap["products/description"])
        wrong = [(sku, (name, desc)) for sku, name, desc in rows if (name, desc) != products[sku]]
        if wrong:
            sku, got_values = wrong[0]
            errors.append(f"snapshot: {len(wrong)} products differ from the expected ones, e.g. {sku!r}: got "
                          f"{short(got_values)}, expected {short(products[sku])}")
    if (snap["product_counts/name"], snap["product_counts/products"]) != (sorted(counts),
                                                                           [counts[n] for n in sorted(counts)]):
        errors.append("snapshot: product_counts differ from the expected counts")
    return errors


def figures(report: dict, *keys) -> dict:
    return {k: report.get(k) for k in keys}


def records_read_ok(report: dict, records: int, unchanged: int) -> bool:
    """records_read counts the records of the files read, or only those read again (not
    unchanged): the rule does not say which."""
    return report.get("records_read") in (records, records - unchanged)


def check_report(report: dict, out: Outcome) -> list[str]:
    errors = []
    if not records_read_ok(report, out.records_read, out.records_unchanged):
        errors.append(f"report records_read {report.get('records_read')!r}, expected {out.records_read} (the records "
                      f"of the files read) or {out.records_read - out.records_unchanged} (those read again)")
    for key, want in (("records_unchanged", out.records_unchanged), ("inserted", out.inserted),
                      ("updated", out.updated)):
        if report.get(key) != want:
            errors.append(f"report {key} {report.get(key)!r}, expected {want}")
    if out.vanished is not None:
        if report.get("vanished") != len(out.vanished):
            errors.append(f"report vanished {report.get('vanished')!r}, expected {len(out.vanished)}")
        # Pruned products; or pruned (sku, path) rows, which differ when a sku left two files.
        pruned_rows = sum(1 for row in out.vanished if row[2])
        if report.get("pruned") not in (len(out.pruned), pruned_rows):
            errors.append(f"report pruned {report.get('pruned')!r}, expected {len(out.pruned)}")
    return errors


def replay(lfp, history: History, db: Path, steps: int, what: str, chunk=CHUNK) -> int:
    """Runs `steps` steps of `history` into `db`, each checked against the reference; the
    number of steps where re-applying every record would have given another database."""
    model, h5 = Model(), db.with_suffix(".h5")
    telling = 0
    for k in range(steps):
        run = history.step(k)
        out = model.ingest([(str(p), p.read_bytes()) for p in run.paths], run.force, run.prune)
        report = ingest(lfp, db, run.paths, chunk, run.force, run.prune)
        errors = check_database(db, h5, model.products, out.naive, out.notes) + check_report(report, out)
        if model.vanished is not None:
            listing = query_vanished(lfp, db)
            rows = vanished_rows(listing)
            errors += differences({(s, p): pr for s, p, pr in rows}, {(s, p): pr for s, p, pr in model.vanished},
                                  "vanished (sku, path) -> pruned")
            if listing and {r["run_id"] for r in listing} != {latest_ingest_id(db)}:
                errors.append(f"vanished run_id {sorted({r['run_id'] for r in listing})}, "
                              f"expected the latest ingest run {latest_ingest_id(db)}")
        if errors:
            pytest.fail(f"{what}, step {k}: {run.describe()}\n" + "\n".join(errors + out.remarks))
        telling += out.naive != model.products
    p = lfp.run("verify", "--db", db, mpirun=False)
    assert p.returncode == 0, f"{what}: verify after the last step:\n{p.stdout_text}{p.stderr_text}"
    return telling


# ---------------------------------------------------------------------------------------------
# 1. Random edit histories against the reference


@pytest.mark.parametrize("seed", SEEDS)
def test_random_edit_histories_apply_exactly_the_changed_records(lfp, ranks, tmp_path, seed):
    history = History(seed, tmp_path / "files", files=2 + seed % 3)
    chunk = (4096, 8192)[seed % 2]
    telling = replay(lfp, history, tmp_path / "h.db", STEPS, f"seed {seed}, {ranks} ranks, --chunk-bytes {chunk}", chunk)
    # The test can fail: on some step, re-applying every record gives another database.
    assert telling > 0, f"seed {seed}: no step where re-applying unchanged records would differ"


def test_the_reference_splits_records_as_the_csv_module_reads_them():
    history = History(5, Path("/nonexistent"), files=0)
    for _ in range(200):
        f = ProductFile(Path("x.csv"), history.rng.choice(HEADERS),
                        [[history.record(history.sku("x")), history.rng.choice((b"\r\n", b"\n"))] for _ in range(20)])
        data = f.data()
        records = split_records(data)
        assert records == [f.header] + [raw for raw, _ in f.records]
        assert [list(fields_of(r)) for r in records] == [r.fields for r in reference.parse(data)]


# ---------------------------------------------------------------------------------------------
# 2. The issue's example: two files sharing skus, one line of one file edited


def long_description(tag: str, i: int) -> bytes:
    text = f"{tag} {i}: " + " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(25))
    if i % 5 == 0:
        text += "\nsecond line, with \"quotes\"\r\nthird line"
    return text.encode()


def csv_bytes(rows, header=HEADERS[0]) -> bytes:
    return header + b"\r\n" + b"".join(csv_line(r) for r in rows)


def issue_rows():
    """a.csv: 100 skus shared with b.csv and 200 of its own, mixed; b.csv: the shared ones with
    other values and 50 of its own. Ingested as `a.csv b.csv`, b's values win for the shared."""
    a = [[b"Ann %d" % (i % 4), b"s%03d" % i, long_description("a", i)] for i in range(100)]
    a += [[b"Ann %d" % (i % 4), b"a%03d" % i, long_description("a", i)] for i in range(200)]
    random.Random(20).shuffle(a)
    b = [[b"Bob", b"s%03d" % i, long_description("b", i)] for i in range(100)]
    b += [[b"Bob", b"b%03d" % i, long_description("b", i)] for i in range(50)]
    return a, b


@pytest.mark.parametrize("edited", [b"a150", b"s050"], ids=["own sku", "shared sku"])
def test_an_edited_line_is_the_only_record_applied(lfp, ranks, tmp_path, edited):
    a_rows, b_rows = issue_rows()
    a, b = write(tmp_path / "a.csv", csv_bytes(a_rows)), write(tmp_path / "b.csv", csv_bytes(b_rows))
    db = tmp_path / "issue.db"
    ingest(lfp, db, [a, b])
    want = reference.expected([a.read_bytes(), b.read_bytes()]).products
    assert want[b"s050"][0] == b"Bob"
    assert not check_database(db, tmp_path / "issue.h5", want)

    row = next(r for r in a_rows if r[1] == edited)
    row[2] = "edited, \"once\"\nin ünïcode".encode()
    write(a, csv_bytes(a_rows))
    report = ingest(lfp, db, [a, b])
    want[edited] = (row[0], row[2])  # only the edited record: b keeps every other shared sku
    errors = check_database(db, tmp_path / "issue.h5", want, naive=reference.expected(
        [a.read_bytes(), b.read_bytes(), a.read_bytes()]).products)
    assert not errors, "\n".join(errors)
    assert records_read_ok(report, 300, 299), report.get("records_read")
    assert figures(report, "records_unchanged", "inserted", "updated", "vanished", "pruned") == {
        "records_unchanged": 299, "inserted": 0, "updated": 1, "vanished": 0,
                       "pruned": 0}
    assert [(f["path"], f["status"]) for f in report["files"]] == [(str(a), "read"), (str(b), "skipped")]
    assert query_vanished(lfp, db) == []


def test_records_moved_or_duplicated_within_a_file_are_not_applied_again(lfp, ranks, tmp_path):
    a_rows, b_rows = issue_rows()
    a, b = write(tmp_path / "a.csv", csv_bytes(a_rows)), write(tmp_path / "b.csv", csv_bytes(b_rows))
    db = tmp_path / "moved.db"
    ingest(lfp, db, [a, b])
    before = read_db(db).products
    # A block of 120 records (shared skus among them, many chunks long) to the end, one shared
    # record to the front once more, and CRLF to LF on a few lines: the same records.
    lines = [csv_line(r) for r in a_rows]
    lines = lines[:40] + lines[160:] + lines[40:160]
    shared = next(line for line in lines if line.startswith(b"Ann 1,s0"))
    lines.insert(0, shared)
    lines[10:20] = [line[:-2] + b"\n" for line in lines[10:20]]
    write(a, HEADERS[0] + b"\r\n" + b"".join(lines))
    report = ingest(lfp, db, [a, b])
    errors = check_database(db, tmp_path / "moved.h5", before)
    assert not errors, "\n".join(errors)
    assert records_read_ok(report, 301, 301), report.get("records_read")
    assert figures(report, "records_unchanged", "inserted", "updated") == {
        "records_unchanged": 301, "inserted": 0, "updated": 0}


@pytest.mark.parametrize("header", [b"Name,SKU,Description", b"sku,name,description"],
                         ids=["same columns", "columns swapped"])
def test_a_changed_header_line_applies_every_record_only_when_its_columns_changed(lfp, ranks, tmp_path, header):
    a_rows, b_rows = issue_rows()
    a, b = write(tmp_path / "a.csv", csv_bytes(a_rows)), write(tmp_path / "b.csv", csv_bytes(b_rows))
    db = tmp_path / "header.db"
    ingest(lfp, db, [a, b])
    before = dict(read_db(db).products) if header == b"Name,SKU,Description" else None
    write(a, csv_bytes(a_rows, header=header))  # the same record lines under another header line
    report = ingest(lfp, db, [a, b])
    if before is not None:
        # The same columns: the records mean what they meant, none is applied again.
        errors = check_database(db, tmp_path / "header.h5", before)
        assert not errors, "\n".join(errors)
        assert figures(report, "records_unchanged", "inserted", "updated") == {
            "records_unchanged": 300, "inserted": 0, "updated": 0}
        return
    want = reference.expected([csv_bytes(a_rows), b.read_bytes(), a.read_bytes()]).products
    assert want[b"s050"][0].startswith(b"Ann") or b"Ann 1" in want
    errors = check_database(db, tmp_path / "header.h5", want)
    assert not errors, "\n".join(errors)
    assert figures(report, "records_read", "records_unchanged") == {"records_read": 300, "records_unchanged": 0}


def test_a_renamed_file_is_a_new_path_and_the_old_one_stays_in_the_ledger(lfp, ranks, tmp_path):
    a_rows, b_rows = issue_rows()
    a, b = write(tmp_path / "a.csv", csv_bytes(a_rows)), write(tmp_path / "b.csv", csv_bytes(b_rows))
    db = tmp_path / "rename.db"
    ingest(lfp, db, [a, b])
    ledger = lfp.run("query", "--db", db, "--sources", "--format", "json", mpirun=False, check=True)
    old = {s["path"]: s for s in json.loads(ledger.stdout_text)}[str(a)]
    moved = a.rename(tmp_path / "a2.csv")
    report = ingest(lfp, db, [moved, b])
    want = reference.expected([moved.read_bytes(), b.read_bytes(), moved.read_bytes()]).products
    errors = check_database(db, tmp_path / "rename.h5", want)
    assert not errors, "\n".join(errors)
    assert figures(report, "records_read", "records_unchanged", "vanished") == {
        "records_read": 300, "records_unchanged": 0, "vanished": 0}
    ledger = lfp.run("query", "--db", db, "--sources", "--format", "json", mpirun=False, check=True)
    sources = {s["path"]: s for s in json.loads(ledger.stdout_text)}
    assert set(sources) == {str(a), str(moved), str(b)}
    assert {k: v for k, v in sources[str(a)].items() if k != "status"} == \
        {k: v for k, v in old.items() if k != "status"}
    assert sources[str(a)]["status"] == "missing"


# ---------------------------------------------------------------------------------------------
# 3. --force


def test_force_applies_every_record_as_a_plain_replay_does(lfp, ranks, tmp_path):
    a_rows, b_rows = issue_rows()
    a, b = write(tmp_path / "a.csv", csv_bytes(a_rows)), write(tmp_path / "b.csv", csv_bytes(b_rows))
    db = tmp_path / "force.db"
    ingest(lfp, db, [a, b])
    a_first = a.read_bytes()
    row = next(r for r in a_rows if r[1] == b"a007")
    row[2] = b"edited before --force"
    write(a, csv_bytes(a_rows))
    report = ingest(lfp, db, [a], force=True)
    want = reference.expected([a_first, b.read_bytes(), a.read_bytes()]).products
    assert want[b"s050"][0].startswith(b"Ann")  # b's values lost for every shared sku
    errors = check_database(db, tmp_path / "force.h5", want)
    assert not errors, "\n".join(errors)
    assert figures(report, "records_read", "records_unchanged") == {"records_read": 300, "records_unchanged": 0}
    # An unchanged file too: b's values back.
    report = ingest(lfp, db, [b], force=True)
    want.update(reference.expected([b.read_bytes()]).products)
    errors = check_database(db, tmp_path / "force.h5", want)
    assert not errors, "\n".join(errors)
    assert figures(report, "records_read", "records_unchanged") == {"records_read": 150, "records_unchanged": 0}


# ---------------------------------------------------------------------------------------------
# 4. Vanished skus and --prune


def test_vanished_skus_are_listed_and_pruned_unless_another_source_holds_them(lfp, ranks, tmp_path):
    a_rows = [[b"Ann %d" % (i % 3), b"a%03d" % i, long_description("a", i)] for i in range(60)]
    a_rows += [[b"Ann %d" % (i % 3), b"s%03d" % i, long_description("a", i)] for i in range(30)]
    a_rows += [[b"Ann 0", b"t%03d" % i, long_description("a", i)] for i in range(5)]
    b_rows = [[b"Bob", b"s%03d" % i, long_description("b", i)] for i in range(30)]
    b_rows += [[b"Only B0", b"b000", b"the only product of its name"]]
    b_rows += [[b"Bob", b"b%03d" % i, long_description("b", i)] for i in range(1, 30)]
    c_rows = [[b"Cy", b"t%03d" % i, long_description("c", i)] for i in range(5)]
    c_rows += [[b"Cy", b"c%03d" % i, long_description("c", i)] for i in range(20)]
    a, b, c = (write(tmp_path / f"{n}.csv", csv_bytes(rows)) for n, rows in (("a", a_rows), ("b", b_rows),
                                                                              ("c", c_rows)))
    db, h5 = tmp_path / "v.db", tmp_path / "v.h5"
    ingest(lfp, db, [a, b, c])
    want = reference.expected([a.read_bytes(), b.read_bytes(), c.read_bytes()]).products

    # Records leave a.csv: skus only it held, skus b.csv holds, one c.csv holds (c is not on
    # the next command lines, but in the ledger). Without --prune they stay.
    gone = {b"a%03d" % i for i in range(5, 15)} | {b"s%03d" % i for i in range(3, 8)} | {b"t000"}
    a_rows = [r for r in a_rows if r[1] not in gone]
    write(a, csv_bytes(a_rows))
    report = ingest(lfp, db, [a, b])
    errors = check_database(db, h5, want)
    assert not errors, "\n".join(errors)
    assert records_read_ok(report, len(a_rows), len(a_rows)), report.get("records_read")
    assert figures(report, "records_unchanged", "vanished", "pruned") == {
        "records_unchanged": len(a_rows), "vanished": len(gone), "pruned": 0}
    listing = query_vanished(lfp, db)
    assert vanished_rows(listing) == {(s, str(a), False) for s in gone}
    assert {r["run_id"] for r in listing} == {latest_ingest_id(db)}
    as_csv = list(csv.DictReader(io.StringIO(query_vanished(lfp, db, fmt="csv"), newline="")))
    assert vanished_rows(as_csv) == vanished_rows(listing)
    assert {int(r["run_id"]) for r in as_csv} == {latest_ingest_id(db)}
    table = query_vanished(lfp, db, fmt="table")
    assert all(s.decode() in table for s in gone) and str(a) in table

    # --prune acts on what vanishes in its own run: nothing read, nothing pruned.
    ingest(lfp, db, [a, b], prune=True)
    assert read_db(db).products == want
    assert vanished_rows(query_vanished(lfp, db)) == {(s, str(a), False) for s in gone}

    # More leave a.csv, and b.csv: s012 from both, b000 (its name's only product) from b.
    gone_a = {b"a%03d" % i for i in range(20, 25)} | {b"s010", b"s012", b"t001"}
    gone_b = {b"s012", b"b000"}
    a_rows = [r for r in a_rows if r[1] not in gone_a]
    b_rows = [r for r in b_rows if r[1] not in gone_b]
    write(a, csv_bytes(a_rows))
    write(b, csv_bytes(b_rows))
    report = ingest(lfp, db, [a, b], prune=True)
    pruned = {b"a%03d" % i for i in range(20, 25)} | {b"s012", b"b000"}  # s010: b.csv, t001: c.csv
    for s in pruned:
        del want[s]
    errors = check_database(db, h5, want)
    assert not errors, "\n".join(errors)
    assert b"Only B0" not in read_db(db).counts and b"s010" in want and b"t001" in want and b"a005" in want
    rows = {(s, str(a), s in pruned) for s in gone_a} | {(s, str(b), s in pruned) for s in gone_b}
    listing = query_vanished(lfp, db)
    assert vanished_rows(listing) == rows
    assert {r["run_id"] for r in listing} == {latest_ingest_id(db)}
    assert figures(report, "records_unchanged", "vanished") == {
        "records_unchanged": len(a_rows) + len(b_rows), "vanished": len(rows)}
    assert report.get("pruned") in (len(pruned), len(pruned) + 1)  # products, or rows (s012 left two files)
    p = lfp.run("verify", "--db", db, mpirun=False)
    assert p.returncode == 0, p.stdout_text + p.stderr_text


# ---------------------------------------------------------------------------------------------
# 5. Neither the chunk size nor the rank count changes the result


def outputs(db: Path, report: dict, listing) -> dict:
    with sqlite3.connect(db) as con:
        out = {
            "products": con.execute("SELECT sku, name, description FROM products ORDER BY sku").fetchall(),
            "product_counts": con.execute("SELECT name, products FROM product_counts ORDER BY name").fetchall(),
            "totals": con.execute("SELECT products, names, product_rows FROM totals").fetchall(),
        }
    con.close()
    snap = read_snapshot(db.with_suffix(".h5"))
    snap.pop("attrs")
    out.update(snap)
    out["vanished listing"] = vanished_rows(listing)
    out["report"] = figures(report, "records_read", "records_unchanged", "vanished", "pruned", "inserted", "updated")
    return out


def same_history(lfp, tmp_path, variants: dict, steps=6):
    """One edit history ingested into one database per variant (name: (database, chunk size of
    step k, rank count of step k)); after each step, every variant's outputs equal the first's."""
    history = History(11, tmp_path / "files", files=3)
    first = next(iter(variants))
    model = Model()  # to tell, on a difference, which one follows the rule
    for k in range(steps):
        run = history.step(k)
        model.ingest([(str(p), p.read_bytes()) for p in run.paths], run.force, run.prune)
        results = {}
        for name, (db, chunk, n) in variants.items():
            report = ingest(lfp, db, run.paths, chunk(k), run.force, run.prune, ranks=n(k))
            results[name] = outputs(db, report, query_vanished(lfp, db))
        for name in list(variants)[1:]:
            for key, value in results[first].items():
                if results[name][key] != value:
                    right = [v for v, (db, _, _) in variants.items() if read_db(db).products == model.products]
                    pytest.fail(f"step {k} ({run.describe()}): {key} differs between {first} and {name}; "
                                f"the products the rule gives: {', '.join(right) or 'none of them'}")


def test_the_result_does_not_depend_on_the_chunk_size_or_the_rank_count(lfp, ranks, tmp_path):
    others = [n for n in (1, 2, 3, 4) if n != ranks]
    same_history(lfp, tmp_path, {
        f"--chunk-bytes {CHUNK}": (tmp_path / "small.db", lambda k: CHUNK, lambda k: ranks),
        "the default chunk size": (tmp_path / "default.db", lambda k: None, lambda k: ranks),
        "--chunk-bytes 8192 at another rank count each run": (tmp_path / "ranks.db", lambda k: 8192,
                                                              lambda k: others[k % 3]),
    })


def test_another_chunk_size_on_a_later_run_gives_the_same_result(lfp, ranks, tmp_path):
    same_history(lfp, tmp_path, {
        f"--chunk-bytes {CHUNK}": (tmp_path / "small.db", lambda k: CHUNK, lambda k: ranks),
        "another chunk size each run": (tmp_path / "chunks.db", lambda k: (8192, DEFAULT_CHUNK, 5000, 65536)[k % 4],
                                        lambda k: ranks),
    }, steps=4)
