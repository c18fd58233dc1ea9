#!/usr/bin/python3
"""Side-by-side benchmark of lfp_mpi against peers doing the same work (last record per sku in
file order, counts per name, written to a file), with alternating runs and medians, because
this machine is shared and noisy. Scenarios (all by default):

  ingest    500k and 10M generated records: lfp_mpi at 1, 2 and 4 ranks (database and snapshot,
            rows in memory: --mem-per-rank 16G)
            against DuckDB (../shared/bench/duckdb_peer.mjs, as is); at 500k also the sqlite3
            shell and pandas. Peak RSS per rank (GNU time's maximum over the processes).
  update    a 500k file (new and changed products) into the 10M database against the same file
            into a new database (2 ranks, --no-h5): the cost of keeping a big database current;
            then five different 500k files into one copy in turn, the last of which folds
            products_recent into products_main (at 10M).
  snapshot  at 500k: snapshot size against the database, loading the three product columns
            into pandas with the recipe of docs/schema.md against pd.read_sql, and a one-row update with
            the snapshot refreshed against a fresh ingest.
  query     every query form on the 10M database (whole process, median of 7).
  changes   (not by default) issue 20: the 10M file (--changes-rows) with one record changed (the
            middle one) and with 1% of its records changed at random places, each re-ingested
            into a copy of the database a fresh ingest of the original made (same absolute path),
            against that fresh ingest; 2 ranks (or --ranks' first), database and snapshot, at
            the default budget and at --mem-per-rank 16G (--changes-budgets). Prints the
            ratios, records_read / records, the chunk ledger's share of the database and the
            targets (0.1 x and 1% read, 0.3 x, 5%), and checks the edited products.
  budget    (not by default) 10M and 30M records at 2 ranks: --mem-per-rank 1G (the default
            budget; the run spills)
            against the rows in memory and DuckDB; peak RSS per rank, the same products and
            counts, and the growth from 10M to 30M.

    scripts/bench.sh [--scenarios ingest,update,snapshot,query,budget] [--repeat 3] [--ranks 1,2,4]
                     [--sizes 500000,10000000] [--budget-sizes 10000000,30000000] [--plot docs/benchmark.png]
                     [--changes-rows 10000000] [--changes-budgets default,16G]

Generated inputs are cached in build/bench-data (the changes scenario's edited copies beside them,
its base database in build/bench-data/changes-ROWS-seed1/). Prints the machine's load average before and
after each scenario; the figures mean little while something else runs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LFP = REPO / "build" / "lfp_mpi"
BARE_WRITER = REPO / "build" / "tests" / "bare_sqlite_write"  # tests/tools/bare_sqlite_write.cpp
DATA = REPO / "build" / "bench-data"
NODE_DIR = REPO / "build" / "bench-node"  # npm install target for DuckDB's Node.js API
DUCKDB_PEER = REPO.parent / "shared" / "bench" / "duckdb_peer.mjs"
DUCKDB_API = "@duckdb/node-api@1.5.6-r.1"

SQLITE_SCRIPT = """
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
CREATE TABLE staging(name TEXT, sku TEXT, description TEXT);
.import --csv --skip 1 {csv} staging
CREATE TABLE products(sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO products SELECT sku, name, description FROM staging WHERE true ORDER BY rowid
  ON CONFLICT(sku) DO UPDATE SET name = excluded.name, description = excluded.description;
CREATE TABLE product_counts(name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO product_counts SELECT name, count(*) FROM products GROUP BY name;
DROP TABLE staging;
"""

PANDAS_SCRIPT = """
import sqlite3, sys, pandas as pd
csv, db = sys.argv[1], sys.argv[2]
df = pd.read_csv(csv, dtype=str, keep_default_na=False, engine="c")
df = df.drop_duplicates("sku", keep="last")
counts = df.groupby("name").size().rename("products").reset_index()
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=OFF"); con.execute("PRAGMA synchronous=OFF")
con.execute("CREATE TABLE products(sku TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID")
con.execute("CREATE TABLE product_counts(name TEXT PRIMARY KEY, products INTEGER NOT NULL) WITHOUT ROWID")
con.executemany("INSERT INTO products VALUES (?, ?, ?)", df[["sku", "name", "description"]].itertuples(index=False, name=None))
con.executemany("INSERT INTO product_counts VALUES (?, ?)", counts.itertuples(index=False, name=None))
con.commit()
"""

# The README's recipe: the three product columns of a snapshot into a DataFrame.
LOAD_SCRIPT = """
import sqlite3, sys, time, h5py, numpy as np, pandas as pd
h5, db = sys.argv[1], sys.argv[2]
def column(f, path):
    offsets = f[path + "/offsets"][:].astype(np.int64)
    data = f[path + "/data"][:]
    if len(offsets) == 1:
        return []
    # Values never hold NUL (ingest rejects it): join with NUL, decode once, split once.
    return np.insert(data, offsets[1:-1], 0).tobytes().decode("utf-8").split("\\0")
t = time.perf_counter()
with h5py.File(h5, "r") as f:
    df = pd.DataFrame({c: column(f, "products/" + c) for c in ("sku", "name", "description")})
a = time.perf_counter() - t
t = time.perf_counter()
ref = pd.read_sql("SELECT sku, name, description FROM products", sqlite3.connect(db))
b = time.perf_counter() - t
assert df.equals(ref), "snapshot and database differ"
print(a, b)
"""


def mpi_env() -> dict:
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none",
               OMPI_MCA_mpi_yield_when_idle="1")
    return env


ENV = mpi_env()


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def run(cmd: list[str], stdin: str | None = None, cwd=None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS of the largest process in MiB, stdout). GNU time reports the
    maximum over the waited-for processes: for mpirun, the largest rank."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss_kb %M", *cmd], env=ENV, input=stdin, capture_output=True,
                       text=True, cwd=cwd)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    rss = max(int(line.split()[1]) for line in p.stderr.splitlines() if line.startswith("maxrss_kb "))
    return wall, rss // 1024, p.stdout


def generated(rows: int, seed: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"products-{rows}-seed{seed}.csv"
    if not path.exists():
        subprocess.run(["mpirun", "-n", "2", str(LFP), "generate", "--rows", str(rows), "--seed", str(seed), "-o",
                        str(path), "-q"], env=ENV, check=True)
    return path


def ensure_duckdb() -> bool:
    if not DUCKDB_PEER.exists():
        print(f"bench: {DUCKDB_PEER} missing; skipping DuckDB")
        return False
    if not (NODE_DIR / "node_modules" / "@duckdb" / "node-api").is_dir():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(["npm", "install", "--silent", "--prefix", str(NODE_DIR), DUCKDB_API], capture_output=True)
        if p.returncode != 0:
            print("bench: DuckDB's Node.js API could not be installed from npm; skipping DuckDB")
            return False
    shutil.copy(DUCKDB_PEER, NODE_DIR / "duckdb_peer.mjs")  # the peer runs from the install dir, unchanged
    return True


def counts_of(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    out = (con.execute("SELECT count(*) FROM products").fetchone()[0],
           con.execute("SELECT count(*) FROM product_counts").fetchone()[0])
    con.close()
    return out


def clean(prefix: Path):
    for p in prefix.parent.glob(prefix.name + "*"):
        p.unlink()


def phases_of(db: Path) -> dict:
    con = sqlite3.connect(db)
    row = con.execute("SELECT phase_seconds FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    return json.loads(row[0])


def alternate(contenders: dict, repeat: int, work: Path) -> dict:
    """Runs every contender in turn, `repeat` times; each run gets a fresh output prefix."""
    results = {k: {"walls": [], "rss": 0, "result": "", "phases": []} for k in contenders}
    for rep in range(repeat):
        for name, fn in contenders.items():
            out = work / f"{''.join(c if c.isalnum() else '_' for c in name)}-{rep}"
            clean(out)
            wall, rss, result, phases = fn(out)
            r = results[name]
            r["walls"].append(wall)
            r["rss"] = max(r["rss"], rss)
            r["result"] = result
            if phases:
                r["phases"].append(phases)
            clean(out)
    return results


def print_table(title: str, results: dict, reference: str):
    ref = statistics.median(results[reference]["walls"])
    print(f"\n{title} (median of {len(results[reference]['walls'])}; ratio = time / {reference})")
    print(f"{'contender':<30} {'median s':>9} {'min s':>7} {'peak MiB/rank':>14} {'ratio':>6}  result")
    for name, r in results.items():
        med = statistics.median(r["walls"])
        print(f"{name:<30} {med:9.2f} {min(r['walls']):7.2f} {r['rss']:14d} {med / ref:6.2f}  {r['result']}")


# The ingest scenario measures the rows-in-memory path: a budget above any rank's share here
# (the default, 1 GiB per rank, spills at 10M records and 1-2 ranks; the budget scenario
# measures that path).
IN_MEMORY = ("--mem-per-rank", "16G")


def lfp_ingest(csv: Path, ranks: int, h5: bool = True, db: Path | None = None, extra: tuple = ()):
    def fn(out: Path):
        target = db or out.with_suffix(".db")
        args = [str(LFP), "ingest", str(csv), "--db", str(target), "-q", "--force", *extra]
        args += ["--h5", str(out) + ".h5"] if h5 else ["--no-h5"]
        wall, rss, _ = run(["mpirun", "-n", str(ranks), *args])
        p, n = counts_of(target)
        return wall, rss, f"{p} products, {n} names", phases_of(target)
    return fn


def scenario_ingest(args, work: Path, plot: dict):
    duck = ensure_duckdb()
    for rows in args.sizes:
        csv = generated(rows, 1)
        print(f"\n== ingest: {rows} records, {csv.stat().st_size / 2**20:.0f} MiB; {load()}")
        contenders = {f"lfp_mpi -n {n} (db + snapshot)": lfp_ingest(csv, n, extra=IN_MEMORY) for n in args.ranks}
        if duck:
            def duckdb(out: Path):
                wall, rss, text = run(["node", "duckdb_peer.mjs", str(out) + ".duckdb", str(csv)], cwd=NODE_DIR)
                p, n = json.loads(text)[0]
                return wall, rss, f"{p} products, {n} names", None
            contenders["DuckDB (duckdb_peer.mjs)"] = duckdb
        if rows <= 1_000_000:
            def sqlite_shell(out: Path):
                db = out.with_suffix(".db")
                wall, rss, _ = run(["sqlite3", "-bail", str(db)], stdin=SQLITE_SCRIPT.format(csv=csv))
                p, n = counts_of(db)
                return wall, rss, f"{p} products, {n} names", None
            contenders["sqlite3 .import + upsert"] = sqlite_shell
            script = work / "pandas_ingest.py"
            script.write_text(PANDAS_SCRIPT)

            def pandas(out: Path):
                db = out.with_suffix(".db")
                wall, rss, _ = run(["/usr/bin/python3", str(script), str(csv), str(db)])
                p, n = counts_of(db)
                return wall, rss, f"{p} products, {n} names", None
            contenders["pandas"] = pandas
        results = alternate(contenders, args.repeat, work)
        reference = "DuckDB (duckdb_peer.mjs)" if duck else next(iter(contenders))
        print_table(f"ingest {rows} records", results, reference)
        distinct = {r["result"] for r in results.values()}
        print("same products and names from every tool: " + ("yes" if len(distinct) == 1 else f"NO: {distinct}"))
        for name, r in results.items():
            if r["phases"]:
                print(f"  {name}: " + " ".join(f"{k} {v:.2f}" for k, v in median_phases(r).items()))
        print(f"after: {load()}")
        plot[rows] = results
        compare_with_bare_write(csv, args.repeat, work)
    linear_growth(plot)
    serial_model(plot)


def duckdb_contender(csv: Path):
    def duckdb(out: Path):
        wall, rss, text = run(["node", "duckdb_peer.mjs", str(out) + ".duckdb", str(csv)], cwd=NODE_DIR)
        p, n = json.loads(text)[0]
        return wall, rss, f"{p} products, {n} names", None
    return duckdb


def products_sha(db: Path) -> str:
    con = sqlite3.connect(db)
    h = hashlib.sha256()
    for row in con.execute("SELECT sku, name, description FROM products ORDER BY sku"):
        h.update(repr(row).encode())
    for row in con.execute("SELECT name, products FROM product_counts ORDER BY name"):
        h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def scenario_budget(args, work: Path):
    """Issue 17: 2 ranks with --mem-per-rank 1G (spilling) against the rows in memory and
    DuckDB, at each of --budget-sizes; then the same content check and the growth."""
    duck = ensure_duckdb()
    medians = {}
    for rows in args.budget_sizes:
        csv = generated(rows, 1)
        print(f"\n== budget: {rows} records, {csv.stat().st_size / 2**20:.0f} MiB; {load()}")
        contenders = {"lfp_mpi -n 2 --mem-per-rank 1G": lfp_ingest(csv, 2, extra=("--mem-per-rank", "1G")),
                      "lfp_mpi -n 2 (rows in memory)": lfp_ingest(csv, 2, extra=IN_MEMORY)}
        if duck:
            contenders["DuckDB (duckdb_peer.mjs)"] = duckdb_contender(csv)
        results = alternate(contenders, args.repeat, work)
        print_table(f"budget {rows} records", results, "lfp_mpi -n 2 (rows in memory)")
        for name, r in results.items():
            if r["phases"]:
                print(f"  {name}: " + " ".join(f"{k} {v:.2f}" for k, v in median_phases(r).items()))
        if duck:
            ref = statistics.median(results["DuckDB (duckdb_peer.mjs)"]["walls"])
            spilled = statistics.median(results["lfp_mpi -n 2 --mem-per-rank 1G"]["walls"])
            print(f"  budgeted run vs DuckDB: {spilled / ref:.2f} x")
        medians[rows] = statistics.median(results["lfp_mpi -n 2 --mem-per-rank 1G"]["walls"])
        sums = []
        for name, extra in (("s", ("--mem-per-rank", "1G")), ("m", IN_MEMORY)):
            out = work / f"budget-{name}"
            clean(out)
            lfp_ingest(csv, 2, h5=False, extra=extra)(out)
            sums.append(products_sha(out.with_suffix(".db")))
            clean(out)
        print("  same products and counts as in memory (sha256 in key order): " + ("yes" if sums[0] == sums[1] else "NO"))
        print(f"after: {load()}")
    sizes = sorted(medians)
    for a, b in zip(sizes, sizes[1:]):
        print(f"budgeted run {b} records against {a}: {medians[b] / medians[a]:.2f} x for {b / a:.1f} x the records")


PRE_WRITE = ("digest", "scan", "parse", "shuffle", "dedup", "count")


def median_phases(r: dict) -> dict:
    return {k: statistics.median(p[k] for p in r["phases"]) for k in r["phases"][0]} if r["phases"] else {}


def linear_growth(plot: dict):
    """The issue's bound: the phases before the write, at the largest size, at most
    (largest / smallest) x 1.1 their time at the smallest size, same rank count."""
    if len(plot) < 2:
        return
    small, big = min(plot), max(plot)
    bound = big / small * 1.1
    print(f"\nphases before the write ({' + '.join(PRE_WRITE)}), medians: {big} records against {small} "
          f"(bound {bound:.0f} x)")
    for name in plot[small]:
        a, b = median_phases(plot[small][name]), median_phases(plot[big].get(name, {"phases": []}))
        if a and b:
            sa, sb = sum(a.get(k, 0) for k in PRE_WRITE), sum(b.get(k, 0) for k in PRE_WRITE)
            print(f"  {name:<30} {sa:7.2f} s -> {sb:7.2f} s: {sb / sa:5.1f} x  "
                  + " ".join(f"{k} {b.get(k, 0) / a[k]:.0f}x" for k in PRE_WRITE if a.get(k)))


# What rank 0 does alone once the ranks have written their pages and compressed their
# snapshot chunks (pages, h5_chunks): the b-tree tops, page 1, the small tables through
# SQLite, copying the chunks into the snapshot, the commit.
SERIAL = ("write_db", "write_h5")


def serial_model(plot: dict):
    """Amdahl's law from the 1-rank run at the largest size: the serial part S (rank 0 alone)
    stays, the rest shrinks with the ranks; the prediction is checked against the measured
    rank counts and extrapolated to 64 ranks (8 nodes of 8 cores)."""
    big = max(plot)
    runs = {int(name.split("-n ")[1].split()[0]): median_phases(r)
            for name, r in plot[big].items() if name.startswith("lfp_mpi -n ") and r["phases"]}
    if 1 not in runs:
        return
    t1 = runs[1]["total"]
    s1 = sum(runs[1].get(k, 0) for k in SERIAL)
    print(f"\nserial part at {big} records ({' + '.join(SERIAL)}, rank 0 alone; phase medians):")
    for n, ph in sorted(runs.items()):
        s = sum(ph.get(k, 0) for k in SERIAL)
        model = s1 + (t1 - s1) / n
        print(f"  -n {n}: total {ph['total']:.2f} s, serial {s:.2f} s ({s / ph['total']:.0%}), "
              f"model S + (T1 - S) / n = {model:.2f} s")
    print(f"  model at 64 ranks: {s1 + (t1 - s1) / 64:.2f} s (S = {s1:.2f} s of T1 = {t1:.2f} s; "
          f"at most {t1 / s1:.1f} x faster than 1 rank however many ranks)")


def compare_with_bare_write(csv: Path, repeat: int, work: Path):
    """lfp_mpi's write phase (2 ranks, database only) against tests/tools/bare_sqlite_write
    writing the same sorted rows and the same two indexes, alternating."""
    if not BARE_WRITER.exists():
        print(f"bench: {BARE_WRITER} missing (build the tests); skipping the bare write")
        return
    source = work / "bare-source.db"
    clean(source)
    run(["mpirun", "-n", "2", str(LFP), "ingest", str(csv), "--db", str(source), "--no-h5", "-q"])

    def bare(out: Path):
        db = out.with_suffix(".db")
        t0 = time.perf_counter()
        text = subprocess.run([str(BARE_WRITER), str(source), str(db)], check=True, capture_output=True,
                              text=True).stdout
        wall = time.perf_counter() - t0
        p, n = counts_of(db)
        return wall, 0, f"{p} products, {n} names", json.loads(text)
    results = alternate({"lfp_mpi -n 2 --no-h5": lfp_ingest(csv, 2, h5=False, extra=IN_MEMORY), "bare SQLite": bare},
                        repeat, work)
    clean(source)
    # A new database is written in two phases: pages (every rank builds and writes its parts)
    # and write_db (rank 0 finishes the file).
    lfp = statistics.median(p.get("pages", 0) + p["write_db"] for p in results["lfp_mpi -n 2 --no-h5"]["phases"])
    b = {k: statistics.median(p[k] for p in results["bare SQLite"]["phases"]) for k in ("insert_s", "indexes_s", "total_s")}
    same = len({r["result"] for r in results.values()}) == 1
    # lfp_mpi's write_db phase ends before its commit: the bare program's inserts and indexes
    # are the same span (its commit and fsync are printed apart).
    bare_span = b["insert_s"] + b["indexes_s"]
    print(f"write phase against a bare SQLite program (same rows, same indexes; median of {repeat}): lfp_mpi "
          f"pages + write_db {lfp:.2f} s, bare {bare_span:.2f} s (inserts {b['insert_s']:.2f}, indexes "
          f"{b['indexes_s']:.2f}; then commit and fsync {b['total_s'] - bare_span:.2f}): {lfp / bare_span:.2f} x "
          f"(bound 1.2); same products and names: {'yes' if same else 'NO'}")


def schema_version(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def base_database(rows: int, csv: Path) -> Path:
    """The big database updates and queries run against, rebuilt when an older lfp_mpi wrote
    it: otherwise the first timed update would also pay the schema upgrade."""
    base = DATA / f"base-{rows}.db"
    probe = DATA / "schema-probe.db"
    probe.unlink(missing_ok=True)
    subprocess.run([str(LFP), "ingest", str(generated(20_000, 1)), "--db", str(probe), "--no-h5", "-q"],
                   env=ENV, check=True)
    current = schema_version(probe)
    probe.unlink()
    if base.exists() and schema_version(base) != current:
        print(f"{base.name} has schema {schema_version(base)}, this lfp_mpi writes {current}: rebuilding it")
        base.unlink()
    if not base.exists():
        subprocess.run(["mpirun", "-n", "2", str(LFP), "ingest", str(csv), "--db", str(base), "--no-h5", "-q"],
                       env=ENV, check=True)
    return base


def scenario_update(args, work: Path):
    big_rows = max(args.sizes)
    big_csv, upd_csv = generated(big_rows, 1), generated(500_000, 2)
    base = base_database(big_rows, big_csv)
    print(f"\n== update: 500000 records ({upd_csv.stat().st_size / 2**20:.0f} MiB) into the {big_rows}-record "
          f"database ({base.stat().st_size / 2**20:.0f} MiB) vs into a new database, 2 ranks, --no-h5; {load()}")

    def into_big(out: Path):
        db = out.with_suffix(".db")
        shutil.copy(base, db)  # not timed
        return lfp_ingest(upd_csv, 2, h5=False, db=db)(out)
    results = alternate({"into a new database": lfp_ingest(upd_csv, 2, h5=False),
                         f"into the {big_rows}-record database": into_big}, args.repeat, work)
    print_table("update", results, "into a new database")
    for name, r in results.items():
        if r["phases"]:
            print(f"  {name}: " + " ".join(f"{k} {v:.2f}" for k, v in median_phases(r).items()))
    successive_updates(args, work, base, statistics.median(results["into a new database"]["walls"]))
    print(f"after: {load()}")


def successive_updates(args, work: Path, base: Path, new_db_wall: float):
    """Five different 500k files into one copy of the big database, in turn: products_recent
    grows with each until it holds a quarter as many rows as there are products (at 10M, the
    fifth), and the ingest that gets it there also folds it into products_main. The mean is
    what an update costs over time."""
    files = [generated(500_000, seed) for seed in (2, 3, 4, 5, 6)]
    walls, recent = [[] for _ in files], [0] * len(files)
    for rep in range(args.repeat):
        db = work / f"successive-{rep}.db"
        shutil.copy(base, db)  # not timed
        for i, csv in enumerate(files):
            wall, _, _ = run(["mpirun", "-n", "2", str(LFP), "ingest", str(csv), "--db", str(db), "--no-h5", "-q"])
            walls[i].append(wall)
            con = sqlite3.connect(db)
            recent[i] = con.execute("SELECT count(*) FROM products_recent").fetchone()[0]
            con.close()
        clean(db)
    print(f"\nsuccessive 500k updates into one copy of the database (2 ranks, --no-h5; median of {args.repeat} "
          f"copies; ratio = time / into a new database, {new_db_wall:.2f} s)")
    for i, csv in enumerate(files):
        med = statistics.median(walls[i])
        folded = " (this ingest folded it into products_main)" if recent[i] == 0 else ""
        print(f"  {i + 1}. {csv.name}: {med:.2f} s, {med / new_db_wall:.2f} x; products_recent after: "
              f"{recent[i]} rows{folded}")
    mean = statistics.mean(statistics.median(w) for w in walls)
    print(f"  mean of the {len(files)}: {mean:.2f} s, {mean / new_db_wall:.2f} x")


def scenario_snapshot(args, work: Path):
    csv = generated(500_000, 1)
    db, h5 = work / "snap.db", work / "snap.h5"
    clean(db)
    clean(h5)
    subprocess.run(["mpirun", "-n", "2", str(LFP), "ingest", str(csv), "--db", str(db), "-q"], env=ENV, check=True)
    print(f"\n== snapshot at 500000 records; {load()}")
    print(f"snapshot {h5.stat().st_size / 2**20:.1f} MiB, database {db.stat().st_size / 2**20:.1f} MiB: "
          f"{h5.stat().st_size / db.stat().st_size:.2f} x")
    script = work / "load.py"
    script.write_text(LOAD_SCRIPT)
    loads, sqls = [], []
    for _ in range(args.repeat):
        out = subprocess.run(["/usr/bin/python3", str(script), str(h5), str(db)], capture_output=True, text=True,
                             check=True).stdout.split()
        loads.append(float(out[0]))
        sqls.append(float(out[1]))
    print(f"pandas from the snapshot (docs/schema.md recipe) {statistics.median(loads):.2f} s, pd.read_sql "
          f"{statistics.median(sqls):.2f} s: {statistics.median(sqls) / statistics.median(loads):.1f} x faster")
    sku = sqlite3.connect(db).execute("SELECT sku FROM products LIMIT 1 OFFSET 1000").fetchone()[0]
    edits, fresh = [], []
    for rep in range(args.repeat):
        wall, _, _ = run([str(LFP), "update", "--db", str(db), "--sku", sku, "--description", f"edit {rep}", "-q"])
        edits.append(wall)
        fresh.append(lfp_ingest(csv, 2)(work / f"fresh-{rep}")[0])
        clean(work / f"fresh-{rep}")
    print(f"one-row update with the snapshot refreshed {statistics.median(edits):.2f} s, fresh ingest (2 ranks) "
          f"{statistics.median(fresh):.2f} s: {statistics.median(edits) / statistics.median(fresh):.2f} x")
    print(f"after: {load()}")


def scenario_query(args, work: Path):
    """Every form on the big database as built, then on a copy after one 500k update, when
    products answers from both products_main and products_recent."""
    base = base_database(max(args.sizes), generated(max(args.sizes), 1))
    updated = work / "query-updated.db"
    shutil.copy(base, updated)
    subprocess.run(["mpirun", "-n", "2", str(LFP), "ingest", str(generated(500_000, 2)), "--db", str(updated),
                    "--no-h5", "-q"], env=ENV, check=True)
    for db, what in ((base, "as built"), (updated, "after one 500k update")):
        con = sqlite3.connect(db)
        # In the updated copy, a product and a name that products_recent holds.
        table = "products_recent" if db == updated else "products"
        sku = con.execute(f"SELECT sku FROM {table} LIMIT 1 OFFSET 12345").fetchone()[0]
        name = con.execute(f"SELECT name FROM {table} LIMIT 1 OFFSET 12345").fetchone()[0]
        recent = con.execute("SELECT count(*) FROM products_recent").fetchone()[0]
        con.close()
        print(f"\n== query on the {max(args.sizes)}-record database {what} ({recent} rows in products_recent; "
              f"whole process, median of 7); {load()}")
        for form in (["--top", "10"], ["--sku", sku], ["--name", name], ["--rejects"], ["--runs"], []):
            walls = []
            for _ in range(7):
                t = time.perf_counter()
                subprocess.run([str(LFP), "query", "--db", str(db), "--format", "json", *form], capture_output=True,
                               check=True)
                walls.append(time.perf_counter() - t)
            print(f"  query {' '.join(form[:1]) or '(summary)':<10} {statistics.median(walls) * 1000:6.1f} ms")
    clean(updated)


# --- changes: issue 20, a changed file costs what changed in it --------------------------

EDIT_MARK = b" (rev 2)"  # appended inside the description of every edited record


def csv_fields(body: bytes) -> list[tuple[bytes, bool]]:
    """The fields of one CSV record (bytes, without its line terminator): (value unquoted,
    whether it was quoted). RFC 4180: quoted fields may hold commas, line breaks and doubled
    quotes."""
    out, i, n = [], 0, len(body)
    while True:
        if i < n and body[i] == 0x22:
            j, parts = i + 1, []
            while True:
                k = body.index(b'"', j)
                parts.append(body[j:k])
                if k + 1 < n and body[k + 1] == 0x22:
                    parts.append(b'"')
                    j = k + 2
                    continue
                i = k + 1
                break
            out.append((b"".join(parts), True))
        else:
            k = body.find(b",", i)
            k = n if k < 0 else k
            out.append((body[i:k], False))
            i = k
        if i >= n:
            return out
        if body[i] != 0x2C:
            raise ValueError(f"bad CSV record (text after a closing quote): {body[:200]!r}")
        i += 1


def csv_field(value: bytes, quoted: bool) -> bytes:
    if quoted or any(c in value for c in b',"\r\n'):
        return b'"' + value.replace(b'"', b'""') + b'"'
    return value


def edit_csv(src: Path, dst: Path, targets: set[int]) -> dict:
    """Streams src to dst record by record (quoted fields span lines), appending EDIT_MARK to
    the description of the data records whose 0-based index is in `targets`; every other byte
    is copied as is (the unedited records stay byte-identical, so their chunks keep their
    digests). Returns what a correct ingest of dst must leave in the database for the edited
    skus: the last record of each such sku in dst wins (about 7% of the generated records
    repeat an earlier sku), so {sku: [final description, whether that last record is an
    edited one]}; the skus of the second kind keep their old description (not updated)."""
    edited: dict[bytes, list] = {}
    tmp = dst.with_name(dst.name + ".tmp")
    index = -1
    with open(src, "rb", buffering=1 << 22) as fin, open(tmp, "wb", buffering=1 << 22) as fout:
        header = fin.readline()
        fout.write(header)
        names = [f.decode() for f, _ in csv_fields(header.rstrip(b"\r\n"))]
        si, di = names.index("sku"), names.index("description")
        parts, inq, target = None, False, False
        for line in fin:
            if not inq:  # a record starts on this line
                index += 1
                target = index in targets
                capture = target
                if not target and edited:
                    pre = line.split(b",", si + 1)
                    if len(pre) > si + 1 and not any(b'"' in p for p in pre[:si + 1]):
                        capture = pre[si] in edited
                    else:
                        capture = True  # a quoted field before the sku: parse the record
                parts = [] if capture else None
            if parts is None:
                fout.write(line)
            else:
                parts.append(line)
            if line.count(b'"') & 1:
                inq = not inq
            if not inq and parts is not None:
                raw = b"".join(parts)
                parts = None
                term = b"\r\n" if raw.endswith(b"\r\n") else b"\n" if raw.endswith(b"\n") else b""
                fields = csv_fields(raw[:len(raw) - len(term)])
                sku = fields[si][0]
                if target:
                    desc = fields[di][0] + EDIT_MARK
                    fields[di] = (desc, fields[di][1])
                    fout.write(b",".join(csv_field(v, q) for v, q in fields) + term)
                    edited[sku] = [desc, True]
                else:
                    fout.write(raw)
                    if sku in edited:
                        edited[sku] = [fields[di][0], False]
        if inq:
            raise ValueError(f"{src}: unterminated quoted field at the end")
    tmp.rename(dst)
    return {"records": index + 1,
            "edited": {k.decode(): [v[0].decode(), v[1]] for k, v in edited.items()}}


def edited_copy(csv: Path, kind: str, rows: int, seed: int) -> tuple[Path, dict]:
    """The one-change or 1%-changed copy of the generated file, beside it (cached with its
    expectations in a .json)."""
    dst = csv.with_name(csv.stem + f"-{kind}.csv")
    meta = dst.with_suffix(".json")
    if dst.exists() and meta.exists():
        return dst, json.loads(meta.read_text())
    t0 = time.perf_counter()
    if kind == "one":
        # The record in the middle, or the next one whose sku no later record repeats (else the
        # edit would not show in the database).
        index = rows // 2
        while True:
            info = edit_csv(csv, dst, {index})
            if next(iter(info["edited"].values()))[1]:
                break
            print(f"  record {index}'s sku recurs later in the file: editing record {index + 1} instead")
            index += 1
        info["indices"] = [index]
    else:
        import random
        indices = sorted(random.Random(f"changes-{rows}-{seed}").sample(range(rows), rows // 100))
        info = edit_csv(csv, dst, set(indices))
        info["indices"] = indices
    if info["records"] != rows:
        sys.exit(f"bench: {csv} holds {info['records']} records, expected {rows}")
    meta.write_text(json.dumps(info))
    print(f"  wrote {dst.name} ({len(info['indices'])} records edited) in {time.perf_counter() - t0:.0f} s")
    return dst, info


def place(content: Path, at: Path):
    """Makes `at` (the path the ledger knows) hold `content`: a hard link, renamed into place
    (instant, no copy); a copy where links fail."""
    if at.exists() and os.path.samefile(content, at):
        return  # (a rename between two links of one file would do nothing and leave tmp)
    tmp = at.with_name(at.name + ".next")
    tmp.unlink(missing_ok=True)
    try:
        os.link(content, tmp)
    except OSError:
        shutil.copyfile(content, tmp)
    os.replace(tmp, at)


def copy_synced(src: Path, dst: Path):
    """A copy whose pages are on disk: otherwise the timed run's fsync would write the copy."""
    subprocess.run(["cp", "--reflink=auto", str(src), str(dst)], check=True)
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ledger_size(db: Path) -> dict:
    """The chunk ledger's size two ways (None where the table or dbstat is missing)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = {"chunks": None, "estimate": None, "pages": None, "db": db.stat().st_size}
    try:
        out["chunks"], out["estimate"] = con.execute(
            "SELECT count(*), sum(length(hashes)) + 24 * count(*) FROM source_chunks").fetchone()
    except sqlite3.OperationalError:
        pass
    try:
        if out["chunks"] is not None:
            out["pages"] = con.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%source_chunks%'").fetchone()[0]
    except sqlite3.OperationalError:
        pass
    con.close()
    return out


def verdict(value, bound) -> str:
    return "n/a" if value is None else "PASS" if value <= bound else "not met"


def fmt(value, spec: str = "", suffix: str = "") -> str:
    return "n/a" if value is None else format(value, spec) + suffix


def print_ledger(what: str, s: dict):
    mib, db = 2**20, s["db"]
    if s["chunks"] is None:
        print(f"  ledger {what}: no source_chunks table (this lfp_mpi predates issue 20): n/a; "
              f"database {db / mib:.1f} MiB")
        return
    est, pages = s["estimate"] or 0, s["pages"]
    print(f"  ledger {what}: {s['chunks']} chunks; hash sets + 24 B/chunk {est / mib:.2f} MiB = "
          f"{est / db:.2%} of the database ({db / mib:.1f} MiB), target <= 5%: {verdict(est / db, 0.05)}; "
          f"dbstat pages {fmt(pages and pages / mib, '.2f', ' MiB')} = "
          f"{fmt(pages and pages / db, '.2%')}: {verdict(pages and pages / db, 0.05)}")


def check_database(db: Path, info: dict, report: dict) -> str:
    """The edited skus hold what the last record of each in the edited file says, nothing was
    inserted, and `updated` counts the skus whose last record was edited."""
    want = info["edited"]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    if len(want) == 1:
        (sku, (desc, _)), = want.items()
        row = con.execute("SELECT description FROM products WHERE sku = ?", (sku,)).fetchone()
        bad = 0 if row and row[0] == desc else 1
        detail = f"sku {sku!r}: " + ("new text" if not bad else f"MISSING the new text: {row and row[0][-60:]!r}")
    else:
        con.execute("CREATE TEMP TABLE want(sku TEXT PRIMARY KEY, description TEXT) WITHOUT ROWID")
        con.executemany("INSERT INTO temp.want VALUES (?, ?)", ((k, v[0]) for k, v in want.items()))
        bad = con.execute("SELECT count(*) FROM temp.want AS w WHERE w.description IS NOT "
                          "(SELECT p.description FROM products AS p WHERE p.sku = w.sku)").fetchone()[0]
        detail = f"{len(want) - bad} of {len(want)} edited skus hold their final text"
    con.close()
    expected = sum(1 for v in want.values() if v[1])
    ok = not bad and report.get("updated") == expected and report.get("inserted") == 0
    return (f"{'ok' if ok else 'WRONG'}: {detail}; updated {report.get('updated')} (expected {expected}), "
            f"inserted {report.get('inserted')} (expected 0)")


def median_index(walls: list[float]) -> int:
    med = statistics.median(walls)
    return min(range(len(walls)), key=lambda i: (abs(walls[i] - med), walls[i]))


def scenario_changes(args, work: Path):
    """Issue 20: re-ingesting a changed file costs what changed in it. The generated file at
    --changes-rows, a copy with one record changed (the middle one) and one with 1% of the
    records changed at random places (' (rev 2)' appended to the description; skus kept), each
    re-ingested into a copy of the database a fresh ingest of the original made, at the same
    absolute path, against a fresh ingest of that file into a new database; default options
    (database and snapshot), per --changes-budgets."""
    rows, seed, ranks = args.changes_rows, 1, args.changes_ranks
    csv = generated(rows, seed)
    print(f"\n== changes: {rows} records ({csv.stat().st_size / 2**20:.0f} MiB), {ranks} ranks; {load()}")
    one, one_info = edited_copy(csv, "one", rows, seed)
    pct, pct_info = edited_copy(csv, "pct1", rows, seed)
    home = DATA / f"changes-{rows}-seed{seed}"
    home.mkdir(parents=True, exist_ok=True)
    current = home / "current.csv"  # every ingest reads this path; its content is swapped
    place(csv, current)

    def ingest_cmd(db: Path, report: Path, extra: tuple) -> list[str]:
        return ["mpirun", "-n", str(ranks), str(LFP), "ingest", str(current), "--db", str(db), "--json-report",
                str(report), "-q", *extra]

    # The base: a fresh ingest of the original at `current`, once per lfp_mpi binary.
    base, base_h5, stamp = home / "base.db", home / "base.h5", home / "base.json"
    binary = [LFP.stat().st_mtime_ns, LFP.stat().st_size, ranks]
    if not (base.exists() and stamp.exists() and json.loads(stamp.read_text())["binary"] == binary):
        clean(base)
        wall, _, _ = run(ingest_cmd(base, home / "base-report.json", ()))
        stamp.write_text(json.dumps({"binary": binary, "wall": wall}))
        print(f"  base database built (fresh ingest, default budget): {wall:.2f} s")
    has_h5 = base_h5.exists()
    print(f"  base: database {base.stat().st_size / 2**20:.1f} MiB"
          + (f", snapshot {base_h5.stat().st_size / 2**20:.1f} MiB" if has_h5 else ", no snapshot"))
    print_ledger("in the base", ledger_size(base))
    print(f"  one change: record {one_info['indices'][0]} (sku {next(iter(one_info['edited']))!r}); 1%: "
          f"{len(pct_info['indices'])} records at random places, {len(pct_info['edited'])} skus, "
          f"{sum(v[1] for v in pct_info['edited'].values())} of them changed (their last record is edited)")

    reports: dict[str, list] = {}
    checks: dict[str, str] = {}
    ledgers: dict[str, dict] = {}

    def contender(name: str, content: Path, extra: tuple, info: dict | None):
        def fn(out: Path):
            db, report = out.with_suffix(".db"), Path(str(out) + ".json")
            if info is not None:  # a copy of the base, the snapshot beside it (not timed)
                copy_synced(base, db)
                if has_h5:
                    copy_synced(base_h5, out.with_suffix(".h5"))
            place(content, current)
            try:
                wall, rss, _ = run(ingest_cmd(db, report, extra))
            finally:
                place(csv, current)
            rep = json.loads(report.read_text())
            reports.setdefault(name, []).append(rep)
            if info is not None and name not in checks:
                checks[name] = check_database(db, info, rep)
                if info is pct_info:
                    ledgers[name] = ledger_size(db)
            return wall, rss, (f"read {fmt(rep.get('records_read'))}, unchanged records "
                               f"{fmt(rep.get('records_unchanged'))}, ins {fmt(rep.get('inserted'))}, "
                               f"upd {fmt(rep.get('updated'))}"), rep.get("phase_seconds")
        return fn

    contenders, groups = {}, []
    for budget in args.changes_budgets:
        extra, label, short = (((), "default budget", "default budget") if budget == "default" else
                               (("--mem-per-rank", budget), f"--mem-per-rank {budget}", f"mem {budget}"))
        names = (f"fresh ingest ({short})", f"one change ({short})", f"1% changed ({short})")
        contenders[names[0]] = contender(names[0], csv, extra, None)
        contenders[names[1]] = contender(names[1], one, extra, one_info)
        contenders[names[2]] = contender(names[2], pct, extra, pct_info)
        groups.append((label, names))
    results = alternate(contenders, args.repeat, work)
    place(csv, current)

    for label, (fresh, onec, pctc) in groups:
        print_table(f"changes {rows} records, {ranks} ranks, {label}", {k: results[k] for k in (fresh, onec, pctc)},
                    fresh)
        ref = statistics.median(results[fresh]["walls"])
        for name, bound, info in ((onec, 0.1, one_info), (pctc, 0.3, pct_info)):
            walls = results[name]["walls"]
            rep = reports[name][median_index(walls)]
            ratio = statistics.median(walls) / ref
            read, unchanged = rep.get("records_read"), rep.get("records_unchanged")
            line = (f"  {name}: {ratio:.3f} x the fresh ingest (target <= {bound} x): {verdict(ratio, bound)}; "
                    f"records_read {fmt(read)} = {fmt(None if read is None else read / rows, '.2%')} of "
                    f"{rows}")
            if info is one_info:
                line += f" (target <= 1%): {verdict(None if read is None else read / rows, 0.01)}"
            line += f"; records_unchanged {fmt(unchanged)}"
            print(line)
            phases = rep.get("phase_seconds") or {}
            print("    phases of the median run: " + " ".join(f"{k} {v:.2f}" for k, v in phases.items()))
            print(f"    correctness (first run): {checks.get(name, 'n/a')}")
        phases = reports[fresh][median_index(results[fresh]["walls"])].get("phase_seconds") or {}
        print(f"  {fresh}, phases of the median run: " + " ".join(f"{k} {v:.2f}" for k, v in phases.items()))
        if pctc in ledgers:
            print_ledger(f"after the 1% re-ingest ({label})", ledgers[pctc])
    print(f"after: {load()}")


def draw(plot: dict, path: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(plot), figsize=(6 * len(plot), 4.5), squeeze=False)
    for ax, (rows, results) in zip(axes[0], sorted(plot.items())):
        labels, bottoms = [], []
        phase_names = []
        for name, r in results.items():
            if r["phases"]:
                for k in r["phases"][0]:
                    if k != "total" and k not in phase_names:
                        phase_names.append(k)
        for i, (name, r) in enumerate(results.items()):
            labels.append(name.replace(" (db + snapshot)", "").replace(" (duckdb_peer.mjs)", ""))
            med_wall = statistics.median(r["walls"])
            if r["phases"]:
                bottom = 0.0
                for j, k in enumerate(phase_names):
                    v = statistics.median(p.get(k, 0.0) for p in r["phases"])
                    ax.bar(i, v, bottom=bottom, color=plt.cm.tab10(j), label=k if not bottoms else None)
                    bottom += v
                ax.bar(i, max(med_wall - bottom, 0), bottom=bottom, color="lightgrey",
                       label="start-up, other" if not bottoms else None)
                bottoms.append(bottom)
            else:
                ax.bar(i, med_wall, color="dimgrey")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("seconds (median)")
        ax.set_title(f"{rows:,} records")
        ax.legend(fontsize=7)
    fig.suptitle(f"lfp_mpi phases per rank count beside its peers ({time.strftime('%Y-%m-%d')}, "
                 f"{os.cpu_count()} cores)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"\nplot: {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenarios", default="ingest,update,snapshot,query")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ranks", help="rank counts of the ingest scenario (default 1,2,4); the first is the changes "
                    "scenario's (default 2)")
    ap.add_argument("--sizes", default="500000,10000000")
    ap.add_argument("--budget-sizes", default="10000000,30000000", help="record counts of the budget scenario")
    ap.add_argument("--changes-rows", type=int, default=10_000_000, help="records of the changes scenario's file")
    ap.add_argument("--changes-budgets", default="default,16G",
                    help="--mem-per-rank values the changes scenario runs with ('default': the option left out)")
    ap.add_argument("--plot", type=Path, help="PNG of the ingest scenario's phases (e.g. docs/benchmark.png)")
    args = ap.parse_args()
    args.changes_ranks = int(args.ranks.split(",")[0]) if args.ranks else 2
    args.ranks = [int(x) for x in (args.ranks or "1,2,4").split(",")]
    args.changes_budgets = args.changes_budgets.split(",")
    args.sizes = [int(x) for x in args.sizes.split(",")]
    args.budget_sizes = [int(x) for x in args.budget_sizes.split(",")]
    work = DATA / "runs"
    work.mkdir(parents=True, exist_ok=True)
    print(f"lfp_mpi benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; {load()}")
    plot: dict = {}
    for s in args.scenarios.split(","):
        {"ingest": lambda: scenario_ingest(args, work, plot), "update": lambda: scenario_update(args, work),
         "snapshot": lambda: scenario_snapshot(args, work), "query": lambda: scenario_query(args, work),
         "budget": lambda: scenario_budget(args, work), "changes": lambda: scenario_changes(args, work)}[s]()
    if plot and args.plot:
        draw(plot, args.plot)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
