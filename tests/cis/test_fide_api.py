"""FIDE over HTTP and on the command line (CIS-26..CIS-38, CIS-47), on SQLite and
PostgreSQL: the same rules as the service, the same rule ids in every refusal, and no
answer that names another record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cis.conftest import CisWorld
from cis.test_fide import DE_LIST, NL_LIST, business, person
from tollgate.authorities import service as authorities
from tollgate.authorities.service import SYSTEM
from tollgate.cis.crypto import vault_for
from tollgate.cis.tables import CisQuery
from tollgate.cli.fide import fide_app
from tollgate.config import get_settings
from tollgate.fide import contraventions, service
from tollgate.fide.retention import add_years
from tollgate.fide.tables import FideRecord
from tollgate.fide.views import router

runner = CliRunner()
MATCH_FIELDS = {
    "authority",
    "handling_authority",
    "authority_nationality",
    "contact",
    "file_number",
    "reason",
    "field",
}


@pytest.fixture
def api(cis_client: TestClient, cis_world: CisWorld) -> TestClient:
    """The API with FIDE mounted (a no-op once ``api.app`` includes the router) and NL's
    and DE's lists published."""
    app: Any = cis_client.app
    if not any(getattr(r, "path", "").startswith("/fide") for r in app.routes):
        app.include_router(router)
    for admin, items in (("nl-admin", NL_LIST), ("de-admin", DE_LIST)):
        r = cis_client.put("/fide/contraventions", json=items, headers=cis_world.headers(admin))
        assert r.status_code == 200, r.text
    return cis_client


def h(world: CisWorld, name: str, purpose: str | None = "investigation") -> dict[str, str]:
    return world.headers(name, purpose=purpose)


def post(api: TestClient, world: CisWorld, name: str, entry: Any) -> Any:
    return api.post("/fide/records", json=entry, headers=h(world, name))


def test_cis_27_api_publishes_and_reads_the_lists(api: TestClient, cis_world: CisWorld) -> None:
    r = api.get("/fide/contraventions?authority=DE", headers=h(cis_world, "nl-investigator"))
    assert r.status_code == 200
    assert r.json() == [
        {
            "code": "AO-370",
            "description": "tax evasion",
            "max_imprisonment_months": 60,
            "max_fine_eur": None,
        }
    ]
    own = api.get("/fide/contraventions", headers=h(cis_world, "nl-admin"))
    assert [c["code"] for c in own.json()] == ["AWR-10", "AWR-11"]
    minor = [{"code": "M", "description": "minor", "max_imprisonment_months": 6}]
    r = api.put("/fide/contraventions", json=minor, headers=h(cis_world, "nl-admin"))
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-27: contravention 'M'")
    r = api.put("/fide/contraventions", json=NL_LIST, headers=h(cis_world, "nl-investigator"))
    assert r.status_code == 403
    r = api.put("/fide/contraventions?authority=DE", json=[], headers=h(cis_world, "nl-admin"))
    assert r.status_code == 403 and "CIS-27" in r.json()["message"]
    r = api.put("/fide/contraventions", json={"code": "X"}, headers=h(cis_world, "nl-admin"))
    assert r.status_code == 422
    assert api.get("/fide/contraventions").status_code == 401


