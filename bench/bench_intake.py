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
from datetime import UTC, datetime
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
    postgres = engine.dialect.name == "postgresql"
    # read while the load's pooled connections (and so their server processes) live
    server_before = server_cpu_seconds() if postgres else 0.0
    started = time.perf_counter()
    summary = bulk_load(factory, source, fmt="jsonl", mapping=None, actor=SYSTEM, workers=workers)
    seconds = time.perf_counter() - started
    server_cpu = server_cpu_seconds() - server_before if postgres else 0.0
    return {
        "server_cpu": server_cpu,
        "records": summary.processed,
        "accepted": summary.accepted,
        "rejected": summary.rejected,
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def ceiling(source: Path, declarations: int, limit: int = 30_000) -> dict[str, float]:
    """CPU seconds per declaration of the steps no load can skip, measured one at a time on
    one core: JSON parsing with pydantic validation (the model of DM-1..DM-8), the DQ-1..DQ-5
    checks, and the canonical serialisation with its hash (idempotency). Their sum bounds
    the rate any load can reach on this machine's cores, before it stores anything."""
    import hashlib

    from tollgate.declarations.models import FilingAdapter
    from tollgate.quality.checks import check_filing
    from tollgate.reference.nomenclature import locodes, nomenclature, vague_description_terms

    nomenclature(), locodes(), vague_description_terms()
    with source.open("rb") as fh:
        lines = [line for _, line in zip(range(limit), fh, strict=False)]
    # the declarations these filings stand for, at the source's filings-per-declaration
    n_decl = len(lines) * declarations / _count_lines(source)
    now = datetime.now(UTC)
    validate = check = serialise = 0.0
    clock = time.process_time
    for line in lines:  # one filing at a time, as a load does: nothing piles up for the GC
        t0 = clock()
        filing = FilingAdapter.validate_json(line)
        t1 = clock()
        check_filing(filing, received_at=now)
        t2 = clock()
        hashlib.sha256(FilingAdapter.dump_json(filing, exclude_none=True)).hexdigest()
        t3 = clock()
        validate, check, serialise = validate + t1 - t0, check + t2 - t1, serialise + t3 - t2
    out = {
        "validate_us": validate / n_decl * 1e6,
        "check_us": check / n_decl * 1e6,
        "serialise_us": serialise / n_decl * 1e6,
    }
    total = sum(out.values()) / 1e6
    out["ceiling_per_s"] = (os.cpu_count() or 1) / total
    return out


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def server_cpu_seconds() -> float:
    """CPU time used so far by the local PostgreSQL server's processes (Linux /proc): the
    server shares this machine's cores with the loader, so its work bounds the rate too."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if not Path(f"/proc/{pid}/comm").read_text().startswith("postgres"):
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


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


def server_cpu(backend: str, runs: list[dict[str, float]], size: int) -> str:
    if backend == "sqlite":
        return "(in the loader)"
    return f"{statistics.median(r['server_cpu'] for r in runs) / size * 1e6:.0f}"


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
    sizes = [int(s) for s in args.sizes.split(",")]
    bound = ceiling(dataset(sizes[0]), sizes[0])
    print(
        f"CPU per declaration, one core: validation {bound['validate_us']:.0f} µs, "
        f"DQ-1..DQ-5 {bound['check_us']:.0f} µs, serialisation and hash "
        f"{bound['serialise_us']:.0f} µs; ceiling before storage on {os.cpu_count()} cores: "
        f"{bound['ceiling_per_s']:,.0f} declarations/s (targets: 20,000 SQLite, 10,000 PostgreSQL)"
    )
    print(
        "| backend | declarations | filings | median declarations/s | median filings/s | "
        "runs (s) | server CPU µs/declaration | peak RSS loader (MB) | "
        "peak RSS per worker (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        source = dataset(size)
        for backend in args.backends.split(","):
            runs = [measure(backend, source, args.workers) for _ in range(args.repeats)]
            rates = [r["records"] / r["seconds"] for r in runs]
            print(
                f"| {backend} | {size:,} | {int(runs[0]['records']):,} | "
                f"{statistics.median(size / r['seconds'] for r in runs):,.0f} | "
                f"{statistics.median(rates):,.0f} | "
                f"{', '.join(format(r['seconds'], '.1f') for r in runs)} | "
                f"{server_cpu(backend, runs, size)} | "
                f"{max(r['rss_mb'] for r in runs):.0f} | "
                f"{max(r['workers_rss_mb'] for r in runs):.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
