"""Monitoring indicators at national scale (issue 4: every indicator for 10,000,000
declarations and 500,000 control results in at most 10 s on DuckDB, on 2 cores).

Builds the history and monitoring tables directly in DuckDB (a file in a temporary
folder): ``--declarations`` declarations of one authority over a year (one goods item
each, plus a second item on one in five), kinds, filers, offices, AEO status and
data-quality findings drawn from hashes of the row number; an assessment per
declaration, profile hits on 8% of them (a quarter from common criteria), ``--results``
control tasks (10% random) and their results (6% irregular for risk-based, 2% for
random). Then times ``compute_indicators`` for the year: the median of ``--repeats``.

    .venv/bin/python bench/bench_indicators.py [--declarations 10000000] [--results 500000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from tollgate.monitoring.indicators import Period, compute_indicators
from tollgate.monitoring.store import ensure_tables
from tollgate.risk.history import History

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def build(history: History, declarations: int, results: int) -> None:
    history.ensure_table()
    ensure_tables(history)
    every = max(1, declarations // results)
    with history.connection() as con:
        con.execute(
            f"""
            INSERT INTO facts BY NAME
            SELECT i AS declaration_id, i AS filing_id, 1 AS authority_id, 0 AS row_no,
                   CASE WHEN hash(i) % 10 < 3 THEN 'ens' ELSE 'import' END AS kind,
                   'NL' || lpad(CAST(hash(i * 7) % 20000 AS VARCHAR), 9, '0') AS filer,
                   'NL' || lpad(CAST(hash(i * 11) % 40 AS VARCHAR), 6, '0') AS office,
                   TIMESTAMPTZ '2026-01-01 00:00:00+00'
                       + to_seconds(CAST(hash(i * 13) % 31536000 AS BIGINT)) AS lodged_at,
                   hash(i * 17) % 20 = 0 AS "trader.aeo",
                   CASE WHEN hash(i * 19) % 25 = 0 THEN ['DQ-3'] ELSE [] END AS "quality.codes",
                   '610910' AS "item.commodity_code"
            FROM range({declarations}) t(i)
            """  # noqa: S608 -- numbers
        )
        con.execute(
            """
            INSERT INTO facts BY NAME
            SELECT declaration_id, filing_id, authority_id, 1 AS row_no, kind, filer, office,
                   lodged_at, "trader.aeo", "quality.codes", '640399' AS "item.commodity_code"
            FROM facts WHERE row_no = 0 AND hash(declaration_id * 23) % 5 = 0
            """
        )
        con.execute(
            f"""
            INSERT INTO m_assessments
            SELECT i, i, NULL, 1,
                   CASE WHEN i % {every} = 0 THEN 'documentary' ELSE 'release' END,
                   i % {every} = 0 AND hash(i * 29) % 10 = 0,
                   'clearance',
                   TIMESTAMPTZ '2026-01-01 00:00:00+00'
                       + to_seconds(CAST(hash(i * 13) % 31536000 AS BIGINT))
            FROM range({declarations}) t(i)
            """  # noqa: S608 -- numbers
        )
        con.execute(
            f"""
            INSERT INTO m_hits
            SELECT i, i, 'P-' || CAST(hash(i) % 1000 AS VARCHAR), 1, hash(i * 31) % 4 = 0
            FROM range({declarations}) t(i) WHERE hash(i * 37) % 100 < 8 OR i % {every} = 0
            """  # noqa: S608 -- numbers
        )
        con.execute(
            f"""
            INSERT INTO m_tasks
            SELECT i, 1, i, 'NL' || lpad(CAST(hash(i * 11) % 40 AS VARCHAR), 6, '0'),
                   'clearance', 'documentary', hash(i * 29) % 10 = 0, 'closed'
            FROM range({declarations}) t(i) WHERE i % {every} = 0
            """  # noqa: S608 -- numbers
        )
        con.execute(
            """
            INSERT INTO m_results
            SELECT id, id, 1,
                   CASE WHEN hash(id * 41) % 100 < (CASE WHEN random THEN 2 ELSE 6 END)
                        THEN 'irregularity' ELSE 'no-irregularity' END,
                   (hash(id * 43) % 5000)::DOUBLE,
                   TIMESTAMPTZ '2026-06-01 00:00:00+00'
            FROM m_tasks
            """
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--results", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="tollgate-indicators-") as tmp:
        history = History(Path(tmp) / "history.duckdb")
        began = time.perf_counter()
        build(history, args.declarations, args.results)
        with history.connection() as con:
            counts = {
                name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]  # noqa: S608 -- constants
                for name in ("facts", "m_assessments", "m_hits", "m_tasks", "m_results")
            }
        print(f"built in {time.perf_counter() - began:.1f} s: {counts}")
        times = []
        result: dict[str, Any] = {}
        for _ in range(args.repeats):
            began = time.perf_counter()
            result = compute_indicators(history, Period(1, *YEAR))
            times.append(time.perf_counter() - began)
        print(
            f"all indicators for {result['declarations']['total']:,} declarations and "
            f"{result['results']['results']:,} results: median {statistics.median(times):.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in times)} s)"
        )
        history.close()


if __name__ == "__main__":
    main()