def test_cis_29_api_enters_and_the_supplier_manages_its_record(
    api: TestClient, cis_world: CisWorld
) -> None:
    r = post(api, cis_world, "nl-investigator", person(handling_authority="FIOD"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["subject"]["surname"] == "Jansen"
    assert (body["handling_authority"], body["authority_nationality"]) == ("FIOD", "NL")
    today = date.today()
    assert body["entered_on"] == body["last_investigative_act"] == today.isoformat()
    rid = body["id"]
    page = api.get("/fide/records?limit=10", headers=h(cis_world, "nl-investigator")).json()
    assert page["total"] == 1 and [i["id"] for i in page["items"]] == [rid]
    one = api.get(f"/fide/records/{rid}", headers=h(cis_world, "nl-investigator"))
    assert one.json() == body
    r = api.patch(
        f"/fide/records/{rid}",
        json={"reason": "sanctioned", "subject": {"aliases": ["Fox"]}},
        headers=h(cis_world, "nl-investigator"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["reason"] == "sanctioned" and r.json()["subject"]["aliases"] == ["Fox"]
    assert r.json()["expires_on"] == add_years(today, 10).isoformat()  # from entry (CIS-35)


def test_cis_29_cis_31_api_refuses_other_fields_with_the_rule(
    api: TestClient, cis_world: CisWorld
) -> None:
    r = post(api, cis_world, "nl-investigator", person(notes="armed"))
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-29:")
    entry = person(subject={"surname": "Jansen", "passport_number": "X1"})
    r = post(api, cis_world, "nl-investigator", entry)
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-31:")
    assert r.json()["code"] == "validation_failed"
    r = post(api, cis_world, "nl-investigator", person(contravention="AO-370"))
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-27:")
    r = api.post("/fide/records", json=["x"], headers=h(cis_world, "nl-investigator"))
    assert r.status_code == 422  # the body is an object, never an error 500
    r = api.patch("/fide/records/1", json={"x": 1}, headers=h(cis_world, "nl-investigator"))
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-29:")


def test_cis_30_api_answers_name_no_other_record(api: TestClient, cis_world: CisWorld) -> None:
    nl = post(api, cis_world, "nl-investigator", person()).json()
    de = post(
        api, cis_world, "de-investigator", person(contravention="AO-370", file_number="D")
    ).json()
    post(api, cis_world, "nl-investigator", business())
    r = api.post(
        "/fide/queries",
        json={"surname": "jansen", "date_of_birth": "1970-05-01"},
        headers=h(cis_world, "de-investigator"),
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert set(answer) == {"count", "matches"} and answer["count"] == 2
    for match in answer["matches"]:
        assert set(match) == MATCH_FIELDS  # no id, no subject, no dates, no link
    # a supplier's view of its record: its own id and nothing that points elsewhere
    for record in (nl, de):
        refs = [k for k in record if k.endswith("_id") or "link" in k or "alert" in k]
        assert refs == []
        assert not {k for k in record["subject"] if k.endswith("_id")}
    listing = api.get("/fide/records", headers=h(cis_world, "nl-investigator")).json()
    assert de["id"] not in [i["id"] for i in listing["items"]]


def test_cis_30_api_refuses_a_second_record_of_one_subject(
    api: TestClient, cis_world: CisWorld
) -> None:
    first = post(api, cis_world, "nl-investigator", person()).json()
    r = post(api, cis_world, "nl-investigator", person(file_number="F-2"))
    assert r.status_code == 409
    assert r.json()["message"].startswith(f"CIS-30: NL holds FIDE record {first['id']}")


def test_cis_32_api_a_withheld_entry_is_not_entered(api: TestClient, cis_world: CisWorld) -> None:
    r = post(api, cis_world, "nl-investigator", person(withheld=True))
    assert r.status_code == 200 and r.json() == {"entered": False, "withheld": True}
    page = api.get("/fide/records", headers=h(cis_world, "nl-investigator")).json()
    assert page["total"] == 0


def test_cis_33_api_only_investigation_services(api: TestClient, cis_world: CisWorld) -> None:
    r = post(api, cis_world, "nl-cis", person())
    assert r.status_code == 403 and r.json()["message"].startswith("CIS-33:")
    r = api.post("/fide/queries", json={"surname": "x"}, headers=h(cis_world, "nl-cis"))
    assert r.status_code == 403 and r.json()["message"].startswith("CIS-33:")
    r = api.post(
        "/fide/queries",
        json={"surname": "x"},
        headers=h(cis_world, "nl-investigator", "prevention"),
    )
    assert r.status_code == 403 and r.json()["message"].startswith("CIS-33:")
    r = api.post(
        "/fide/queries", json={"surname": "x"}, headers=h(cis_world, "nl-investigator", None)
    )
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-14:"), r.text
    assert api.post("/fide/queries", json={"surname": "x"}).status_code == 401
    assert api.get("/fide/records").status_code == 401


def test_cis_34_api_queries_by_allowed_keys_only(api: TestClient, cis_world: CisWorld) -> None:
    post(api, cis_world, "nl-investigator", business())
    hdr = h(cis_world, "de-investigator")
    r = api.post("/fide/queries", json={"vat_number": "nl 8512 34567 b01"}, headers=hdr)
    assert r.status_code == 200 and r.json()["count"] == 1
    assert r.json()["matches"][0]["reason"] == "contravention_established"
    r = api.post("/fide/queries", json={"registered_office": "Havenstraat 5"}, headers=hdr)
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-34:")
    r = api.post("/fide/queries", json={}, headers=hdr)
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-34:")
    r = api.post("/fide/queries", json=["NZH"], headers=hdr)
    assert r.status_code == 422


def test_cis_17_api_only_the_supplier_changes_its_record(
    api: TestClient, cis_world: CisWorld
) -> None:
    rid = post(api, cis_world, "nl-investigator", person()).json()["id"]
    de = h(cis_world, "de-investigator")
    r = api.patch(f"/fide/records/{rid}", json={"reason": "sanctioned"}, headers=de)
    assert r.status_code == 404 and r.json()["message"].startswith("CIS-17:")
    r = api.delete(f"/fide/records/{rid}?why=eliminated", headers=de)
    assert r.status_code == 404 and r.json()["message"].startswith("CIS-17:")
    assert api.get(f"/fide/records/{rid}", headers=de).status_code == 404
    assert (
        api.get(f"/fide/records/{rid}", headers=h(cis_world, "nl-investigator")).status_code == 200
    )


def test_cis_36_api_an_eliminated_subject_is_deleted_at_once(
    api: TestClient, cis_world: CisWorld
) -> None:
    rid = post(api, cis_world, "nl-investigator", person()).json()["id"]
    nl = h(cis_world, "nl-investigator")
    assert api.delete(f"/fide/records/{rid}", headers=nl).status_code == 422
    r = api.delete(f"/fide/records/{rid}?why=bored", headers=nl)
    assert r.status_code == 422 and r.json()["message"].startswith("CIS-36:")
    assert api.delete(f"/fide/records/{rid}?why=eliminated", headers=nl).status_code == 204
    assert api.get(f"/fide/records/{rid}", headers=nl).status_code == 404
    r = api.post(
        "/fide/queries", json={"surname": "Jansen"}, headers=h(cis_world, "de-investigator")
    )
    assert r.json()["count"] == 0


def test_cis_38_api_no_personal_data_before_data_protection(
    api: TestClient, cis_world: CisWorld
) -> None:
    with cis_world.factory() as s, s.begin():
        authorities.create_user(
            s, actor=SYSTEM, authority_code="BE", username="be-inv", roles=["investigator"]
        )
        token = authorities.issue_token(s, actor=SYSTEM, username="be-inv")
    hdr = {"Authorization": f"Bearer {token}", "X-Purpose": "investigation"}
    r = api.post("/fide/records", json=person(), headers=hdr)
    assert r.status_code == 403 and r.json()["message"].startswith("CIS-38:")
    r = api.post("/fide/queries", json={"surname": "Jansen"}, headers=hdr)
    assert r.status_code == 403 and r.json()["message"].startswith("CIS-38:")


def test_cis_47_api_every_query_is_recorded(api: TestClient, cis_world: CisWorld) -> None:
    hdr = h(cis_world, "de-investigator", "prosecution")
    api.post("/fide/queries", json={"alias": "nobody"}, headers=hdr)
    api.post("/fide/queries", json={"trade_name": "nobody"}, headers=hdr)
    with cis_world.factory() as s:
        rows = list(s.scalars(sa.select(CisQuery).order_by(CisQuery.id)))
    assert [(q.kind, q.authority, q.purpose, q.results) for q in rows] == [
        ("fide", "DE", "prosecution", 0),
        ("fide", "DE", "prosecution", 0),
    ]


# the command line


def test_cis_27_cli_imports_a_published_list(
    cli_db: str, cis_world: CisWorld, tmp_path: Path
) -> None:
    src = tmp_path / "nl.csv"
    src.write_text(
        "code,description,max_imprisonment_months,max_fine_eur\n"
        "AWR-10,smuggling of excise goods,48,\n"
        "AWR-11,customs fraud,,87000\n"
    )
    r = runner.invoke(fide_app, ["contraventions", "import", str(src), "--authority", "NL"])
    assert r.exit_code == 0, r.output
    assert "NL: 2 serious contraventions published" in r.output
    r = runner.invoke(fide_app, ["contraventions", "show", "--authority", "NL"])
    assert r.exit_code == 0 and "AWR-11" in r.output and "87,000" in r.output
    data = tmp_path / "de.json"
    data.write_text(json.dumps(DE_LIST))
    r = runner.invoke(fide_app, ["contraventions", "import", str(data), "--authority", "DE"])
    assert r.exit_code == 0 and "DE: 1 serious" in r.output
    minor = tmp_path / "minor.csv"
    minor.write_text("code,description,max_imprisonment_months,max_fine_eur\nM,minor,6,500\n")
    r = runner.invoke(fide_app, ["contraventions", "import", str(minor), "--authority", "NL"])
    assert r.exit_code == 2 and "CIS-27" in r.output
    broken = tmp_path / "broken.csv"
    broken.write_text("code,description,max_imprisonment_months\nM,x,a year\n")
    r = runner.invoke(fide_app, ["contraventions", "import", str(broken), "--authority", "NL"])
    assert r.exit_code == 2 and "CIS-27: line 2" in r.output
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    r = runner.invoke(fide_app, ["contraventions", "import", str(bad_json), "--authority", "NL"])
    assert r.exit_code == 2 and "CIS-27" in r.output


def _cli_world(cis_world: CisWorld, today: date | None = None) -> None:
    """Records sealed with the keys the command line reads (its key file)."""
    vault = vault_for(get_settings())
    with cis_world.factory() as s, s.begin():
        contraventions.publish(s, actor=SYSTEM, authority_code="NL", items=NL_LIST)
        u = service.clear(s, SYSTEM, "investigation", entering=True, authority_code="NL")
        service.enter(s, vault, u, person(), today=today)
        service.enter(s, vault, u, business(), today=today)


def test_cis_37_cli_purges_expired_records(cli_db: str, cis_world: CisWorld) -> None:
    _cli_world(cis_world, date(2020, 1, 1))
    r = runner.invoke(fide_app, ["purge", "--today", "2020-12-31"])
    assert r.exit_code == 0 and "0 expired records deleted" in r.output
    r = runner.invoke(fide_app, ["purge", "--today", "2021-01-01"])
    assert r.exit_code == 0 and "1 expired records deleted (2021-01-01)" in r.output
    with cis_world.factory() as s:
        assert [x.subject_type for x in s.scalars(sa.select(FideRecord))] == ["business"]
    r = runner.invoke(fide_app, ["purge", "--today", "someday"])
    assert r.exit_code == 2 and "not a date" in r.output


def test_cis_34_cli_queries_by_allowed_keys(cli_db: str, cis_world: CisWorld) -> None:
    _cli_world(cis_world)
    r = runner.invoke(fide_app, ["query", "--authority", "DE", "--vat-number", "NL851234567B01"])
    assert r.exit_code == 0, r.output
    assert "F-2020-002" in r.output and "contravention_established" in r.output
    r = runner.invoke(fide_app, ["reindex"])
    assert r.exit_code == 0 and "FIDE: 2 records reindexed" in r.output
    r = runner.invoke(fide_app, ["query", "--authority", "DE", "--trade-name", "nzh"])
    assert r.exit_code == 0 and "F-2020-002" in r.output
    r = runner.invoke(fide_app, ["query", "--authority", "DE", "--surname", "Nobody"])
    assert r.exit_code == 0 and "no FIDE record matches" in r.output
    r = runner.invoke(fide_app, ["query", "--authority", "DE"])
    assert r.exit_code == 2 and "CIS-34" in r.output
    r = runner.invoke(fide_app, ["query", "--authority", "BE", "--surname", "Jansen"])
    assert r.exit_code == 2 and "CIS-38" in r.output
    r = runner.invoke(
        fide_app, ["query", "--authority", "DE", "--purpose", "prevention", "--alias", "x"]
    )
    assert r.exit_code == 2 and "CIS-33" in r.output


def test_cis_27_api_refuses_penalties_beyond_any_law(api: TestClient, cis_world: CisWorld) -> None:
    """A penalty past what the columns hold is a typing error named by CIS-27, not a 500
    from the database's integer overflow."""
    admin = h(cis_world, "nl-admin")
    for field, value in (
        ("max_fine_eur", 10**30),
        ("max_fine_eur", contraventions.MAX_FINE_EUR + 1),
        ("max_imprisonment_months", 2**40),
        ("max_imprisonment_months", contraventions.MAX_IMPRISONMENT_MONTHS + 1),
    ):
        item = {"code": "BIG", "description": "smuggling on a grand scale", field: value}
        r = api.put("/fide/contraventions", json=[*NL_LIST, item], headers=admin)
        assert r.status_code == 422, (field, value, r.text)
        assert r.json()["message"].startswith("CIS-27: contravention 'BIG'"), r.text
        assert field in r.json()["message"]
    r = api.put(
        "/fide/contraventions",
        content='[{"code": "F", "description": "a fine in floating point", "max_fine_eur": 1e30}]',
        headers=admin | {"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "max_fine_eur" in r.json()["message"], r.text
    most = {
        "code": "MOST",
        "description": "the heaviest",
        "max_imprisonment_months": contraventions.MAX_IMPRISONMENT_MONTHS,
        "max_fine_eur": contraventions.MAX_FINE_EUR,
    }
    r = api.put("/fide/contraventions", json=[*NL_LIST, most], headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()[-1]["max_fine_eur"] == contraventions.MAX_FINE_EUR


def test_cis_33_api_unbounded_ids_are_refused_not_a_server_error(
    api: TestClient, cis_world: CisWorld
) -> None:
    """Ids and offsets beyond the database's integers are refused at the door (422)."""
    who = h(cis_world, "nl-investigator")
    for huge in (2**31, 2**63, 2**64 + 1, 10**30):
        assert api.get(f"/fide/records/{huge}", headers=who).status_code == 422
        patched = api.patch(f"/fide/records/{huge}", json={"reason": "suspected"}, headers=who)
        assert patched.status_code == 422
        deleted = api.delete(f"/fide/records/{huge}?why=closed", headers=who)
        assert deleted.status_code == 422
        assert api.get(f"/fide/records?offset={huge}", headers=who).status_code == 422
    assert api.get("/fide/records/2147483647", headers=who).status_code == 404
    assert api.get("/fide/records?offset=2147483647", headers=who).json()["items"] == []
