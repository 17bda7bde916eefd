"""Strategic analysis of the CIS on anonymised data only (CIS-45).

The result is counts, nothing else: never a name, date of birth, document, address or
alert reference, so it can be shared and kept without becoming personal data. Counts by
category, suggested action, supplier and month of entry describe the system, not a
person. A count by nationality could single a person out where few alerts share a
nationality, so a nationality is shown only when at least ``min_cell`` alerts have it;
the smaller cells are added up, unnamed, in ``nationality_suppressed``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.tables import Authority
from tollgate.cis.access import CisUser
from tollgate.cis.crypto import Vault
from tollgate.cis.tables import CisAlert
from tollgate.errors import NotAuthorised, ValidationFailed

MIN_CELL = 5


@dataclass(frozen=True, slots=True)
class StrategicFigures:
    """Counts of active alerts; every mapping is label to count."""

    total: int
    by_category: dict[str, int]
    by_action: dict[str, int]
    by_supplier: dict[str, int]
    by_month: dict[str, int]
    by_nationality: dict[str, int]
    nationality_suppressed: int
    min_cell: int
    generated_at: datetime


def strategic_analysis(
    session: Session, vault: Vault, user: CisUser, *, min_cell: int = MIN_CELL
) -> StrategicFigures:
    """Anonymous figures on the active alerts of the categories the user's authority is
    designated for (CIS-45, CIS-46); for analysts and the committee."""
    if not (user.actor.can(Permission.CIS_COPY) or user.actor.can(Permission.CIS_OVERSIGHT)):
        raise NotAuthorised(
            f"CIS-45: strategic analysis is for designated analysts and the committee, "
            f"not {user.actor.username!r}"
        )
    if min_cell < 2:
        raise ValidationFailed("CIS-45: a cell below 2 alerts would describe one person")
    rows = session.execute(
        select(
            CisAlert.category, CisAlert.action, Authority.code, CisAlert.created_at, CisAlert.sealed
        )
        .join(Authority, Authority.id == CisAlert.supplier_id)
        .where(
            CisAlert.status == "active",
            CisAlert.category.in_(user.designation.categories),
        )
    ).all()
    categories: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    suppliers: Counter[str] = Counter()
    months: Counter[str] = Counter()
    nationalities: Counter[str] = Counter()
    for category, action, supplier, created_at, sealed in rows:
        categories[category] += 1
        actions[action] += 1
        suppliers[supplier] += 1
        months[created_at.strftime("%Y-%m")] += 1
        if sealed:
            nationality = (vault.open(sealed).get("person") or {}).get("nationality")
            if isinstance(nationality, str) and nationality.strip():
                nationalities[nationality.strip().upper()] += 1
    shown = {n: c for n, c in sorted(nationalities.items()) if c >= min_cell}
    figures = StrategicFigures(
        total=len(rows),
        by_category=dict(sorted(categories.items())),
        by_action=dict(sorted(actions.items())),
        by_supplier=dict(sorted(suppliers.items())),
        by_month=dict(sorted(months.items())),
        by_nationality=shown,
        nationality_suppressed=sum(nationalities.values()) - sum(shown.values()),
        min_cell=min_cell,
        generated_at=datetime.now(UTC),
    )
    record(
        session,
        actor=user.actor,
        action="cis_strategic_analysis",
        object_type="cis_alert",
        purpose=user.purpose,
        detail={"total": figures.total, "min_cell": min_cell},
    )
    return figures
