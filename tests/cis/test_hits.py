"""Screening filings against alerts, hit review, hit reports and what the trader sees
(CIS-10, CIS-11, CIS-12, CIS-13, CIS-38, CIS-46)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cis.conftest import CisWorld
from factories import container, goods, import_h1, party
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, authenticate
from tollgate.cis import hits
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.alerts import delete_alert, enter_alert
from tollgate.cis.screening import Subject
from tollgate.cis.tables import CisHit, CisHitReport, CisNotification
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.errors import Conflict, NotFound, ValidationFailed
from tollgate.intake.service import submit
from tollgate.risk import service as risk
from tollgate.risk.release import trader_outcome
from tollgate.risk.tables import Assessment

JUSTIFICATION = "Seized cigarettes twice in 2025; intelligence report 2026/114 on smuggling."
SMUGGLER_BOX = container("SMU", 7)


def _user(session: Session, world: CisWorld, name: str, permission: Permission) -> CisUser:
    actor = authenticate(session, world.tokens[name])
    return cleared(
        session, actor, permission, "prevention", entering=permission is Permission.CIS_ENTER
    )


def _alerts(world: CisWorld) -> dict[str, int]:
    with world.factory() as session, session.begin():
        nl = _user(session, world, "nl-cis", Permission.CIS_ENTER)
        de = _user(session, world, "de-cis", Permission.CIS_ENTER)
        person, _ = enter_alert(
            session,
            world.vault,
            nl,
            category="persons",
            action="discreet_surveillance",
            reason="suspected cigarette smuggling network",
            person={"surname": "Ivanov", "forenames": "Aleksandr", "date_of_birth": "1971-03-02"},
            justification=JUSTIFICATION,
        )
        business, _ = enter_alert(
            session,
            world.vault,
            de,
            category="businesses",
            action="specific_checks",
            reason="undervaluation of textiles",
            subject={"business_name": "Dark Trade BV", "eori": "NL999999999"},
        )
        box, _ = enter_alert(
            session,
            world.vault,
            nl,
            category="means_of_transport",
            action="sighting_and_reporting",
            reason="container used for counterfeit shoes",
            subject={"containers": [SMUGGLER_BOX]},
        )
    return {"person": person.id, "business": business.id, "box": box.id}


def _filings(world: CisWorld) -> dict[str, int]:
    records = [
        import_h1(lrn="PERSON", htd=None, exporter=party("Alexander IWANOW", "UA", is_person=True)),
        import_h1(
            lrn="BUSINESS", htd=None, importer=party("Dark Trade B.V.", "NL", eori="NL999999999")
        ),
        import_h1(
            lrn="BOX",
            htd=None,
            goods_items=[goods(commodity_code="64039900", containers=[SMUGGLER_BOX])],
        ),
        import_h1(lrn="CLEAN", htd=None),
        import_h1(
            lrn="FR-BUSINESS",
            htd=None,
            filer="FR123456789",
            office_of_lodgement="FR000730",
            importer=party("Dark Trade BV", "NL", eori="NL999999999"),
        ),
    ]
    with world.factory() as session, session.begin():
        results = submit(session, actor=SYSTEM, records=records)
        assert all(r.outcome.filing_id for r in results), [r.outcome.errors for r in results]
        return {f.lrn: f.id for f in session.scalars(select(FilingRecord)).all()}


@pytest.fixture
def screened(cis_world: CisWorld) -> tuple[dict[str, int], dict[str, int]]:
    alerts = _alerts(cis_world)
    filings = _filings(cis_world)
    risk.assess_pending(cis_world.factory, actor=SYSTEM)
    with cis_world.factory() as session, session.begin():
        run = hits.screen_pending(session, cis_world.vault)
    assert run.versions == 5
    return alerts, filings


def _hits(world: CisWorld) -> dict[tuple[str, int], CisHit]:
    """Every hit, by (filing LRN, alert id)."""
    with world.factory() as session:
        rows = session.execute(
            select(CisHit, FilingRecord.lrn)
            .join(FilingVersion, FilingVersion.id == CisHit.filing_version_id)
            .join(FilingRecord, FilingRecord.id == FilingVersion.filing_id)
        ).all()
        return {(lrn, hit.alert_id): hit for hit, lrn in rows}


def test_cis_2_every_screened_category_hits_its_filing_and_nothing_else(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    alerts, _ = screened
    found = _hits(cis_world)
    assert set(found) == {
        ("PERSON", alerts["person"]),
        ("BUSINESS", alerts["business"]),
        ("BOX", alerts["box"]),
        ("FR-BUSINESS", alerts["business"]),
    }
    assert found[("PERSON", alerts["person"])].kind == "name"
    assert found[("BUSINESS", alerts["business"])].score == 1.0  # the EORI
    assert found[("BOX", alerts["box"])].kind == "container"
    assert all(h.status == "pending" for h in found.values())  # a hit goes to review


def test_screening_is_idempotent_and_resumes_after_its_cursor(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    with cis_world.factory() as session, session.begin():
        again = hits.screen_pending(session, cis_world.vault)
    assert (again.versions, again.hits) == (0, 0)
    with cis_world.factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[import_h1(lrn="LATE", htd=None, exporter=party("IVANOV Aleksandr", "UA"))],
        )
    with cis_world.factory() as session, session.begin():
        late = hits.screen_pending(session, cis_world.vault)
    assert (late.versions, late.hits) == (1, 1)


def test_cis_12_specific_checks_are_converted_where_the_law_does_not_allow_them(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    alerts, _ = screened
    found = _hits(cis_world)
    fr = found[("FR-BUSINESS", alerts["business"])]
    nl = found[("BUSINESS", alerts["business"])]
    assert (fr.action, fr.converted_from) == ("sighting_and_reporting", "specific_checks")
    assert (nl.action, nl.converted_from) == ("specific_checks", None)


def _review(world: CisWorld, user: str, hit_id: int, confirm: bool = True) -> Any:
    with world.factory() as session, session.begin():
        reviewer = _user(session, world, user, Permission.CIS_REVIEW)
        return hits.review_hit(session, world.vault, reviewer, hit_id, confirm=confirm)


def test_cis_10_confirmed_specific_checks_add_a_physical_control_and_notify_the_supplier(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    alerts, filings = screened
    hit = _hits(cis_world)[("BUSINESS", alerts["business"])]
    view = _review(cis_world, "nl-cis", hit.id)
    assert view.status == "confirmed" and view.assessment_id is not None
    with cis_world.factory() as session:
        added = session.get(Assessment, view.assessment_id)
        assert added is not None
        assert added.decision == "physical"
        assert added.trigger == "pending"  # the base's: "cis_hit" would betray the CIS
        assert any(r.get("source") == "cis" for r in added.reasons)
        notes = session.scalars(select(CisNotification).where(CisNotification.kind == "hit")).all()
        de = authenticate(session, cis_world.tokens["de-cis"])
        assert [n.recipient_id for n in notes] == [de.authority_id]
        assert notes[0].body["found_by"] == "NL"
        filing = session.get(FilingRecord, filings["BUSINESS"])
        assert filing is not None
        assert trader_outcome(session, filing) == "examination"


def test_cis_11_discreet_surveillance_changes_nothing_the_trader_can_see(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]], cis_client: TestClient
) -> None:
    alerts, filings = screened
    fid = filings["PERSON"]
    before = cis_client.get(f"/filings/{fid}/outcome", headers=cis_world.headers("nl-intake"))
    hit = _hits(cis_world)[("PERSON", alerts["person"])]
    view = _review(cis_world, "nl-officer", hit.id)
    after = cis_client.get(f"/filings/{fid}/outcome", headers=cis_world.headers("nl-intake"))
    assert before.status_code == after.status_code == 200
    assert before.content == after.content  # byte for byte
    with cis_world.factory() as session:
        added = session.get(Assessment, view.assessment_id)
        assert added is not None
        base = session.scalars(
            select(Assessment)
            .where(Assessment.filing_version_id == added.filing_version_id)
            .order_by(Assessment.id)
        ).first()
        assert base is not None
        assert added.decision == base.decision  # no control on its account
        assert added.assessed_at == base.assessed_at
    # analysts without CIS competence see the assessment as if the CIS had not been asked
    page = cis_client.get(
        f"/risk/filings/{fid}/assessments", headers=cis_world.headers("nl-analyst")
    ).json()
    assert all(f.get("source") != "cis" for item in page["items"] for f in item["findings"])
    explained = cis_client.get(
        f"/risk/assessments/{view.assessment_id}/explain", headers=cis_world.headers("nl-analyst")
    ).json()
    assert "CIS" not in explained["instructions"]
    assert "discreet" not in str(explained)
    officer = cis_client.get(
        f"/risk/assessments/{view.assessment_id}/explain", headers=cis_world.headers("nl-officer")
    ).json()
    assert "discreet surveillance" in officer["instructions"]


def test_cis_10_hit_report_carries_only_the_listed_items_to_the_supplier(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    alerts, _ = screened
    hit = _hits(cis_world)[("BOX", alerts["box"])]
    with cis_world.factory() as session, session.begin():
        user = _user(session, cis_world, "nl-cis", Permission.CIS_REVIEW)
        with pytest.raises(Conflict, match="CIS-10"):
            hits.send_hit_report(session, cis_world.vault, user, hit.id, items={"found": "yes"})
    _review(cis_world, "nl-cis", hit.id)
    with cis_world.factory() as session, session.begin():
        user = _user(session, cis_world, "nl-cis", Permission.CIS_REVIEW)
        with pytest.raises(ValidationFailed, match="CIS-10"):
            hits.send_hit_report(session, cis_world.vault, user, hit.id, items={"religion": "x"})
        report = hits.send_hit_report(
            session,
            cis_world.vault,
            user,
            hit.id,
            items={"found": "container at Rotterdam", "objects_carried": "shoes, 400 pairs"},
        )
        assert report.items == ["found", "objects_carried"]
        assert "Rotterdam" not in report.sealed  # sealed at rest (CIS-50)
        read = hits.read_hit_report(session, cis_world.vault, user, report.id)
        assert read["items"]["found"] == "container at Rotterdam"
    with cis_world.factory() as session:
        assert session.scalar(select(CisHitReport.to_authority_id)) == report.to_authority_id
        kinds = session.scalars(
            select(CisNotification.kind).where(
                CisNotification.recipient_id == report.to_authority_id
            )
        ).all()
        assert "hit_report" in kinds


def test_cis_46_a_hit_is_reviewed_by_the_checking_authority_only(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    alerts, _ = screened
    hit = _hits(cis_world)[("BUSINESS", alerts["business"])]  # an NL filing
    with pytest.raises(NotFound):
        _review(cis_world, "de-cis", hit.id)
    with cis_world.factory() as session, session.begin():
        user = _user(session, cis_world, "nl-cis", Permission.CIS_REVIEW)
        with pytest.raises(ValidationFailed, match="why"):
            hits.review_hit(session, cis_world.vault, user, hit.id, confirm=False)
    _review(cis_world, "nl-cis", hit.id)
    with pytest.raises(Conflict):
        _review(cis_world, "nl-cis", hit.id)


def test_cis_13_no_screening_for_an_authority_without_a_designation(
    cis_world: CisWorld,
) -> None:
    _alerts(cis_world)
    with cis_world.factory() as session, session.begin():
        submit(
            session,
            actor=SYSTEM,
            records=[
                import_h1(
                    lrn="PL-BOX",
                    htd=None,
                    filer="PL123456789",
                    office_of_lodgement="PL000000",
                    goods_items=[goods(containers=[SMUGGLER_BOX])],
                )
            ],
        )
        run = hits.screen_pending(session, cis_world.vault)
    assert run.versions == 1 and run.hits == 0


def test_cis_hits_api_lists_reviews_and_reports(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]], cis_client: TestClient
) -> None:
    listed = cis_client.get("/cis/hits", headers=cis_world.headers("nl-cis"))
    assert listed.status_code == 200, listed.text
    assert {h["alert_reference"][:7] for h in listed.json()} == {"CIS-NL-", "CIS-DE-"}
    box = next(h for h in listed.json() if h["kind"] == "container")
    assert cis_client.get("/cis/hits", headers=cis_world.headers("nl-intake")).status_code == 403
    assert cis_client.get("/cis/hits").status_code == 401
    done = cis_client.post(
        f"/cis/hits/{box['id']}/review", json={"confirm": True}, headers=cis_world.headers("nl-cis")
    )
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    sent = cis_client.post(
        f"/cis/hits/{box['id']}/reports",
        json={"items": {"found": "yes", "weapon": "none"}},
        headers=cis_world.headers("nl-cis"),
    )
    assert sent.status_code == 422 and "CIS-10" in sent.json()["message"]


def test_cis_11_a_hit_confirmed_before_any_assessment_never_releases_unassessed(
    cis_world: CisWorld,
) -> None:
    """Screening runs on its own cursor; a hit confirmed on a filing the risk engine has not
    assessed yet assesses it first, so the outcome is the engine's, not a release."""
    alerts = _alerts(cis_world)
    filings = _filings(cis_world)
    with cis_world.factory() as session, session.begin():
        hits.screen_pending(session, cis_world.vault)
    hit = _hits(cis_world)[("PERSON", alerts["person"])]
    view = _review(cis_world, "nl-officer", hit.id)
    with cis_world.factory() as session:
        rows = session.scalars(
            select(Assessment).where(Assessment.filing_version_id == hit.filing_version_id)
        ).all()
        assert [a.id for a in rows][-1] == view.assessment_id
        assert len(rows) == 2  # the engine's, then the hit's
        assert rows[0].reasons == [r for r in rows[1].reasons if r.get("source") != "cis"]
    # the engine does not assess it again, and its other filings are still pending for it
    assessed = risk.assess_pending(cis_world.factory, actor=SYSTEM)
    assert sum(assessed.values()) == len(filings) - 1


