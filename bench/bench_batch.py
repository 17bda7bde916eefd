"""Batch assessment: 1,000,000 stored declarations x 1,000 profiles on DuckDB (and Spark).

Builds synthetic rows (about 1.5 goods items per declaration: commodity codes drawn from
a skewed pool of HS6 headings, origins, masses, values, unit values, names, itineraries)
and 1,000 profiles shaped like an authority's (commodity prefixes with origins and value
thresholds, managed origin and EORI lists, description patterns, fuzzy names, routing,
a few without any anchor), loads the rows into DuckDB and times the assessment of all
profiles over all rows: the median of ``--repeats`` runs, load time reported apart. The
target is 2 s on a 2-core machine.

    .venv/bin/python bench/bench_batch.py [--declarations N] [--profiles P] [--repeats R]
        [--unanchored] [--spark-declarations N]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tollgate.risk.batch import ProfileBatch, assess_duckdb, load_duckdb
from tollgate.risk.evaluator import ManagedLists
from tollgate.risk.fact_table import fact_schema
from tollgate.risk.language import Node, normalise_name, parse_condition
from tollgate.risk.sql import Dialect

ORIGINS = ["CN", "US", "TR", "IN", "GB", "VN", "BD", "JP", "KR", "CH", "TW", "MY", "TH", "ID"]
ORIGINS += ["PK", "BR", "MX", "ZA", "MA", "EG", "AE", "SG", "NO", "CA", "AU", "UA", "RS", "LK"]
OFFICES = ["NL", "BE", "DE", "FR", "IT", "ES", "PL"]
WORDS = [
    "cotton",
    "shirts",
    "steel",
    "bolts",
    "plastic",
    "toys",
    "mobile",
    "phones",
    "parts",
    "footwear",
    "leather",
    "bags",
]
WORDS += [
    "frozen",
    "fish",
    "tiles",
    "solar",
    "panels",
    "bicycles",
    "tyres",
    "printed",
    "circuits",
    "replica",
    "watches",
]
HIGH_RISK = ["AE", "TR", "MA", "EG", "PK", "LK", "RS", "UA"]


def _zipf(rnd: random.Random, pool: list[Any], k: int, a: float = 1.1) -> list[Any]:
    cumulative = list(itertools.accumulate(1.0 / i**a for i in range(1, len(pool) + 1)))
    return rnd.choices(pool, cum_weights=cumulative, k=k)


def build_rows(declarations: int, seed: int) -> tuple[pa.Table, dict[str, Any]]:
    """Synthetic rows of ``declarations`` declarations, and the pools profiles draw on.
    Declaration-level facts are drawn once per declaration and repeated on its rows."""
    rnd = random.Random(seed)
    items = rnd.choices([1, 2, 3, 4], [125, 75, 15, 1], k=declarations)  # 1.5 on average
    decl = list(itertools.chain.from_iterable(itertools.repeat(d, c) for d, c in enumerate(items)))
    row_no = list(itertools.chain.from_iterable(range(c) for c in items))
    n = len(decl)
    decl_index = pa.array(decl, pa.int64())

    def repeated(values: list[Any], type_: pa.DataType | None = None) -> pa.Array:
        return pc.take(pa.array(values, type_ or pa.string()), decl_index)

    hs6 = [f"{h:06d}" for h in rnd.sample(range(10_000, 970_000), 5_000)]
    codes = [h + f"{rnd.randrange(10_000):04d}" for h in _zipf(rnd, hs6, n, 0.9)]
    origin = _zipf(rnd, ORIGINS, n, 1.2)
    companies = sorted(
        {normalise_name(f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i} co") for i in range(6_000)}
    )
    gross = [math.exp(rnd.gauss(4, 2)) for _ in range(n)]
    net = [g * rnd.uniform(0.7, 0.98) for g in gross]
    value = [math.exp(rnd.gauss(7, 2)) for _ in range(n)]
    descriptions = [" ".join(rnd.choices(WORDS, k=3)) for _ in range(3_000)]
    eoris = [f"{rnd.choice(OFFICES)}{rnd.randrange(10**12):012d}" for _ in range(50_000)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    columns: dict[str, pa.Array] = {
        "declaration_id": decl_index,
        "row_no": pa.array(row_no, pa.int32()),
        "kind": repeated(rnd.choices(["import", "ens"], k=declarations)),
        "office_country": repeated(rnd.choices(OFFICES, k=declarations)),
        "lodged_at": repeated(
            [start + timedelta(seconds=rnd.randrange(365 * 86_400)) for _ in range(declarations)],
            pa.timestamp("us", tz="UTC"),
        ),
        "transport.mode": repeated(
            rnd.choices(["1", "3", "4", "5"], [60, 20, 15, 5], k=declarations)
        ),
        "transport.loading_country": repeated(_zipf(rnd, ORIGINS, declarations)),
        "transport.itinerary": repeated(
            [_zipf(rnd, ORIGINS, rnd.randrange(4)) for _ in range(declarations)],
            pa.list_(pa.string()),
        ),
        "consignor.name": repeated(rnd.choices(companies, k=declarations)),
        "consignor.country": pa.array(origin),
        "consignee.eori": repeated(_zipf(rnd, eoris, declarations)),
        "trader.aeo": repeated([rnd.random() < 0.1 for _ in range(declarations)], pa.bool_()),
        "trader.first_time": repeated(
            [rnd.random() < 0.05 for _ in range(declarations)], pa.bool_()
        ),
        "quality.score": repeated(
            [float(rnd.randrange(101)) for _ in range(declarations)], pa.float64()
        ),
        "item.commodity_code": pa.array(codes),
        "item.origin_country": pa.array(origin),
        "item.description": pa.array(rnd.choices(descriptions, k=n)),
        "item.gross_mass": pa.array(gross),
        "item.net_mass": pa.array(net),
        "item.value": pa.array(value),
        "item.unit_value_per_kg": pa.array([v / m for v, m in zip(value, net, strict=True)]),
        "item.benchmark_ratio": pa.array([math.exp(rnd.gauss(0, 0.6)) for _ in range(n)]),
        "item.procedure_code": pa.array(
            rnd.choices(["4000", "4200", "4071", "5100"], [80, 12, 5, 3], k=n)
        ),
    }
    schema = fact_schema()
    table = pa.table([columns.get(f.name, pa.nulls(n, f.type)) for f in schema], schema=schema)
    pools = {"hs6": hs6[:1_500], "companies": companies, "eoris": eoris}
    return table, pools


def build_profiles(
    count: int, pools: dict[str, Any], seed: int
) -> tuple[list[tuple[str, Node]], ManagedLists]:
    """Profiles in the proportions an authority's set might have."""
    rnd = random.Random(seed)
    hs6: list[str] = pools["hs6"]

    def prefixes(length: int, k: int) -> list[str]:
        return sorted({rnd.choice(hs6[:600])[:length] for _ in range(k)})

    def origins(k: int) -> list[str]:
        return rnd.sample(ORIGINS[:20], k)

    watch = [normalise_name(n[:-1] + "X") for n in rnd.sample(pools["companies"], 200)]
    lists = ManagedLists(
        codes={
            "high-risk-origins": frozenset(HIGH_RISK),
            "sanctioned": frozenset(rnd.sample(pools["eoris"], 1_000)),
        },
        names={"watch": tuple(watch)},
    )
    shapes: list[tuple[int, Callable[[], dict[str, Any]]]] = [
        (
            55,
            lambda: {
                "all": [
                    {"field": "item.commodity_code", "prefix": prefixes(rnd.choice([4, 6, 6]), 3)},
                    {"field": "item.origin_country", "in": origins(rnd.randint(1, 4))},
                    {"field": "item.unit_value_per_kg", "lt": round(rnd.uniform(0.1, 1.0), 2)},
                ]
            },
        ),
        (
            10,
            lambda: {
                "all": [
                    {"field": "item.commodity_code", "prefix": prefixes(rnd.choice([4, 6]), 2)},
                    {"field": "item.origin_country", "in_list": "high-risk-origins"},
                    {"not": {"field": "trader.aeo", "eq": True}},
                    {"field": "item.value", "gte": rnd.choice([5_000, 20_000])},
                ]
            },
        ),
        (
            8,
            lambda: {
                "all": [
                    {"field": "item.commodity_code", "prefix": prefixes(4, 2)},
                    {
                        "field": "item.description",
                        "matches": rnd.choice(
                            [
                                r"\brepli(ca|que)\b",
                                "(?:imitation|copy) of",
                                r"^\w+ parts$",
                                "solar.*panel",
                            ]
                        ),
                    },
                ]
            },
        ),
        (
            5,
            lambda: {
                "all": [
                    {"field": "item.commodity_code", "prefix": prefixes(2, 2)},
                    {"field": "consignor.name", "similar": {"list": "watch", "threshold": 0.85}},
                ]
            },
        ),
        (
            5,
            lambda: {
                "all": [
                    {"field": "item.commodity_code", "prefix": prefixes(4, 4)},
                    {"field": "consignee.eori", "in_list": "sanctioned"},
                ]
            },
        ),
        (
            7,
            lambda: {
                "all": [
                    {"field": "item.origin_country", "eq": rnd.choice(ORIGINS[8:])},
                    {"field": "item.description", "contains": rnd.sample(WORDS, 2)},
                    {"field": "item.value", "gte": rnd.choice([20_000, 50_000, 100_000])},
                ]
            },
        ),
        (
            5,
            lambda: {
                "all": [
                    {"field": "transport.loading_country", "in": rnd.sample(ORIGINS[10:], 2)},
                    {"field": "transport.itinerary", "includes": rnd.sample(HIGH_RISK, 2)},
                    {"field": "lodged_at", "gte": "2026-06-01"},
                ]
            },
        ),
        (
            2,
            lambda: {
                "any": [
                    {"field": "quality.score", "lt": rnd.randint(1, 3)},
                    {
                        "all": [
                            {"field": "trader.first_time", "eq": True},
                            {
                                "field": "item.benchmark_ratio",
                                "lt": round(rnd.uniform(0.05, 0.2), 2),
                            },
                        ]
                    },
                ]
            },
        ),
        (
            3,
            lambda: {
                "all": [
                    {"field": "item.commodity_code", "prefix": [rnd.choice(hs6[:300]) + "00"]},
                    {"field": "item.procedure_code", "eq": "4200"},
                    {"field": "item.benchmark_ratio", "lt": 0.5},
                ]
            },
        ),
    ]
    weights = [w for w, _ in shapes]
    profiles = []
    for i in range(count):
        ((_, make),) = rnd.choices(shapes, weights)
        profiles.append((f"P{i:04d}", parse_condition(make())))
    return profiles, lists


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--profiles", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--unanchored",
        action="store_true",
        help="also time the plan without anchors (one full scan per profile)",
    )
    parser.add_argument(
        "--spark-declarations",
        type=int,
        default=0,
        help="also time Spark (local, all cores) on this many declarations",
    )
    args = parser.parse_args(argv)

    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}, {platform.platform()}"
    )
    t = time.perf_counter()
    table, pools = build_rows(args.declarations, args.seed)
    profiles, lists = build_profiles(args.profiles, pools, args.seed)
    print(
        f"generated {args.declarations:,} declarations = {table.num_rows:,} rows, "
        f"{len(profiles):,} profiles in {time.perf_counter() - t:.1f} s"
    )

    connection = duckdb.connect()
    t = time.perf_counter()
    load_duckdb(connection, table)
    print(f"load into DuckDB: {time.perf_counter() - t:.2f} s")

    plans = [("anchored", True)] + ([("unanchored", False)] if args.unanchored else [])
    for label, anchored in plans:
        t = time.perf_counter()
        batch = ProfileBatch(profiles, lists, anchored=anchored)
        batch.query(Dialect.DUCKDB, facts='"facts"', columns=table.schema.names)
        compile_s = time.perf_counter() - t
        times = []
        for i in range(args.repeats):
            t = time.perf_counter()
            result = assess_duckdb(batch, connection)
            times.append(time.perf_counter() - t)
            print(f"  {label} run {i + 1}: {times[-1]:.2f} s, {result.num_rows:,} hits", flush=True)
        hit_declarations = len(pc.unique(result["declaration_id"]))
        print(
            f"DuckDB {label}: median {statistics.median(times):.2f} s for "
            f"{args.declarations:,} declarations x {len(profiles):,} profiles "
            f"(compile {compile_s:.2f} s; {result.num_rows:,} hits on "
            f"{hit_declarations:,} declarations)"
        )
        t = time.perf_counter()
        batch.hits(result)
        print(f"  hits as Python objects: {time.perf_counter() - t:.2f} s")

    if args.spark_declarations:
        run_spark(table, profiles, lists, args.spark_declarations, args.repeats)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:,.0f} MiB")
    return 0


