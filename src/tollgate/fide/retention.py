"""How long a FIDE record lives (CIS-35), and its deletion (CIS-36, CIS-37).

The limits run from the date of entry and depend on where the file stands: an open file
with no contravention established lives at most 3 years, and only 1 year past its last
investigative act; a contravention established without conviction or fine yet, 6 years;
a conviction or fine, 10 years. The day a record must be gone is stored with it
(``expires_on``) and recomputed on every change, so the purge is one indexed range
scan and a query can exclude an expired record even before the purge has run.

Deletion is real: the record and its index rows go, and the audit log keeps that it
happened, to which record, and why — never who the record was about.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.service import SYSTEM, Actor
from tollgate.fide.tables import FideKey, FideRecord

#: CIS-35: the reasons a record is entered for, and its years of life from entry
RETENTION_YEARS = {"suspected": 3, "contravention_established": 6, "sanctioned": 10}
#: CIS-35: an open file goes once this many years have passed since its last act
IDLE_YEARS = 1
_BATCH = 500


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def expires_on(reason: str, entered_on: date, last_investigative_act: date) -> date:
    """The first day the record may no longer exist (CIS-35)."""
    limit = add_years(entered_on, RETENTION_YEARS[reason])
    if reason == "suspected":
        limit = min(limit, add_years(last_investigative_act, IDLE_YEARS))
    return limit


def remove(
    session: Session, row: FideRecord, *, actor: Actor, why: str, purpose: str | None = None
) -> None:
    """Delete one record and its keys; the audit entry carries no personal data."""
    record(
        session,
        actor=actor,
        action="fide_delete",
        object_type="fide_record",
        object_id=str(row.id),
        purpose=purpose,
        detail=_trace(row, why),
    )
    session.execute(delete(FideKey).where(FideKey.record_id == row.id))
    session.delete(row)
    session.flush()


def _trace(row: FideRecord, why: str) -> dict[str, Any]:
    return {
        "authority": row.authority,
        "subject_type": row.subject_type,
        "reason": row.reason,
        "entered_on": row.entered_on.isoformat(),
        "expires_on": row.expires_on.isoformat(),
        "why": why,
    }


def purge_expired(session: Session, today: date | None = None, *, actor: Actor = SYSTEM) -> int:
    """Delete every record whose retention has run out by ``today`` (CIS-37); returns how
    many. Safe to run as often as a scheduler likes: a second run finds nothing."""
    today = today or date.today()
    removed = 0
    while True:
        rows = list(
            session.scalars(
                select(FideRecord)
                .where(FideRecord.expires_on <= today)
                .order_by(FideRecord.id)
                .limit(_BATCH)
            )
        )
        for row in rows:
            remove(session, row, actor=actor, why=f"expired (CIS-35, CIS-37) by {today}")
        removed += len(rows)
        if len(rows) < _BATCH:
            return removed
