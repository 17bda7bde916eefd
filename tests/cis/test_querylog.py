"""The record of CIS queries (``tollgate.cis.querylog``): every query recorded with who,
when, why and what (CIS-47); at least 1% sampled for the committee's lawfulness check,
the record read by the committee only and deleted six months after the query (CIS-49).
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cis.conftest import CisWorld
from tollgate.audit.log import entries
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, authenticate
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.querylog import (
    KEEP,
    check_query,
    coverage,
    purge,
    record_query,
    review_queue,
)
from tollgate.cis.tables import CisQuery, CisQueryCheck
from tollgate.errors import Conflict, NotAuthorised, NotFound, ValidationFailed

RANDBELOW = "tollgate.cis.querylog.secrets.randbelow"
CRITERIA = {"surname": "Vandermeulen", "forenames": "Ottoline", "date_of_birth": "1979-03-02"}


def cis(session: Session, world: CisWorld, name: str, purpose: str = "prevention") -> CisUser:
    actor = authenticate(session, world.tokens[name])
    return cleared(session, actor, Permission.CIS_QUERY, purpose)


def actor(session: Session, world: CisWorld, name: str) -> Actor:
    return authenticate(session, world.tokens[name])


def draw(monkeypatch: pytest.MonkeyPatch, value: int) -> list[int]:
    """Make the random draw return ``value``; the list collects the bounds it was asked."""
    asked: list[int] = []

    def randbelow(n: int) -> int:
        asked.append(n)
        return value

    monkeypatch.setattr(RANDBELOW, randbelow)
    return asked


def sampled_flags(session: Session) -> list[bool]:
    return list(session.scalars(select(CisQuery.sampled).order_by(CisQuery.id)))


# --- CIS-47: every query is recorded ---------------------------------------------------


def test_cis_47_every_query_is_recorded_with_who_when_why_and_what(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw(monkeypatch, 999)
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis", purpose="investigation")
        before = datetime.now(UTC)
        for results in (3, 0, 1):
            record_query(
                session,
                cis_world.vault,
                nl,
                kind="alert_search",
                criteria=CRITERIA,
                results=results,
            )
        record_query(
            session,
            cis_world.vault,
            cis(session, cis_world, "de-cis"),
            kind="screening",
            criteria={"eori": "DE123"},
            results=0,
        )
        session.commit()
        rows = list(session.scalars(select(CisQuery).order_by(CisQuery.id)))
    assert [(r.actor, r.authority, r.purpose, r.kind, r.results) for r in rows] == [
        ("nl-cis", "NL", "investigation", "alert_search", 3),
        ("nl-cis", "NL", "investigation", "alert_search", 0),
        ("nl-cis", "NL", "investigation", "alert_search", 1),
        ("de-cis", "DE", "prevention", "screening", 0),
    ]
    for row in rows:
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        assert before - timedelta(seconds=5) <= at <= datetime.now(UTC) + timedelta(seconds=5)
    assert cis_world.vault.open(rows[0].sealed_criteria) == CRITERIA


def test_cis_47_the_query_criteria_are_recorded_sealed(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        query = record_query(
            session,
            cis_world.vault,
            cis(session, cis_world, "nl-cis"),
            kind="alert_search",
            criteria=CRITERIA,
            results=1,
        )
        session.commit()
        raw = session.execute(
            text("SELECT * FROM cis_queries WHERE id = :id"), {"id": query.id}
        ).one()
    row_text = " ".join(str(v) for v in raw).lower()
    for value in CRITERIA.values():
        assert value.lower() not in row_text


# --- CIS-49: at least 1% checked, by the committee only, deleted after six months ------


def test_cis_49_at_least_one_percent_is_sampled_even_when_the_draw_never_samples(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = draw(monkeypatch, 999)
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        for n in range(500):
            record_query(
                session, cis_world.vault, nl, kind="alert_search", criteria={"n": n}, results=0
            )
        session.commit()
        flags = sampled_flags(session)
        figures = coverage(session, actor(session, cis_world, "committee"))
    assert asked == [1000] * 500  # every query was drawn for, from the secrets module
    assert len(flags) == figures.queries == 500
    assert figures.sampled == sum(flags) >= 5
    assert figures.sampled_share >= 0.01
    # the floor holds all along, not only at the end
    for n in range(1, len(flags) + 1):
        assert sum(flags[:n]) >= 0.01 * n, n
    for start in range(len(flags) - 200 + 1):
        assert sum(flags[start : start + 200]) >= 2, start


def test_cis_49_a_query_is_drawn_for_review_with_a_two_percent_chance(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")

        def one(value: int) -> bool:
            draw(monkeypatch, value)
            query = record_query(
                session, cis_world.vault, nl, kind="alert_search", criteria={}, results=0
            )
            return query.sampled

        # the floor draws the first query whatever the draw; after that the draw decides
        assert [one(999), one(19), one(20), one(0), one(999)] == [True, True, False, True, False]


def test_cis_49_only_the_committee_reads_and_checks_the_record(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw(monkeypatch, 0)
    with cis_world.factory() as session:
        query = record_query(
            session,
            cis_world.vault,
            cis(session, cis_world, "nl-cis"),
            kind="alert_search",
            criteria=CRITERIA,
            results=1,
        )
        for name in ("nl-cis", "nl-supervisor", "nl-admin", "europol-cis"):
            outsider = actor(session, cis_world, name)
            with pytest.raises(NotAuthorised, match="cis_oversight"):
                review_queue(session, cis_world.vault, outsider)
            with pytest.raises(NotAuthorised, match="cis_oversight"):
                check_query(session, outsider, query.id, lawful=True, note=None)
            with pytest.raises(NotAuthorised, match="cis_oversight"):
                coverage(session, outsider)
        assert session.scalar(select(func.count()).select_from(CisQueryCheck)) == 0


def test_cis_49_the_committee_checks_the_sampled_queries_for_lawfulness(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw(monkeypatch, 0)  # every query drawn
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis", purpose="investigation")
        ids = [
            record_query(
                session,
                cis_world.vault,
                nl,
                kind="alert_search",
                criteria={**CRITERIA, "n": n},
                results=n,
            ).id
            for n in range(3)
        ]
        committee = actor(session, cis_world, "committee")
        queue = review_queue(session, cis_world.vault, committee)
        assert [v.id for v in queue] == ids
        assert queue[0].criteria == {**CRITERIA, "n": 0}
        assert (queue[0].actor, queue[0].authority, queue[0].purpose, queue[0].sampled) == (
            "nl-cis",
            "NL",
            "investigation",
            True,
        )
        check_query(session, committee, ids[0], lawful=True, note=None)
        with pytest.raises(ValidationFailed, match=r"^CIS-49: a finding of unlawfulness says"):
            check_query(session, committee, ids[1], lawful=False, note=" ")
        found = check_query(
            session, committee, ids[1], lawful=False, note="no investigation file behind it"
        )
        assert (found.checked_by, found.lawful) == ("committee", False)
        with pytest.raises(Conflict, match=r"^CIS-49: query \d+ has been checked already"):
            check_query(session, committee, ids[0], lawful=True, note=None)
        assert [v.id for v in review_queue(session, cis_world.vault, committee)] == [ids[2]]
        assert [v.id for v in review_queue(session, cis_world.vault, committee, after=ids[2])] == []
        figures = coverage(session, committee)
        assert (figures.queries, figures.sampled, figures.checked) == (3, 3, 2)
        session.commit()
        checks = entries(session, action="cis_check_query")
        assert [(e.actor, e.object_id, e.detail) for e in checks] == [
            ("committee", str(ids[0]), {"lawful": True}),
            ("committee", str(ids[1]), {"lawful": False}),
        ]
        reviews = entries(session, action="cis_review_queue")
        assert {e.purpose for e in reviews} == {"lawfulness check (CIS-49)"}


def test_cis_49_only_sampled_queries_are_checked(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw(monkeypatch, 999)
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        first, second = (
            record_query(session, cis_world.vault, nl, kind="alert_search", criteria={}, results=0)
            for _ in range(2)
        )
        assert (first.sampled, second.sampled) == (True, False)
        committee = actor(session, cis_world, "committee")
        assert [v.id for v in review_queue(session, cis_world.vault, committee)] == [first.id]
        with pytest.raises(ValidationFailed, match=r"^CIS-49: query \d+ was not sampled"):
            check_query(session, committee, second.id, lawful=True, note=None)
        with pytest.raises(NotFound):
            check_query(session, committee, second.id + 1000, lawful=True, note=None)


def test_cis_49_the_record_is_deleted_six_months_after_the_query(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw(monkeypatch, 0)
    now = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    ages = {
        "a year": timedelta(days=365),
        "just over six months": KEEP + timedelta(minutes=1),
        "just under six months": KEEP - timedelta(minutes=1),
        "a day": timedelta(days=1),
    }
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        committee = actor(session, cis_world, "committee")
        ids = {}
        for label, age in ages.items():
            query = record_query(
                session,
                cis_world.vault,
                nl,
                kind="alert_search",
                criteria={"age": label},
                results=0,
                at=now - age,
            )
            check_query(session, committee, query.id, lawful=True, note=None)
            ids[label] = query.id
        session.commit()
        assert purge(session, now=now) == 2
        session.commit()
    with cis_world.factory() as session:
        kept = set(session.scalars(select(CisQuery.id)))
        checks = set(session.scalars(select(CisQueryCheck.query_id)))
    assert kept == checks == {ids["just under six months"], ids["a day"]}
    assert timedelta(days=182) <= KEEP  # six months, at least


def test_cis_49_purge_measures_six_months_from_the_present_by_default(
    cis_world: CisWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw(monkeypatch, 999)
    with cis_world.factory() as session:
        nl = cis(session, cis_world, "nl-cis")
        old = record_query(
            session,
            cis_world.vault,
            nl,
            kind="alert_search",
            criteria={},
            results=0,
            at=datetime.now(UTC) - timedelta(days=200),
        )
        new = record_query(
            session, cis_world.vault, nl, kind="alert_search", criteria={}, results=0
        )
        session.commit()
        assert purge(session) == 1
        session.commit()
        assert list(session.scalars(select(CisQuery.id))) == [new.id]
        assert old.id != new.id
