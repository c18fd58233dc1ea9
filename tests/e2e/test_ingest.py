"""End-to-end tests of `lfp_mpi ingest` and `lfp_mpi generate` under mpirun.

Every run uses the rank count given by --ranks (ctest runs this file once per count), and
every result is compared with the reference model in reference.py: products and
product_counts exactly, rejects by (file, line, reason), and the HDF5 snapshot with the
database it mirrors.
"""
from __future__ import annotations

import random
from pathlib import Path

import h5py
import pytest

import reference
from checks import assert_same, check_h5, check_tables
from dbread import Db, read_db
from product_csv import csv_line, write
from reference import BOM, expected

# ---------------------------------------------------------------------------------------------
# Reading and checking the outputs


def check_run(run: dict, ranks: int, exp: reference.Expected):
    got = {k: run[k] for k in ("ranks", "records_read", "rows_written", "rejects")}
    assert got == {"ranks": ranks, "records_read": exp.records_read, "rows_written": exp.rows_written,
                   "rejects": len(exp.rejects)}


def check_rejects(db: Db, run_id: int, exp: reference.Expected, paths: list):
    """Rejects of one run by (file as given, line, reason)."""
    got = sorted((r["file"].decode(), r["line"], r["reason"].decode()) for r in db.rejects if r["run_id"] == run_id)
    want = sorted((str(paths[i]), line, reason) for i, line, reason in exp.rejects)
    assert got == want


def snapshot_files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# 1. The real sample


def test_real_sample(lfp, ranks, sample_csv, tmp_path):
    db_path = tmp_path / "sample.db"
    lfp.ingest(sample_csv, db=db_path)
    exp = expected([sample_csv.read_bytes()])
    assert (exp.records_read, len(exp.products), len(exp.rejects), len(exp.counts)) == (2000, 1998, 0, 1972)

    db = read_db(db_path)
    check_tables(db, exp)
    assert len(db.products) == 1998 and len(db.counts) == 1972 and db.rejects == []
    assert len(db.runs) == 1
    check_run(db.runs[0], ranks, exp)
    check_h5(tmp_path / "sample.h5", db_path, [sample_csv])


def test_singleton_without_mpirun(lfp, ranks, sample_csv, tmp_path):
    """The binary started directly (MPI singleton), as a user without mpirun would."""
    if ranks != 1:
        pytest.skip("singleton mode is tested in the 1-rank session")
    db_path = tmp_path / "single.db"
    lfp.ingest(sample_csv, db=db_path, mpirun=False)
    exp = expected([sample_csv.read_bytes()])
    db = read_db(db_path)
    check_tables(db, exp)
    check_run(db.runs[0], 1, exp)
    check_h5(tmp_path / "single.h5", db_path, [sample_csv])


# ---------------------------------------------------------------------------------------------
# 2. Generated data


def test_generate_is_rank_independent_and_ingests(lfp, ranks, generated_one_rank, tmp_path):
    out = tmp_path / "seed7.csv"
    lfp.generate(20000, out, seed=7)
    data = out.read_bytes()
    assert data == generated_one_rank.read_bytes(), f"generate -n {ranks} differs from -n 1"
    assert data.startswith(b"name,sku,description\r\n")

    db_path = tmp_path / "gen.db"
    lfp.ingest(out, db=db_path)
    exp = expected([data])
    assert exp.records_read == 20000 and not exp.rejects
    db = read_db(db_path)
    check_tables(db, exp)
    check_run(db.runs[0], ranks, exp)
    check_h5(tmp_path / "gen.h5", db_path, [out])


# ---------------------------------------------------------------------------------------------
# 3. Random malformed files

ALPHABET = [b"a", b"b", b",", b'"', b"\r", b"\n", b"\r\n", b" ", "é".encode(), b"\xff", b"\x00", b"\xc3"]
FIELD_WEIGHTS = [6, 6, 1, 1, 0.5, 0.5, 0.5, 1, 2, 0.3, 0.3, 0.2]
TERMINATORS = [b"\n", b"\r\n", b"\r"]
SKUS = [b"a", b"b", b"ab", b"ba", "é".encode(), b"a b", b"a,b", b'a"b', b"a\nb", b"a\r\nb", b" a", b""]
NAMES = [b"a", b"b", b"", b" a", "é".encode(), b"a\r\nb", b"a,b"]


