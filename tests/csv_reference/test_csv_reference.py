"""The CSV automaton and parser against Python's csv module on many random inputs.

csv_dump prints the records lfp_mpi's parser finds, sequentially and as K simulated ranks
(the boundary resolution without MPI); Python's csv module is the reference.
"""
import csv
import io
import json
import random
import subprocess

import pytest

ALPHABET = [b"a", b"b", b",", b'"', b'"', b"\r", b"\n", b"\r\n", b" ", "é".encode(), b"\xff", b"\x00"]
CASES = 1500


def python_records(data: bytes):
    """(line, fields, open_quote) per non-blank record, as Python's csv module reads it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]

    def read(text):
        reader = csv.reader(io.StringIO(text, newline=""))
        out, before = [], 0
        for row in reader:
            start, before = before + 1, reader.line_num
            if row:
                out.append((start, [f.encode("latin-1") for f in row]))
        return out

    text = data.decode("latin-1")
    records = read(text)
    # Python closes a quoted field left open at end of input silently; an extra line end
    # then lands inside that field, which tells us the quote was open.
    open_last = bool(records) and read(text + "\n")[len(records) - 1][1] != records[-1][1]
    return [(line, fields, open_last and i == len(records) - 1) for i, (line, fields) in enumerate(records)]


def random_input(rng: random.Random) -> bytes:
    parts = [rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))]
    if rng.random() < 0.1:
        parts.insert(0, b"\xef\xbb\xbf")
    return b"".join(parts)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    rng = random.Random(20261125)
    tricky = [b"", b"\r", b"\n", b"\r\n", b'"', b'""', b'"a\r\n"b', b'a"b"c', b'"a"b,c', b'"a""b"', b"\r\r\n\n",
              b'x,"\r', b"\xef\xbb\xbf", b'\xef\xbb\xbf"q",x\r', b'a,\r\nb,"c\r\nd"\r\n']
    datas = tricky + [random_input(rng) for _ in range(CASES)]
    folder = tmp_path_factory.mktemp("csv")
    paths = []
    for i, d in enumerate(datas):
        p = folder / f"in{i}.csv"
        p.write_bytes(d)
        paths.append(str(p))
    return datas, paths


def dump(csv_dump, paths, ranks):
    out = subprocess.run([csv_dump, "--ranks", str(ranks), *paths], check=True, capture_output=True).stdout
    per_file = {}
    for line in out.decode().splitlines():
        rec = json.loads(line)
        fields = [bytes.fromhex(f) for f in rec["fields"]]
        records = per_file.setdefault(rec["file"], [])
        assert rec["index"] == len(records), "record index within the file"
        records.append((rec["line"], fields, rec["open_quote"]))
    return per_file


@pytest.mark.parametrize("ranks", [0, 1, 2, 3, 7])
def test_each_file_alone_matches_python(csv_dump, inputs, ranks):
    datas, paths = inputs
    batch = 200
    for lo in range(0, len(paths), batch):
        got = dump(csv_dump, paths[lo:lo + batch], ranks)
        for i, data in enumerate(datas[lo:lo + batch]):
            assert got.get(i, []) == python_records(data), f"input {data!r} at {ranks} ranks"


@pytest.mark.parametrize("ranks", [2, 5, 16])
def test_many_files_in_one_job_match_python(csv_dump, inputs, ranks):
    """Ranges that span file boundaries: every file still starts from a clean state."""
    datas, paths = inputs
    got = dump(csv_dump, paths[:300], ranks)
    for i, data in enumerate(datas[:300]):
        assert got.get(i, []) == python_records(data), f"input {data!r} at {ranks} ranks"


def test_real_sample_matches_python(csv_dump, shared_data):
    path = shared_data / "products-head-2000.csv"
    expected = python_records(path.read_bytes())
    assert len(expected) == 2001
    for ranks in (0, 1, 4, 13):
        assert dump(csv_dump, [str(path)], ranks)[0] == expected
