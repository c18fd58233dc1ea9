"""Compares two lfp_mpi outputs (database and, if given, snapshot) for scripts/test-multinode.sh.

    compare.py A.db B.db [A.h5 B.h5]

The databases must hold the same schema and the same rows in every table, except the columns
that differ between any two runs (times, and the random state token in meta): runs.started_at,
runs.phase_seconds, sources.ingested_at, meta's 'state' value. The snapshots must hold the same
datasets byte for byte and the same root attributes but created_at (and any state token).
Prints the first differences and exits 1 when they differ, 0 when they are the same.
"""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from snapshot import read_snapshot  # noqa: E402

VOLATILE = {("runs", "started_at"), ("runs", "phase_seconds"), ("sources", "ingested_at")}


def dump(db: str) -> dict:
    # Read-write, as lfp_mpi and sqlite3 open it: a hot journal left by a stopped run is rolled
    # back first (the database is then what the next reader sees).
    con = sqlite3.connect(f"file:{db}?mode=rw", uri=True)
    out = {"schema": con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()}
    tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    con.text_factory = bytes  # the rows as stored, valid UTF-8 or not
    for table in tables:
        cols = [r[1].decode() for r in con.execute(f'PRAGMA table_info("{table}")')]
        keep = [f'"{c}"' if (table, c) not in VOLATILE else "NULL" for c in cols]
        rows = con.execute(f'SELECT {", ".join(keep)} FROM "{table}"').fetchall()
        if table == "meta":
            rows = [(k, b"<state>" if k == b"state" else v) for k, v in rows]
        out[f"table {table}"] = sorted(rows, key=repr)
    con.close()
    return out


def snapshot(h5: str) -> dict:
    snap = read_snapshot(Path(h5))
    attrs = snap.pop("attrs")
    snap["attrs"] = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in attrs.items() if "state" not in k and k != "created_at"}
    return snap


def differences(a: dict, b: dict, what: str) -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            x, y = a.get(key), b.get(key)
            if isinstance(x, list) and isinstance(y, list):
                xs, ys = set(map(repr, x)), set(map(repr, y))
                extra = [r for r in x if repr(r) not in ys][:2]
                missing = [r for r in y if repr(r) not in xs][:2]
                out.append(f"{what} {key}: {len(x)} vs {len(y)} rows; only in the first {extra}, only in the "
                           f"second {missing}")
            else:
                out.append(f"{what} {key}: {x!r:.200} vs {y!r:.200}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 4):
        print(__doc__, file=sys.stderr)
        return 2
    diffs = differences(dump(argv[0]), dump(argv[1]), "database")
    if len(argv) == 4:
        diffs += differences(snapshot(argv[2]), snapshot(argv[3]), "snapshot")
    for d in diffs[:5]:
        print(d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