def random_field(rng: random.Random) -> bytes:
    return b"".join(rng.choices(ALPHABET, FIELD_WEIGHTS, k=rng.randint(0, 4)))


def encode_field(rng: random.Random, value: bytes) -> bytes:
    special = any(c in value for c in (b",", b'"', b"\r", b"\n"))
    if (special and rng.random() < 0.9) or rng.random() < 0.15:
        quoted = b'"' + value.replace(b'"', b'""') + b'"'
        return quoted + (rng.choice([b"x", b" ", b"\xc3\xa9"]) if rng.random() < 0.1 else b"")
    return value


def random_header(rng: random.Random) -> list[bytes]:
    columns = [b"name", b"sku", b"description"]
    if rng.random() < 0.5:
        columns += rng.sample([b"extra", b"price", b"", b"name2", b"skus"], rng.randint(1, 2))
        rng.shuffle(columns)
    out = []
    for c in columns:
        c = b"".join(bytes([b]).upper() if rng.random() < 0.3 else bytes([b]) for b in c)
        if rng.random() < 0.3:
            c = rng.choice([b" ", b"\t", b""]) + c + rng.choice([b" ", b"\t", b" \t"])
        out.append(b'"' + c + b'"' if rng.random() < 0.2 else c)
    return out


def random_file(rng: random.Random, max_records: int = 10) -> bytes:
    parts = []
    if rng.random() < 0.3:
        parts.append(BOM)
    if rng.random() < 0.3:
        parts += rng.choices(TERMINATORS, k=rng.randint(1, 3))  # blank lines before the header
    header = random_header(rng)
    keys = [h.strip(b'"').strip(b" \t").lower() for h in header]
    parts += [b",".join(header), rng.choice(TERMINATORS)]
    n = rng.randint(0, max_records)
    for i in range(n):
        if rng.random() < 0.15:  # anything at all
            parts.append(b"".join(rng.choices(ALPHABET, k=rng.randint(1, 10))))
        else:
            width = len(header) if rng.random() < 0.85 else max(1, len(header) + rng.choice([-1, 1]))
            fields = []
            for k in range(width):
                key = keys[k] if k < len(keys) else b"extra"
                if key == b"sku" and rng.random() < 0.8:
                    value = rng.choice(SKUS)
                elif key == b"name" and rng.random() < 0.7:
                    value = rng.choice(NAMES)
                else:
                    value = random_field(rng)
                fields.append(encode_field(rng, value))
            parts.append(b",".join(fields))
        if i < n - 1 or rng.random() < 0.7:
            parts.append(rng.choice(TERMINATORS))
        if rng.random() < 0.1:
            parts.append(rng.choice(TERMINATORS))
    return b"".join(parts)


@pytest.fixture(scope="module")
def random_files(tmp_path_factory) -> list[Path]:
    rng = random.Random(20240611)
    directory = tmp_path_factory.mktemp("random")
    return [write(directory / f"r{i:02d}.csv", random_file(rng)) for i in range(30)]


def test_random_files_in_one_run(lfp, ranks, random_files, tmp_path):
    db_path = tmp_path / "all.db"
    lfp.ingest(*random_files, db=db_path)
    exp = expected([p.read_bytes() for p in random_files])
    assert exp.rejects and exp.products  # the generator makes both
    assert {r for _, _, r in exp.rejects} == set(reference.REASONS)
    db = read_db(db_path)
    check_tables(db, exp)
    check_rejects(db, db.runs[0]["id"], exp, random_files)
    check_run(db.runs[0], ranks, exp)
    check_h5(tmp_path / "all.h5", db_path, random_files)


