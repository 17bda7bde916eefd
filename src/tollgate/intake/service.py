"""Submission of filings through the API: the same preparation and storage as a bulk load,
for one record or a batch, with every rejected record explained."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import Permission
from tollgate.authorities.service import Actor
from tollgate.intake.bulk import save_rejections
from tollgate.intake.records import PreparedFiling, RecordError, prepare
from tollgate.intake.store import RecordOutcome, store_batch
from tollgate.quality.checks import Finding
from tollgate.quality.layers import check_consignments


@dataclass(slots=True)
class Submitted:
    outcome: RecordOutcome
    findings: list[Finding]
    score: int | None
    record_id: str | None


def submit(session: Session, *, actor: Actor, records: Sequence[Any]) -> list[Submitted]:
    """Validate and store ``records`` (decoded JSON values); one result per record, in order."""
    actor.require(Permission.SUBMIT_FILINGS)
    received_at = datetime.now(UTC)
    prepared: list[PreparedFiling] = []
    early: dict[int, list[RecordError]] = {}
    for position, raw in enumerate(records, start=1):
        out = prepare(raw, position, received_at)
        if isinstance(out, PreparedFiling):
            prepared.append(out)
        else:
            early[position] = out
    result = store_batch(session, prepared, actor=actor, received_at=received_at)
    # DQ-6 needs the other layers, which are all stored now: check the changed consignments
    check_consignments(session, result.consignments)
    by_position = {o.position: o for o in result.outcomes}
    prepared_at = {p.position: p for p in prepared}
    out_list: list[Submitted] = []
    errors: list[RecordError] = []
    for position in range(1, len(records) + 1):
        if position in early:
            errs = early[position]
            errors.extend(errs)
            out_list.append(
                Submitted(
                    RecordOutcome(position, "rejected", errors=errs), [], None, errs[0].record_id
                )
            )
            continue
        outcome = by_position[position]
        p = prepared_at[position]
        errors.extend(outcome.errors)
        out_list.append(
            Submitted(
                outcome,
                p.findings if outcome.outcome != "rejected" else [],
                p.score if outcome.outcome != "rejected" else None,
                p.lrn,
            )
        )
    save_rejections(session, errors, load_job_id=None, received_at=received_at)
    counts: dict[str, int] = {}
    for s in out_list:
        counts[s.outcome.outcome] = counts.get(s.outcome.outcome, 0) + 1
    if counts.get("accepted") or counts.get("amended"):
        record(
            session,
            actor=actor,
            action="submit_filings",
            object_type="filing",
            object_id=None,
            detail={"records": len(records), **counts, "consignments": len(result.consignments)},
        )
    return out_list
