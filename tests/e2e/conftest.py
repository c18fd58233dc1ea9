"""Options and fixtures for the end-to-end tests of lfp_mpi (tests/e2e/test_ingest.py).

    python3 -m pytest tests/e2e/test_ingest.py --lfp build/lfp_mpi --ranks 3 --shared-data ../shared/data
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
}
TIMEOUT = 180  # seconds for one lfp_mpi run; a hang fails the test instead of ctest


def pytest_addoption(parser):
    g = parser.getgroup("lfp_mpi")
    g.addoption("--lfp", default=str(REPO / "build" / "lfp_mpi"), help="lfp_mpi binary to test")
    g.addoption("--ranks", type=int, default=1, help="MPI ranks for every run (mpirun -n)")
    g.addoption("--shared-data", default=str(REPO / "tests" / "data"),
                help="directory holding products-head-2000.csv")


class Lfp:
    """Runs the lfp_mpi binary under mpirun with a fixed rank count."""

    def __init__(self, binary: Path, ranks: int):
        self.binary = binary
        self.ranks = ranks
        self.env = {**os.environ, **MPI_ENV}

    def run(self, *args, ranks: int | None = None, mpirun: bool = True, cwd=None, check: bool = False):
        n = self.ranks if ranks is None else ranks
        cmd = (["mpirun", "-n", str(n)] if mpirun else []) + [str(self.binary)] + [str(a) for a in args]
        p = subprocess.run(cmd, cwd=cwd, env=self.env, capture_output=True, timeout=TIMEOUT)
        p.stdout_text = p.stdout.decode("utf-8", "replace")
        p.stderr_text = p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\nstdout:\n{p.stdout_text}\n"
                                 f"stderr:\n{p.stderr_text}")
        return p

    def ingest(self, *files, db=None, h5=None, no_h5=False, quiet=True, check=True, **kw):
        args = ["ingest", *files]
        if db is not None:
            args += ["--db", db]
        if h5 is not None:
            args += ["--h5", h5]
        if no_h5:
            args.append("--no-h5")
        if quiet:
            args.append("-q")
        return self.run(*args, check=check, **kw)

    def generate(self, rows: int, out, seed: int | None = None, **kw):
        args = ["generate", "--rows", rows, "-o", out, "-q"]
        if seed is not None:
            args += ["--seed", seed]
        return self.run(*args, check=True, **kw)


@pytest.fixture(scope="session")
def ranks(pytestconfig) -> int:
    return pytestconfig.getoption("--ranks")


@pytest.fixture(scope="session")
def lfp(pytestconfig, ranks) -> Lfp:
    binary = Path(pytestconfig.getoption("--lfp")).resolve()
    if not binary.is_file():
        pytest.exit(f"--lfp {binary}: no such binary", returncode=2)
    return Lfp(binary, ranks)


@pytest.fixture(scope="session")
def shared_data(pytestconfig) -> Path:
    return Path(pytestconfig.getoption("--shared-data")).resolve()


@pytest.fixture(scope="session")
def sample_csv(shared_data) -> Path:
    path = shared_data / "products-head-2000.csv"
    if not path.is_file():
        pytest.fail(f"{path}: the real sample is missing (--shared-data)")
    return path


@pytest.fixture(scope="session")
def generated_one_rank(lfp, tmp_path_factory) -> Path:
    """`generate --rows 20000 --seed 7` written by a single rank, once per session."""
    out = tmp_path_factory.mktemp("generated") / "seed7-n1.csv"
    lfp.generate(20000, out, seed=7, ranks=1)
    return out