def test_random_files_one_per_run(lfp, ranks, random_files, tmp_path):
    """Eight files, each in its own run on top of the previous ones."""
    db_path = tmp_path / "seq.db"
    products: dict = {}
    for i, path in enumerate(random_files[:8]):
        lfp.ingest(path, db=db_path)
        exp = expected([path.read_bytes()], existing=products)
        db = read_db(db_path)
        check_tables(db, exp)
        assert len(db.runs) == i + 1
        check_rejects(db, db.runs[-1]["id"], exp, [path])
        check_run(db.runs[-1], ranks, exp)
        products = db.products
    check_h5(tmp_path / "seq.h5", db_path, [random_files[7]])


# Files whose end leaves the parser mid-record (or mid-quote) if the next file does not reset it.
ENDINGS = [
    (b"", b"name,sku,description\n", b"n,s%d,d"),  # last record has no terminator
    (b"", b"name,sku,description\r\n", b'n,s%d,"d\nopen'),  # quoted field open at end of file
    (BOM, b"sku,name,description\n", b'"s%d",n,"d"'),  # closed quote, no terminator
    (b"", b"name,sku,description\r", b"n,s%d,d\r"),  # CR at the end (the next file starts with LF)
    (b"\n", b"name,sku,description\n", b'n,s%d,d"'),  # a quote inside an unquoted field
]


