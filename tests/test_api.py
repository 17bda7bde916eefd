"""The HTTP API over a real database: authentication, authorisation, ownership and
sharing, personal-data audit, and bad input that never yields a 5xx."""

from __future__ import annotations

import orjson
from fastapi.testclient import TestClient

from conftest import World
from factories import house, import_h1, master, party


def post(client: TestClient, world: World, user: str, doc: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = client.post("/filings", content=orjson.dumps(doc), headers=world.headers(user))
    return r.status_code, r.json()


def test_every_endpoint_but_health_needs_a_token(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    for method, path in [
        ("get", "/filings"),
        ("post", "/filings"),
        ("get", "/consignments"),
        ("get", "/quality/scorecards"),
        ("get", "/audit"),
        ("get", "/authorities"),
        ("post", "/users"),
    ]:
        r = client.request(method, path)
        assert r.status_code == 401, path
        assert r.json()["code"] == "not_authenticated"
    r = client.get("/filings", headers={"Authorization": "Bearer tg_forged"})
    assert r.status_code == 401 and r.json()["message"] == "unknown token"


def test_roles_are_enforced(client: TestClient, world: World) -> None:
    status, body = post(client, world, "nl-analyst", house())
    assert status == 403 and "submit_filings" in body["message"]
    assert client.get("/audit", headers=world.headers("nl-analyst")).status_code == 403
    assert client.get("/audit", headers=world.headers("nl-supervisor")).status_code == 200


def test_submit_then_resubmit_is_idempotent(client: TestClient, world: World) -> None:
    status, body = post(client, world, "nl-intake", house())
    assert status == 201 and body["outcome"] == "accepted" and body["version"] == 1
    status, again = post(client, world, "nl-intake", house())
    assert status == 200 and again["outcome"] == "unchanged"
    assert again["filing_id"] == body["filing_id"]
    status, amended = post(client, world, "nl-intake", house(total_packages=9, amendment=True))
    assert status == 201 and amended["outcome"] == "amended" and amended["version"] == 2


def test_rejected_filing_is_422_with_precise_errors(client: TestClient, world: World) -> None:
    status, body = post(client, world, "nl-intake", house(goods_items__0__currency="EUX"))
    assert status == 422
    assert body["code"] == "validation_failed"
    assert body["details"][0] == {
        "position": 1,
        "record_id": "H-0001",
        "field": "goods_items[0].currency",
        "code": "unknown_currency",
        "message": "'EUX' is not an ISO 4217 currency code",
    }


def test_bad_bodies_are_4xx_never_5xx(client: TestClient, world: World) -> None:
    h = world.headers("nl-intake")
    cases = [
        ("/filings", b"{not json", 400, "malformed_body"),
        ("/filings", b'{"kind": "ens", "lrn": "\xff\xfe"}', 400, "malformed_body"),
        ("/filings", b"[]", 422, "validation_failed"),
        ("/filings", b'"a string"', 422, "validation_failed"),
        ("/filings/batch", b'{"kind": "ens"}', 400, "malformed_body"),
        ("/filings", b"x" * 300_000, 413, "payload_too_large"),
    ]
    for path, body, status, code in cases:
        r = client.post(path, content=body, headers=h)
        assert (r.status_code, r.json()["code"]) == (status, code), body[:30]


def test_batch_reports_every_record_and_keeps_the_good(client: TestClient, world: World) -> None:
    lines = b"\n".join(
        [
            orjson.dumps(house(lrn="A")),
            b"{broken",
            orjson.dumps(house(lrn="B", filer="NL")),
            orjson.dumps(import_h1(lrn="C")),
        ]
    )
    r = client.post(
        "/filings/batch",
        content=lines,
        headers={**world.headers("nl-intake"), "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["accepted"], body["rejected"]) == (2, 2)
    outcomes = [
        (x["position"], x["outcome"], [e["code"] for e in x["errors"]]) for x in body["records"]
    ]
    assert outcomes == [
        (1, "accepted", []),
        (2, "rejected", ["malformed_json"]),
        (3, "rejected", ["invalid_eori"]),
        (4, "accepted", []),
    ]


def test_batch_size_limit(client: TestClient, world: World) -> None:
    r = client.post(
        "/filings/batch",
        content=orjson.dumps([house(lrn=str(i)) for i in range(51)]),
        headers=world.headers("nl-intake"),
    )
    assert r.status_code == 413 and "at most 50" in r.json()["message"]


def test_other_authority_sees_nothing_until_shared(client: TestClient, world: World) -> None:
    _, body = post(client, world, "nl-intake", house())
    fid = body["filing_id"]
    assert client.get(f"/filings/{fid}", headers=world.headers("de-analyst")).status_code == 404
    assert client.get("/filings", headers=world.headers("de-analyst")).json()["items"] == []
    assert client.get(f"/filings/{fid}", headers=world.headers("nl-analyst")).status_code == 200
    # DE cannot grant itself access; NL's administrator can
    r = client.post("/sharing", json={"grantee": "NL"}, headers=world.headers("de-admin"))
    assert r.status_code == 204  # DE shares its own (empty) data with NL: allowed
    r = client.post("/sharing", json={"grantee": "DE"}, headers=world.headers("nl-admin"))
    assert r.status_code == 204
    assert client.get(f"/filings/{fid}", headers=world.headers("de-analyst")).status_code == 200


def test_personal_data_read_needs_purpose_and_is_audited(client: TestClient, world: World) -> None:
    doc = import_h1(declaration_type="H7", importer=party("Maria Jansen", "NL", is_person=True))
    _, body = post(client, world, "nl-intake", doc)
    fid = body["filing_id"]
    r = client.get(f"/filings/{fid}", headers=world.headers("nl-coordinator"))
    assert r.status_code == 200 and r.json()["redacted"] is True
    assert r.json()["document"]["importer"]["name"].startswith("[redacted")
    r = client.get(f"/filings/{fid}", headers=world.headers("nl-analyst"))
    assert r.status_code == 422 and "purpose" in r.json()["message"]
    r = client.get(f"/filings/{fid}", headers=world.headers("nl-analyst", "case 2026/17"))
    assert r.status_code == 200 and r.json()["document"]["importer"]["name"] == "Maria Jansen"
    audit = client.get(
        "/audit", params={"action": "read_personal_data"}, headers=world.headers("nl-supervisor")
    ).json()
    assert [(e["actor"], e["purpose"], e["object_id"]) for e in audit] == [
        ("nl-analyst", "case 2026/17", f"{fid}/1")
    ]


def test_consignment_view_and_event_feed(client: TestClient, world: World) -> None:
    post(client, world, "nl-intake", house())
    post(client, world, "nl-intake", master())
    post(client, world, "nl-intake", house(total_packages=11))
    h = world.headers("nl-analyst")
    consignments = client.get("/consignments", headers=h).json()["items"]
    assert len(consignments) == 1
    # timestamps carry their offset on both backends (SQLite returns them naive)
    assert consignments[0]["created_at"].endswith(("Z", "+00:00"))
    view = client.get(f"/consignments/{consignments[0]['id']}", headers=h).json()
    assert sorted(m["role"] for m in view["members"]) == ["core", "master"]
    core = next(m for m in view["members"] if m["role"] == "core")
    assert [v["version"] for v in core["versions"]] == [1, 2]
    assert [e["reason"] for e in view["events"]] == ["new_filing", "new_filing", "amendment"]
    feed = client.get("/events", params={"consumer": "risk"}, headers=h).json()
    assert len(feed) == 3
    rest = client.get(
        "/events", params={"consumer": "risk", "ack": feed[1]["id"]}, headers=h
    ).json()
    assert [e["id"] for e in rest] == [feed[2]["id"]]
    assert (
        client.get(
            "/events", params={"consumer": "risk"}, headers=world.headers("de-analyst")
        ).json()
        == []
    )


def test_admin_manages_users_and_tokens_of_own_authority(client: TestClient, world: World) -> None:
    h = world.headers("nl-admin")
    r = client.post("/users", json={"username": "nl-new", "roles": ["officer"]}, headers=h)
    assert r.status_code == 201 and r.json()["authority"] == "NL"
    r = client.post("/users", json={"username": "nl-bad", "roles": ["emperor"]}, headers=h)
    assert r.status_code == 422 and "unknown roles" in r.json()["message"]
    r = client.post("/users/nl-new/tokens", json={}, headers=h)
    token = r.json()["token"]
    assert client.get("/filings", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post("/users/de-analyst/tokens", json={}, headers=h).status_code == 403
    assert client.delete("/users/nl-new/tokens", headers=h).json() == {"revoked": 1}
    r = client.get("/filings", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["message"] == "token revoked"


def test_openapi_documents_the_filing_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Filing" in schema["components"]["schemas"]
    assert "EntrySummaryDeclaration" in schema["components"]["schemas"]
