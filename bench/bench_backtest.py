"""Back-testing speed (issue 3 point 6: "fast enough to use while editing a profile").

On the labelled KCS import declarations (``../shared/data/kcs-declarations``, 45,519
declarations with a fraud label): loads them into a fresh database, refreshes the
history store (the one-off cost, reported as filings/s), then times back-tests, each the
median of ``--repeats`` runs:

- one draft profile over the whole period, with its hit rate against the fraud labels;
- the active set as a whole (the periodic review of every profile);
- the same draft compared with an active set of ``--profiles`` seeded national profiles
  (commodity prefixes, origins, mass thresholds), which is the usual edit-and-retry loop;
- with ``--scale N``: the history store's rows copied until they hold N declarations
  (other ids, no labels), and the comparison run again — a year of a large office.

    .venv/bin/python bench/bench_backtest.py [--postgres URL] [--profiles 1000]
        [--repeats 5] [--scale 1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-declarations"
FILES = ("df_syn_train_eng.csv", "df_syn_valid_eng.csv")

DRAFT = {
    "id": "KR-DRAFT",
    "title": "Machinery parts from China declared light",
    "risk_area": "financial",
    "financial_risk": "undervaluation",
    "risk_level": 50,
    "stage": "clearance",
    "control": "documentary",
    "rationale": "Benchmark-setting draft for the back-test benchmark.",
    "when": {
        "all": [
            {"field": "item.commodity_code", "prefix": ["84", "85"]},
            {"field": "item.origin_country", "in": ["CN", "HK"]},
            {"field": "item.net_mass", "lt": 100},
        ]
    },
}


def seeded_profiles(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Profiles shaped like an authority's: an HS2/HS4 prefix, one to three origins,
    and a mass or a national-data condition."""
    rng = random.Random(seed)
    origins = ["CN", "US", "JP", "DE", "VN", "IT", "FR", "GB", "TH", "IN", "ID", "MY", "HK"]
    out = []
    for n in range(count):
        digits = rng.choice([2, 4, 4, 6])
        prefix = "".join(rng.choice("0123456789") for _ in range(digits))
        extra: dict[str, Any] = (
            {"field": "item.net_mass", rng.choice(["lt", "gt"]): rng.choice([1, 10, 100, 1000])}
            if rng.random() < 0.7
            else {"field": "national.KR.import_type", "eq": rng.choice(["11", "21", "29"])}
        )
        area = rng.choice(["financial", "product-safety", "ipr", "drug-precursors"])
        out.append(
            {
                "id": f"KR-{n:04d}",
                "title": f"seeded profile {n}",
                "risk_area": area,
                "financial_risk": "goods-at-risk" if area == "financial" else None,
                "risk_level": rng.choice([10, 20, 40, 60]),
                "stage": "clearance",
                "control": rng.choice(["documentary", "physical", "scan"]),
                "rationale": "Seeded for the back-test benchmark.",
                "when": {
                    "all": [
                        {"field": "item.commodity_code", "prefix": [prefix]},
                        {
                            "field": "item.origin_country",
                            "in": rng.sample(origins, rng.randint(1, 3)),
                        },
                        extra,
                    ]
                },
            }
        )
    return out


