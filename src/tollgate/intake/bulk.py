"""Bulk loads that never lose or duplicate a record, even when killed and run again.

Each batch is stored, its rejections recorded and the job's committed position advanced in
one transaction. A rerun of the same source (recognised by a hash of its bytes and of its
mapping) resumes after the committed position; and because storage is idempotent, even a
rerun that started from the top would add nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tollgate.audit.log import record
from tollgate.authorities.service import Actor, authority_ids_by_country
from tollgate.db import insert_ignoring_conflicts
from tollgate.declarations.tables import FilingLabel
from tollgate.intake.mapping import ColumnMapping
from tollgate.intake.readers import SourceRecord, read_source
from tollgate.intake.records import PreparedFiling, RecordError, prepare, prepare_json
from tollgate.intake.store import BatchResult, store_batch
from tollgate.intake.tables import LoadJob, Rejection


@dataclass(slots=True)
class LoadSummary:
    job_id: int
    source: str
    resumed_from: int
    accepted: int
    amended: int
    unchanged: int
    rejected: int
    already_done: bool = False

    @property
    def processed(self) -> int:
        return self.accepted + self.amended + self.unchanged + self.rejected


def fingerprint(path: Path, mapping: ColumnMapping | None, fmt: str) -> str:
    h = hashlib.sha256()
    h.update(fmt.encode())
    if mapping is not None:
        h.update(mapping.source_text.encode())
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _batches(records: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def prepare_record(rec: SourceRecord, received_at: datetime) -> PreparedFiling | list[RecordError]:
    if rec.error is not None:
        return [rec.error]
    if isinstance(rec.raw, bytes):
        return prepare_json(rec.raw, rec.position, received_at)
    return prepare(rec.raw, rec.position, received_at)


def _job(session: Session, path: Path, fp: str, fmt: str) -> LoadJob:
    job = session.scalar(select(LoadJob).where(LoadJob.fingerprint == fp))
    if job is None:
        job = LoadJob(
            source=str(path),
            fingerprint=fp,
            format=fmt,
            status="running",
            committed_position=0,
            accepted=0,
            unchanged=0,
            amended=0,
            rejected=0,
            started_at=datetime.now(UTC),
            finished_at=None,
        )
        session.add(job)
        session.flush()
    return job


def bulk_load(
    factory: sessionmaker[Session],
    path: Path,
    *,
    fmt: str,
    mapping: ColumnMapping | None,
    actor: Actor,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Load ``path`` in committed batches; ``progress(records_done, bytes_or_rows)`` per batch."""
    fp = fingerprint(path, mapping, fmt)
    with factory() as session, session.begin():
        job = _job(session, path, fp, fmt)
        job_id, start = job.id, job.committed_position
        if job.status == "done":
            return LoadSummary(
                job_id,
                str(path),
                start,
                job.accepted,
                job.amended,
                job.unchanged,
                job.rejected,
                already_done=True,
            )
        if start == 0:
            record(
                session,
                actor=actor,
                action="bulk_load_started",
                object_type="load_job",
                object_id=str(job_id),
                detail={"source": str(path), "format": fmt, "fingerprint": fp},
            )
        authorities = authority_ids_by_country(session)
    totals = {"accepted": 0, "amended": 0, "unchanged": 0, "rejected": 0}
    for batch in _batches(read_source(path, fmt, mapping, skip_to=start), batch_size):
        received_at = datetime.now(UTC)
        prepared: list[PreparedFiling] = []
        errors: list[RecordError] = []
        labels: dict[int, dict[str, str]] = {}
        for rec in batch:
            out = prepare_record(rec, received_at)
            if isinstance(out, PreparedFiling):
                prepared.append(out)
                if rec.labels:
                    labels[rec.position] = rec.labels
            else:
                errors.extend(out)
        with factory() as session, session.begin():
            result = store_batch(
                session,
                prepared,
                actor=actor,
                received_at=received_at,
                load_job_id=job_id,
                authorities=authorities,
            )
            _store_labels(session, result, labels)
            for o in result.outcomes:
                errors.extend(o.errors)
            save_rejections(session, errors, load_job_id=job_id, received_at=received_at)
            counts = {
                "accepted": result.count("accepted"),
                "amended": result.count("amended"),
                "unchanged": result.count("unchanged"),
                "rejected": len({e.position for e in errors}),
            }
            job = session.get_one(LoadJob, job_id)
            job.committed_position = batch[-1].position
            job.accepted += counts["accepted"]
            job.amended += counts["amended"]
            job.unchanged += counts["unchanged"]
            job.rejected += counts["rejected"]
            if counts["accepted"] or counts["amended"]:
                record(
                    session,
                    actor=actor,
                    action="store_filings",
                    object_type="load_job",
                    object_id=str(job_id),
                    detail={
                        "first_position": batch[0].position,
                        "last_position": batch[-1].position,
                        **counts,
                    },
                )
        for k, v in counts.items():
            totals[k] += v
        if progress is not None:
            progress(len(batch), batch[-1].position)
    with factory() as session, session.begin():
        job = session.get_one(LoadJob, job_id)
        job.status = "done"
        job.finished_at = datetime.now(UTC)
        record(
            session,
            actor=actor,
            action="bulk_load_finished",
            object_type="load_job",
            object_id=str(job_id),
            detail={
                "accepted": job.accepted,
                "amended": job.amended,
                "unchanged": job.unchanged,
                "rejected": job.rejected,
            },
        )
        return LoadSummary(
            job_id, str(path), start, job.accepted, job.amended, job.unchanged, job.rejected
        )


def _store_labels(session: Session, result: BatchResult, labels: dict[int, dict[str, str]]) -> None:
    rows = []
    for o in result.outcomes:
        if o.filing_id is not None and o.position in labels:
            for name, value in labels[o.position].items():
                rows.append({"filing_id": o.filing_id, "name": name, "value": value[:200]})
    insert_ignoring_conflicts(session, FilingLabel.__table__, rows)


def save_rejections(
    session: Session,
    errors: list[RecordError],
    *,
    load_job_id: int | None,
    received_at: datetime,
) -> None:
    rows = [
        {
            "load_job_id": load_job_id,
            "position": e.position,
            "record_id": e.record_id,
            "filer": e.filer if e.filer and len(e.filer) <= 17 else None,
            "field": e.field[:200],
            "code": e.code[:50],
            "message": e.message[:1000],
            "received_at": received_at,
        }
        for e in errors
    ]
    insert_ignoring_conflicts(session, Rejection.__table__, rows)


def rejections(
    session: Session, job_id: int, *, offset: int = 0, limit: int = 100
) -> list[Rejection]:
    return list(
        session.scalars(
            select(Rejection)
            .where(Rejection.load_job_id == job_id)
            .order_by(Rejection.position, Rejection.id)
            .offset(offset)
            .limit(limit)
        )
    )
