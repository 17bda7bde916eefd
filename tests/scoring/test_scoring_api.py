"""``/scoring`` (issue 6): versions, a filing's score with reasons, drift and exploration,
authenticated and scoped to the caller's authority."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import World
from scoring.conftest import NL_ANALYST, TRAIN, VALIDATE
from tollgate.declarations.tables import FilingRecord, FilingVersion
from tollgate.risk.history import History
from tollgate.scoring import service
from tollgate.scoring.tables import ModelScore


def trained(factory: sessionmaker[Session], store: History, versions: int = 1) -> None:
    with factory() as session, session.begin():
        for _ in range(versions):
            service.train_model(session, store, actor=NL_ANALYST, train=TRAIN, validate=VALIDATE)
    store.close()  # the API opens the same store


def test_models_are_listed_a_page_at_a_time_for_the_callers_authority_only(
    client: TestClient, world: World, labelled: History
) -> None:
    trained(world.factory, labelled, versions=2)
    assert client.get("/scoring/models").status_code == 401
    page = client.get("/scoring/models?limit=1", headers=world.headers("nl-analyst")).json()
    assert page["total"] == 2 and [m["version"] for m in page["models"]] == [2]
    page = client.get("/scoring/models?limit=1&offset=1", headers=world.headers("nl-analyst"))
    assert [m["version"] for m in page.json()["models"]] == [1]
    one = client.get("/scoring/models/1", headers=world.headers("nl-analyst")).json()
    assert one["train"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert one["metrics"]["at"][2]["share"] == 0.05 and one["importance"]
    reads_histories = any(name.startswith("rate:") for name, _ in one["importance"])
    assert one["entity_histories"] is True or not reads_histories
    assert client.get("/scoring/models", headers=world.headers("de-analyst")).json()["total"] == 0
    assert client.get("/scoring/models/1", headers=world.headers("de-analyst")).status_code == 404
    assert client.get("/scoring/models/0", headers=world.headers("nl-analyst")).status_code == 422
    assert client.get("/scoring/models", headers=world.headers("nl-intake")).status_code == 403


def test_the_validation_report_is_offline_html_with_charts(
    client: TestClient, world: World, labelled: History
) -> None:
    trained(world.factory, labelled)
    response = client.get("/scoring/models/1/report", headers=world.headers("nl-analyst"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.text.count("<svg") == 3 and "<script" not in response.text.lower()


def test_only_analysts_activate_and_a_filing_gets_its_score_with_reasons(
    client: TestClient, world: World, labelled: History
) -> None:
    trained(world.factory, labelled)
    with world.factory() as session:
        risky = session.scalar(select(FilingRecord.id).where(FilingRecord.lrn == "S-0201"))
    headers = world.headers("nl-analyst")
    assert (
        client.get(f"/scoring/filings/{risky}", headers=headers).status_code == 404
    )  # none active
    assert (
        client.post("/scoring/models/1/activate", headers=world.headers("nl-officer")).status_code
        == 403
    )
    activated = client.post("/scoring/models/1/activate", headers=headers)
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    body = client.get(f"/scoring/filings/{risky}", headers=headers).json()
    assert body["version"] == 1 and 0 < body["score"] < 1
    assert all(r["contribution"] > 0 for r in body["reasons"])
    assert (
        client.get(f"/scoring/filings/{risky}", headers=world.headers("de-analyst")).status_code
        == 404
    )
    assert client.get("/scoring/filings/999999", headers=headers).status_code == 404


def test_drift_alerts_when_the_scores_move_and_exploration_reports_by_selection(
    client: TestClient, world: World, labelled: History
) -> None:
    trained(world.factory, labelled)
    with world.factory() as session, session.begin():
        service.activate_model(session, actor=NL_ANALYST, version=1)
        model = service.get_model(session, actor=NL_ANALYST, version=1)
        versions = session.execute(select(FilingVersion.id, FilingVersion.filing_id)).all()
        # November: every score near the top of the reference range, far from its shape
        for version_id, filing_id in versions[:60]:
            session.add(
                ModelScore(
                    model_id=model.id,
                    authority_id=model.authority_id,
                    filing_version_id=version_id,
                    filing_id=filing_id,
                    score=0.97,
                    scored_at=datetime(2026, 11, 5, tzinfo=UTC),
                )
            )
    headers = world.headers("nl-analyst")
    body = client.get("/scoring/drift?from=2026-11-01&to=2026-11-30", headers=headers).json()
    (november,) = body["periods"]
    assert november["period"] == "2026-11" and november["scored"] == 60
    assert november["psi"] >= 0.25 and body["alerts"]
    assert any("realised hit rate" in a for a in november["alerts"])
    weekly = client.get("/scoring/drift?from=2026-11-01&to=2026-11-30&period=week", headers=headers)
    assert weekly.json()["periods"][0]["period"] == "2026-W45"
    bad = client.get("/scoring/drift?from=2026-11-30&to=2026-11-01", headers=headers)
    assert bad.status_code in (400, 422)
    assert (
        client.get(
            "/scoring/drift?from=2026-11-01&to=2026-11-30&period=day", headers=headers
        ).status_code
        == 422
    )
    explored = client.get(
        "/scoring/exploration?from=2026-11-01&to=2026-11-30", headers=headers
    ).json()
    assert [s["kind"] for s in explored["selections"]] == ["risk-based", "random", "uncertainty"]
