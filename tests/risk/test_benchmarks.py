"""Unit-value benchmarks from stored history (RM-15), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import goods, import_h1
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.declarations.tables import FilingVersion
from tollgate.errors import NotAuthorised, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service
from tollgate.risk.benchmarks import benchmarks_for, compute_benchmarks
from tollgate.risk.history import History
from tollgate.risk.tables import Assessment, UnitValueBenchmark

NL_ANALYST = Actor("nl-analyst", None, "NL", frozenset({"analyst"}))


def shirts(n: int, price: float, origin: str = "CN", day: int = 2) -> dict[str, Any]:
    """An import of 100 kg net of shirts at ``price`` EUR in total."""
    return import_h1(
        lrn=f"{origin}-{n}-{price}",
        htd=None,
        lodged_at=f"2026-10-{day:02d}T09:00:00Z",
        goods_items=[
            goods(
                commodity_code="61091000",
                origin_country=origin,
                net_mass=100.0,
                gross_mass=110.0,
                item_price=f"{price:.2f}",
            )
        ],
    )


@pytest.fixture
def history(factory: sessionmaker[Session], tmp_path: Path) -> History:
    """Shirts from CN at 2..6 EUR/kg (six each), three from BD, and twenty from VN lodged
    in September, outside the period."""
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


def test_rm_15_the_median_unit_value_per_hs6_and_origin_of_the_period(
    factory: sessionmaker[Session], history: History
) -> None:
    with factory() as session, session.begin():
        made = compute_benchmarks(
            session,
            history,
            actor=NL_ANALYST,
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            min_items=5,
        )
    assert (made.authority, made.version, made.benchmarks, made.items) == ("NL", 1, 1, 30)
    with factory() as session:
        row = session.scalars(select(UnitValueBenchmark)).one()
        assert (row.hs6, row.origin, row.median, row.items) == ("610910", "CN", 4.0, 30)
        assert row.p25 == pytest.approx(3.0) and row.p75 == pytest.approx(5.0)
        nl = row.authority_id
        assert benchmarks_for(session, nl) == {("610910", "CN"): 4.0}  # BD has too few
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "benchmarks_computed")
        ).one()
        assert audit.object_id == "NL/v1"


def test_a_new_set_is_a_new_version_and_assessment_reads_the_newest(
    factory: sessionmaker[Session], history: History
) -> None:
    for end, expected in ((date(2026, 10, 31), 1), (date(2026, 10, 31), 2)):
        with factory() as session, session.begin():
            made = compute_benchmarks(
                session, history, actor=NL_ANALYST, start=date(2026, 9, 1), end=end, min_items=5
            )
            assert made.version == expected
    with factory() as session:
        nl = session.scalars(select(UnitValueBenchmark.authority_id)).first()
        assert nl is not None
        assert benchmarks_for(session, nl) == {("610910", "CN"): 4.0, ("610910", "VN"): 9.0}
        assert len(session.scalars(select(UnitValueBenchmark)).all()) == 4


def test_bad_requests_are_refused(factory: sessionmaker[Session], history: History) -> None:
    with factory() as session, session.begin():
        with pytest.raises(ValidationFailed, match="ends"):
            compute_benchmarks(
                session, history, actor=NL_ANALYST, start=date(2026, 10, 2), end=date(2026, 10, 1)
            )
        with pytest.raises(ValidationFailed, match="at least 5"):
            compute_benchmarks(
                session,
                history,
                actor=NL_ANALYST,
                start=date(2026, 10, 1),
                end=date(2026, 10, 2),
                min_items=1,
            )
        with pytest.raises(NotAuthorised):
            compute_benchmarks(
                session,
                history,
                actor=NL_ANALYST,
                authority="DE",
                start=date(2026, 10, 1),
                end=date(2026, 10, 2),
            )


def test_assessment_reads_the_benchmarks_and_finds_undervaluation(
    factory: sessionmaker[Session], history: History
) -> None:
    """CRC-FIN-UNDERVALUATION (starter criteria) hits below a third of the median."""
    with factory() as session, session.begin():
        compute_benchmarks(
            session,
            history,
            actor=NL_ANALYST,
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            min_items=5,
        )
        service.import_profiles(
            session,
            actor=SYSTEM,
            data=service.starter_criteria(),
            authority="EU-COM",
            activate=True,
        )
        submit(session, actor=SYSTEM, records=[shirts(99, 100.0), shirts(98, 350.0)])
    service.assess_pending(factory, actor=SYSTEM)
    with factory() as session:
        found = {}
        for assessment in session.scalars(select(Assessment)):
            version = session.get(FilingVersion, assessment.filing_version_id)
            assert version is not None
            for reason in assessment.reasons:
                if reason.get("profile_id") == "CRC-FIN-UNDERVALUATION":
                    found[version.document["lrn"]] = reason["matched"]
    # 1 EUR/kg is a quarter of the 4 EUR/kg median; 3.5 EUR/kg is not suspicious
    assert found == {"CN-99-100.0": {"item.benchmark_ratio": 0.25}}
