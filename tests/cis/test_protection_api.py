"""Retention and data protection over HTTP (CIS-22..CIS-25, CIS-40..CIS-45): each route's
happy path, and that a client's mistake comes back as a 4xx naming the rule, never a 500.

The services' rules are tested in ``test_retention`` and ``test_protection``; here the
point is the translation: who is cleared for what, which status a refusal gets, what a
response holds (and what it must not), and that lists page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from tollgate.authorities import service as authorities
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, authenticate
from tollgate.cis.access import cleared
from tollgate.cis.alerts import enter_alert, resolve_inaccuracy
from tollgate.cis.protection_views import router
from tollgate.cis.retention import run_retention
from tollgate.cis.tables import CisInaccuracy

from .conftest import CisWorld

EXTRA_USERS = {
    "de-dpo": ("DE", ["dp_officer"]),
    "be-dpo": ("BE", ["dp_officer"]),
    "de-cis-analyst": ("DE", ["cis_analyst"]),
    "europol-analyst": ("EUROPOL", ["cis_analyst"]),
}
JUSTIFICATION = "previous seizures of undeclared tobacco at the same border crossing"
SERVICE = "risk analysis centre"


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def cw(cis_world: CisWorld) -> CisWorld:
    """The CIS world with the data protection officers and analysts these routes need."""
    with cis_world.factory() as session, session.begin():
        for username, (code, roles) in EXTRA_USERS.items():
            authorities.create_user(
                session, actor=SYSTEM, authority_code=code, username=username, roles=roles
            )
            cis_world.tokens[username] = authorities.issue_token(
                session, actor=SYSTEM, username=username
            )
    return cis_world


@pytest.fixture
def api(cis_client: TestClient, cw: CisWorld) -> TestClient:
    """The app with these routes, whether or not ``create_app`` includes them yet."""
    app: Any = cis_client.app
    if "/cis/reviews" not in {getattr(r, "path", None) for r in app.routes}:
        app.include_router(router)
    return cis_client


def enter(
    cw: CisWorld,
    by: str,
    surname: str,
    *,
    on: date | None = None,
    action: str = "specific_checks",
    **person: Any,
) -> int:
    """A person alert entered by ``by`` on day ``on`` (its review falls a year later)."""
    with cw.factory() as session, session.begin():
        user = cleared(
            session,
            authenticate(session, cw.tokens[by]),
            Permission.CIS_ENTER,
            "prevention",
            entering=True,
        )
        alert, _ = enter_alert(
            session,
            cw.vault,
            user,
            category="persons",
            action=action,
            reason="suspected cigarette smuggling",
            person={"surname": surname, "forenames": "Jan", "date_of_birth": "1975-04-12"} | person,
            justification=JUSTIFICATION,
            today=on,
        )
        return alert.id


def refused(response: Response, status: int, rule: str) -> None:
    """A refusal with its status and the rule that refuses it in the message."""
    assert response.status_code == status, response.text
    assert rule in response.json()["message"], response.json()


# --- authentication ---------------------------------------------------------------------

ROUTES = [
    ("GET", "/cis/reviews"),
    ("POST", "/cis/alerts/1/keep"),
    ("GET", "/cis/restricted"),
    ("GET", "/cis/restricted/1"),
    ("POST", "/cis/subject-requests"),
    ("GET", "/cis/subject-requests/positions"),
    ("GET", "/cis/subject-requests/1"),
    ("POST", "/cis/subject-requests/1/positions"),
    ("POST", "/cis/subject-requests/1/decision"),
    ("POST", "/cis/alerts/1/copies"),
    ("GET", "/cis/copies"),
    ("GET", "/cis/copies/1/person"),
    ("POST", "/cis/copies/1/review"),
    ("GET", "/cis/inspection"),
    ("GET", "/cis/strategic-analysis"),
]


def test_cis_46_every_protection_route_needs_a_token(api: TestClient) -> None:
    """A 401, not a 404 or 405, also shows each route exists with that method. One test
    for all routes rather than one each: every test builds a whole CIS world."""
    bad = {"Authorization": "Bearer not-a-token"}
    for method, path in ROUTES:
        body: dict[str, Any] | None = {} if method == "POST" else None
        assert api.request(method, path, json=body).status_code == 401, (method, path)
        assert api.request(method, path, json=body, headers=bad).status_code == 401, path


# --- CIS-22, CIS-23: the supplier's review -------------------------------------------------


def test_cis_22_review_queue_via_api(api: TestClient, cw: CisWorld) -> None:
    first = enter(cw, "nl-cis", "Aalders", on=today() - timedelta(days=340))
    second = enter(cw, "nl-cis", "Bakker", on=today() - timedelta(days=300))
    enter(cw, "nl-cis", "Claes", on=today())
    enter(cw, "de-cis", "Dietrich", on=today() - timedelta(days=340))

    # no X-Purpose needed: the queue holds no personal data
    due = api.get("/cis/reviews", headers=cw.headers("nl-cis", None))
    assert due.status_code == 200, due.text
    (item,) = due.json()
    assert item["id"] == first
    assert item["review_due"] == (today() + timedelta(days=25)).isoformat()
    assert item["kept_at"] is None and item["notice_sent_at"] is None
    assert "person" not in item and "reason" not in item

    # paged by (review_due, id)
    page = api.get("/cis/reviews?within_days=100&limit=1", headers=cw.headers("nl-cis"))
    assert [a["id"] for a in page.json()] == [first]
    last = page.json()[-1]
    rest = api.get(
        "/cis/reviews",
        params={
            "within_days": 100,
            "limit": 1,
            "after_due": last["review_due"],
            "after_id": last["id"],
        },
        headers=cw.headers("nl-cis"),
    )
    assert [a["id"] for a in rest.json()] == [second]
    end = api.get(
        "/cis/reviews",
        params={"within_days": 100, "after_due": rest.json()[0]["review_due"], "after_id": second},
        headers=cw.headers("nl-cis"),
    )
    assert end.json() == []

    refused(api.get("/cis/reviews", headers=cw.headers("nl-cis-analyst")), 403, "CIS-22")
    refused(api.get("/cis/reviews", headers=cw.headers("committee")), 403, "CIS-22")
    refused(api.get("/cis/reviews?within_days=-1", headers=cw.headers("nl-cis")), 422, "CIS-22")
    refused(
        api.get("/cis/reviews?after_due=2025-01-01", headers=cw.headers("nl-cis")), 422, "CIS-22"
    )
    refused(api.get("/cis/reviews", headers=cw.headers("nl-cis", "curiosity")), 403, "CIS-13")
    assert (
        api.get("/cis/reviews?within_days=99999999", headers=cw.headers("nl-cis")).status_code
        == 422
    )


def test_cis_23_keep_via_api(api: TestClient, cw: CisWorld) -> None:
    due_soon = enter(cw, "nl-cis", "Visser", on=today() - timedelta(days=340))
    overdue = enter(cw, "nl-cis", "Verhoeven", on=today() - timedelta(days=400))
    theirs = enter(cw, "de-cis", "Weber", on=today() - timedelta(days=340))
    why = {"why": "the investigation into the smuggling ring continues"}

    kept = api.post(f"/cis/alerts/{due_soon}/keep", json=why, headers=cw.headers("nl-cis"))
    assert kept.status_code == 200, kept.text
    assert kept.json()["review_due"] == (today() + timedelta(days=365)).isoformat()
    assert kept.json()["kept_at"] is not None
    queue = api.get("/cis/reviews", headers=cw.headers("nl-cis")).json()
    assert due_soon not in [a["id"] for a in queue]

    refused(
        api.post(f"/cis/alerts/{due_soon}/keep", json={"why": "  "}, headers=cw.headers("nl-cis")),
        422,
        "CIS-23",
    )
    refused(
        api.post(f"/cis/alerts/{overdue}/keep", json=why, headers=cw.headers("nl-cis")),
        409,
        "CIS-23",
    )
    refused(
        api.post(f"/cis/alerts/{theirs}/keep", json=why, headers=cw.headers("nl-cis")),
        403,
        "CIS-17",
    )
    refused(
        api.post(f"/cis/alerts/{due_soon}/keep", json=why, headers=cw.headers("nl-cis-analyst")),
        403,
        "CIS-23",
    )
    missing = api.post("/cis/alerts/999999/keep", json=why, headers=cw.headers("nl-cis"))
    assert missing.status_code == 404
    assert (
        api.post(f"/cis/alerts/{2**40}/keep", json=why, headers=cw.headers("nl-cis")).status_code
        == 422
    )
    assert (
        api.post(f"/cis/alerts/{due_soon}/keep", json={}, headers=cw.headers("nl-cis")).status_code
        == 422
    )


# --- CIS-25: the restricted area ----------------------------------------------------------


def test_cis_25_restricted_area_via_api(api: TestClient, cw: CisWorld) -> None:
    nl = enter(cw, "nl-cis", "Jansen", on=today() - timedelta(days=400))
    de = enter(cw, "de-cis", "Schulz", on=today() - timedelta(days=400))
    active = enter(cw, "nl-cis", "Active", on=today())
    with cw.factory() as session, session.begin():
        assert run_retention(session, today=today()).moved == 2

    listed = api.get("/cis/restricted", headers=cw.headers("committee", "accuracy"))
    assert listed.status_code == 200, listed.text
    assert [(e["alert_id"], e["supplier"]) for e in listed.json()] == [(nl, "NL"), (de, "DE")]
    assert listed.json()[0]["delete_after"] == (today() + timedelta(days=365)).isoformat()
    assert "person" not in listed.json()[0]  # the index holds no content
    page = api.get("/cis/restricted?limit=1", headers=cw.headers("committee", "accuracy"))
    assert [e["alert_id"] for e in page.json()] == [nl]
    page = api.get(f"/cis/restricted?after={nl}", headers=cw.headers("committee", "accuracy"))
    assert [e["alert_id"] for e in page.json()] == [de]

    read = api.get(f"/cis/restricted/{de}", headers=cw.headers("committee", "lawfulness"))
    assert read.status_code == 200, read.text
    assert read.json()["person"]["surname"] == "Schulz"
    assert read.json()["justification"] == JUSTIFICATION
    assert read.json()["supplier"] == "DE"

    # a national supervisory authority checks its own Member State's entries
    own = api.get("/cis/restricted", headers=cw.headers("nl-supervisor", "lawfulness"))
    assert [e["alert_id"] for e in own.json()] == [nl]
    ok = api.get(f"/cis/restricted/{nl}", headers=cw.headers("nl-supervisor", "accuracy"))
    assert ok.json()["person"]["surname"] == "Jansen"
    refused(
        api.get(f"/cis/restricted/{de}", headers=cw.headers("nl-supervisor", "accuracy")),
        403,
        "CIS-25",
    )

    # nobody else, not even the supplier; and only to check accuracy or lawfulness
    for username in ("nl-cis", "nl-dpo"):
        refused(api.get("/cis/restricted", headers=cw.headers(username, "accuracy")), 403, "CIS-25")
        refused(
            api.get(f"/cis/restricted/{nl}", headers=cw.headers(username, "accuracy")),
            403,
            "CIS-25",
        )
    refused(api.get("/cis/restricted", headers=cw.headers("committee")), 422, "CIS-25")
    refused(api.get(f"/cis/restricted/{nl}", headers=cw.headers("committee", None)), 422, "CIS-25")
    missing = api.get(f"/cis/restricted/{active}", headers=cw.headers("committee", "accuracy"))
    assert missing.status_code == 404
    assert (
        api.get("/cis/restricted?after=-1", headers=cw.headers("committee", "accuracy")).status_code
        == 422
    )


# --- CIS-42, CIS-43: data subjects ------------------------------------------------------


def test_cis_42_data_subject_access_via_api(api: TestClient, cw: CisWorld) -> None:
    held = enter(cw, "de-cis", "Visser", address="Dorpstraat 1, Ede")
    asked = api.post(
        "/cis/subject-requests",
        json={
            "kind": "access",
            "subject": {"surname": "VISSER", "forenames": "jan", "date_of_birth": "1975-04-12"},
        },
        headers=cw.headers("nl-dpo"),
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "awaiting_supplier" and request["answer"] is None
    assert [(p["alert_id"], p["supplier"], p["stated"]) for p in request["positions"]] == [
        (held, "DE", False)
    ]
    assert "subject" not in request and "reasons" not in request
    rid = request["id"]

    refused(
        api.post(f"/cis/subject-requests/{rid}/decision", json={}, headers=cw.headers("nl-dpo")),
        409,
        "CIS-42",
    )
    # the supplier sees what is asked of it, not the request
    waiting = api.get("/cis/subject-requests/positions", headers=cw.headers("de-dpo"))
    assert waiting.status_code == 200, waiting.text
    (item,) = waiting.json()
    assert (item["request"], item["alert_id"], item["received_by"]) == (rid, held, "NL")
    assert datetime.fromisoformat(item["received_at"]).tzinfo is not None
    assert api.get("/cis/subject-requests/positions", headers=cw.headers("nl-dpo")).json() == []
    assert api.get(f"/cis/subject-requests/{rid}", headers=cw.headers("de-dpo")).status_code == 404
    refused(
        api.post(
            f"/cis/subject-requests/{rid}/positions",
            json={"alert_id": held},
            headers=cw.headers("nl-dpo"),
        ),
        403,
        "CIS-42",
    )
    stated = api.post(
        f"/cis/subject-requests/{rid}/positions",
        json={"alert_id": held, "note": "no objection"},
        headers=cw.headers("de-dpo"),
    )
    assert stated.status_code == 201, stated.text
    assert stated.json()["objects"] is False and stated.json()["note"] == "no objection"
    assert "positions" not in stated.json()
    refused(
        api.post(
            f"/cis/subject-requests/{rid}/positions",
            json={"alert_id": held},
            headers=cw.headers("de-dpo"),
        ),
        409,
        "CIS-42",
    )

    ready = api.get(f"/cis/subject-requests/{rid}", headers=cw.headers("nl-dpo"))
    assert ready.json()["status"] == "ready"
    assert ready.json()["positions"][0]["stated_at"] is not None
    assert ready.json()["positions"][0]["note"] == "no objection"  # opened from the seal
    answer = api.post(
        f"/cis/subject-requests/{rid}/decision", json={}, headers=cw.headers("nl-dpo")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"][0]["personal_data"]["address"] == "Dorpstraat 1, Ede"
    again = api.get(f"/cis/subject-requests/{rid}", headers=cw.headers("nl-dpo")).json()
    assert again["status"] == "answered" and again["decision"] == "granted"
    assert again["answer"] == answer.json()
    refused(
        api.post(f"/cis/subject-requests/{rid}/decision", json={}, headers=cw.headers("nl-dpo")),
        409,
        "CIS-42",
    )


def test_cis_42_refusal_via_api_reads_like_nothing_held(api: TestClient, cw: CisWorld) -> None:
    """A discreet surveillance alert refuses access; the person reads the same text as
    someone about whom nothing is held, and no reason travels in any response."""
    enter(cw, "nl-cis", "Hidden", action="discreet_surveillance")
    seen = {}
    for surname, matches in (("Hidden", 1), ("Nobody", 0)):
        who = {"surname": surname, "forenames": "Jan", "date_of_birth": "1975-04-12"}
        created = api.post(
            "/cis/subject-requests",
            json={"kind": "access", "subject": who},
            headers=cw.headers("nl-dpo"),
        ).json()
        assert len(created["positions"]) == matches
        answer = api.post(
            f"/cis/subject-requests/{created['id']}/decision",
            json={},
            headers=cw.headers("nl-dpo"),
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"] == []
        shown = api.get(f"/cis/subject-requests/{created['id']}", headers=cw.headers("nl-dpo"))
        assert "surveillance" not in shown.text
        seen[surname] = (answer.json()["text"], shown.json()["decision"])
    assert seen["Hidden"][0] == seen["Nobody"][0]
    assert (seen["Hidden"][1], seen["Nobody"][1]) == ("refused", "nothing_held")


def test_cis_42_subject_request_refusals_via_api(api: TestClient, cw: CisWorld) -> None:
    who = {"surname": "Mulder", "date_of_birth": "1975-04-12"}
    refused(
        api.post(
            "/cis/subject-requests",
            json={"kind": "access", "subject": who},
            headers=cw.headers("nl-cis"),
        ),
        403,
        "CIS-42",
    )
    refused(
        api.post(
            "/cis/subject-requests",
            json={"kind": "access", "subject": who},
            headers=cw.headers("be-dpo"),
        ),
        403,
        "CIS-38",
    )
    refused(
        api.post(
            "/cis/subject-requests",
            json={"kind": "access", "subject": {"surname": "Mulder"}},
            headers=cw.headers("nl-dpo"),
        ),
        422,
        "CIS-42",
    )
    refused(
        api.post(
            "/cis/subject-requests",
            json={"kind": "access", "subject": who | {"religion": "x"}},
            headers=cw.headers("nl-dpo"),
        ),
        422,
        "CIS-42",
    )
    refused(
        api.post(
            "/cis/subject-requests",
            json={"kind": "forget-me", "subject": who},
            headers=cw.headers("nl-dpo"),
        ),
        422,
        "CIS-42",
    )
    refused(
        api.post(
            "/cis/subject-requests",
            json={"kind": "erasure", "subject": who},
            headers=cw.headers("nl-dpo"),
        ),
        422,
        "CIS-43",
    )
    assert (
        api.post("/cis/subject-requests", json={"kind": "access"}, headers=cw.headers("nl-dpo"))
    ).status_code == 422
    refused(api.get("/cis/subject-requests/positions", headers=cw.headers("nl-cis")), 403, "CIS-42")
    assert api.get("/cis/subject-requests/999999", headers=cw.headers("nl-dpo")).status_code == 404
    missing = api.post(
        "/cis/subject-requests/999999/positions", json={"alert_id": 1}, headers=cw.headers("de-dpo")
    )
    assert missing.status_code == 404
    decided = api.post(
        "/cis/subject-requests/999999/decision", json={}, headers=cw.headers("nl-dpo")
    )
    assert decided.status_code == 404
    # another authority's request is not found, not refused: its existence is not theirs
    created = api.post(
        "/cis/subject-requests",
        json={"kind": "access", "subject": who},
        headers=cw.headers("nl-dpo"),
    ).json()
    theirs = api.post(
        f"/cis/subject-requests/{created['id']}/decision", json={}, headers=cw.headers("de-dpo")
    )
    assert theirs.status_code == 404


def test_cis_43_erasure_via_api(api: TestClient, cw: CisWorld) -> None:
    held = enter(cw, "nl-cis", "de Vries")
    created = api.post(
        "/cis/subject-requests",
        json={
            "kind": "erasure",
            "subject": {"surname": "de Vries", "forenames": "Jan", "date_of_birth": "1975-04-12"},
            "details": "I was never involved in any smuggling",
        },
        headers=cw.headers("nl-dpo"),
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert created.json()["status"] == "awaiting_supplier"  # the supplier must act first
    refused(
        api.post(f"/cis/subject-requests/{rid}/decision", json={}, headers=cw.headers("nl-dpo")),
        409,
        "CIS-43",
    )
    with cw.factory() as session, session.begin():
        report = session.scalar(select(CisInaccuracy).where(CisInaccuracy.alert_id == held))
        assert report is not None
        officer = cleared(
            session, authenticate(session, cw.tokens["nl-cis"]), Permission.CIS_ENTER, "prevention"
        )
        resolve_inaccuracy(session, cw.vault, officer, report.id, outcome="deleted")
    answer = api.post(
        f"/cis/subject-requests/{rid}/decision", json={}, headers=cw.headers("nl-dpo")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [{"supplier": "NL", "outcome": "deleted"}]


def test_cis_43_erasure_of_a_restricted_alert_via_api(api: TestClient, cw: CisWorld) -> None:
    """A request matching an alert in the restricted area is registered (201), not
    refused with a 404 naming the alert; the supplier then erases it."""
    held = enter(cw, "de-cis", "Wagner", on=today() - timedelta(days=400))
    with cw.factory() as session, session.begin():
        assert run_retention(session, today=today()).moved == 1
    created = api.post(
        "/cis/subject-requests",
        json={
            "kind": "erasure",
            "subject": {"surname": "Wagner", "forenames": "Jan", "date_of_birth": "1975-04-12"},
            "details": "the alert rests on a stolen identity",
        },
        headers=cw.headers("nl-dpo"),
    )
    assert created.status_code == 201, created.text
    assert str(held) not in created.json().get("message", "")
    rid = created.json()["id"]
    stated = api.post(
        f"/cis/subject-requests/{rid}/positions",
        json={"alert_id": held},
        headers=cw.headers("de-dpo"),
    )
    assert stated.status_code == 201, stated.text
    with cw.factory() as session, session.begin():
        report = session.scalar(select(CisInaccuracy).where(CisInaccuracy.alert_id == held))
        assert report is not None and report.status == "open"
        officer = cleared(
            session, authenticate(session, cw.tokens["de-cis"]), Permission.CIS_ENTER, "prevention"
        )
        resolve_inaccuracy(session, cw.vault, officer, report.id, outcome="deleted")
    answer = api.post(
        f"/cis/subject-requests/{rid}/decision", json={}, headers=cw.headers("nl-dpo")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [{"supplier": "DE", "outcome": "deleted"}]


def test_cis_42_positions_asked_paged_via_api(api: TestClient, cw: CisWorld) -> None:
    held = [enter(cw, "de-cis", name) for name in ("Adler", "Braun")]
    rids = [
        api.post(
            "/cis/subject-requests",
            json={
                "kind": "access",
                "subject": {"surname": name, "forenames": "Jan", "date_of_birth": "1975-04-12"},
            },
            headers=cw.headers("nl-dpo"),
        ).json()["id"]
        for name in ("Adler", "Braun")
    ]
    de = cw.headers("de-dpo")
    first = api.get("/cis/subject-requests/positions?limit=1", headers=de)
    assert first.status_code == 200, first.text
    assert [(p["request"], p["alert_id"]) for p in first.json()] == [(rids[0], held[0])]
    rest = api.get(f"/cis/subject-requests/positions?after={rids[0]}", headers=de)
    assert [(p["request"], p["alert_id"]) for p in rest.json()] == [(rids[1], held[1])]
    for bad in ("limit=0", "limit=100000", f"after={2**63}", "after=-1"):
        assert api.get(f"/cis/subject-requests/positions?{bad}", headers=de).status_code == 422


# --- CIS-40, CIS-41: copies -------------------------------------------------------------


def copy_body(**more: Any) -> dict[str, Any]:
    return {"system": "risk_management", "service": SERVICE} | more


def test_cis_40_copy_via_api(api: TestClient, cw: CisWorld) -> None:
    theirs = enter(cw, "de-cis", "Weber", nationality="DE", address="Hauptstr. 5")
    ours = enter(cw, "nl-cis", "Smit")

    made = api.post(
        f"/cis/alerts/{theirs}/copies",
        json=copy_body(personal_fields=["surname", "nationality"]),
        headers=cw.headers("nl-cis-analyst", None),
    )
    assert made.status_code == 201, made.text
    copy = made.json()
    assert copy["personal"] is True and copy["alert_id"] == theirs
    assert copy["review_due"] == (today() + timedelta(days=365)).isoformat()
    assert date.fromisoformat(copy["expires_on"]).year == today().year + 10
    assert "Weber" not in made.text  # the record holds no personal data
    person = api.get(f"/cis/copies/{copy['id']}/person", headers=cw.headers("nl-cis-analyst"))
    assert person.status_code == 200, person.text
    assert person.json() == {
        "copy_id": copy["id"],
        "person": {"surname": "Weber", "nationality": "DE"},
    }
    anonymous = api.post(
        f"/cis/alerts/{theirs}/copies", json=copy_body(), headers=cw.headers("nl-cis-analyst")
    ).json()
    assert anonymous["personal"] is False
    empty = api.get(f"/cis/copies/{anonymous['id']}/person", headers=cw.headers("nl-cis-analyst"))
    assert empty.json()["person"] == {}

    # another authority's copy is not found
    elsewhere = api.get(f"/cis/copies/{copy['id']}/person", headers=cw.headers("de-cis-analyst"))
    assert elsewhere.status_code == 404

    analyst = cw.headers("nl-cis-analyst")
    refused(
        api.post(f"/cis/alerts/{ours}/copies", json=copy_body(), headers=analyst), 422, "CIS-40"
    )
    refused(
        api.post(
            f"/cis/alerts/{theirs}/copies", json=copy_body(system="marketing"), headers=analyst
        ),
        422,
        "CIS-40",
    )
    refused(
        api.post(f"/cis/alerts/{theirs}/copies", json=copy_body(service="x"), headers=analyst),
        403,
        "CIS-40",
    )
    refused(
        api.post(
            f"/cis/alerts/{theirs}/copies",
            json=copy_body(personal_fields=["religion"]),
            headers=analyst,
        ),
        422,
        "CIS-41",
    )
    refused(
        api.post(f"/cis/alerts/{theirs}/copies", json=copy_body(), headers=cw.headers("nl-cis")),
        403,
        "CIS-40",
    )
    refused(
        api.post(
            f"/cis/alerts/{theirs}/copies",
            json=copy_body(),
            headers=cw.headers("europol-analyst"),
        ),
        403,
        "CIS-15",
    )
    assert (
        api.post("/cis/alerts/999999/copies", json=copy_body(), headers=analyst).status_code == 404
    )
    assert api.post(f"/cis/alerts/{theirs}/copies", json={}, headers=analyst).status_code == 422


def test_cis_41_copies_listed_and_reviewed_via_api(api: TestClient, cw: CisWorld) -> None:
    theirs = enter(cw, "de-cis", "Fischer")
    analyst = cw.headers("nl-cis-analyst")
    ids = [
        api.post(f"/cis/alerts/{theirs}/copies", json=copy_body(), headers=analyst).json()["id"]
        for _ in range(3)
    ]

    first = api.get("/cis/copies?limit=2", headers=analyst)
    assert first.status_code == 200, first.text
    assert [c["id"] for c in first.json()] == ids[:2]
    last = first.json()[-1]
    rest = api.get(
        "/cis/copies",
        params={"after_due": last["review_due"], "after_id": last["id"]},
        headers=analyst,
    )
    assert [c["id"] for c in rest.json()] == ids[2:]

    kept = api.post(
        f"/cis/copies/{ids[0]}/review", json={"decision": "keep", "why": "ongoing"}, headers=analyst
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["review_due"] == (today() + timedelta(days=365)).isoformat()
    dropped = api.post(f"/cis/copies/{ids[1]}/review", json={"decision": "delete"}, headers=analyst)
    assert dropped.status_code == 200 and dropped.json()["deleted_at"] is not None
    assert dropped.json()["subject"] == {}
    assert [c["id"] for c in api.get("/cis/copies", headers=analyst).json()] == [ids[0], ids[2]]
    listed = api.get("/cis/copies?include_deleted=true", headers=analyst).json()
    assert sorted(c["id"] for c in listed) == ids

    refused(
        api.post(f"/cis/copies/{ids[0]}/review", json={"decision": "archive"}, headers=analyst),
        422,
        "CIS-41",
    )
    refused(api.get("/cis/copies?after_id=3", headers=analyst), 422, "CIS-41")
    refused(api.get("/cis/copies", headers=cw.headers("nl-cis")), 403, "CIS-40")
    other = api.post(
        f"/cis/copies/{ids[0]}/review",
        json={"decision": "delete"},
        headers=cw.headers("de-cis-analyst"),
    )
    assert other.status_code == 404
    assert api.get("/cis/copies", headers=cw.headers("de-cis-analyst")).json() == []
    gone = api.post(f"/cis/copies/{ids[1]}/review", json={"decision": "keep"}, headers=analyst)
    assert gone.status_code == 404


# --- CIS-44: inspection -------------------------------------------------------------------


def test_cis_44_inspection_via_api(api: TestClient, cw: CisWorld) -> None:
    nl = [enter(cw, "nl-cis", f"Inspected{i}") for i in range(3)]
    de = enter(cw, "de-cis", "Elsewhere")
    supervisor = cw.headers("nl-supervisor", None)

    first = api.get("/cis/inspection?why=annual audit&limit=2", headers=supervisor)
    assert first.status_code == 200, first.text
    assert [a["id"] for a in first.json()["alerts"]] == nl[:2]
    assert first.json()["alerts"][0]["person"]["surname"] == "Inspected0"
    assert first.json()["alerts"][0]["justification"] == JUSTIFICATION
    after = first.json()["next_after"]
    second = api.get(f"/cis/inspection?why=annual audit&limit=2&after={after}", headers=supervisor)
    assert [a["id"] for a in second.json()["alerts"]] == nl[2:]
    assert second.json()["next_after"] is None  # a national supervisor sees its own data

    committee = api.get(
        "/cis/inspection?why=oversight&with_content=false", headers=cw.headers("committee")
    )
    assert committee.status_code == 200, committee.text
    assert de in [a["id"] for a in committee.json()["alerts"]]
    assert all(a["person"] is None for a in committee.json()["alerts"])
    only_de = api.get("/cis/inspection?why=oversight&supplier=DE", headers=cw.headers("committee"))
    assert [a["id"] for a in only_de.json()["alerts"]] == [de]

    refused(api.get("/cis/inspection?why=curious", headers=cw.headers("nl-cis")), 403, "CIS-44")
    refused(api.get("/cis/inspection", headers=supervisor), 422, "CIS-44")
    refused(api.get("/cis/inspection?why=audit&status=bogus", headers=supervisor), 422, "CIS-44")
    refused(api.get("/cis/inspection?why=audit trail&limit=0", headers=supervisor), 422, "CIS-44")
    refused(
        api.get("/cis/inspection?why=audit trail&limit=5000", headers=supervisor), 422, "CIS-44"
    )
    refused(
        api.get("/cis/inspection?why=audit trail&check=curiosity", headers=supervisor),
        422,
        "CIS-25",
    )


# --- CIS-45: strategic analysis -----------------------------------------------------------


def test_cis_45_strategic_analysis_via_api(api: TestClient, cw: CisWorld) -> None:
    for i in range(6):
        enter(cw, "nl-cis" if i % 2 else "de-cis", f"Surname{i}q", nationality="MA")
    enter(cw, "nl-cis", "Rarew", nationality="XK")

    figures = api.get("/cis/strategic-analysis", headers=cw.headers("nl-cis-analyst", None))
    assert figures.status_code == 200, figures.text
    body = figures.json()
    assert body["total"] == 7
    assert body["by_supplier"] == {"DE": 3, "NL": 4}
    assert body["by_nationality"] == {"MA": 6}
    assert body["nationality_suppressed"] == 1
    assert "Surname" not in figures.text and "XK" not in figures.text
    assert datetime.fromisoformat(body["generated_at"]).tzinfo is not None

    committee = api.get("/cis/strategic-analysis?min_cell=10", headers=cw.headers("committee"))
    assert committee.status_code == 200, committee.text
    assert committee.json()["by_nationality"] == {}
    assert committee.json()["nationality_suppressed"] == 7

    refused(api.get("/cis/strategic-analysis", headers=cw.headers("nl-cis")), 403, "CIS-45")
    refused(api.get("/cis/strategic-analysis", headers=cw.headers("nl-dpo")), 403, "CIS-45")
    refused(
        api.get("/cis/strategic-analysis?min_cell=1", headers=cw.headers("nl-cis-analyst")),
        422,
        "CIS-45",
    )
