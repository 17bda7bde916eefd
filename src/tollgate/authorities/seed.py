"""The authorities a fresh installation knows: the 27 national customs administrations,
the EU bodies of the CIS Decision, and (for the labelled KCS history) Korea Customs."""

from __future__ import annotations

import pycountry
from sqlalchemy.orm import Session

from tollgate.authorities.service import SYSTEM, Actor, ensure_authority
from tollgate.reference.codes import EU_MEMBER_STATES

EU_BODIES = (
    ("EU-COM", "European Commission (DG TAXUD, OLAF)"),
    ("EUROPOL", "Europol"),
    ("EUROJUST", "Eurojust"),
)
OTHER_CUSTOMS = (("KR", "Korea Customs Service"),)


def seed_authorities(session: Session, actor: Actor = SYSTEM) -> int:
    """Create the standard authorities that are missing; returns how many exist after."""
    count = 0
    for country in sorted(EU_MEMBER_STATES):
        entry = pycountry.countries.get(alpha_2=country)
        name = f"Customs administration of {entry.name if entry else country}"
        ensure_authority(
            session, actor=actor, code=country, name=name, kind="customs", country=country
        )
        count += 1
    for code, name in OTHER_CUSTOMS:
        ensure_authority(session, actor=actor, code=code, name=name, kind="customs", country=code)
        count += 1
    for code, name in EU_BODIES:
        ensure_authority(session, actor=actor, code=code, name=name, kind="eu_body", country=None)
        count += 1
    return count
