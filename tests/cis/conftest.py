"""A CIS world: designated authorities (NL, DE, Europol, Eurojust, EU-COM), their CIS
users, and a vault with throw-away keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from conftest import World
from tollgate.authorities import service as authorities
from tollgate.authorities.service import SYSTEM
from tollgate.cis.access import PURPOSES, designate
from tollgate.cis.categories import Category
from tollgate.cis.crypto import Vault, new_key_material, parse_keys

ALL = [c.value for c in Category]

CIS_USERS = {
    "nl-cis": ("NL", ["cis_officer"]),
    "de-cis": ("DE", ["cis_officer"]),
    "fr-cis": ("FR", ["cis_officer"]),
    "europol-cis": ("EUROPOL", ["cis_officer"]),
    "europol-clerk": ("EUROPOL", ["intake"]),
    "eurojust-member": ("EUROJUST", ["eurojust_member"]),
    "eurojust-cis": ("EUROJUST", ["cis_officer"]),
    "committee": ("EU-COM", ["committee"]),
    "nl-dpo": ("NL", ["dp_officer"]),
    "nl-investigator": ("NL", ["investigator"]),
    "de-investigator": ("DE", ["investigator"]),
    "nl-cis-analyst": ("NL", ["cis_analyst"]),
    "be-cis": ("BE", ["cis_officer"]),
}


@dataclass
class CisWorld:
    factory: sessionmaker[Session]
    tokens: dict[str, str]
    vault: Vault

    def headers(self, user: str, purpose: str | None = "prevention") -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.tokens[user]}"}
        if purpose:
            h["X-Purpose"] = purpose
        return h


@pytest.fixture
def vault() -> Vault:
    return parse_keys(new_key_material())


def designate_all(session: Session) -> None:
    """NL, DE and EU bodies fully designated; FR designated without specific checks
    (CIS-12); BE designated but its data protection not yet in force (CIS-38)."""
    for code in ("NL", "DE", "EUROPOL", "EU-COM"):
        designate(
            session,
            actor=SYSTEM,
            authority_code=code,
            categories=ALL,
            purposes=sorted(PURPOSES),
            may_enter=True,
            specific_checks_allowed=True,
            data_protection_in_force=True,
            supervisory_authority=f"{code} data protection authority",
            analysis_services=["risk analysis centre"],
            transmit_to=["NL", "DE"],
        )
    designate(
        session,
        actor=SYSTEM,
        authority_code="EUROJUST",
        categories=ALL,
        purposes=["investigation", "prosecution"],
        may_enter=False,
        specific_checks_allowed=False,
        data_protection_in_force=True,
        supervisory_authority="Eurojust data protection officer",
    )
    designate(
        session,
        actor=SYSTEM,
        authority_code="FR",
        categories=ALL,
        purposes=sorted(PURPOSES),
        may_enter=True,
        specific_checks_allowed=False,
        data_protection_in_force=True,
        supervisory_authority="CNIL",
    )
    designate(
        session,
        actor=SYSTEM,
        authority_code="BE",
        categories=ALL,
        purposes=sorted(PURPOSES),
        may_enter=True,
        specific_checks_allowed=True,
        data_protection_in_force=False,
        supervisory_authority=None,
    )


@pytest.fixture
def cis_world(world: World, vault: Vault) -> CisWorld:
    tokens = dict(world.tokens)
    with world.factory() as session, session.begin():
        designate_all(session)
        for username, (authority, roles) in CIS_USERS.items():
            authorities.create_user(
                session, actor=SYSTEM, authority_code=authority, username=username, roles=roles
            )
            tokens[username] = authorities.issue_token(session, actor=SYSTEM, username=username)
    return CisWorld(world.factory, tokens, vault)


@pytest.fixture
def cis_client(client: TestClient, cis_world: CisWorld) -> TestClient:
    """The API client, sealing and opening with the CIS world's keys."""
    app: Any = client.app
    app.state.vault = cis_world.vault
    return client