def run_spark(
    table: pa.Table,
    profiles: list[tuple[str, Node]],
    lists: ManagedLists,
    declarations: int,
    repeats: int,
) -> None:
    """Spark in local mode on this machine, all cores; the hits compared with DuckDB's."""
    from tollgate.risk.spark import assess_spark, load_spark, local_session

    subset = table.filter(pc.less(table["declaration_id"], declarations))
    session = local_session(cores=os.cpu_count() or 1, memory="6g")
    t = time.perf_counter()
    load_spark(session, subset)
    session.table("facts").cache().count()
    print(f"load into Spark (cached): {time.perf_counter() - t:.2f} s")
    batch = ProfileBatch(profiles, lists)
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        result = assess_spark(batch, session)
        times.append(time.perf_counter() - t)
        print(f"  spark run {i + 1}: {times[-1]:.2f} s, {result.num_rows:,} hits", flush=True)
    print(
        f"Spark local[{os.cpu_count()}]: median {statistics.median(times):.2f} s for "
        f"{declarations:,} declarations x {len(profiles):,} profiles"
    )
    session.stop()
    connection = duckdb.connect()
    load_duckdb(connection, subset)
    same = set(batch.hits(result)) == set(batch.hits(assess_duckdb(batch, connection)))
    print(f"Spark and DuckDB hits identical: {same}")


if __name__ == "__main__":
    sys.exit(main())