def test_file_boundaries_at_rank_cuts(lfp, ranks, tmp_path):
    """Equal-sized files, so that every rank's byte range starts exactly at a file start: each
    file is parsed on its own whatever state the previous file ended in."""
    count = ranks * -(-len(ENDINGS) // ranks)  # a multiple of the rank count: cuts fall on file starts
    bodies = []
    for i in range(count):
        prefix, header, last = ENDINGS[i % len(ENDINGS)]
        bodies.append((prefix + header + b"p%d,n,x" % i, b"\n" + last % i))
    size = max(len(a) + len(b) for a, b in bodies) + 1
    contents = [a + b"x" * (size - len(a) - len(b)) + b for a, b in bodies]
    assert {len(c) for c in contents} == {size}
    files = [write(tmp_path / f"eq{i:02d}.csv", c) for i, c in enumerate(contents)]

    db_path = tmp_path / "eq.db"
    lfp.ingest(*files, db=db_path, no_h5=True)
    exp = expected(contents)
    db = read_db(db_path)
    check_tables(db, exp)
    check_rejects(db, db.runs[0]["id"], exp, files)
    check_run(db.runs[0], ranks, exp)


# ---------------------------------------------------------------------------------------------
# 3b. Reject positions in a hand-written file

HAND = (BOM + b"\r\n"                                   # 1  BOM, blank line
        + b" SKU ,name,description,extra\n"             # 2  header (sku first, extra column)
        + b"k1,n1,d1,x\r\n"                               # 3  ok
        + b",n2,d2\r\n"                                   # 4  field_count (before empty_sku)
        + b'"k3",n3,"multi\nline",x\r\n'                  # 5-6 ok
        + b",n4,d4,x\n"                                   # 7  empty_sku
        + b"k5,n\x005,\xffd5,x\r"                         # 8  nul_byte (before invalid_utf8)
        + b"k6,\xff,d6\n"                                 # 9  invalid_utf8 (before field_count)
        + b"\n"                                          # 10 blank
        + b'k8,"a\r\nb",d8\r\n'                           # 11-12 field_count
        + b"  k9 ,  n9 , d9 ,x\n"                         # 13 ok, stored verbatim
        + b'k10,"n\xc3\xa9",d10,"x"y\r\n'                 # 14 ok
        + b"k11,n11,d11,\xc3\n"                           # 15 invalid_utf8 in the extra column
        + b'k12,"n\x0012,d12,x\nzz')                      # 16-17 open_quote (before nul_byte)
HAND_REJECTS = [(4, b",n2,d2", "field_count"), (7, b",n4,d4", "empty_sku"), (8, b"k5,", "nul_byte"),
                (9, b"k6,", "invalid_utf8"), (11, b"k8,", "field_count"), (15, b"k11,", "invalid_utf8"),
                (16, b'k12,"', "open_quote")]
HAND_PRODUCTS = {b"k1": (b"n1", b"d1"), b"k3": (b"n3", b"multi\nline"), b"  k9 ": (b"  n9 ", b" d9 "),
                 b"k10": (b"n\xc3\xa9", b"d10")}
SECOND = b"name,sku,description\r\nx,,y\r\nn,s,d"       # empty_sku on line 2, offset 22


def test_reject_positions(lfp, ranks, tmp_path):
    write(tmp_path / "hand.csv", HAND)
    write(tmp_path / "sub" / "second.csv", SECOND)
    files = ["hand.csv", "sub/second.csv"]  # relative: the rejects table keeps them as given
    lfp.ingest(*files, db="out.db", cwd=tmp_path)

    exp = expected([HAND, SECOND])
    want = [("hand.csv", line, HAND.index(text), reason) for line, text, reason in HAND_REJECTS]
    want.append(("sub/second.csv", 2, 22, "empty_sku"))
    assert sorted((files[i], line, reason) for i, line, reason in exp.rejects) == \
        sorted((f, line, reason) for f, line, _, reason in want), "reference model disagrees with the test"
    assert exp.products == {**HAND_PRODUCTS, b"s": (b"n", b"d")}

    db = read_db(tmp_path / "out.db")
    check_tables(db, exp)
    check_run(db.runs[0], ranks, exp)
    got = sorted((r["file"].decode(), r["line"], r["byte_offset"], r["reason"].decode()) for r in db.rejects)
    assert got == sorted(want)
    contents = {"hand.csv": HAND, "sub/second.csv": SECOND}
    for r in db.rejects:
        data, blob = contents[r["file"].decode()], bytes(r["record"])
        assert blob and data[r["byte_offset"]:r["byte_offset"] + len(blob)] == blob, r
        assert r["detail"].strip(), r


# ---------------------------------------------------------------------------------------------
# 4. Re-ingesting the same file


def test_reingest_changes_nothing(lfp, ranks, sample_csv, tmp_path):
    db_path = tmp_path / "twice.db"
    lfp.ingest(sample_csv, db=db_path)
    first = read_db(db_path)
    # Unchanged since its last ingest: skipped, no run recorded.
    p = lfp.ingest(sample_csv, db=db_path, quiet=False)
    assert "up to date" in p.stdout_text, p.stdout_text
    assert read_db(db_path).runs == first.runs
    # --force reads it again: every product is counted as unchanged.
    lfp.ingest(sample_csv, "--force", db=db_path)
    second = read_db(db_path)
    assert_same(second.products, first.products, "products after re-ingest")
    assert_same(second.counts, first.counts, "product_counts after re-ingest")
    assert [r["id"] for r in second.runs] == [first.runs[0]["id"], first.runs[0]["id"] + 1]
    check_run(second.runs[1], ranks, expected([sample_csv.read_bytes()]))
    assert (second.runs[1]["inserted"], second.runs[1]["updated"], second.runs[1]["unchanged"]) == (0, 0, 1998)
    check_h5(tmp_path / "twice.h5", db_path, [sample_csv])

    # The same file twice on one command line: the same products as once.
    lfp.ingest(sample_csv, sample_csv, db=tmp_path / "double.db")
    double = read_db(tmp_path / "double.db")
    assert_same(double.products, first.products, "products of `ingest f f`")
    assert_same(double.counts, first.counts, "product_counts of `ingest f f`")
    assert double.runs[0]["records_read"] == 4000


# ---------------------------------------------------------------------------------------------
# 5. Updates


def make_update_files() -> tuple[bytes, bytes]:
    rng = random.Random(5)
    names = [b"name-%02d" % i for i in range(15)]
    base = {b"sku-%03d" % i: (rng.choice(names), b"desc %d, first\nversion" % i) for i in range(200)}
    base_bytes = b"name,sku,description\r\n" + b"".join(csv_line([n, s, d]) for s, (n, d) in base.items())
    base_bytes += csv_line([b"name-01", b"sku-000", b"sku-000 again"])  # last one wins within a file

    skus = list(base)
    rng.shuffle(skus)
    rows = []  # (sku, name, description), written in this order
    for s in skus[:40]:  # new name (existing or new), same description
        rows.append((s, rng.choice(names[1:] + [b"new-name-%d" % rng.randint(0, 5)]), base[s][1]))
    for s in skus[40:80]:  # same name, new description
        rows.append((s, base[s][0], base[s][1] + b" (updated)"))
    for s in skus[80:100]:  # unchanged
        rows.append((s, *base[s]))
    for s in skus[100:]:  # every product named name-00 gets another name: name-00 disappears
        if base[s][0] == b"name-00":
            rows.append((s, b"name-14", base[s][1]))
    for i in range(30):  # new products
        rows.append((b"sku-%03d" % (200 + i), rng.choice(names + [b"new-name-9"]), b"new product %d" % i))
    rows = [(s, b"name-14" if n == b"name-00" else n, d) for s, n, d in rows]
    rng.shuffle(rows)
    rows.append((skus[0], b"name-00", b"changed twice"))  # a later record of the same sku wins
    # Another column order, a BOM and an extra column in the update file.
    upd = BOM + b"Description,SKU,extra,Name\n" + b"".join(csv_line([d, s, b"-", n]) for s, n, d in rows)
    return base_bytes, upd


def test_update_upserts(lfp, ranks, tmp_path):
    base, upd = make_update_files()
    base_path, upd_path = write(tmp_path / "base.csv", base), write(tmp_path / "update.csv", upd)
    db_path = tmp_path / "up.db"

    lfp.ingest(base_path, db=db_path)
    exp = expected([base])
    db = read_db(db_path)
    check_tables(db, exp)
    assert b"name-00" in db.counts

    lfp.ingest(upd_path, db=db_path)
    exp = expected([upd], existing=db.products)
    db = read_db(db_path)
    check_tables(db, exp)
    assert b"name-00" in db.counts and db.counts[b"name-00"] == 1  # only the sku renamed back to it
    assert len(db.products) == 230
    check_run(db.runs[-1], ranks, exp)
    check_h5(tmp_path / "up.h5", db_path, [upd_path])

    # The base file again (unchanged, so only with --force): its rows are newer now.
    lfp.ingest(base_path, "--force", db=db_path)
    exp = expected([base], existing=db.products)
    db = read_db(db_path)
    check_tables(db, exp)
    assert len(db.runs) == 3
    check_h5(tmp_path / "up.h5", db_path, [base_path])


def test_update_removes_emptied_names(lfp, ranks, tmp_path):
    """A name whose last product is renamed leaves product_counts."""
    a = write(tmp_path / "a.csv", b"name,sku,description\nold,s1,d\nold,s2,d\nkeep,s3,d\n")
    b = write(tmp_path / "b.csv", b"name,sku,description\nnew,s1,d\nkeep,s2,d\n")
    db_path = tmp_path / "names.db"
    lfp.ingest(a, db=db_path, no_h5=True)
    lfp.ingest(b, db=db_path, no_h5=True)
    db = read_db(db_path)
    assert db.counts == {b"new": 1, b"keep": 2} == db.grouped


# ---------------------------------------------------------------------------------------------
# 6. Input errors

GOOD = b"name,sku,description\r\nn1,s1,d1\r\nn2,s2,d2\r\n"
BAD_HEADERS = {
    "missing_column": b"name,sku\r\nn,s\r\n",
    "duplicate_column": b"name,sku,description, SKU\nn,s,d,t\n",
    "misspelt_column": b"name,sku,descriptions\nn,s,d\n",
    "text_after_quote": b'"name",sku,"description"x\nn,s,d\n',
    "empty_file": b"",
    "bom_and_blank_lines_only": BOM + b"\r\n\n\r",
}


@pytest.mark.parametrize("case", sorted(BAD_HEADERS))
def test_bad_header_writes_nothing(lfp, case, tmp_path):
    good = write(tmp_path / "in" / "good.csv", GOOD)
    bad = write(tmp_path / "in" / f"bad-{case}.csv", BAD_HEADERS[case] + GOOD[22:] * 20)
    if case in ("empty_file", "bom_and_blank_lines_only"):
        bad.write_bytes(BAD_HEADERS[case])
    with pytest.raises(reference.HeaderError):
        expected([GOOD, bad.read_bytes()])

    # No database yet: none is created.
    out = tmp_path / "fresh"
    out.mkdir()
    p = lfp.ingest(good, bad, db=out / "x.db", check=False)
    assert p.returncode == 4, p.stderr_text
    assert str(bad) in p.stderr_text
    assert list(out.iterdir()) == []

    # An existing database and snapshot stay byte-identical.
    db_path = tmp_path / "old" / "x.db"
    db_path.parent.mkdir()
    lfp.ingest(good, db=db_path)
    before = snapshot_files(db_path.parent)
    p = lfp.ingest(good, bad, db=db_path, check=False)
    assert p.returncode == 4, p.stderr_text
    assert str(bad) in p.stderr_text
    assert snapshot_files(db_path.parent) == before


def test_missing_file(lfp, tmp_path):
    good = write(tmp_path / "good.csv", GOOD)
    missing = tmp_path / "no-such-file.csv"
    p = lfp.ingest(good, missing, db=tmp_path / "x.db", check=False)
    assert p.returncode == 3, p.stderr_text
    assert str(missing) in p.stderr_text
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "x.h5").exists()


