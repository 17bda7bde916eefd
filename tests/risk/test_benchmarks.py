"""Unit-value benchmarks from stored history (RM-15), on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from factories import goods, import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.authorities.tables import Authority
from tollgate.cli.main import app
from tollgate.declarations.models import FilingAdapter
from tollgate.declarations.tables import FilingVersion
from tollgate.errors import NotAuthorised, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service
from tollgate.risk.backtest import backtest
from tollgate.risk.benchmarks import benchmarks_for, compute_benchmarks, window
from tollgate.risk.facts import (
    BENCHMARK_FIELDS,
    PER_KG,
    Benchmark,
    Benchmarks,
    Context,
    benchmark_facts,
    rows_of,
)
from tollgate.risk.history import BENCHMARK_SET, History
from tollgate.risk.language import FIELDS, FieldType
from tollgate.risk.tables import Assessment, UnitValueBenchmark

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)
#: the CN shirts' unit values per kg are 2..6 (six each): median 4, and the MAD of their
#: logarithms is ln(4/3) (the 15th and 16th of the 30 absolute deviations)
CN_LOG_MAD = math.log(4 / 3)


def shirts(
    n: int,
    price: float,
    origin: str = "CN",
    day: int = 2,
    code: str = "61091000",
    units: float | None = 50.0,
) -> dict[str, Any]:
    """An import of 100 kg net (and ``units`` pieces) of shirts at ``price`` EUR in total."""
    return import_h1(
        lrn=f"{origin}-{code}-{n}-{price}",
        htd=None,
        lodged_at=f"2026-10-{day:02d}T09:00:00Z",
        goods_items=[
            goods(
                commodity_code=code,
                origin_country=origin,
                net_mass=100.0,
                gross_mass=110.0,
                supplementary_units=units,
                item_price=f"{price:.2f}",
            )
        ],
    )


@pytest.fixture
def history(factory: sessionmaker[Session], tmp_path: Path) -> History:
    """Shirts from CN at 2..6 EUR/kg (six each), three from BD, and twenty from VN lodged
    in September, outside October."""
    records = [shirts(n, 100.0 * per_kg) for per_kg in (2, 3, 4, 5, 6) for n in range(6)]
    records += [shirts(n, 500.0, "BD") for n in range(3)]
    records += [
        shirts(n, 900.0, "VN", day=1) | {"lodged_at": "2026-09-01T09:00:00Z"} for n in range(20)
    ]
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=records)
    store = History(tmp_path / "history.duckdb")
    store.refresh(factory)
    return store


def _nl(session: Session) -> int:
    nl = session.scalar(select(Authority.id).where(Authority.code == "NL"))
    assert nl is not None
    return nl


def _facts(filing: dict[str, Any], benchmarks: Benchmarks) -> dict[str, Any]:
    model = FilingAdapter.validate_python(filing)
    (row,) = rows_of(model, "NL", Context(benchmarks=benchmarks))
    return row


def test_rm_15_robust_statistics_per_level_and_measure_of_the_period(
    factory: sessionmaker[Session], history: History
) -> None:
    with factory() as session, session.begin():
        made = compute_benchmarks(
            session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31
        )
    # every level of the CN shirts and of all shirts, per kg and per piece; BD has too few
    levels = ("hs2", "hs2_origin", "hs4", "hs4_origin", "hs6", "hs6_origin")
    assert made.levels == {f"{per}/{level}": 1 for per in ("kg", "unit") for level in levels}
    assert (made.authority, made.version, made.benchmarks, made.items) == ("NL", 1, 12, 33)
    assert (made.start, made.end) == (date(2026, 10, 1), date(2026, 10, 31))
    with factory() as session:
        rows = {
            (r.per, r.level): r
            for r in session.scalars(select(UnitValueBenchmark).order_by(UnitValueBenchmark.id))
        }
        cn = rows["kg", "hs6_origin"]
        assert (cn.code, cn.origin, cn.items) == ("610910", "CN", 30)
        assert cn.median == pytest.approx(4.0)
        assert cn.p25 == pytest.approx(3.0) and cn.p75 == pytest.approx(5.0)
        assert cn.log_median == pytest.approx(math.log(4.0))
        assert cn.log_mad == pytest.approx(CN_LOG_MAD)
        every = rows["kg", "hs6"]
        assert (every.code, every.origin, every.items) == ("610910", None, 33)
        assert (rows["kg", "hs4"].code, rows["kg", "hs2_origin"].code) == ("6109", "61")
        per_piece = rows["unit", "hs6_origin"]  # 50 pieces in 100 kg: twice the value per kg
        assert per_piece.median == pytest.approx(8.0) and per_piece.items == 30
        assert per_piece.log_mad == pytest.approx(CN_LOG_MAD)
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "benchmarks_computed")
        ).one()
        assert audit.object_id == "NL/v1"
        assert audit.detail["window_days"] == 31 and audit.detail["min_items"] == 5
        assert audit.detail["levels"]["kg/hs6_origin"] == 1


def test_rm_15_fallback_levels_from_goods_and_origin_to_chapter(
    factory: sessionmaker[Session], history: History
) -> None:
    with factory() as session, session.begin():
        compute_benchmarks(session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31)
        benchmarks = benchmarks_for(session, _nl(session))
    cases = {
        ("61091000", "CN"): "hs6_origin",
        ("61091000", "BD"): "hs6",  # three BD shirts are too few: all shirts of the HS6
        ("61099020", "CN"): "hs4_origin",  # no 610990 seen: CN goods of the heading
        ("61099020", "BD"): "hs4",
        ("61102000", "CN"): "hs2_origin",
        ("61102000", "BD"): "hs2",
        ("84713000", "CN"): None,
    }
    found = {
        key: _facts(shirts(1, 400.0, key[1], code=key[0]), benchmarks)["item.benchmark_level"]
        for key in cases
    }
    assert found == cases
    no_units = _facts(shirts(1, 400.0, units=None), benchmarks)
    assert no_units["item.benchmark_level"] == "hs6_origin"
    assert no_units["item.benchmark_level_per_unit"] is None
    assert no_units["item.unit_value_deviation_per_unit"] is None


def test_rm_15_the_goods_come_before_the_origin_when_falling_back() -> None:
    """The same HS6 from anywhere is preferred to the same heading from the same origin,
    and a code shorter than a level skips it."""
    table = {
        (PER_KG, "6109", "CN"): Benchmark(1.0, 0.0, 0.2, 50),
        (PER_KG, "610910", None): Benchmark(2.0, 0.7, 0.2, 50),
        (PER_KG, "61", None): Benchmark(3.0, 1.1, 0.2, 50),
    }
    benchmarks = Benchmarks("v1", table)
    assert benchmarks.find(PER_KG, "61091000", "CN") == ("hs6", table[PER_KG, "610910", None])
    assert benchmarks.find(PER_KG, "61099000", "CN") == ("hs4_origin", table[PER_KG, "6109", "CN"])
    assert benchmarks.find(PER_KG, "6109", None) == ("hs2", table[PER_KG, "61", None])
    assert benchmarks.find(PER_KG, "6", "CN") is None
    assert benchmarks.find("unit", "61091000", "CN") is None


def test_rm_15_a_rolling_window_leaves_out_older_rows(
    factory: sessionmaker[Session], history: History
) -> None:
    with factory() as session, session.begin():
        month = compute_benchmarks(
            session,
            history,
            actor=NL_ANALYST,
            as_of=date(2026, 10, 31),
            window_days=30,
            min_items=5,
        )
        assert (month.start, month.end) == (date(2026, 10, 2), date(2026, 10, 31))
        two = compute_benchmarks(
            session,
            history,
            actor=NL_ANALYST,
            as_of=date(2026, 10, 31),
            window_days=61,
            min_items=5,
        )
        assert two.start == date(2026, 9, 1)
        origins: dict[int, set[str | None]] = {1: set(), 2: set()}
        for version, origin in session.execute(
            select(UnitValueBenchmark.version, UnitValueBenchmark.origin).where(
                UnitValueBenchmark.per == PER_KG, UnitValueBenchmark.code == "610910"
            )
        ):
            origins[version].add(origin)
        nl = _nl(session)
        newest = benchmarks_for(session, nl)
    assert origins == {1: {"CN", None}, 2: {"CN", "VN", None}}
    assert (month.items, two.items) == (33, 53)
    # assessment reads the newest set: VN shirts now have their own benchmark
    assert newest.set_id.startswith("v2@")
    assert _facts(shirts(1, 900.0, "VN"), newest)["item.benchmark_level"] == "hs6_origin"


def test_rm_15_the_default_window_is_the_year_up_to_today() -> None:
    first, last = window(as_of=date(2026, 12, 31))
    assert (first, last) == (date(2026, 1, 1), date(2026, 12, 31))
    assert window(start=date(2026, 1, 5), end=date(2026, 1, 5)) == (date(2026, 1, 5),) * 2


def test_rm_15_robust_statistics_resist_a_planted_outlier(
    factory: sessionmaker[Session], history: History
) -> None:
    """One shirt declared at 1,000 EUR/kg leaves the median and MAD where they were (a
    mean would move from 4 to 36) and is itself flagged as overvalued."""
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[shirts(90, 100_000.0)])
    history.refresh(factory)
    with factory() as session, session.begin():
        compute_benchmarks(session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31)
        cn = session.scalars(
            select(UnitValueBenchmark).where(
                UnitValueBenchmark.per == PER_KG,
                UnitValueBenchmark.code == "610910",
                UnitValueBenchmark.origin == "CN",
            )
        ).one()
        benchmarks = benchmarks_for(session, _nl(session))
    assert cn.items == 31 and cn.median == pytest.approx(4.0)
    assert cn.log_median == pytest.approx(math.log(4.0))
    assert cn.log_mad == pytest.approx(CN_LOG_MAD)
    planted = _facts(shirts(90, 100_000.0), benchmarks)
    assert planted["item.unit_value_deviation"] > 10
    assert (planted["item.overvalued"], planted["item.undervalued"]) == (True, False)


def test_rm_15_every_item_gets_its_deviation_and_outliers_are_flagged(
    factory: sessionmaker[Session], history: History
) -> None:
    with factory() as session, session.begin():
        compute_benchmarks(session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31)
        benchmarks = benchmarks_for(session, _nl(session))
    spread = 1.4826 * CN_LOG_MAD
    low = _facts(shirts(1, 100.0), benchmarks)  # 1 EUR/kg against a median of 4
    assert low["item.benchmark_ratio"] == pytest.approx(0.25)
    assert low["item.unit_value_deviation"] == pytest.approx(math.log(0.25) / spread)
    assert low["item.unit_value_deviation"] < -3
    assert (low["item.undervalued"], low["item.overvalued"]) == (True, False)
    fair = _facts(shirts(2, 350.0), benchmarks)
    assert fair["item.unit_value_deviation"] == pytest.approx(math.log(3.5 / 4) / spread)
    assert (fair["item.undervalued"], fair["item.overvalued"]) == (False, False)
    # a fair price per kg for ten times the pieces: under-valued per supplementary unit
    pieces = _facts(shirts(3, 400.0, units=500.0), benchmarks)
    assert pieces["item.unit_value_deviation"] == pytest.approx(0.0)
    assert pieces["item.benchmark_level_per_unit"] == "hs6_origin"
    assert pieces["item.benchmark_ratio_per_unit"] == pytest.approx(0.1)
    assert pieces["item.unit_value_deviation_per_unit"] < -3
    assert pieces["item.undervalued"] is True
    free = _facts(shirts(4, 0.0), benchmarks)  # no logarithm, but nothing is cheaper
    assert free["item.unit_value_deviation"] is None and free["item.undervalued"] is True
    unknown = _facts(shirts(5, 400.0, code="84713000"), benchmarks)
    assert {name: unknown[name] for name in BENCHMARK_FIELDS} == dict.fromkeys(BENCHMARK_FIELDS)


def test_rm_15_a_floor_on_the_mad_keeps_a_discount_on_identical_prices_normal() -> None:
    same = Benchmarks("v1", {(PER_KG, "610910", "CN"): Benchmark(4.0, math.log(4.0), 0.0, 40)})
    discount = benchmark_facts("61091000", "CN", 3.6, None, same)  # 10 % off
    assert discount["item.unit_value_deviation"] == pytest.approx(math.log(0.9) / 0.14826)
    assert discount["item.undervalued"] is False
    # a set from before the log statistics: a ratio, but no deviation and no flags
    old = Benchmarks("v1", {(PER_KG, "610910", "CN"): Benchmark(4.0)})
    facts = benchmark_facts("61091000", "CN", 1.0, None, old)
    assert facts["item.benchmark_ratio"] == 0.25 and facts["item.unit_value_deviation"] is None
    assert facts["item.undervalued"] is None


def test_rm_15_the_new_facts_are_in_the_catalogue() -> None:
    assert FIELDS["item.undervalued"].type is FieldType.FLAG
    assert FIELDS["item.overvalued"].type is FieldType.FLAG
    assert FIELDS["item.unit_value_deviation"].type is FieldType.NUMBER
    assert FIELDS["item.benchmark_level"].type is FieldType.CODE
    assert all(name in FIELDS for name in BENCHMARK_FIELDS)


def test_bad_requests_are_refused(factory: sessionmaker[Session], history: History) -> None:
    def compute(**kw: Any) -> None:
        compute_benchmarks(session, history, actor=NL_ANALYST, **kw)

    with factory() as session, session.begin():
        with pytest.raises(ValidationFailed, match="ends"):
            compute(start=date(2026, 10, 2), end=date(2026, 10, 1))
        with pytest.raises(ValidationFailed, match="at least 5 items"):
            compute(min_items=4, start=OCT_1, end=OCT_31)
        for days in (0, -3):
            with pytest.raises(ValidationFailed, match="at least 1 day"):
                compute(window_days=days)
        with pytest.raises(ValidationFailed, match="at most 3660 days"):
            compute(window_days=4000)
        with pytest.raises(ValidationFailed, match="not both"):
            compute(window_days=30, start=OCT_1, end=OCT_31)
        with pytest.raises(ValidationFailed, match="both the first and the last"):
            compute(start=date(2026, 10, 1))
        with pytest.raises(NotAuthorised):
            compute(authority="DE", start=OCT_1, end=OCT_31)
        assert session.scalars(select(UnitValueBenchmark)).all() == []


def _undervaluation_profiles() -> dict[str, Any]:
    def one(pid: str, flag: str) -> dict[str, Any]:
        return {
            "id": pid,
            "title": f"unit value {flag} (RM-15)",
            "risk_area": "financial",
            "financial_risk": "undervaluation",
            "risk_level": 60,
            "stage": "clearance",
            "control": "documentary",
            "rationale": "A unit value far from what the same goods are declared at.",
            "when": {"field": f"item.{flag}", "eq": True},
        }

    return {"profiles": [one("NL-UNDER", "undervalued"), one("NL-OVER", "overvalued")]}


def test_rm_15_a_profile_on_undervalued_hits_in_assessment(
    factory: sessionmaker[Session], history: History
) -> None:
    """The starter CRC-FIN-UNDERVALUATION (a third of the median) and a profile on the
    flag, through the risk engine."""
    with factory() as session, session.begin():
        compute_benchmarks(session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31)
        service.import_profiles(
            session,
            actor=SYSTEM,
            data=service.starter_criteria(),
            authority="EU-COM",
            activate=True,
        )
        service.import_profiles(
            session, actor=SYSTEM, data=_undervaluation_profiles(), authority="NL", activate=True
        )
        submit(session, actor=SYSTEM, records=[shirts(99, 100.0), shirts(98, 350.0)])
    service.assess_pending(factory, actor=SYSTEM)
    with factory() as session:
        found: dict[str, dict[str, Any]] = {}
        for assessment in session.scalars(select(Assessment)):
            version = session.get(FilingVersion, assessment.filing_version_id)
            assert version is not None
            for reason in assessment.reasons:
                if reason.get("profile_id") in ("CRC-FIN-UNDERVALUATION", "NL-UNDER", "NL-OVER"):
                    found.setdefault(version.document["lrn"], {})[reason["profile_id"]] = reason[
                        "matched"
                    ]
    # 1 EUR/kg is a quarter of the 4 EUR/kg median; 3.5 EUR/kg is not suspicious
    assert found == {
        "CN-61091000-99-100.0": {
            "CRC-FIN-UNDERVALUATION": {
                "item.benchmark_ratio": 0.25,
                "item.benchmark_level": "hs6_origin",
            },
            "NL-UNDER": {"item.undervalued": True},
        }
    }


@pytest.mark.parametrize(
    ("level", "fires"),
    [("hs6_origin", True), ("hs6", True), ("hs4_origin", False), ("hs4", False), ("hs2", False)],
)
def test_rm_15_the_starter_undervaluation_criterion_needs_a_subheading_benchmark(
    level: str, fires: bool
) -> None:
    """A third of a heading's or chapter's median is no evidence: those medians mix goods
    of different prices."""
    from tollgate.risk.evaluator import ManagedLists, compile_node
    from tollgate.risk.profiles import parse_profile_set

    (node,) = [
        node
        for spec, node in parse_profile_set(service.starter_criteria())
        if spec.id == "CRC-FIN-UNDERVALUATION"
    ]
    test = compile_node(node, ManagedLists())
    assert test({"item.benchmark_ratio": 0.25, "item.benchmark_level": level}) is fires
    assert test({"item.benchmark_ratio": 0.5, "item.benchmark_level": level}) is False


def test_rm_15_a_profile_on_the_flags_hits_in_a_back_test_as_in_assessment(
    factory: sessionmaker[Session], history: History
) -> None:
    """Computing a set restates the stored rows' benchmark facts; rows stored after it
    are restated by the back-test itself — computed exactly as assessment computes them."""
    with factory() as session, session.begin():
        compute_benchmarks(session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31)
    with history.connection() as con:
        marks = con.execute(f"SELECT DISTINCT {BENCHMARK_SET} FROM facts").fetchall()  # noqa: S608
    assert len(marks) == 1 and marks[0][0].startswith("v1@")
    with factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[shirts(99, 100.0), shirts(98, 350.0), shirts(97, 100_000.0)],
        )
    assert history.refresh(factory) == (3, 0)
    with factory() as session, session.begin():
        result = backtest(
            session,
            history,
            actor=NL_ANALYST,
            drafts=_undervaluation_profiles(),
            samples=1,
            start=OCT_1,
            end=OCT_31,
        )
        benchmarks = benchmarks_for(session, _nl(session))
    hits = {p.profile_id: p.hits for p in result.profiles}
    assert hits == {"NL-UNDER": 1, "NL-OVER": 1}
    (under,) = result.profiles[0].samples
    assert under["matched"] == {"item.undervalued": True}
    # the stored row holds what assessment computes for the same filing and set
    with history.connection() as con:
        names = ", ".join(f'"{n}"' for n in BENCHMARK_FIELDS)
        stored = con.execute(
            f"SELECT {names}, {BENCHMARK_SET} FROM facts "  # noqa: S608 -- constants
            'WHERE "item.value" = 100.0'
        ).fetchall()
    assert len(stored) == 1
    live = _facts(shirts(99, 100.0), benchmarks)
    assert stored[0][:-1] == tuple(live[n] for n in BENCHMARK_FIELDS)
    assert stored[0][-1] == benchmarks.set_id
    # nothing left to restate until a new set or new rows
    assert history.apply_benchmarks(_nl_id(factory), benchmarks) == 0


def _nl_id(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return _nl(session)


def _words(result: Result) -> str:
    """The output as words: the console wraps to the terminal's width."""
    return " ".join(result.output.split())


