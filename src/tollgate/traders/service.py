"""Keeping the trader register and reading it for assessment (RM-23, RM-24).

AEO status must be recognised automatically in the risk analysis (RM-23): an assessment
looks the trader up here, and a valid authorisation — an EU one, or one of a third
country whose programme the EU recognises by a mutual recognition agreement — makes
``trader.aeo`` true. Segments (RM-24: known/unknown, size, subjective risk) are the
authority's own labels, read by profiles as ``trader.segment``.

A register import is all or nothing: a file with one bad record changes nothing and
names every bad record and field, so the analyst fixes the file and loads it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor, acting_for
from tollgate.declarations.models import Eori
from tollgate.errors import ValidationFailed
from tollgate.risk.facts import Trader
from tollgate.traders.tables import RegisteredTrader

#: third countries whose AEO programmes the EU recognises (RM-23)
MUTUAL_RECOGNITION = frozenset({"CN", "JP", "US", "NO", "CH"})
MAX_RECORDS = 100_000


class TraderRecord(BaseModel):
    """One line of a register file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    eori: Eori
    aeo: Literal["AEOC", "AEOS", "AEOF"] | None = None
    aeo_valid_until: date | None = None
    aeo_recognised_from: Literal["CN", "JP", "US", "NO", "CH"] | None = None
    segment: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None


@dataclass(frozen=True, slots=True)
class RegisterImport:
    created: int
    updated: int
    unchanged: int


def parse_records(records: Any) -> list[TraderRecord]:
    """Validate every record; the error names each bad record (from 1) and field."""
    if not isinstance(records, list):
        raise ValidationFailed("expected a list of trader records")
    if len(records) > MAX_RECORDS:
        raise ValidationFailed(f"at most {MAX_RECORDS} traders per import")
    parsed: list[TraderRecord] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(records, start=1):
        try:
            item = TraderRecord.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(
                    {
                        "record": number,
                        "field": ".".join(str(p) for p in err["loc"]) or "$",
                        "reason": err["msg"],
                    }
                )
            continue
        if item.aeo_recognised_from is not None and item.aeo is None:
            problems.append(
                {
                    "record": number,
                    "field": "aeo",
                    "reason": "a recognised third-country authorisation needs its AEO type",
                }
            )
        if item.eori in seen:
            problems.append(
                {
                    "record": number,
                    "field": "eori",
                    "reason": f"{item.eori} is also record {seen[item.eori]}",
                }
            )
        seen[item.eori] = number
        parsed.append(item)
    if problems:
        raise ValidationFailed(
            f"{len({p['record'] for p in problems})} of {len(records)} trader records are "
            "invalid; nothing was imported",
            details=problems[:1000],
        )
    return parsed


def import_register(
    session: Session, *, actor: Actor, records: Any, authority: str | None = None
) -> RegisterImport:
    """Add or update the traders of these records in the authority's register; traders
    not named are left as they are. Audited as one change with its counts."""
    actor.require(Permission.MANAGE_PROFILES)
    owner = acting_for(session, actor, authority, "read or change the trader register of")
    parsed = parse_records(records)
    existing = {
        row.eori: row
        for chunk in _chunks([r.eori for r in parsed])
        for row in session.scalars(
            select(RegisteredTrader).where(
                RegisteredTrader.authority_id == owner.id, RegisteredTrader.eori.in_(chunk)
            )
        )
    }
    now = datetime.now(UTC)
    created = updated = unchanged = 0
    for item in parsed:
        values = item.model_dump(exclude={"eori"})
        row = existing.get(item.eori)
        if row is None:
            session.add(
                RegisteredTrader(
                    authority_id=owner.id,
                    eori=item.eori,
                    updated_by=actor.username,
                    updated_at=now,
                    **values,
                )
            )
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_by, row.updated_at = actor.username, now
            updated += 1
        else:
            unchanged += 1
    session.flush()
    record(
        session,
        actor=actor,
        action="trader_register_import",
        object_type="trader_register",
        object_id=owner.code,
        detail={"created": created, "updated": updated, "unchanged": unchanged},
    )
    return RegisterImport(created, updated, unchanged)


def list_register(
    session: Session,
    *,
    actor: Actor,
    authority: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[RegisteredTrader]]:
    """The register in EORI order, a page at a time, with the total."""
    actor.require(Permission.READ_PROFILES)
    owner = acting_for(session, actor, authority, "read or change the trader register of")
    where = RegisteredTrader.authority_id == owner.id
    total = session.scalar(select(func.count()).select_from(RegisteredTrader).where(where)) or 0
    rows = session.scalars(
        select(RegisteredTrader)
        .where(where)
        .order_by(RegisteredTrader.eori)
        .offset(max(offset, 0))
        .limit(max(1, min(limit, 1000)))
    ).all()
    return total, list(rows)


def registered(
    session: Session, authority_id: int, eoris: Iterable[str]
) -> dict[str, RegisteredTrader]:
    """The register's rows of these traders (one query per 500 of them)."""
    return {
        row.eori: row
        for chunk in _chunks(sorted(set(eoris)))
        for row in session.scalars(
            select(RegisteredTrader).where(
                RegisteredTrader.authority_id == authority_id, RegisteredTrader.eori.in_(chunk)
            )
        )
    }


def as_trader(row: RegisteredTrader, on: date) -> Trader:
    """A register row as assessment reads it on a day: AEO when the authorisation is in
    force (EU or mutually recognised), and the segment."""
    return Trader(row.eori, aeo=is_aeo(row, on), segment=row.segment)


def traders_for(
    session: Session, authority_id: int, eoris: Iterable[str], on: date
) -> dict[str, Trader]:
    """The register's view of these traders on a day (see ``as_trader``)."""
    return {e: as_trader(row, on) for e, row in registered(session, authority_id, eoris).items()}


def is_aeo(row: RegisteredTrader, on: date) -> bool:
    if row.aeo is None:
        return False
    if row.aeo_valid_until is not None and on > row.aeo_valid_until:
        return False
    return row.aeo_recognised_from is None or row.aeo_recognised_from in MUTUAL_RECOGNITION


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