# ---------------------------------------------------------------------------------------------
# 7. Output paths


def test_default_output_paths(lfp, ranks, tmp_path):
    write(tmp_path / "good.csv", GOOD)
    lfp.ingest("good.csv", cwd=tmp_path)  # --db defaults to products.db in the working directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv", "products.db", "products.h5"]
    check_h5(tmp_path / "products.h5", tmp_path / "products.db", ["good.csv"])

    (tmp_path / "out").mkdir()
    lfp.ingest(tmp_path / "good.csv", db=tmp_path / "out" / "store.sqlite")  # snapshot: store.h5 beside it
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["store.h5", "store.sqlite"]


def test_no_h5(lfp, tmp_path):
    write(tmp_path / "good.csv", GOOD)
    lfp.ingest(tmp_path / "good.csv", db=tmp_path / "x.db", no_h5=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv", "x.db"]
    assert len(read_db(tmp_path / "x.db").products) == 2


def test_h5_path(lfp, tmp_path):
    good = write(tmp_path / "good.csv", GOOD)
    (tmp_path / "snap").mkdir()
    lfp.ingest(good, db=tmp_path / "x.db", h5=tmp_path / "snap" / "mirror.hdf5")
    assert not (tmp_path / "x.h5").exists()
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == ["mirror.hdf5"]
    check_h5(tmp_path / "snap" / "mirror.hdf5", tmp_path / "x.db", [good])


# ---------------------------------------------------------------------------------------------
# 8. Failed runs leave no temporary files


def test_failed_run_leaves_no_partial_files(lfp, ranks, sample_csv, tmp_path):
    if ranks > 2:
        pytest.skip("run at 1 and 2 ranks only")
    unwritable = tmp_path / "no-such-dir" / "x.h5"  # the snapshot cannot be created
    p = lfp.ingest(sample_csv, db=tmp_path / "fresh.db", h5=unwritable, check=False)
    assert p.returncode not in (0, 3, 4), p.stderr_text
    assert sorted(p.name for p in tmp_path.iterdir()) == []

    db_path = tmp_path / "old.db"
    lfp.ingest(write(tmp_path / "good.csv", GOOD), db=db_path, no_h5=True)
    before = read_db(db_path)
    p = lfp.ingest(sample_csv, db=db_path, h5=unwritable, check=False)
    assert p.returncode not in (0, 3, 4), p.stderr_text
    after = read_db(db_path)
    assert (after.products, after.counts, after.runs, after.rejects) == \
        (before.products, before.counts, before.runs, before.rejects)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["good.csv", "old.db"]
