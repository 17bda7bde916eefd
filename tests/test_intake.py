"""Intake (issue 2 §6): idempotent submission, versions for amendments, ownership by
office, precise errors, nothing accepted lost — on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factories import house, import_h1, master
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.intake.service import Submitted, submit
from tollgate.intake.tables import Rejection
from tollgate.quality.tables import QualityFinding


def run(
    factory: sessionmaker[Session], records: list[Any], actor: Actor = SYSTEM
) -> list[Submitted]:
    with factory() as session, session.begin():
        return submit(session, actor=actor, records=records)


def count(factory: sessionmaker[Session], model: Any) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_resubmitting_the_same_filing_creates_nothing(factory: sessionmaker[Session]) -> None:
    first = run(factory, [house()])
    again = run(factory, [house()])
    assert first[0].outcome.outcome == "accepted"
    assert again[0].outcome.outcome == "unchanged"
    assert again[0].outcome.filing_id == first[0].outcome.filing_id
    assert count(factory, FilingRecord) == 1
    assert count(factory, FilingVersion) == 1


def test_amendment_creates_a_new_version_and_keeps_the_old(
    factory: sessionmaker[Session],
) -> None:
    run(factory, [house()])
    out = run(factory, [house(amendment=True, total_packages=12)])
    assert out[0].outcome.outcome == "amended"
    assert out[0].outcome.version == 2
    with factory() as session:
        versions = session.scalars(select(FilingVersion).order_by(FilingVersion.version)).all()
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].document["total_packages"] == 10
        assert versions[1].document["total_packages"] == 12
        filing = session.scalars(select(FilingRecord)).one()
        assert filing.current_version == 2


def test_duplicate_ids_inside_one_batch(factory: sessionmaker[Session]) -> None:
    out = run(factory, [house(), house(), house(total_packages=3)])
    assert [o.outcome.outcome for o in out] == ["accepted", "unchanged", "amended"]
    assert count(factory, FilingVersion) == 2


def test_batch_keeps_good_records_when_others_fail(factory: sessionmaker[Session]) -> None:
    out = run(factory, [house(lrn="A"), house(lrn="B", filer="QQ1"), import_h1(lrn="C")])
    assert [o.outcome.outcome for o in out] == ["accepted", "rejected", "accepted"]
    bad = out[1].outcome.errors[0]
    assert (bad.position, bad.record_id, bad.field, bad.code) == (2, "B", "filer", "invalid_eori")
    assert count(factory, FilingRecord) == 2
    with factory() as session:
        rejection = session.scalars(select(Rejection)).one()
        assert rejection.code == "invalid_eori" and rejection.record_id == "B"


def test_authority_may_submit_only_for_its_own_offices(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session:
        from tollgate.authorities.service import get_authority

        de = get_authority(session, "DE")
    de_actor = Actor("de-intake", de.id, "DE", frozenset({"intake"}))
    out = run(factory, [house()], actor=de_actor)  # office NL000396
    assert out[0].outcome.outcome == "rejected"
    assert out[0].outcome.errors[0].code == "not_your_office"
    assert count(factory, FilingRecord) == 0


def test_unregistered_country_is_refused_clearly(factory: sessionmaker[Session]) -> None:
    out = run(factory, [house(office_of_first_entry="US000001")])
    assert out[0].outcome.errors[0].code == "unknown_authority"
    assert "'US'" in out[0].outcome.errors[0].message


def test_dq_findings_are_stored_per_version(factory: sessionmaker[Session]) -> None:
    out = run(factory, [house(goods_items__0__description="Gifts")])
    assert any(f.rule == "DQ-3" for f in out[0].findings)
    assert out[0].score is not None and out[0].score < 100
    with factory() as session:
        stored = session.scalars(select(QualityFinding)).all()
        assert {f.rule for f in stored} >= {"DQ-3"}
        version = session.scalars(select(FilingVersion)).one()
        assert version.quality_score == out[0].score


def test_master_before_and_after_house_is_one_consignment(
    factory: sessionmaker[Session],
) -> None:
    run(factory, [master()])
    run(factory, [house()])
    run(factory, [import_h1()])
    from tollgate.consignments.service import get_consignment
    from tollgate.consignments.tables import Consignment

    with factory() as session:
        consignments = session.scalars(select(Consignment)).all()
        assert [c.reference for c in consignments] == ["HTD:HAWB0001"]
        view = get_consignment(session, SYSTEM, consignments[0].id)
        roles = sorted((m.role, m.filing.kind, m.filing.layer or "") for m in view.members)
        assert roles == [
            ("core", "ens", "house"),
            ("core", "import", ""),
            ("master", "ens", "master"),
        ]


def test_dq_6_layers_checked_after_storage_and_recomputed(
    factory: sessionmaker[Session],
) -> None:
    from factories import container

    run(factory, [master(containers=[container("MSC", 1)])])
    run(factory, [house(transport__containers=[container("MSC", 2)])])

    def dq6_codes() -> set[str]:
        with factory() as session:
            return set(
                session.scalars(select(QualityFinding.code).where(QualityFinding.rule == "DQ-6"))
            )

    assert "container_not_in_master" in dq6_codes()
    # the carrier amends its master to name the container: the contradiction is gone
    run(factory, [master(containers=[container("MSC", 1), container("MSC", 2)])])
    assert "container_not_in_master" not in dq6_codes()


def test_dq_6_finding_cleared_when_a_group_can_no_longer_contradict(
    factory: sessionmaker[Session],
) -> None:
    """A house amended into a complete filing leaves a master with no house: the DQ-6
    pass no longer reads the group, but still clears the master's finding."""
    from factories import container

    def current_dq6() -> list[tuple[str, str | None]]:
        with factory() as session:
            rows = session.execute(
                select(QualityFinding.code, FilingRecord.layer)
                .join(FilingVersion, FilingVersion.id == QualityFinding.filing_version_id)
                .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
                .where(
                    QualityFinding.rule == "DQ-6",
                    FilingVersion.version == FilingRecord.current_version,
                )
            )
            return [(code, layer) for code, layer in rows]

    run(factory, [house(transport__containers=[container("MSC", 2)])])
    # the master comes later, so the contradiction is the master's
    run(factory, [master(containers=[container("MSC", 1)], lodged_at="2026-11-20T09:00:00Z")])
    assert current_dq6() == [("container_not_in_master", "master")]
    amended = house(
        filing_type="F10", layer="complete", transport__containers=[container("MSC", 2)]
    )
    run(factory, [amended])
    assert current_dq6() == []


def test_dq_6_import_against_its_ens(factory: sessionmaker[Session]) -> None:
    run(factory, [house()])
    run(factory, [import_h1(goods_items__0__origin_country="VN")])
    with factory() as session:
        rows = session.execute(
            select(QualityFinding.code, FilingRecord.kind)
            .join(FilingVersion, FilingVersion.id == QualityFinding.filing_version_id)
            .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
            .where(QualityFinding.rule == "DQ-6")
        ).all()
        assert ("ens_import_origin_mismatch", "import") in [tuple(r) for r in rows]