def median_of(repeats: int, run: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times), (result, times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=int, default=0, help="declarations to copy up to")
    args = parser.parse_args()

    from tollgate.authorities.seed import seed_authorities
    from tollgate.authorities.service import SYSTEM
    from tollgate.db import make_engine, session_factory, upgrade
    from tollgate.intake.bulk import bulk_load
    from tollgate.intake.mapping import load_mapping
    from tollgate.risk import service
    from tollgate.risk.backtest import backtest
    from tollgate.risk.history import History

    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {sys.version.split()[0]}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="tollgate-backtest-"))
    schema = None
    if args.postgres:
        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{workdir / 'tollgate.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = session_factory(engine)
        with factory() as session, session.begin():
            seed_authorities(session)
        mapping = load_mapping(ROOT / "mappings" / "kcs.yaml")
        began = time.perf_counter()
        for name in FILES:
            bulk_load(factory, KCS / name, fmt="csv", mapping=mapping, actor=SYSTEM)
        print(f"loaded KCS in {time.perf_counter() - began:.1f} s")

        history = History(workdir / "history.duckdb")
        began = time.perf_counter()
        added, _ = history.refresh(factory)
        took = time.perf_counter() - began
        print(f"history refresh: {added} filings in {took:.1f} s ({added / took:,.0f} filings/s)")
        began = time.perf_counter()
        assert history.refresh(factory) == (0, 0)
        print(f"history refresh with nothing new: {time.perf_counter() - began:.2f} s")

        with factory() as session, session.begin():
            service.import_profiles(
                session,
                actor=SYSTEM,
                data={"profiles": seeded_profiles(args.profiles)},
                authority="KR",
                activate=True,
            )
        period: dict[str, Any] = {"start": date(2020, 1, 1), "end": date(2021, 3, 31)}

        def draft_only() -> Any:
            with factory() as session, session.begin():
                return backtest(
                    session, history, actor=SYSTEM, authority="KR", drafts=[DRAFT], **period
                )

        def against_active() -> Any:
            with factory() as session, session.begin():
                return backtest(
                    session,
                    history,
                    actor=SYSTEM,
                    authority="KR",
                    drafts=[DRAFT],
                    active=True,
                    **period,
                )

        seconds, (result, times) = median_of(args.repeats, draft_only)
        (draft,) = result.profiles
        fraud_rate = _fraud_rate(factory)
        print(
            f"draft alone over {result.declarations:,} declarations: "
            f"median {seconds * 1000:.0f} ms "
            f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)} ms); {draft.hits} hits, "
            f"precision {draft.precision:.3f} against the fraud label (base rate {fraud_rate:.3f})"
        )
        seconds, (result, times) = median_of(args.repeats, against_active)
        print(
            f"draft vs {args.profiles} active profiles: median {seconds * 1000:.0f} ms "
            f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)} ms); "
            f"{result.profiles[0].additional} hits not selected by the active set"
        )

        def active_set() -> Any:
            with factory() as session, session.begin():
                return backtest(
                    session, history, actor=SYSTEM, authority="KR", active=True, **period
                )

        seconds, (result, times) = median_of(args.repeats, active_set)
        print(
            f"the {args.profiles} active profiles as a set: median {seconds * 1000:.0f} ms "
            f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)} ms); "
            f"{result.selected:,} declarations selected, "
            f"{sum(1 for p in result.profiles if p.hits)} profiles with hits"
        )
        if args.scale:
            rows = _scale(history, args.scale)
            seconds, (result, times) = median_of(args.repeats, against_active)
            print(
                f"at {result.declarations:,} declarations ({rows:,} rows), draft vs "
                f"{args.profiles} active: median {seconds * 1000:.0f} ms "
                f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
            )
        history.close()
    finally:
        engine.dispose()
        if schema is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def _fraud_rate(factory: Any) -> float:
    from sqlalchemy import func, select

    from tollgate.declarations.tables import FilingLabel

    with factory() as session:
        total = session.scalar(select(func.count()).where(FilingLabel.name == "fraud")) or 1
        fraud = session.scalar(
            select(func.count()).where(FilingLabel.name == "fraud", FilingLabel.value == "1")
        )
    return (fraud or 0) / total


def _scale(history: Any, declarations: int) -> int:
    """Copy the stored rows under new ids until the store holds ``declarations``."""
    with history.connection() as con:
        ((have, top),) = con.execute(
            "SELECT count(DISTINCT declaration_id), max(declaration_id) FROM facts"
        ).fetchall()
        copy = 1
        while have * (copy + 1) <= declarations:
            con.execute(
                "INSERT INTO facts SELECT * REPLACE (declaration_id + ? AS declaration_id, "
                "filing_id + ? AS filing_id) FROM facts WHERE declaration_id <= ?",
                [top * copy, top * copy, top],
            )
            copy += 1
        ((rows,),) = con.execute("SELECT count(*) FROM facts").fetchall()
    return int(rows)


if __name__ == "__main__":
    main()