def test_rm_15_the_cli_computes_a_rolling_window(
    cli_db: str, factory: sessionmaker[Session]
) -> None:
    with factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[shirts(n, 100.0 * per_kg) for per_kg in (2, 3, 4, 5, 6) for n in range(2)]
            + [shirts(n, 900.0, "VN") | {"lodged_at": "2026-09-01T09:00:00Z"} for n in range(9)],
        )
    runner = CliRunner()
    base = ["risk", "benchmarks", "--authority", "NL", "--as-of", "2026-10-31", "--min-items", "5"]
    made = runner.invoke(app, [*base, "--window-days", "30"])
    assert made.exit_code == 0, made.output
    assert "NL v1: 12 stored from 10 goods items lodged 2026-10-02..2026-10-31" in _words(made)
    assert "hs6_origin" in made.output
    wider = runner.invoke(app, [*base, "--window-days", "61"])
    assert wider.exit_code == 0, wider.output
    assert "v2: 18 stored from 19 goods items" in _words(wider)  # VN per kg and per piece
    refused = runner.invoke(app, [*base, "--window-days", "0"])
    assert refused.exit_code == 2 and "at least 1 day" in _words(refused)
    both = runner.invoke(app, [*base, "--from", "2026-10-01", "--to", "2026-10-31"])
    assert both.exit_code == 2 and "not both" in _words(both)


def test_rm_15_a_store_older_than_the_facts_gains_them_with_their_types(
    factory: sessionmaker[Session], history: History
) -> None:
    with history.connection() as con:
        for name in (*BENCHMARK_FIELDS, BENCHMARK_SET):
            con.execute(f'ALTER TABLE facts DROP COLUMN "{name}"')
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[shirts(99, 100.0)])
    assert history.refresh(factory) == (1, 0)  # new rows into the old table
    with factory() as session, session.begin():
        compute_benchmarks(session, history, actor=NL_ANALYST, min_items=5, start=OCT_1, end=OCT_31)
        benchmarks = benchmarks_for(session, _nl(session))
    assert history.apply_benchmarks(_nl_id(factory), benchmarks) == 0  # computing did it
    with history.connection() as con:
        types = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE facts)").fetchall()
        )
        flagged = con.execute('SELECT "item.value" FROM facts WHERE "item.undervalued"').fetchall()
    assert (types["item.undervalued"], types["item.unit_value_deviation"]) == ("BOOLEAN", "DOUBLE")
    assert flagged == [(100.0,)]
