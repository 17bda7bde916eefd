"""Bulk-load throughput and peak memory, on SQLite and PostgreSQL (issue 2).

For each size, synthetic trade is generated once (seeded) and loaded into a fresh database
by a separate process, ``--repeats`` times; the median rate and the peak resident memory
(loader and its worker processes) are printed as a Markdown table. Everything counts:
parsing, validation, DQ-1..DQ-5 checks, storage with consignment linking, and the DQ-6
pass over the changed consignments.

    python bench/bench_intake.py --sizes 100000,1000000 --backends sqlite,postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
POSTGRES = os.environ.get(
    "TOLLGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def dataset(size: int) -> Path:
    from tollgate.synthetic.generator import generate

    DATA.mkdir(exist_ok=True)
    path = DATA / f"filings-{size}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        generate(declarations=size, seed=1, out=tmp, labels_out=None)
        tmp.rename(path)
    return path


def run_one(url: str, source: Path, workers: int | None) -> dict[str, float]:
    """The measured process: migrate, register authorities, load, report."""
    from tollgate.authorities.seed import seed_authorities
    from tollgate.authorities.service import SYSTEM
    from tollgate.db import make_engine, session_factory, upgrade
    from tollgate.intake.bulk import bulk_load

    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        seed_authorities(session)
    started = time.perf_counter()
    summary = bulk_load(factory, source, fmt="jsonl", mapping=None, actor=SYSTEM, workers=workers)
    seconds = time.perf_counter() - started
    return {
        "records": summary.processed,
        "accepted": summary.accepted,
        "rejected": summary.rejected,
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def measure(backend: str, source: Path, workers: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
        else:
            schema = "bench_" + uuid.uuid4().hex[:10]
            admin = sa.create_engine(POSTGRES)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        try:
            cmd = [sys.executable, __file__, "--run-one", url, str(source)]
            if workers is not None:
                cmd += ["--workers", str(workers)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True)
            return dict(json.loads(out.stdout.strip().splitlines()[-1]))
        finally:
            if schema is not None:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--run-one", nargs=2, metavar=("URL", "FILE"))
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.run_one[0], Path(args.run_one[1]), args.workers)))
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    print(
        "| backend | declarations | filings | median filings/s | runs (s) | peak RSS loader "
        "(MB) | peak RSS per worker (MB) |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        source = dataset(size)
        for backend in args.backends.split(","):
            runs = [measure(backend, source, args.workers) for _ in range(args.repeats)]
            rates = [r["records"] / r["seconds"] for r in runs]
            print(
                f"| {backend} | {size:,} | {int(runs[0]['records']):,} | "
                f"{statistics.median(rates):,.0f} | "
                f"{', '.join(format(r['seconds'], '.1f') for r in runs)} | "
                f"{max(r['rss_mb'] for r in runs):.0f} | "
                f"{max(r['workers_rss_mb'] for r in runs):.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
