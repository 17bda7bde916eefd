"""Throughput of the synthetic trade generator: declarations per second, and peak memory.

Generates 1,000,000 declaration units (consignments plus import declarations, see
``tollgate.synthetic.generator``) to a temporary file, three times, and prints the median
rate and the peak resident memory of this process and of its worker processes. The target
is 100,000 declarations/s on a 2-core machine.

    .venv/bin/python bench/bench_generator.py [--declarations N] [--repeats R] [--workers W]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from tollgate.synthetic.generator import build_world, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="default: up to 2")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    build_world(args.seed)  # reference data and operators: once per process, not timed
    rates: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-") as tmp:
        for i in range(args.repeats):
            out = Path(tmp) / f"filings-{i}.jsonl"
            labels = Path(tmp) / f"labels-{i}.jsonl"
            stats = generate(
                declarations=args.declarations,
                seed=args.seed,
                out=out,
                labels_out=labels,
                workers=args.workers,
            )
            rate = stats.declarations / stats.seconds
            rates.append(rate)
            print(
                f"run {i + 1}: {stats.declarations:,} declarations, {stats.filings:,} filings, "
                f"{stats.bytes_written / 1e6:,.0f} MB in {stats.seconds:.2f} s "
                f"= {rate:,.0f} declarations/s",
                flush=True,
            )
            out.unlink()
            labels.unlink()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"median: {statistics.median(rates):,.0f} declarations/s")
    print(f"peak RSS: {own:,.0f} MiB (this process), {workers:,.0f} MiB (largest worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
