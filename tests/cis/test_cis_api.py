"""The CIS routes on a real app: what a caller may see, what a client's mistake gets,
and that every consultation leaves a record (CIS-38, CIS-46, CIS-47)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cis.conftest import CisWorld
from tollgate.cis.tables import CisQuery

PERSON = {
    "category": "persons",
    "action": "discreet_surveillance",
    "reason": "suspected courier of a smuggling network",
    "person": {"surname": "Ivanov", "forenames": "Aleksandr", "date_of_birth": "1971-03-02"},
    "justification": "Seized with undeclared cigarettes twice; intelligence report 2026/14.",
}


def _enter(client: TestClient, world: CisWorld, body: dict[str, Any], user: str = "nl-cis") -> Any:
    r = client.post("/cis/alerts", json=body, headers=world.headers(user))
    assert r.status_code == 201, r.text
    return r.json()


def _queries(world: CisWorld) -> int:
    with world.factory() as session:
        return int(session.scalar(select(func.count()).select_from(CisQuery)) or 0)


def test_cis_38_a_search_shows_no_personal_data_to_an_authority_without_protection(
    cis_client: TestClient, cis_world: CisWorld
) -> None:
    _enter(cis_client, cis_world, PERSON)
    query = {"names": ["Alexander Iwanow"], "is_person": True}
    nl = cis_client.post("/cis/alerts/search", json=query, headers=cis_world.headers("nl-cis"))
    assert nl.status_code == 200 and "Ivanov" in nl.json()[0]["match"]
    be = cis_client.post("/cis/alerts/search", json=query, headers=cis_world.headers("be-cis"))
    assert be.status_code == 200, be.text
    (found,) = be.json()
    assert found["personal_withheld"] and found["person"] is None
    assert "Ivanov" not in be.text and "1971" not in be.text


def test_cis_47_a_refused_consultation_is_recorded_too(
    cis_client: TestClient, cis_world: CisWorld
) -> None:
    alert = _enter(cis_client, cis_world, PERSON)
    before = _queries(cis_world)
    ok = cis_client.get(f"/cis/alerts/{alert['id']}", headers=cis_world.headers("de-cis"))
    assert ok.status_code == 200
    missing = cis_client.get("/cis/alerts/999999", headers=cis_world.headers("de-cis"))
    assert missing.status_code == 404
    assert _queries(cis_world) == before + 2


def test_cis_46_no_inaccuracy_report_or_consent_on_an_alert_out_of_reach(
    cis_client: TestClient, cis_world: CisWorld
) -> None:
    alert = _enter(cis_client, cis_world, PERSON)
    designation = {
        "categories": ["commodities"],
        "purposes": ["prevention"],
        "may_enter": True,
        "specific_checks_allowed": True,
        "data_protection_in_force": True,
        "supervisory_authority": "BfDI",
    }
    put = cis_client.put(
        "/cis/designations/DE", json=designation, headers=cis_world.headers("de-admin")
    )
    assert put.status_code == 200, put.text
    report = cis_client.post(
        f"/cis/alerts/{alert['id']}/inaccuracies",
        json={"ground": "inaccurate", "evidence": "the date of birth is wrong per passport"},
        headers=cis_world.headers("de-cis"),
    )
    consent = cis_client.post(
        f"/cis/alerts/{alert['id']}/consents",
        json={"use": "other_purpose", "purpose": "a tax audit of the person"},
        headers=cis_world.headers("de-cis"),
    )
    assert report.status_code == consent.status_code == 404


def test_cis_17_malformed_changes_are_refused_with_the_field_not_a_crash(
    cis_client: TestClient, cis_world: CisWorld
) -> None:
    alert = _enter(cis_client, cis_world, PERSON)
    url = f"/cis/alerts/{alert['id']}"
    for changes in (
        {"subject": "x"},
        {"person": [1]},
        {"reason": 5},
        {"justification": 5},
        {"person": {"identity_document_kind": ["passport"]}},
        {"colour": "red"},
    ):
        r = cis_client.patch(url, json={"changes": changes}, headers=cis_world.headers("nl-cis"))
        assert r.status_code == 422, (changes, r.text)
        assert r.json()["message"].startswith("CIS-"), r.text


def test_ids_beyond_the_database_range_are_a_422(
    cis_client: TestClient, cis_world: CisWorld
) -> None:
    huge = 2**70
    for method, url in (
        ("GET", f"/cis/alerts/{huge}"),
        ("POST", f"/cis/hits/{huge}/review"),
        ("GET", f"/cis/notifications?after={huge}"),
    ):
        r = cis_client.request(
            method, url, json={"confirm": True}, headers=cis_world.headers("nl-cis")
        )
        assert r.status_code == 422, (url, r.text)
