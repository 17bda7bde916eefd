"""Personal data encrypted at rest (``tollgate.cis.crypto``, CIS-50): sealed tokens that
neither show nor let anyone change their content without the key, blind indexes for exact
look-ups, key rotation that keeps data readable, and — against a real database, SQLite and
PostgreSQL — no table that holds a person's data in clear."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from cis.conftest import CisWorld
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import authenticate
from tollgate.cis.access import CisUser, cleared
from tollgate.cis.alerts import (
    alerts_by_keys,
    content_of,
    enter_alert,
    get_alert,
    report_inaccuracy,
    request_consent,
)
from tollgate.cis.crypto import (
    CisKeysUnusable,
    Vault,
    key_text,
    new_key_material,
    parse_keys,
    vault_for,
    with_new_key,
)
from tollgate.cis.querylog import record_query
from tollgate.cis.tables import CisAlert, CisConflict
from tollgate.config import Settings

PERSON: dict[str, Any] = {
    "surname": "Vandermeulen",
    "forenames": "Ottoline",
    "date_of_birth": "1979-03-02",
    "nationality": "NL",
    "identity_document_kind": "passport",
    "identity_document_number": "NX7730412",
    "address": "Oudegracht 231, Utrecht",
}
JUSTIFICATION = "Informant Quirinus saw her reload contraband crates twice in May."
#: what must never be readable in the database
SECRETS = ["vandermeulen", "ottoline", "1979-03-02", "nx7730412", "oudegracht", "quirinus"]


# --- sealing ------------------------------------------------------------------------------


def test_cis_50_a_sealed_record_shows_nothing_of_its_content(vault: Vault) -> None:
    token = vault.seal({"person": PERSON, "justification": JUSTIFICATION})
    for secret in SECRETS:
        assert secret not in token.lower()
    assert vault.open(token) == {"person": PERSON, "justification": JUSTIFICATION}


def test_cis_50_equal_content_seals_to_different_tokens(vault: Vault) -> None:
    first, second = vault.seal(PERSON), vault.seal(PERSON)
    assert first != second  # equal records cannot be told apart by their ciphertext
    assert vault.open(first) == vault.open(second) == PERSON


def test_cis_50_another_key_cannot_read_a_record(vault: Vault) -> None:
    token = vault.seal(PERSON)
    stranger = parse_keys(new_key_material())
    with pytest.raises(CisKeysUnusable, match="CIS-50"):
        stranger.open(token)


def test_cis_50_a_changed_record_is_refused_not_misread(vault: Vault) -> None:
    token = vault.seal(PERSON)
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    with pytest.raises(CisKeysUnusable, match="CIS-50"):
        vault.open(altered)


# --- rotation -----------------------------------------------------------------------------


def test_cis_50_rotation_keeps_data_readable_and_retires_the_old_key(vault: Vault) -> None:
    token = vault.seal(PERSON)
    rotated_vault, text_of_keys = with_new_key(vault)
    assert rotated_vault.keys[1:] == vault.keys
    assert rotated_vault.keys[0] not in vault.keys
    assert parse_keys(text_of_keys) == rotated_vault
    assert rotated_vault.open(token) == PERSON  # the old key still reads

    rotated = rotated_vault.rotate(token)
    assert rotated != token
    assert rotated_vault.open(rotated) == PERSON
    assert rotated_vault.open(rotated_vault.rotate(rotated)) == PERSON

    new_only = Vault(rotated_vault.keys[:1], rotated_vault.index_key)
    assert new_only.open(rotated) == PERSON
    with pytest.raises(CisKeysUnusable, match="a key was removed before every record"):
        new_only.open(token)  # an unrotated record needs the old key
    with pytest.raises(CisKeysUnusable, match="CIS-50"):
        vault.open(rotated)  # the old key alone reads nothing rotated
    # new records are sealed under the newest key
    assert new_only.open(rotated_vault.seal({"n": 1})) == {"n": 1}


def test_cis_50_key_text_round_trips_newest_key_first(vault: Vault) -> None:
    rotated, _ = with_new_key(vault)
    again = parse_keys(key_text(rotated.keys, rotated.index_key))
    assert again.keys == rotated.keys
    assert again.index_key == vault.index_key
    lines = "\n".join(key_text(rotated.keys, rotated.index_key).split(",")) + "\n"
    assert parse_keys(lines) == rotated


# --- blind indexes ------------------------------------------------------------------------


def test_cis_50_blind_indexes_match_equal_values_without_revealing_them(vault: Vault) -> None:
    key = vault.blind("alert", "name:ottoline vandermeulen")
    assert key == vault.blind("alert", "name:ottoline vandermeulen")
    assert len(key) == 32 and all(c in "0123456789abcdef" for c in key)
    assert "vandermeulen" not in key
    assert key != vault.blind("alert", "name:ottoline vandermeulen ")
    assert key != vault.blind("fide", "name:ottoline vandermeulen")  # kinds are namespaces
    assert key != parse_keys(new_key_material()).blind("alert", "name:ottoline vandermeulen")
    rotated, _ = with_new_key(vault)
    assert rotated.blind("alert", "name:ottoline vandermeulen") == key  # survives rotation


# --- configuration ------------------------------------------------------------------------


def test_cis_50_unusable_keys_are_refused(vault: Vault) -> None:
    material = new_key_material()
    encryption_key = material.split(",")[0]
    with pytest.raises(CisKeysUnusable, match=r"no 'index:' key .*\(CIS-50\)"):
        parse_keys(encryption_key)
    with pytest.raises(CisKeysUnusable, match="not a valid Fernet key"):
        parse_keys(f"not-a-key,{material}")
    with pytest.raises(CisKeysUnusable, match=r"no CIS encryption key configured \(CIS-50\)"):
        parse_keys(material.split(",")[1])
    with pytest.raises(CisKeysUnusable, match="CIS-50"):
        Vault((), vault.index_key)


def test_cis_50_the_key_file_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cis.keys"
    settings = Settings(database_url="sqlite://", cis_keys=None, cis_key_file=path)
    first = vault_for(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = vault_for(settings)
    assert second == first
    assert second.open(first.seal(PERSON)) == PERSON
    configured = new_key_material()
    from_env = vault_for(Settings(database_url="sqlite://", cis_keys=configured, cis_key_file=path))
    assert from_env == parse_keys(configured) != first


# --- at rest in the database --------------------------------------------------------------


def cis(session: Session, world: CisWorld, name: str) -> CisUser:
    actor = authenticate(session, world.tokens[name])
    return cleared(
        session, actor, Permission.CIS_QUERY, "investigation", entering=True, personal=True
    )


def enter_person(
    session: Session, world: CisWorld, vault: Vault, name: str, **person: Any
) -> CisAlert:
    alert, _ = enter_alert(
        session,
        vault,
        cis(session, world, name),
        category="persons",
        action="discreet_surveillance",
        reason="Tobacco smuggling ring",
        person={**PERSON, **person},
        justification=JUSTIFICATION,
    )
    return alert


def database_text(session: Session) -> str:
    """Every row of every table, as one lower-case text."""
    out = []
    for table in inspect(session.get_bind()).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            out.append(" ".join(str(value) for value in row))
    return "\n".join(out).lower()


def test_cis_50_the_alert_row_holds_no_name_in_clear(cis_world: CisWorld) -> None:
    with cis_world.factory() as session:
        alert = enter_person(session, cis_world, cis_world.vault, "nl-cis")
        session.commit()
        sealed = session.execute(
            text("SELECT sealed FROM cis_alerts WHERE id = :id"), {"id": alert.id}
        ).scalar_one()
        row = session.execute(
            text("SELECT * FROM cis_alerts WHERE id = :id"), {"id": alert.id}
        ).one()
    assert sealed.startswith("gAAAAA")  # a Fernet token
    row_text = " ".join(str(value) for value in row).lower()
    for secret in SECRETS:
        assert secret not in row_text, secret
    assert cis_world.vault.open(sealed)["person"]["surname"] == "Vandermeulen"


def test_cis_50_no_table_holds_personal_data_in_clear(cis_world: CisWorld) -> None:
    vault = cis_world.vault
    with cis_world.factory() as session:
        first = enter_person(session, cis_world, vault, "nl-cis")
        # a conflicting entry seals the parts it holds back (CIS-20)
        enter_person(session, cis_world, vault, "de-cis", address="Oudegracht 999, Utrecht")
        de = cis(session, cis_world, "de-cis")
        report_inaccuracy(
            session, de, first.id, ground="inaccurate", evidence="document number is wrong"
        )
        request_consent(
            session,
            de,
            first.id,
            use="transmission",
            recipient="Interpol",
            purpose="joint operation on tobacco routes",
        )
        record_query(
            session,
            vault,
            de,
            kind="alert_search",
            criteria={"surname": "Vandermeulen", "document": "NX7730412"},
            results=1,
        )
        session.commit()
        assert session.scalar(select(func.count()).select_from(CisConflict)) == 1
        everything = database_text(session)
    for secret in SECRETS:
        assert secret not in everything, secret


def test_cis_50_rotating_the_keys_keeps_alerts_readable_and_findable(
    cis_world: CisWorld,
) -> None:
    old = cis_world.vault
    with cis_world.factory() as session:
        alert = enter_person(session, cis_world, old, "nl-cis")
        session.commit()
    new, _ = with_new_key(old)
    with cis_world.factory() as session:
        for row in session.query(CisAlert).filter(CisAlert.sealed.is_not(None)):
            assert row.sealed is not None
            row.sealed = new.rotate(row.sealed)
        session.commit()
    new_only = Vault(new.keys[:1], new.index_key)
    with cis_world.factory() as session:
        stored = get_alert(session, alert.id)
        assert content_of(new_only, stored).person == PERSON
        with pytest.raises(CisKeysUnusable, match="CIS-50"):
            content_of(old, stored)
        # the blind indexes did not change: the alert is still found by its person (CIS-20)
        found = alerts_by_keys(session, new_only, {"name:ottoline vandermeulen"})
        assert [a.id for a in found] == [alert.id]
        _, conflicts = enter_alert(
            session,
            new_only,
            cis(session, cis_world, "de-cis"),
            category="persons",
            action="specific_checks",
            reason="Tobacco smuggling ring",
            person={"surname": "Vandermeulen", "forenames": "Ottoline"},
            justification=JUSTIFICATION,
        )
        assert [c.earlier_alert_id for c in conflicts] == [alert.id]
