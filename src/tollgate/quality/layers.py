"""DQ-6 as a job: check the consistency between the layers of changed consignments.

Consistency needs the other filings of a consignment, which a bulk load does not hold in
memory, so it runs after storage: as a consumer of the consignment change events (the
same outbox the risk engine reads), re-checking each changed consignment once per pass.
A master's totals are checked against *all* its houses, so a consignment's group is its
own filings plus the other houses under the same master transport document.

Findings of DQ-6 are recomputed, not accumulated: a later house can make an earlier
master inconsistent, and an amendment can make a contradiction disappear. The version's
quality score is recomputed with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from pydantic_core import from_json
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

import tollgate.tables  # noqa: F401 -- every mapper known before the ORM bulk update
from tollgate.consignments.service import acknowledge, pending_events
from tollgate.consignments.tables import ConsignmentMember
from tollgate.declarations.tables import FilingLink, FilingRecord, FilingVersion
from tollgate.intake.writer import RowWriter
from tollgate.quality.checks import Finding, quality_score
from tollgate.quality.consistency import LayerView, can_contradict, consistency_findings
from tollgate.quality.tables import QualityFinding

CONSUMER = "system:quality-dq6"
RULE = "DQ-6"


def _chunks(values: Sequence[int], n: int = 500) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


def check_consignments(session: Session, consignment_ids: Iterable[int]) -> int:
    """Recompute DQ-6 for these consignments; returns the number of findings stored."""
    cids = sorted(set(consignment_ids))
    if not cids:
        return 0
    groups: dict[int, set[int]] = defaultdict(set)
    masters: dict[int, set[int]] = defaultdict(set)  # master filing id -> consignments
    shape: dict[int, tuple[str, str | None]] = {}  # filing id -> (kind, layer)
    for chunk in _chunks(cids):
        for cid, fid, role, kind, layer in session.execute(
            select(
                ConsignmentMember.consignment_id,
                ConsignmentMember.filing_id,
                ConsignmentMember.role,
                FilingRecord.kind,
                FilingRecord.layer,
            )
            .join(FilingRecord, FilingRecord.id == ConsignmentMember.filing_id)
            .where(ConsignmentMember.consignment_id.in_(chunk))
        ):
            groups[cid].add(fid)
            shape[fid] = (kind, layer)
            if role == "master":
                masters[fid].add(cid)
    if masters:  # every house under each master joins the master's groups
        mtds: dict[str, set[int]] = defaultdict(set)
        for chunk in _chunks(sorted(masters)):
            for fid, value in session.execute(
                select(FilingLink.filing_id, FilingLink.value).where(
                    FilingLink.kind == "mtd", FilingLink.filing_id.in_(chunk)
                )
            ):
                mtds[value].add(fid)
        values = sorted(mtds)
        for i in range(0, len(values), 500):
            for fid, value in session.execute(
                select(FilingLink.filing_id, FilingLink.value)
                .join(FilingRecord, FilingRecord.id == FilingLink.filing_id)
                .where(
                    FilingLink.kind == "mtd",
                    FilingLink.value.in_(values[i : i + 500]),
                    FilingRecord.layer == "house",
                )
            ):
                for master_fid in mtds[value]:
                    for cid in masters[master_fid]:
                        groups[cid].add(fid)
                    shape[fid] = ("ens", "house")
    # a filing alone cannot contradict anything: only groups of two or more are read
    groups = {cid: fids for cid, fids in groups.items() if len(fids) > 1}
    if not groups:
        return 0
    # every version is rechecked (an amendment may have removed a contradiction), but only
    # groups that can contradict at all are read and compared
    current = _current_versions(session, sorted(set().union(*groups.values())))
    readable = [g for g in groups.values() if can_contradict([shape[fid] for fid in g])]
    views = _views(session, sorted(set().union(*readable))) if readable else {}
    found: dict[int, list[Finding]] = defaultdict(list)  # version id -> findings
    seen: set[tuple[int, str, str]] = set()
    for fids in readable:
        members = [(fid, views[fid]) for fid in sorted(fids) if fid in views]
        for fid, finding in consistency_findings(members):
            key = (fid, finding.code, finding.field)
            if key not in seen:
                seen.add(key)
                found[current[fid]].append(finding)
    _replace(session, sorted(current.values()), found)
    return sum(len(v) for v in found.values())


_CURRENT = (
    "FROM filing_versions v "
    "JOIN filings f ON f.id = v.filing_id AND f.current_version = v.version "
    "WHERE v.filing_id IN ({in})"
)


def _current_versions(session: Session, fids: list[int]) -> dict[int, int]:
    """Filing id -> id of its newest version."""
    rows = RowWriter(session).select_in("SELECT v.filing_id, v.id " + _CURRENT, fids)
    return dict(rows)


def _views(session: Session, fids: list[int]) -> dict[int, LayerView]:
    """What DQ-6 compares of the newest version of each filing, projected from its stored
    JSON text (parsed, not validated again: intake stored it valid)."""
    writer = RowWriter(session)
    document = "CAST(v.document AS TEXT)" if writer.postgres else "v.document"
    rows = writer.select_in(f"SELECT v.filing_id, {document} " + _CURRENT, fids)
    return {fid: LayerView.of_document(from_json(text)) for fid, text in rows}


def _replace(session: Session, version_ids: list[int], found: dict[int, list[Finding]]) -> None:
    """Write DQ-6 findings where they changed, and rescore only those versions."""
    writer = RowWriter(session)
    before: dict[int, set[tuple[str, str, str, str]]] = defaultdict(set)
    for vid, code, field, severity, message in writer.select_in(
        "SELECT filing_version_id, code, field, severity, message FROM quality_findings "
        "WHERE rule = {p} AND filing_version_id IN ({in})",
        version_ids,
        (RULE,),
    ):
        before[vid].add((code, field, severity, message))
    changed = [
        vid
        for vid in version_ids
        if before.get(vid, set())
        != {(f.code, f.field, f.severity, f.message[:500]) for f in found.get(vid, [])}
    ]
    if not changed:
        return
    for chunk in _chunks(changed):
        session.execute(
            delete(QualityFinding).where(
                QualityFinding.rule == RULE, QualityFinding.filing_version_id.in_(chunk)
            )
        )
    rows = [
        {
            "filing_version_id": vid,
            "rule": f.rule,
            "code": f.code,
            "field": f.field,
            "severity": f.severity,
            "message": f.message[:500],
        }
        for vid in changed
        for f in found.get(vid, [])
    ]
    if rows:
        session.execute(insert(QualityFinding), rows)
    per_version: dict[int, list[Finding]] = defaultdict(list)
    for vid, rule, code, field, severity, message in writer.select_in(
        "SELECT filing_version_id, rule, code, field, severity, message FROM quality_findings "
        "WHERE filing_version_id IN ({in})",
        changed,
    ):
        per_version[vid].append(Finding(rule, code, field, severity, message))
    session.execute(
        update(FilingVersion),
        [{"id": vid, "quality_score": quality_score(per_version.get(vid, []))} for vid in changed],
    )


def run_consistency(
    factory: sessionmaker[Session],
    *,
    events_per_pass: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Consume pending change events and check each changed consignment once.

    Returns the number of consignments checked. Safe to interrupt: the cursor moves in
    the same transaction as the findings it covers."""
    checked = 0
    while True:
        with factory() as session, session.begin():
            events = pending_events(session, consumer=CONSUMER, limit=events_per_pass)
            if not events:
                return checked
            cids = {cid for _, cid in events}
            check_consignments(session, cids)
            acknowledge(session, consumer=CONSUMER, last_event_id=events[-1][0])
        checked += len(cids)
        if progress is not None:
            progress(len(events))