def test_cis_25_hits_of_a_deleted_alert_are_withdrawn_and_wiped(
    cis_world: CisWorld, screened: tuple[dict[str, int], dict[str, int]]
) -> None:
    alerts, _ = screened
    with cis_world.factory() as session, session.begin():
        nl = _user(session, cis_world, "nl-cis", Permission.CIS_ENTER)
        delete_alert(session, nl, alerts["person"], why="person cleared by the court")
    hit = _hits(cis_world)[("PERSON", alerts["person"])]
    assert (hit.status, hit.sealed_detail) == ("withdrawn", "")
    with cis_world.factory() as session:
        reviewer = _user(session, cis_world, "nl-cis", Permission.CIS_REVIEW)
        pending = hits.hits_for(session, cis_world.vault, reviewer)
    assert hit.id not in {h.id for h in pending}
    assert pending  # the other alerts' hits are still there


def test_cis_2_the_screening_index_follows_alert_changes(cis_world: CisWorld) -> None:
    """The in-memory index catches up with alerts entered and deleted after it was built."""
    alerts = _alerts(cis_world)
    with cis_world.factory() as session:
        first = hits.active_index(session, cis_world.vault)
        assert set(first.alerts) == set(alerts.values())
    with cis_world.factory() as session, session.begin():
        nl = _user(session, cis_world, "nl-cis", Permission.CIS_ENTER)
        later, _ = enter_alert(
            session,
            cis_world.vault,
            nl,
            category="means_of_transport",
            action="sighting_and_reporting",
            reason="lorry seen in a smuggling case",
            subject={"registrations": ["AB-123-CD"]},
        )
        delete_alert(session, nl, alerts["box"], why="case closed")
    with cis_world.factory() as session:
        now = hits.active_index(session, cis_world.vault)
        assert set(now.alerts) == {alerts["person"], alerts["business"], later.id}
        assert now.index.screen(Subject(registrations=("AB 123 CD",)))[0].alert_id == later.id
        assert now.index.screen(Subject(containers=(SMUGGLER_BOX,))) == []
