"""``GET /surveillance/trade-flows`` and its report (RM-16): filings stored through intake,
the history refreshed by the request, the ranked shifts paginated; authenticated,
authorised, audited, and a bad parameter is a 422 that says what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import World
from surveillance.conftest import stored_shift_filings
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM
from tollgate.intake.service import submit

URL = "/surveillance/trade-flows"
WINDOWS = {
    "baseline_start": "2026-01-01",
    "baseline_end": "2026-01-31",
    "recent_start": "2026-03-01",
    "recent_end": "2026-03-31",
    "min_declarations": 5,
}


@pytest.fixture
def stored(world: World) -> World:
    with world.factory() as session, session.begin():
        results = submit(session, actor=SYSTEM, records=stored_shift_filings())
    assert all(r.outcome.filing_id is not None for r in results), results
    return world


def get(client: TestClient, world: World, user: str, **params: Any) -> Any:
    return client.get(URL, params={**WINDOWS, **params}, headers=world.headers(user))


def test_rm16_api_ranks_the_shifts_of_the_callers_imports(
    client: TestClient, stored: World
) -> None:
    response = get(client, stored, "nl-analyst")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["authority"] == "NL" and body["total"] == 2
    assert body["baseline"] == {"start": "2026-01-01", "end": "2026-01-31"}
    assert {(f["kind"], f["code"]) for f in body["findings"]} == {
        ("origin_shift", "730610"),
        ("origin_shift", "640399"),
    }
    tubes = next(f for f in body["findings"] if f["code"] == "730610")
    assert tubes["lost"] == [{"key": "CN", "change": -0.6}]
    assert tubes["gained"] == [{"key": "MY", "change": 0.6}]
    cn = next(p for p in tubes["parts"] if p["key"] == "CN")
    assert cn["baseline"]["declarations"] == 12 and cn["recent"]["declarations"] == 3
    assert cn["baseline"]["traders"] == 3
    assert (cn["baseline_share"], cn["recent_share"]) == (0.8, 0.2)
    assert tubes["q_value"] < 0.01
    assert body["anonymity"]["cells_suppressed"] == {"few_traders": 0, "dominated": 0}


def test_rm16_api_paginates_the_ranked_list(client: TestClient, stored: World) -> None:
    first = get(client, stored, "nl-coordinator", limit=1).json()
    second = get(client, stored, "nl-coordinator", limit=1, offset=1).json()
    beyond = get(client, stored, "nl-coordinator", limit=1, offset=2).json()
    assert [f["rank"] for f in first["findings"]] == [1]
    assert [f["rank"] for f in second["findings"]] == [2]
    assert first["findings"][0]["code"] != second["findings"][0]["code"]
    assert (beyond["findings"], beyond["total"]) == ([], 2)


def test_rm16_api_needs_a_token_and_the_permission(client: TestClient, stored: World) -> None:
    assert client.get(URL, params=WINDOWS).status_code == 401
    for user in ("nl-officer", "nl-intake", "nl-admin", "nl-supervisor"):
        response = get(client, stored, user)
        assert response.status_code == 403, user
        assert "analyse_trade_flows" in response.json()["message"]
    response = get(client, stored, "nl-analyst", authority="DE")
    assert response.status_code == 403
    assert response.json()["message"] == "user 'nl-analyst' cannot analyse the trade flows of DE"


def test_rm16_api_a_german_analyst_sees_nothing_of_the_dutch_imports(
    client: TestClient, stored: World
) -> None:
    body = get(client, stored, "de-analyst").json()
    assert (body["authority"], body["total"], body["anonymity"]["cells_shown"]) == ("DE", 0, 0)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"baseline_end": "2025-12-01"}, "the baseline window ends (2025-12-01) before it starts"),
    ({"recent_start": "2026-01-15"}, "must end before the recent window starts (2026-01-15)"),
    ({"recent_end": None}, "give both recent_start and recent_end, or neither"),
    ({"recent_start": None, "recent_end": None}, "a baseline needs a recent window"),
    ({"baseline_start": "2016-01-01"}, "a period covers at most 3660 days"),
    ({"baseline_start": "2026-13-01"}, "baseline_start"),
    ({"level": "hs2"}, "level"),
    ({"period": "day"}, "period"),
    ({"min_traders": 2}, "min_traders"),
    ({"dominance": 0.95}, "dominance"),
    ({"limit": 0}, "limit"),
    ({"offset": -1}, "offset"),
    ({"colour": "red"}, "colour"),
]


def test_rm16_api_refuses_bad_parameters_precisely(client: TestClient, world: World) -> None:
    for params, fragment in BAD:
        query = {k: v for k, v in {**WINDOWS, **params}.items() if v is not None}
        for url in (URL, f"{URL}/report"):
            response = client.get(url, params=query, headers=world.headers("nl-analyst"))
            assert response.status_code == 422, (params, response.text)
            assert fragment in response.text, (params, response.text)


def test_rm16_api_runs_are_audited(client: TestClient, stored: World) -> None:
    assert get(client, stored, "nl-coordinator").status_code == 200
    assert client.get(f"{URL}/report", params=WINDOWS, headers=stored.headers("nl-analyst"))
    with stored.factory() as session:
        actors = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "trade_flow_surveillance")
        ).all()
    assert sorted(actors) == ["nl-analyst", "nl-coordinator"]


def test_rm16_api_report_is_self_contained_html_with_a_chart_per_finding(
    client: TestClient, stored: World
) -> None:
    response = client.get(
        f"{URL}/report", params={**WINDOWS, "limit": 1}, headers=stored.headers("nl-analyst")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html.count("<svg") == 1  # the limit: one finding, one chart
    assert "<script" not in html.lower() and "http" not in html
    assert (
        "tollgate-trade-flows-NL-2026-03-01-2026-03-31.html"
        in (response.headers["content-disposition"])
    )
    assert client.get(f"{URL}/report", params=WINDOWS).status_code == 401
    refused = client.get(f"{URL}/report", params=WINDOWS, headers=stored.headers("nl-officer"))
    assert refused.status_code == 403
