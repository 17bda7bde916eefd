"""The controls API (issue 4 points 1–3 and 5): queue, results with corrections,
feedback; authenticated, authority-scoped, 4xx for every client mistake."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from conftest import World
from controls.world import TODAY

PERIOD = {"from": "2026-11-01", "to": TODAY.isoformat()}


def test_the_queue_is_authenticated_and_per_authority(
    controlled: sessionmaker[Session], client: TestClient, world: World
) -> None:
    assert client.get("/controls/tasks").status_code == 401
    mine = client.get(
        "/controls/tasks",
        params={"status": "closed", "limit": 2},
        headers=world.headers("nl-officer"),
    )
    assert mine.status_code == 200
    body = mine.json()
    assert body["total"] == 5 and len(body["items"]) == 2
    assert body["items"][0]["control"] == "documentary"
    theirs = client.get(
        "/controls/tasks", params={"status": "closed"}, headers=world.headers("de-officer")
    )
    assert theirs.json()["total"] == 0
    bad = client.get(
        "/controls/tasks", params={"status": "lost"}, headers=world.headers("nl-officer")
    )
    assert bad.status_code == 422


def test_results_corrections_and_their_refusals(
    controlled: sessionmaker[Session], client: TestClient, world: World
) -> None:
    officer = world.headers("nl-officer")
    task = client.get("/controls/tasks", params={"status": "closed"}, headers=officer).json()[
        "items"
    ][0]
    url = f"/controls/tasks/{task['id']}/results"
    again = client.post(url, json={"outcome": "no-irregularity"}, headers=officer)
    assert again.status_code == 409 and "correction" in again.json()["message"]
    invalid = client.post(url, json={"outcome": "irregularity"}, headers=officer)
    assert invalid.status_code == 422
    assert invalid.json()["details"] == [
        {"field": "$", "reason": "Value error, an irregularity needs its type (irregularities)"}
    ]
    corrected = client.post(
        url,
        json={
            "outcome": "irregularity",
            "irregularities": ["origin"],
            "duties_at_stake": 12.5,
            "correction": True,
            "note": "Certificate of origin forged.",
        },
        headers=officer,
    )
    assert corrected.status_code == 201, corrected.text
    versions = client.get(url, headers=officer).json()
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["irregularities"] == [
        "origin"
    ]
    assert (
        client.post(
            url, json={"outcome": "no-irregularity"}, headers=world.headers("nl-analyst")
        ).status_code
        == 403
    )
    assert client.get(url, headers=world.headers("de-officer")).status_code == 404
    assign = client.post(
        f"/controls/tasks/{task['id']}/assign", json={"officer": "nl-officer"}, headers=officer
    )
    assert assign.status_code == 409


def test_profile_feedback_through_the_api(
    controlled: sessionmaker[Session], client: TestClient, world: World
) -> None:
    analyst = world.headers("nl-analyst")
    found = client.get("/profiles/performance", params=PERIOD, headers=analyst)
    assert found.status_code == 200
    figures = {p["profile_id"]: (p["results"], p["true_hits"]) for p in found.json()}
    assert figures == {"P-SHIRTS": (3, 2), "P-SHOES": (2, 0)}
    review = client.get("/profiles/review", params=PERIOD | {"min_results": 2}, headers=analyst)
    assert {(i["profile_id"], i["reason"]) for i in review.json()} >= {("P-NEVER", "never hit")}
    wrong = client.get("/profiles/performance", params={"from": "soon"}, headers=analyst)
    assert wrong.status_code == 422
    other = client.get(
        "/profiles/performance", params=PERIOD | {"authority": "DE"}, headers=analyst
    )
    assert other.status_code == 403
