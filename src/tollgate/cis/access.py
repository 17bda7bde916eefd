"""Who may use the CIS, for what, and how much of it (CIS-13..CIS-16, CIS-38, CIS-46, CIS-48).

A role gives a permission; the authority's *designation* decides what that permission
reaches: which categories, for which purposes, whether it enters data. An authority
without a designation has no CIS access whatever its users' roles (CIS-13), and one whose
data protection is not in place enters and receives no personal data (CIS-38).
Europol and Eurojust are authorities with fixed limits on top (CIS-15, CIS-16).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import SYSTEM, Actor, get_authority
from tollgate.authorities.tables import Authority
from tollgate.cis.categories import Category
from tollgate.cis.tables import CisDesignation
from tollgate.errors import NotAuthorised, ValidationFailed

EUROPOL = "EUROPOL"
EUROJUST = "EUROJUST"

#: the CIS purpose (CIS-1): any other use needs the supplier's consent (CIS-14)
PURPOSES = frozenset({"prevention", "investigation", "prosecution", "operational_analysis"})


@dataclass(frozen=True, slots=True)
class CisUser:
    """A caller cleared for one CIS use: who, for which authority, under which designation."""

    actor: Actor
    authority: Authority
    designation: CisDesignation
    purpose: str

    @property
    def sees_personal_data(self) -> bool:
        return self.designation.data_protection_in_force


def designate(
    session: Session,
    *,
    actor: Actor,
    authority_code: str,
    categories: Iterable[str],
    purposes: Iterable[str],
    may_enter: bool,
    specific_checks_allowed: bool,
    data_protection_in_force: bool,
    supervisory_authority: str | None,
    analysis_services: Iterable[str] = (),
    transmit_to: Iterable[str] = (),
) -> CisDesignation:
    """Publish (or replace) an authority's designation (CIS-13, CIS-48): by its own
    administrator, or the system operator."""
    actor.require(Permission.MANAGE_SHARING)
    authority = get_authority(session, authority_code)
    if actor.authority_id is not None and actor.authority_id != authority.id:
        raise NotAuthorised("CIS-13: each authority publishes its own designation")
    cats = sorted(set(categories))
    unknown = [c for c in cats if c not in {x.value for x in Category}]
    if unknown:
        raise ValidationFailed(f"CIS-2: unknown categories {unknown}")
    uses = sorted(set(purposes))
    if not set(uses) <= PURPOSES:
        raise ValidationFailed(
            f"CIS-14: purposes {sorted(set(uses) - PURPOSES)} are not CIS purposes "
            f"{sorted(PURPOSES)}; other uses need the supplier's consent"
        )
    if data_protection_in_force and not (supervisory_authority or "").strip():
        raise ValidationFailed(
            "CIS-38: data protection in force needs a designated supervisory authority"
        )
    if authority.code == EUROJUST and may_enter:
        raise ValidationFailed("CIS-16: Eurojust queries and consults but does not add data")
    targets = sorted(set(transmit_to))
    for code in targets:
        get_authority(session, code)
    now = datetime.now(UTC)
    row = session.scalar(select(CisDesignation).where(CisDesignation.authority_id == authority.id))
    if row is None:
        row = CisDesignation(authority_id=authority.id)
        session.add(row)
    row.categories = cats
    row.purposes = uses
    row.may_enter = may_enter
    row.specific_checks_allowed = specific_checks_allowed
    row.data_protection_in_force = data_protection_in_force
    row.supervisory_authority = supervisory_authority
    row.analysis_services = sorted(set(analysis_services))
    row.transmit_to = targets
    row.updated_at = now
    row.updated_by = actor.username
    session.flush()
    record(
        session,
        actor=actor,
        action="cis_designate",
        object_type="cis_designation",
        object_id=authority.code,
        detail={
            "categories": cats,
            "purposes": uses,
            "may_enter": may_enter,
            "specific_checks_allowed": specific_checks_allowed,
            "data_protection_in_force": data_protection_in_force,
            "transmit_to": targets,
        },
    )
    return row


def designation_of(session: Session, authority_id: int) -> CisDesignation | None:
    return session.scalar(select(CisDesignation).where(CisDesignation.authority_id == authority_id))


def designations(session: Session) -> list[tuple[Authority, CisDesignation]]:
    """The published list (CIS-13, CIS-48): every designated authority and its scope."""
    rows = session.execute(
        select(Authority, CisDesignation)
        .join(CisDesignation, CisDesignation.authority_id == Authority.id)
        .order_by(Authority.code)
    )
    return [(a, d) for a, d in rows]


def cleared(
    session: Session,
    actor: Actor,
    permission: Permission,
    purpose: str | None,
    *,
    category: str | None = None,
    entering: bool = False,
    personal: bool = False,
    authority_code: str | None = None,
) -> CisUser:
    """The caller, cleared for one use, or a refusal naming the rule.

    The system operator (CLI) acts for ``authority_code``; everyone else for their own."""
    actor.require(permission)
    code = actor.authority_code or authority_code
    if code is None:
        raise ValidationFailed("CIS-13: name the authority the CIS is used for")
    if actor.authority_code is not None and authority_code not in (None, actor.authority_code):
        raise NotAuthorised(f"CIS-46: user {actor.username!r} acts for {actor.authority_code} only")
    authority = get_authority(session, code)
    designation = designation_of(session, authority.id)
    if designation is None:
        raise NotAuthorised(f"CIS-13: {code} is not a designated CIS authority")
    if not purpose:
        raise ValidationFailed(
            f"CIS-14: state the purpose of this use (X-Purpose), one of {sorted(PURPOSES)}"
        )
    if purpose not in designation.purposes:
        raise NotAuthorised(
            f"CIS-13: {code} is designated for {designation.purposes}, not {purpose!r}; "
            "another use needs the supplier's prior consent (CIS-14)"
        )
    if category is not None and category not in designation.categories:
        raise NotAuthorised(f"CIS-46: {code} is not designated for {category} data")
    if entering:
        if code == EUROJUST:
            raise NotAuthorised("CIS-16: Eurojust may query and consult, not add data")
        if not designation.may_enter:
            raise NotAuthorised(f"CIS-13: {code} is not designated to enter data")
    if personal and not designation.data_protection_in_force:
        raise NotAuthorised(
            f"CIS-38: {code} may not enter or receive personal data before its data "
            "protection provisions are in force and a supervisory authority is designated"
        )
    return CisUser(actor, authority, designation, purpose)


def refuse_bulk_copy(user: CisUser) -> None:
    """Europol and Eurojust may not download or copy CIS data (CIS-15, CIS-16)."""
    if user.authority.code in (EUROPOL, EUROJUST):
        rule = "CIS-15" if user.authority.code == EUROPOL else "CIS-16"
        raise NotAuthorised(f"{rule}: {user.authority.code} may not download or copy CIS data")


def system_user(session: Session, code: str, purpose: str = "prevention") -> CisUser:
    """The CLI operator acting for an authority (its designation still applies)."""
    return cleared(session, SYSTEM, Permission.CIS_QUERY, purpose, authority_code=code)
