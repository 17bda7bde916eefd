"""Storing prepared filings: idempotent, versioned, linked, quality findings kept.

One call stores one batch inside the caller's transaction. Identity is (kind, filer, LRN):
content already stored under that identity is *unchanged* (nothing is written), new
content is a new *version* (the old stays). Ownership follows the customs office's country;
an authority may only submit for its own offices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import update
from sqlalchemy.orm import Session

from tollgate.authorities.service import Actor, authority_ids_by_country
from tollgate.consignments.linking import StoredVersion, link_versions
from tollgate.declarations.tables import FilingRecord
from tollgate.intake.records import PreparedFiling, RecordError
from tollgate.intake.writer import RowWriter

Outcome = Literal["accepted", "amended", "unchanged", "rejected"]


@dataclass(slots=True)
class RecordOutcome:
    position: int
    outcome: Outcome
    filing_id: int | None = None
    version: int | None = None
    errors: list[RecordError] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    outcomes: list[RecordOutcome]
    consignments: set[int] = field(default_factory=set)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def store_batch(
    session: Session,
    prepared: Sequence[PreparedFiling],
    *,
    actor: Actor,
    received_at: datetime,
    load_job_id: int | None = None,
    authorities: dict[str, int] | None = None,
) -> BatchResult:
    """Store a batch of prepared filings; rejected ones come back with their errors."""
    authorities = authorities if authorities is not None else authority_ids_by_country(session)
    outcomes: dict[int, RecordOutcome] = {}
    owned: list[tuple[PreparedFiling, int]] = []
    for p in prepared:
        authority_id = authorities.get(p.country)
        if authority_id is None:
            outcomes[p.position] = _reject(
                p,
                "office" if p.kind != "csm" else "reported_to",
                "unknown_authority",
                f"no customs authority is registered for country {p.country!r} (office {p.office})",
            )
        elif actor.authority_id is not None and actor.authority_id != authority_id:
            outcomes[p.position] = _reject(
                p,
                "office" if p.kind != "csm" else "reported_to",
                "not_your_office",
                f"office {p.office} belongs to another authority than {actor.authority_code}",
            )
        else:
            owned.append((p, authority_id))

    writer = RowWriter(session)
    writer.lock()
    # probes go by the leading column of each unique index (lrn; filing_id): row-value
    # IN lists are not index-assisted on every backend
    wanted = {p.key for p, _ in owned}
    existing: dict[tuple[str, str, str], tuple[int, int]] = {}
    for kind, filer, lrn, fid, stored_version in writer.select_in(
        "SELECT kind, filer, lrn, id, current_version FROM filings WHERE lrn IN ({in})",
        sorted({key[2] for key in wanted}),
    ):
        if (kind, filer, lrn) in wanted:
            existing[(kind, filer, lrn)] = (fid, stored_version)
    preexisting = {fid for fid, _ in existing.values()}
    known_hashes: set[tuple[int, str]] = {
        (f, h)
        for f, h in writer.select_in(
            "SELECT filing_id, content_hash FROM filing_versions WHERE filing_id IN ({in})",
            sorted(preexisting),
        )
    }

    # new identities: one filings row each
    fresh: dict[tuple[str, str, str], tuple[PreparedFiling, int]] = {}
    for p, authority_id in owned:
        if p.key not in existing and p.key not in fresh:
            fresh[p.key] = (p, authority_id)
    now = writer.time(received_at)
    filing_rows: list[list[object]] = []
    for (key, (p, a)), fid in zip(
        fresh.items(), writer.allocate_ids("filings", len(fresh)), strict=True
    ):
        existing[key] = (fid, 0)
        filing_rows.append(
            [fid, a, p.kind, p.filer, p.lrn, p.filing_type, p.layer, p.office, 0, now, now]
        )

    current = {key: v for key, (_, v) in existing.items()}
    fid_of = {key: fid for key, (fid, _) in existing.items()}
    new_versions: list[tuple[PreparedFiling, int, int, int]] = []
    newest: dict[tuple[str, str, str], PreparedFiling] = {}  # the batch's last version wins
    for p, authority_id in owned:
        fid = fid_of[p.key]
        if (fid, p.content_hash) in known_hashes:
            outcomes[p.position] = RecordOutcome(p.position, "unchanged", fid, None)
            continue
        known_hashes.add((fid, p.content_hash))
        version = current[p.key] + 1
        current[p.key] = version
        new_versions.append((p, fid, authority_id, version))
        newest[p.key] = p
        outcomes[p.position] = RecordOutcome(
            p.position, "accepted" if version == 1 else "amended", fid, version
        )
    for row in filing_rows:
        key = (str(row[2]), str(row[3]), str(row[4]))
        row[8] = current[key]
        if key in newest:
            row[5], row[6] = newest[key].filing_type, newest[key].layer
    writer.insert("filings", FILING_COLUMNS, filing_rows)
    if not new_versions:
        return BatchResult([outcomes[p.position] for p in prepared])

    version_ids = writer.allocate_ids("filing_versions", len(new_versions))
    version_rows = []
    finding_rows = []
    link_rows = []
    stored: list[StoredVersion] = []
    seen_links: set[tuple[int, str, str]] = set()
    old_links = _links_of(writer, sorted({fid for _, fid, _, _ in new_versions} & preexisting))
    for (p, fid, authority_id, version), vid in zip(new_versions, version_ids, strict=True):
        version_rows.append(
            [
                vid,
                fid,
                version,
                p.content_hash,
                now,
                writer.time(p.lodged_at),
                p.score,
                load_job_id,
                actor.username,
                p.document_json,
            ]
        )
        for f in p.findings:
            finding_rows.append([vid, f.rule, f.code, f.field, f.severity, f.message[:500]])
        for kind, value in p.links:
            link = (fid, kind, value)
            if link not in seen_links and link not in old_links:
                seen_links.add(link)
                link_rows.append(link)
        stored.append(
            StoredVersion(
                filing_id=fid,
                version_id=vid,
                authority_id=authority_id,
                kind=p.kind,
                layer=p.layer,
                links=tuple(p.links),
                lrn=p.lrn,
                filer=p.filer,
                is_new_filing=version == 1,
            )
        )
    writer.insert("filing_versions", VERSION_COLUMNS, version_rows)
    # the filing row describes its current version: an amendment may change the filing
    # type or the layer (a house re-filed as a complete ENS), and DQ-6 groups by them
    amended = [
        (fid_of[key], current[key], p) for key, p in newest.items() if fid_of[key] in preexisting
    ]
    if amended:
        session.execute(  # ORM bulk UPDATE by primary key
            update(FilingRecord),
            [
                {
                    "id": fid,
                    "current_version": cv,
                    "last_received_at": received_at,
                    "filing_type": p.filing_type,
                    "layer": p.layer,
                }
                for fid, cv, p in amended
            ],
        )
    writer.insert("quality_findings", FINDING_COLUMNS, finding_rows)
    writer.insert("filing_links", ("filing_id", "kind", "value"), link_rows)
    changed = link_versions(session, stored, received_at)
    return BatchResult([outcomes[p.position] for p in prepared], consignments=changed)


FILING_COLUMNS = (
    "id",
    "authority_id",
    "kind",
    "filer",
    "lrn",
    "filing_type",
    "layer",
    "office",
    "current_version",
    "first_received_at",
    "last_received_at",
)
VERSION_COLUMNS = (
    "id",
    "filing_id",
    "version",
    "content_hash",
    "received_at",
    "lodged_at",
    "quality_score",
    "load_job_id",
    "submitted_by",
    "document",
)
FINDING_COLUMNS = ("filing_version_id", "rule", "code", "field", "severity", "message")


def _links_of(writer: RowWriter, fids: list[int]) -> set[tuple[int, str, str]]:
    return {
        (f, k, v)
        for f, k, v in writer.select_in(
            "SELECT filing_id, kind, value FROM filing_links WHERE filing_id IN ({in})", fids
        )
    }


def _reject(p: PreparedFiling, field_name: str, code: str, message: str) -> RecordOutcome:
    return RecordOutcome(
        p.position,
        "rejected",
        errors=[RecordError(p.position, p.lrn, field_name, code, message, filer=p.filer)],
    )
