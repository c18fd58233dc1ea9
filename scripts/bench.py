#!/usr/bin/python3
"""Side-by-side benchmark: lfp_mpi against the sqlite3 shell's .import, pandas and DuckDB on
the same products file, each producing the same result (one row per sku, last record wins,
plus counts per name). Runs every contender in turn, REPEAT times, interleaved, and prints
the median wall time, peak memory and the ratio to lfp_mpi, because this machine is noisy.

    scripts/bench.sh [--rows 500000] [--repeat 3] [--ranks 1,2,4,8] [--csv FILE]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LFP = REPO / "build" / "lfp_mpi"
NODE_DIR = REPO / "build" / "bench-node"  # npm install target for DuckDB's Node.js API

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
print(len(df), len(counts))
"""

DUCKDB_SCRIPT = """
import { DuckDBInstance } from '@duckdb/node-api';
const [csv, db] = process.argv.slice(2);
const con = await (await DuckDBInstance.create(db)).connect();
await con.run(`CREATE TABLE raw AS SELECT *, row_number() OVER () AS rn FROM read_csv('${csv}',
  header = true, quote = '"', escape = '"', all_varchar = true, strict_mode = false)`);
await con.run(`CREATE TABLE products AS SELECT sku, arg_max(name, rn) AS name,
  arg_max(description, rn) AS description FROM raw GROUP BY sku ORDER BY sku`);
await con.run(`CREATE TABLE product_counts AS SELECT name, count(*) AS products FROM products GROUP BY name ORDER BY name`);
await con.run(`DROP TABLE raw`);
const r = await con.runAndReadAll(`SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM product_counts)`);
console.log(r.getRows()[0].join(' '));
"""


def mpi_env() -> dict:
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none")
    return env


def timed(cmd: list[str], env=None, stdin: str | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB summed over the processes GNU time reports, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    rss = sum(int(line.split()[1]) for line in p.stderr.splitlines() if line.startswith("maxrss_kb "))
    return wall, rss // 1024, p.stdout


def gnu_time(cmd: list[str]) -> list[str]:
    return ["/usr/bin/time", "-f", "maxrss_kb %M", *cmd]


def ensure_duckdb() -> bool:
    if (NODE_DIR / "node_modules" / "@duckdb" / "node-api").is_dir():
        return True
    if not shutil.which("npm"):
        return False
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(["npm", "install", "--silent", "--prefix", str(NODE_DIR), "@duckdb/node-api"],
                       capture_output=True, text=True)
    return p.returncode == 0


def products_digest(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM products").fetchone()[0]
    c = con.execute("SELECT count(*) FROM product_counts").fetchone()[0]
    con.close()
    return n, c


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=500000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ranks", default="1,2,4,8")
    ap.add_argument("--csv", type=Path, help="input file (default: generated with --rows)")
    args = ap.parse_args()
    env = mpi_env()
    work = Path(tempfile.mkdtemp(prefix="lfp-bench-"))
    csv = args.csv.resolve() if args.csv else work / "products.csv"
    if not args.csv:
        subprocess.run(["mpirun", "-n", "2", str(LFP), "generate", "--rows", str(args.rows), "-o", str(csv), "-q"],
                       env=env, check=True)
    size_mb = csv.stat().st_size / 2**20

    contenders: dict[str, callable] = {}
    for n in [int(x) for x in args.ranks.split(",")]:
        def run_lfp(db, n=n, h5=False):
            extra = [] if h5 else ["--no-h5"]
            return timed(["mpirun", "-n", str(n), *gnu_time([str(LFP), "ingest", str(csv), "--db", str(db), "-q", *extra])],
                         env=env)
        contenders[f"lfp_mpi -n {n}"] = run_lfp
        contenders[f"lfp_mpi -n {n} +h5"] = lambda db, f=run_lfp: f(db, h5=True)
    contenders["sqlite3 .import"] = lambda db: timed(gnu_time(["sqlite3", "-bail", str(db)]),
                                                     stdin=SQLITE_SCRIPT.format(csv=csv))
    pandas_py = work / "pandas_ingest.py"
    pandas_py.write_text(PANDAS_SCRIPT)
    contenders["pandas"] = lambda db: timed(gnu_time(["/usr/bin/python3", str(pandas_py), str(csv), str(db)]))
    if ensure_duckdb():
        duck_js = NODE_DIR / "duckdb_ingest.mjs"
        duck_js.write_text(DUCKDB_SCRIPT)
        contenders["duckdb (node)"] = lambda db: timed(gnu_time(["node", str(duck_js), str(csv), str(db) + ".duckdb"]))
    else:
        print("bench: DuckDB's Node.js API could not be installed from npm; skipping it")

    walls: dict[str, list[float]] = {k: [] for k in contenders}
    rss: dict[str, int] = {}
    results: dict[str, str] = {}
    for rep in range(args.repeat):
        for name, run in contenders.items():
            db = work / f"{name.replace(' ', '_').replace('.', '')}-{rep}.db"
            for p in work.glob(db.name + "*"):
                p.unlink()
            wall, mem, out = run(db)
            walls[name].append(wall)
            rss[name] = max(rss.get(name, 0), mem)
            if db.exists():
                results[name] = "%d products, %d names" % products_digest(db)
            else:
                results[name] = out.strip().replace(" ", " products, ", 1) + " names"
            for p in work.glob(db.name + "*"):
                p.unlink()

    best_lfp = min((statistics.median(v), k) for k, v in walls.items() if k.startswith("lfp_mpi") and "+h5" not in k)
    print(f"\ninput: {csv} ({size_mb:.0f} MiB), median of {args.repeat} interleaved runs, "
          f"{os.cpu_count()} cores; ratio = time / {best_lfp[1]}")
    print(f"{'contender':<22} {'median s':>9} {'min s':>7} {'peak MiB':>9} {'ratio':>7}  result")
    for name, v in walls.items():
        med = statistics.median(v)
        print(f"{name:<22} {med:9.2f} {min(v):7.2f} {rss[name]:9d} {med / best_lfp[0]:7.2f}  {results[name]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
