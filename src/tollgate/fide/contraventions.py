"""Each authority's published list of serious contraventions (CIS-27).

A contravention is serious when punishable by at least 12 months' deprivation of liberty
or a fine of at least EUR 15,000; a list item below both is refused, so a FIDE entry
that cites a listed code is known to concern a serious contravention. Publishing
replaces the whole list, as a new edition of a published list does. Lists are kept by
their administrators (``manage_sharing``), not by the investigators who enter records:
the list bounds what may be entered, so those who enter do not also move the bound.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, get_authority
from tollgate.errors import Conflict, NotAuthorised, ValidationFailed
from tollgate.fide.tables import FideContravention, FideRecord

MIN_IMPRISONMENT_MONTHS = 12
MIN_FINE_EUR = 15_000
#: the highest penalties a list item may state. No law punishes beyond them (a century's
#: deprivation of liberty; a trillion euros), a life sentence is stated as the century,
#: and both fit the columns (INTEGER for months, BIGINT for the fine): a larger number
#: is a typing error to name, not a value for the database to overflow on
MAX_IMPRISONMENT_MONTHS = 1_200
MAX_FINE_EUR = 10**12
ITEM_FIELDS = frozenset({"code", "description", "max_imprisonment_months", "max_fine_eur"})
_MAX_ITEMS = 1000


def _authority_code(actor: Actor, authority_code: str | None) -> str:
    code = authority_code or actor.authority_code
    if code is None:
        raise ValidationFailed("CIS-27: name the authority whose list this is")
    return code


def publish(
    session: Session, *, actor: Actor, authority_code: str | None, items: Any
) -> list[FideContravention]:
    """Publish (replace) an authority's list; its own administrator or the operator."""
    actor.require(Permission.MANAGE_SHARING)
    code = _authority_code(actor, authority_code)
    if actor.authority_code is not None and actor.authority_code != code:
        raise NotAuthorised(f"CIS-27: each authority publishes its own list, not {code}'s")
    get_authority(session, code)
    clean = _check_items(items)
    dropped = sorted(
        set(
            session.scalars(
                select(FideRecord.contravention).where(FideRecord.authority == code).distinct()
            )
        )
        - {i["code"] for i in clean}
    )
    if dropped:
        raise Conflict(
            f"CIS-27: {code}'s FIDE records cite {dropped}; amend or delete those records "
            "before the list drops them"
        )
    now = datetime.now(UTC)
    session.execute(delete(FideContravention).where(FideContravention.authority == code))
    rows = [
        FideContravention(authority=code, published_at=now, published_by=actor.username, **item)
        for item in clean
    ]
    session.add_all(rows)
    session.flush()
    record(
        session,
        actor=actor,
        action="fide_publish_contraventions",
        object_type="fide_contraventions",
        object_id=code,
        detail={"codes": [i["code"] for i in clean]},
    )
    return rows


def _check_items(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise ValidationFailed("CIS-27: a list of serious contraventions is a list")
    if len(items) > _MAX_ITEMS:
        raise ValidationFailed(f"CIS-27: at most {_MAX_ITEMS} contraventions per list")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"item {n}"
        if not isinstance(item, dict):
            raise ValidationFailed(f"CIS-27: {where} is an object with {sorted(ITEM_FIELDS)}")
        extra = sorted(set(item) - ITEM_FIELDS)
        if extra:
            raise ValidationFailed(f"CIS-27: {where} has unknown fields {extra}")
        code = item.get("code")
        description = item.get("description")
        if not isinstance(code, str) or not code.strip() or len(code.strip()) > 40:
            raise ValidationFailed(f"CIS-27: {where} needs a code of 1 to 40 characters")
        code = code.strip()
        where = f"contravention {code!r}"
        if code in seen:
            raise ValidationFailed(f"CIS-27: {where} is listed twice")
        seen.add(code)
        if not isinstance(description, str) or not description.strip():
            raise ValidationFailed(f"CIS-27: {where} needs a description")
        if len(description) > 500:
            raise ValidationFailed(f"CIS-27: {where}: description longer than 500 characters")
        months = _whole(
            item.get("max_imprisonment_months"),
            where,
            "max_imprisonment_months",
            MAX_IMPRISONMENT_MONTHS,
        )
        fine = _whole(item.get("max_fine_eur"), where, "max_fine_eur", MAX_FINE_EUR)
        if not serious(months, fine):
            raise ValidationFailed(
                f"CIS-27: {where} is not serious: it must be punishable by at least "
                f"{MIN_IMPRISONMENT_MONTHS} months' deprivation of liberty or a fine of at "
                f"least EUR {MIN_FINE_EUR:,}"
            )
        out.append(
            {
                "code": code,
                "description": description.strip(),
                "max_imprisonment_months": months,
                "max_fine_eur": fine,
            }
        )
    return out


def _whole(value: Any, where: str, field: str, most: int) -> int | None:
    """A penalty as a whole number from 0 to ``most``; None when the law sets none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise ValidationFailed(f"CIS-27: {where}: {field} is a whole number from 0 to {most:,}")
    return value


def serious(months: int | None, fine_eur: int | None) -> bool:
    """The Decision's threshold (CIS-27): 12 months' deprivation of liberty or EUR 15,000."""
    return (months or 0) >= MIN_IMPRISONMENT_MONTHS or (fine_eur or 0) >= MIN_FINE_EUR


def published(
    session: Session, *, actor: Actor, authority_code: str | None
) -> list[FideContravention]:
    """An authority's list, as published (any FIDE user or administrator reads any list:
    a published list is public among the participants)."""
    if not (actor.can(Permission.FIDE) or actor.can(Permission.MANAGE_SHARING)):
        raise NotAuthorised(
            f"CIS-33: user {actor.username!r} is neither an investigator nor an administrator"
        )
    code = _authority_code(actor, authority_code)
    get_authority(session, code)
    return list(
        session.scalars(
            select(FideContravention)
            .where(FideContravention.authority == code)
            .order_by(FideContravention.code)
        )
    )


def require_listed(session: Session, authority_code: str, code: Any) -> FideContravention:
    """The listed serious contravention an entry cites, or a refusal naming CIS-27."""
    if not isinstance(code, str) or not code.strip():
        raise ValidationFailed(
            f"CIS-27: a FIDE entry cites a serious contravention from {authority_code}'s "
            "published list ('contravention')"
        )
    row = session.scalar(
        select(FideContravention).where(
            FideContravention.authority == authority_code,
            FideContravention.code == code.strip(),
        )
    )
    if row is None:
        listed = session.scalar(
            select(func.count()).where(FideContravention.authority == authority_code)
        )
        raise ValidationFailed(
            f"CIS-27: {code!r} is not on {authority_code}'s published list of serious "
            f"contraventions ({listed or 0} listed)"
        )
    # publishing refuses such items; a row written around it is refused here too
    if not serious(row.max_imprisonment_months, row.max_fine_eur):
        raise ValidationFailed(f"CIS-27: {code!r} is below the seriousness threshold")
    return row
