"""The risk engine's HTTP API (issue 3 point 7) on SQLite and PostgreSQL: profiles and
lists, dry-run and stored assessment, explanation; authentication, permissions, the
isolation of authorities, and the engine cache seeing changes."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import World
from factories import house, import_h1, party
from tollgate.audit.tables import AuditEntry
from tollgate.authorities.service import SYSTEM
from tollgate.declarations.tables import FilingRecord
from tollgate.risk import credibility, service
from tollgate.risk.engines import ActorCache, EngineCache, RealTime, TraderCache
from tollgate.risk.profiles import Status
from tollgate.risk.tables import Assessment, RiskProfileVersion
from tollgate.traders import service as register

Json = dict[str, Any]


def profile(pid: str = "NL-TSHIRTS", **overrides: Any) -> Json:
    p: Json = {
        "id": pid,
        "title": "T-shirts from China",
        "risk_area": "ipr",
        "risk_level": 40,
        "stage": "clearance",
        "control": "documentary",
        "rationale": "Counterfeit branded shirts seen in 2026.",
        "instructions": "Check the brand labels.",
        "when": {
            "all": [
                {"field": "item.commodity_code", "prefix": ["6109"]},
                {"field": "item.origin_country", "eq": "CN"},
            ]
        },
    }
    p.update(overrides)
    return p


def send(
    client: TestClient,
    world: World,
    user: str,
    method: str,
    path: str,
    body: Any = None,
    purpose: str | None = None,
    **params: Any,
) -> tuple[int, Any]:
    headers = world.headers(user, purpose) | {"Content-Type": "application/json"}
    r = client.request(
        method,
        path,
        content=None if body is None else orjson.dumps(body),
        headers=headers,
        params=params or None,
    )
    return r.status_code, r.json()


def import_(client: TestClient, world: World, *profiles: Json, user: str = "nl-analyst") -> Json:
    status, body = send(
        client, world, user, "POST", "/risk/profiles", {"profiles": list(profiles)}, activate=True
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def assess(client: TestClient, world: World, doc: Json, user: str = "nl-analyst") -> Json:
    status, body = send(client, world, user, "POST", "/risk/assess", doc)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def hit_ids(result: Json) -> list[str]:
    return [r["profile_id"] for r in result["reasons"]]


def eu_profiles(world: World, *profiles: Json) -> None:
    with world.factory() as session, session.begin():
        service.import_profiles(
            session, actor=SYSTEM, data=list(profiles), authority="EU-COM", activate=True
        )


def cache(client: TestClient) -> EngineCache:
    caches: RealTime = client.app.state.risk_realtime  # type: ignore[attr-defined]
    return caches.engines


ROUTES = [
    ("GET", "/risk/profiles"),
    ("POST", "/risk/profiles"),
    ("GET", "/risk/profiles/export"),
    ("GET", "/risk/profiles/NL/NL-TSHIRTS"),
    ("POST", "/risk/profiles/NL/NL-TSHIRTS/status"),
    ("GET", "/risk/lists"),
    ("GET", "/risk/lists/NL/watch"),
    ("PUT", "/risk/lists/NL/watch"),
    ("POST", "/risk/assess"),
    ("POST", "/risk/assess/pending"),
    ("POST", "/risk/filings/1/assess"),
    ("GET", "/risk/filings/1/assessments"),
    ("GET", "/risk/assessments/1/explain"),
]


def test_every_risk_route_needs_a_token(client: TestClient) -> None:
    for method, path in ROUTES:
        r = client.request(method, path, content=b"{}")
        assert r.status_code == 401, (method, path)
        assert r.json()["code"] == "not_authenticated"
    r = client.post("/risk/assess", headers={"Authorization": "Bearer tg_forged"}, content=b"{}")
    assert r.status_code == 401


def test_every_write_and_assessment_needs_its_permission(client: TestClient, world: World) -> None:
    import_(client, world, profile())
    cases: list[tuple[str, str, str, Any]] = [
        ("nl-intake", "POST", "/risk/profiles", {"profiles": [profile("NL-OTHER")]}),
        ("nl-officer", "POST", "/risk/profiles", {"profiles": [profile("NL-OTHER")]}),
        ("nl-officer", "POST", "/risk/profiles/NL/NL-TSHIRTS/status", {"status": "suspended"}),
        ("nl-intake", "PUT", "/risk/lists/NL/watch", {"kind": "codes", "entries": ["X1"]}),
        ("nl-officer", "PUT", "/risk/lists/NL/watch", {"kind": "codes", "entries": ["X1"]}),
        ("nl-coordinator", "POST", "/risk/assess", house()),  # manages profiles, no assess
        ("nl-intake", "POST", "/risk/assess", house()),
        ("nl-coordinator", "POST", "/risk/assess/pending", None),
        ("nl-coordinator", "POST", "/risk/filings/1/assess", None),
        ("nl-supervisor", "GET", "/risk/profiles", None),
        ("nl-supervisor", "GET", "/risk/lists", None),
        ("nl-intake", "GET", "/risk/filings/1/assessments", None),
        ("nl-intake", "GET", "/risk/assessments/1/explain", None),
    ]
    for user, method, path, body in cases:
        status, answer = send(client, world, user, method, path, body)
        assert (status, answer["code"]) == (403, "not_authorised"), (user, method, path)
    # nothing changed
    status, page = send(client, world, "nl-analyst", "GET", "/risk/profiles/NL/NL-TSHIRTS")
    assert [v["status"] for v in page["versions"]] == ["active"]


def test_import_read_and_export_a_profile_set(client: TestClient, world: World) -> None:
    result = import_(client, world, profile(), profile("NL-SHOES", title="Shoes"))
    assert result == {
        "authority": "NL",
        "created": [
            {"profile_id": "NL-TSHIRTS", "version": 1},
            {"profile_id": "NL-SHOES", "version": 1},
        ],
        "unchanged": [],
    }
    assert import_(client, world, profile())["unchanged"] == ["NL-TSHIRTS"]

    status, one = send(client, world, "nl-officer", "GET", "/risk/profiles/NL/NL-SHOES")
    assert status == 200
    assert one["current"]["title"] == "Shoes" and one["current"]["status"] == "active"
    assert one["current"]["spec"]["when"] == profile()["when"]
    assert [v["version"] for v in one["versions"]] == [1]

    status, exported = send(client, world, "nl-analyst", "GET", "/risk/profiles/export")
    assert status == 200 and exported["authority"] == "NL"
    assert exported["status"] == {"NL-SHOES": "active", "NL-TSHIRTS": "active"}
    assert {p["id"] for p in exported["profiles"]} == {"NL-SHOES", "NL-TSHIRTS"}
    # what was exported imports as it is: unchanged here, new in another authority
    status, again = send(
        client, world, "nl-analyst", "POST", "/risk/profiles", exported, activate=True
    )
    assert status == 200 and sorted(again["unchanged"]) == ["NL-SHOES", "NL-TSHIRTS"]
    status, de = send(client, world, "de-analyst", "POST", "/risk/profiles", exported)
    assert status == 200 and len(de["created"]) == 2

    # expired profiles stay out of an export by default (an import would refuse them)
    send(
        client,
        world,
        "nl-analyst",
        "POST",
        "/risk/profiles/NL/NL-SHOES/status",
        {"status": "expired"},
    )
    _, exported = send(client, world, "nl-analyst", "GET", "/risk/profiles/export")
    assert [p["id"] for p in exported["profiles"]] == ["NL-TSHIRTS"]
    _, only = send(client, world, "nl-analyst", "GET", "/risk/profiles/export", status="expired")
    assert list(only["status"].items()) == [("NL-SHOES", "expired")]


def test_an_invalid_profile_set_is_refused_whole_with_path_and_reason(
    client: TestClient, world: World
) -> None:
    bad = profile("NL-BAD", when={"field": "item.value", "lt": "cheap"})
    status, body = send(
        client, world, "nl-analyst", "POST", "/risk/profiles", {"profiles": [profile(), bad]}
    )
    assert status == 422 and body["code"] == "validation_failed"
    assert body["details"] == [{"path": "profiles[1].when.lt", "reason": "expected a number"}]
    status, body = send(
        client, world, "nl-analyst", "POST", "/risk/profiles", [profile(risk_level=400)]
    )
    assert status == 422 and body["details"][0]["path"] == "profiles[0].risk_level"
    for content, code in [(b"{not json", 400), (b'"a string"', 422), (b"{}", 422)]:
        r = client.post("/risk/profiles", content=content, headers=world.headers("nl-analyst"))
        assert r.status_code == code, content
    # a national authority cannot write the Commission's criteria
    status, body = send(
        client, world, "nl-analyst", "POST", "/risk/profiles", [profile(owner="crc")]
    )
    assert status == 403
    with world.factory() as session:
        assert session.scalar(select(func.count(RiskProfileVersion.id))) == 0


def test_profiles_are_paginated(client: TestClient, world: World) -> None:
    import_(client, world, *(profile(f"NL-P{i:02d}") for i in range(7)))
    eu_profiles(world, profile("EU-CRC-1", owner="crc"))
    seen: list[tuple[str, str]] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        status, page = send(
            client, world, "nl-officer", "GET", "/risk/profiles", offset=offset, limit=3
        )
        assert status == 200 and len(page["items"]) <= 3
        seen += [(p["authority"], p["profile_id"]) for p in page["items"]]
        offset = page["next_offset"]
        pages += 1
    assert pages == 3
    assert seen == [("EU-COM", "EU-CRC-1")] + [("NL", f"NL-P{i:02d}") for i in range(7)]
    status, body = send(client, world, "nl-officer", "GET", "/risk/profiles", limit=0)
    assert status == 422 and body["details"][0]["field"] == "query.limit"


def test_status_changes_follow_the_life_cycle(client: TestClient, world: World) -> None:
    import_(client, world, profile())
    path = "/risk/profiles/NL/NL-TSHIRTS/status"
    status, row = send(client, world, "nl-analyst", "POST", path, {"status": "suspended"})
    assert status == 200 and (row["version"], row["status"]) == (2, "suspended")
    assert row["changed_by"] == "nl-analyst" and row["change"] == "status suspended"
    status, row = send(client, world, "nl-analyst", "POST", path, {"status": "expired"})
    assert status == 200 and row["version"] == 3
    status, body = send(client, world, "nl-analyst", "POST", path, {"status": "active"})
    assert status == 409 and body["code"] == "conflict"
    status, body = send(client, world, "nl-analyst", "POST", path, {"status": "paused"})
    assert status == 422 and body["details"][0]["field"] == "body.status"
    status, _ = send(
        client,
        world,
        "nl-analyst",
        "POST",
        "/risk/profiles/NL/NL-NONE/status",
        {"status": "active"},
    )
    assert status == 404


def test_authorities_see_only_the_profiles_they_apply(client: TestClient, world: World) -> None:
    import_(client, world, profile())
    eu_profiles(world, profile("EU-CRC-1", owner="crc"))
    _, page = send(client, world, "de-analyst", "GET", "/risk/profiles")
    assert [(p["authority"], p["profile_id"]) for p in page["items"]] == [("EU-COM", "EU-CRC-1")]
    for path in ("/risk/profiles/NL/NL-TSHIRTS", "/risk/profiles/NL/NL-NONE"):
        status, body = send(client, world, "de-analyst", "GET", path)
        assert status == 404 and body["code"] == "not_found"  # the same answer: no probing
    status, _ = send(client, world, "de-analyst", "GET", "/risk/profiles/EU-COM/EU-CRC-1")
    assert status == 200
    status, _ = send(client, world, "de-analyst", "GET", "/risk/profiles/export", authority="NL")
    assert status == 404
    # writes into another authority are refused before anything is looked up
    for path in ("/risk/profiles/NL/NL-TSHIRTS/status", "/risk/profiles/EU-COM/EU-CRC-1/status"):
        status, _ = send(client, world, "de-analyst", "POST", path, {"status": "suspended"})
        assert status == 403
    # a German dry run is not hit by the Dutch profile, only by the Commission's
    assert hit_ids(assess(client, world, house(), user="de-analyst")) == ["EU-CRC-1"]
    assert sorted(hit_ids(assess(client, world, house()))) == ["EU-CRC-1", "NL-TSHIRTS"]


def test_managed_lists(client: TestClient, world: World) -> None:
    status, saved = send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-watch",
        {"kind": "codes", "entries": ["NL123456789", " NL999999999 ", "NL123456789"]},
    )
    assert status == 200 and saved["version"] == 1 and saved["entries"] == 2
    assert saved["values"] == ["NL123456789", "NL999999999"]
    send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-people",
        {"kind": "names", "entries": ["Jan de Vries"]},
    )
    status, lists = send(client, world, "nl-officer", "GET", "/risk/lists")
    assert status == 200
    assert [(x["name"], x["kind"], x["version"], x["entries"]) for x in lists] == [
        ("nl-people", "names", 1, 1),
        ("nl-watch", "codes", 1, 2),
    ]
    status, one = send(client, world, "nl-officer", "GET", "/risk/lists/NL/nl-people")
    assert status == 200 and one["values"] == ["JAN DE VRIES"] and not one["redacted"]
    # coordinators read profiles but not personal data: watched names are withheld
    status, one = send(client, world, "nl-coordinator", "GET", "/risk/lists/NL/nl-people")
    assert status == 200 and one["values"] is None and one["redacted"]
    # a new version replaces, the old one stays readable
    send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-watch",
        {"kind": "codes", "entries": ["NL111111111"]},
    )
    _, newest = send(client, world, "nl-officer", "GET", "/risk/lists/NL/nl-watch")
    _, first = send(client, world, "nl-officer", "GET", "/risk/lists/NL/nl-watch", version=1)
    assert (newest["version"], newest["values"]) == (2, ["NL111111111"])
    assert first["values"] == ["NL123456789", "NL999999999"]
    # other authorities neither see nor write it
    assert send(client, world, "de-analyst", "GET", "/risk/lists")[1] == []
    assert send(client, world, "de-analyst", "GET", "/risk/lists/NL/nl-watch")[0] == 404
    status, _ = send(
        client,
        world,
        "de-analyst",
        "PUT",
        "/risk/lists/NL/nl-watch",
        {"kind": "codes", "entries": ["X"]},
    )
    assert status == 403
    for body in ({"kind": "words", "entries": ["X"]}, {"kind": "codes", "entries": []}, {}):
        status, _ = send(client, world, "nl-analyst", "PUT", "/risk/lists/NL/x", body)
        assert status == 422, body
    status, _ = send(
        client, world, "nl-analyst", "PUT", "/risk/lists/NL/bad name!", {"kind": "codes"}
    )
    assert status == 422


def test_a_dry_run_assesses_without_storing(client: TestClient, world: World) -> None:
    import_(client, world, profile(), profile("NL-NEVER", when={"field": "kind", "eq": "csm"}))
    result = assess(client, world, house())
    assert result["decision"] == "documentary" and result["score"] == 40
    assert result["stage"] == "clearance" and result["stored"] is False
    assert result["profiles"] == 2 and result["authority"] == "NL"
    (reason,) = result["reasons"]
    assert reason["profile_id"] == "NL-TSHIRTS" and reason["version"] == 1
    assert reason["title"] == "T-shirts from China"
    assert reason["matched"] == {"item.commodity_code": "610910", "item.origin_country": "CN"}
    assert "[NL-TSHIRTS v1] Check the brand labels." in result["instructions"]
    assert assess(client, world, house(goods_items__0__origin_country="VN"))["decision"] == (
        "release"
    )
    with world.factory() as session:
        assert session.scalar(select(func.count(Assessment.id))) == 0
        assert session.scalar(select(func.count(FilingRecord.id))) == 0


def test_a_dry_run_refuses_bad_filings_as_the_intake_does(client: TestClient, world: World) -> None:
    h = world.headers("nl-analyst")
    r = client.post(
        "/risk/assess", content=orjson.dumps(house(goods_items__0__currency="EUX")), headers=h
    )
    assert r.status_code == 422
    assert r.json()["details"][0] == {
        "position": 1,
        "record_id": "H-0001",
        "field": "goods_items[0].currency",
        "code": "unknown_currency",
        "message": "'EUX' is not an ISO 4217 currency code",
    }
    for content, status, code in [
        (b"{not json", 400, "malformed_body"),
        (b'{"lrn": "\xff"}', 400, "malformed_body"),
        (b"[]", 422, "validation_failed"),
        (b"", 400, "malformed_body"),
        (b"x" * 300_000, 413, "payload_too_large"),
    ]:
        r = client.post("/risk/assess", content=content, headers=h)
        assert (r.status_code, r.json()["code"]) == (status, code), content[:20]


def test_a_dry_run_knows_the_trader_and_quality_as_stored_assessment_does(
    client: TestClient, world: World
) -> None:
    now = [0.0]
    traders = TraderCache(world.factory, clock=lambda: now[0])
    caches = RealTime(EngineCache(world.factory), traders, ActorCache())
    client.app.state.risk_realtime = caches  # type: ignore[attr-defined]
    first_time = profile(
        "NL-FIRST",
        when={
            "all": [
                {"field": "trader.first_time", "eq": True},
                {"field": "item.commodity_code", "prefix": ["6109"]},
            ]
        },
    )
    mismatch = profile(
        "NL-MISMATCH",
        when={"field": "quality.codes", "includes": ["description_code_mismatch"]},
    )
    import_(client, world, profile(), first_time, mismatch)
    result = assess(client, world, house())
    assert sorted(hit_ids(result)) == ["NL-FIRST", "NL-TSHIRTS"]
    assert {r["control"] for r in result["reasons"]} == {"documentary"}
    odd = house(goods_items__0__commodity_code="999999")
    assert "NL-MISMATCH" in hit_ids(assess(client, world, odd, user="nl-officer"))
    # the consignee files with NL, and the register knows it as an AEO
    assert send(client, world, "nl-intake", "POST", "/filings", import_h1())[0] == 201
    with world.factory() as session, session.begin():
        register.import_register(
            session,
            actor=SYSTEM,
            records=[{"eori": "NL123456789", "aeo": "AEOF", "aeo_valid_until": "2099-12-31"}],
            authority="NL",
        )
    assert "NL-FIRST" in hit_ids(assess(client, world, house()))  # cached for a while
    now[0] = traders.max_age
    result = assess(client, world, house())
    (reason,) = result["reasons"]
    assert reason["profile_id"] == "NL-TSHIRTS" and reason["aeo_facilitated"]
    assert result["decision"] == reason["control"] == "post-release-audit"


def test_the_cache_sees_changes_made_through_the_api(client: TestClient, world: World) -> None:
    listed = profile(
        "NL-LISTED",
        risk_level=60,
        control="physical",
        when={"field": "consignee.eori", "in_list": "nl-importers"},
    )
    send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-importers",
        {"kind": "codes", "entries": ["NL123456789"]},
    )
    import_(client, world, profile(), listed)
    engines = cache(client)
    engines.max_age = 3600.0  # only the write path may make the cache look again
    assert sorted(hit_ids(assess(client, world, house()))) == ["NL-LISTED", "NL-TSHIRTS"]
    path = "/risk/profiles/NL/NL-TSHIRTS/status"
    assert send(client, world, "nl-analyst", "POST", path, {"status": "suspended"})[0] == 200
    assert hit_ids(assess(client, world, house())) == ["NL-LISTED"]
    send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-importers",
        {"kind": "codes", "entries": ["NL999999999"]},
    )
    assert hit_ids(assess(client, world, house())) == []
    assert send(client, world, "nl-analyst", "POST", path, {"status": "active"})[0] == 200
    assert hit_ids(assess(client, world, house())) == ["NL-TSHIRTS"]


def test_the_cache_sees_other_writers_within_max_age(client: TestClient, world: World) -> None:
    """A change by the CLI or another worker process is seen once ``max_age`` has passed
    since the last check, and not rebuilt for when nothing changed."""
    import_(client, world, profile())
    now = [0.0]
    engines = EngineCache(world.factory, max_age=1.0, clock=lambda: now[0])
    caches = RealTime(engines, TraderCache(world.factory), ActorCache())
    client.app.state.risk_realtime = caches  # type: ignore[attr-defined]
    assert hit_ids(assess(client, world, house())) == ["NL-TSHIRTS"]
    assert engines.builds == 1
    with world.factory() as session, session.begin():
        service.set_status(
            session, actor=SYSTEM, profile_id="NL-TSHIRTS", status=Status.SUSPENDED, authority="NL"
        )
    now[0] = 0.9
    assert hit_ids(assess(client, world, house())) == ["NL-TSHIRTS"]  # not looked yet
    now[0] = 1.0
    assert hit_ids(assess(client, world, house())) == []
    assert engines.builds == 2
    now[0] = 5.0
    assess(client, world, house())
    assert engines.builds == 2  # the same generation: nothing to rebuild


def test_a_revoked_token_is_refused_by_the_dry_run_within_a_second(
    client: TestClient, world: World
) -> None:
    now = [0.0]
    caches = RealTime(
        EngineCache(world.factory), TraderCache(world.factory), ActorCache(clock=lambda: now[0])
    )
    client.app.state.risk_realtime = caches  # type: ignore[attr-defined]
    assess(client, world, house(), user="nl-officer")
    r = client.delete("/users/nl-officer/tokens", headers=world.headers("nl-admin"))
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert client.get("/risk/profiles", headers=world.headers("nl-officer")).status_code == 401
    now[0] = 0.5
    assess(client, world, house(), user="nl-officer")  # still within its second
    now[0] = 1.0
    status, body = send(client, world, "nl-officer", "POST", "/risk/assess", house())
    assert (status, body["message"]) == (401, "token revoked")
    # refusals are not kept: each bad token is looked up, and gets its own answer
    r = client.post("/risk/assess", content=b"{}", headers={"Authorization": "Bearer tg_x"})
    assert r.status_code == 401 and r.json()["message"] == "unknown token"


def stored_filing(client: TestClient, world: World, doc: Json, user: str = "nl-intake") -> int:
    status, body = send(client, world, user, "POST", "/filings", doc)
    assert status == 201, body
    return int(body["filing_id"])


def test_assess_stored_filings_list_and_explain(client: TestClient, world: World) -> None:
    send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-importers",
        {"kind": "codes", "entries": ["NL123456789"]},
    )
    listed = profile(
        "NL-LISTED",
        title="Listed importer",
        risk_level=60,
        control="physical",
        risk_area="financial",
        financial_risk="operator-at-risk",
        rationale="Importers found undervaluing in 2026 audits.",
        when={"field": "consignee.eori", "in_list": "nl-importers"},
    )
    import_(client, world, profile(), listed)
    filing_id = stored_filing(client, world, import_h1())
    stored_filing(client, world, import_h1(lrn="I-0002", goods_items__0__origin_country="VN"))

    status, done = send(client, world, "nl-officer", "POST", "/risk/assess/pending", limit=1)
    assert status == 200 and done == {"assessed": 1, "decisions": {"physical": 1}, "more": True}
    status, done = send(client, world, "nl-officer", "POST", "/risk/assess/pending", limit=5)
    assert done == {"assessed": 1, "decisions": {"physical": 1}, "more": False}
    assert send(client, world, "nl-officer", "POST", "/risk/assess/pending")[1]["assessed"] == 0

    # the Dutch profile suspended: a re-assessment adds an assessment, the first one stays
    path = "/risk/profiles/NL/NL-TSHIRTS/status"
    send(client, world, "nl-analyst", "POST", path, {"status": "suspended"})
    status, again = send(
        client, world, "nl-officer", "POST", f"/risk/filings/{filing_id}/assess", random_rate=0
    )
    assert status == 200 and again["trigger"] == "api" and again["random"] is False
    assert [h["profile_id"] for h in again["hits"]] == ["NL-LISTED"]

    status, page = send(
        client, world, "nl-officer", "GET", f"/risk/filings/{filing_id}/assessments", limit=1
    )
    assert status == 200 and len(page["items"]) == 1 and page["next_after"] is not None
    first = page["items"][0]
    assert first["trigger"] == "pending" and first["filing_version"] == 1
    assert {h["profile_id"] for h in first["hits"]} == {"NL-LISTED", "NL-TSHIRTS"}
    _, rest = send(
        client,
        world,
        "nl-officer",
        "GET",
        f"/risk/filings/{filing_id}/assessments",
        after=page["next_after"],
    )
    assert [a["id"] for a in rest["items"]] == [again["id"]] and rest["next_after"] is None

    status, why = send(
        client, world, "nl-officer", "GET", f"/risk/assessments/{first['id']}/explain"
    )
    assert status == 200
    assert (why["decision"], why["filing_id"], why["authority"]) == ("physical", filing_id, "NL")
    assert not why["redacted"]
    by_id = {r["profile_id"]: r for r in why["reasons"]}
    listed_reason = by_id["NL-LISTED"]
    assert listed_reason["authority"] == "NL" and listed_reason["version"] == 1
    assert listed_reason["title"] == "Listed importer"
    assert listed_reason["rationale"] == "Importers found undervaluing in 2026 audits."
    assert listed_reason["condition"] == {"field": "consignee.eori", "in_list": "nl-importers"}
    assert listed_reason["matched"] == {"consignee.eori": "NL123456789"}
    assert listed_reason["financial_risk"] == "operator-at-risk"
    # the explanation names the version that hit, and says what became of the profile
    shirts = by_id["NL-TSHIRTS"]
    assert (shirts["version"], shirts["status_now"], shirts["version_now"]) == (1, "suspended", 2)
    assert shirts["condition"] == profile()["when"]

    status, _ = send(client, world, "nl-officer", "GET", "/risk/assessments/999999/explain")
    assert status == 404


def test_credibility_findings_are_reasons_of_their_own(client: TestClient, world: World) -> None:
    """A blocking credibility check (RM-9) decides the dry run and the stored assessment
    alike, and shows among the findings, not as a profile."""
    rule = {
        "id": "CC-SHIRTS",
        "title": "Shirts below any credible price",
        "commodity_codes": ["6109"],
        "parameter": "unit_value_per_kg",
        "min": 1000.0,
        "outcome": "block",
        "reason": "Nobody sells cotton shirts at this price.",
    }
    with world.factory() as session, session.begin():
        credibility.import_rule_set(session, actor=SYSTEM, data=[rule], authority="NL")
    import_(client, world, profile())
    result = assess(client, world, import_h1())
    assert result["decision"] == "blocked" and result["stage"] == "clearance"
    assert [r.get("kind") for r in result["reasons"]] == [None, "credibility"]
    filing_id = stored_filing(client, world, import_h1())
    done = send(client, world, "nl-analyst", "POST", "/risk/assess/pending")[1]
    assert done["decisions"] == {"blocked": 1}
    _, page = send(client, world, "nl-analyst", "GET", f"/risk/filings/{filing_id}/assessments")
    (stored,) = page["items"]
    assert [h["profile_id"] for h in stored["hits"]] == ["NL-TSHIRTS"]
    assert [(f["rule_id"], f["outcome"]) for f in stored["findings"]] == [("CC-SHIRTS", "block")]
    status, why = send(
        client, world, "nl-analyst", "GET", f"/risk/assessments/{stored['id']}/explain"
    )
    assert status == 200 and why["decision"] == "blocked"
    assert [r["profile_id"] for r in why["reasons"]] == ["NL-TSHIRTS"]
    assert why["findings"][0]["rule_id"] == "CC-SHIRTS"


def test_assessments_stay_with_the_owning_authority(client: TestClient, world: World) -> None:
    import_(client, world, profile())
    filing_id = stored_filing(client, world, house())
    send(client, world, "nl-analyst", "POST", "/risk/assess/pending")
    _, page = send(client, world, "nl-analyst", "GET", f"/risk/filings/{filing_id}/assessments")
    (assessment,) = page["items"]
    # NL shares its filings with DE: DE reads the filing, not NL's assessment of it
    assert (
        client.post(
            "/sharing", json={"grantee": "DE"}, headers=world.headers("nl-admin")
        ).status_code
        == 204
    )
    r = client.get(f"/filings/{filing_id}", headers=world.headers("de-analyst", "test"))
    assert r.status_code == 200
    for method, path in [
        ("GET", f"/risk/filings/{filing_id}/assessments"),
        ("GET", f"/risk/assessments/{assessment['id']}/explain"),
        ("POST", f"/risk/filings/{filing_id}/assess"),
    ]:
        status, body = send(client, world, "de-analyst", method, path)
        assert (status, body["code"]) == (404, "not_found"), path
    # DE's pending run does not touch NL's filings
    stored_filing(client, world, house(lrn="H-2"))
    assert send(client, world, "de-analyst", "POST", "/risk/assess/pending")[1]["assessed"] == 0
    assert send(client, world, "nl-analyst", "POST", "/risk/assess/pending")[1]["assessed"] == 1


def test_explaining_personal_data_needs_a_purpose(client: TestClient, world: World) -> None:
    person = profile(
        "NL-PERSON",
        when={"field": "consignee.name", "similar": {"list": "nl-people", "threshold": 0.8}},
    )
    send(
        client,
        world,
        "nl-analyst",
        "PUT",
        "/risk/lists/NL/nl-people",
        {"kind": "names", "entries": ["Jan de Vries"]},
    )
    import_(client, world, person)
    doc = house(consignee=party("Jan de Vries", "NL", is_person=True))
    filing_id = stored_filing(client, world, doc)
    send(client, world, "nl-analyst", "POST", "/risk/assess/pending")
    _, page = send(client, world, "nl-analyst", "GET", f"/risk/filings/{filing_id}/assessments")
    path = f"/risk/assessments/{page['items'][0]['id']}/explain"
    for user, purpose in [("nl-coordinator", "statistics"), ("nl-analyst", None)]:
        status, why = send(client, world, user, "GET", path, purpose=purpose)
        assert status == 200 and why["redacted"], user
        assert why["reasons"][0]["matched"] == {"consignee.name": "[redacted: personal data]"}
    status, why = send(client, world, "nl-analyst", "GET", path, purpose="case 2026-17")
    assert status == 200 and not why["redacted"]
    assert why["reasons"][0]["matched"] == {"consignee.name": "JAN DE VRIES"}
    with world.factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "assessment")
        ).one()
        assert (entry.actor, entry.purpose) == ("nl-analyst", "case 2026-17")


@pytest.mark.parametrize("limit", [0, 5001])
def test_pending_batches_are_bounded(client: TestClient, world: World, limit: int) -> None:
    status, body = send(client, world, "nl-analyst", "POST", "/risk/assess/pending", limit=limit)
    assert status == 422 and body["details"][0]["field"] == "query.limit"
