"""Bulk loads that never lose or duplicate a record, even when killed and run again.

Each batch is stored, its rejections recorded and the job's committed position advanced in
one transaction. A rerun of the same source (recognised by a hash of its bytes and of its
mapping) resumes after the committed position; and because storage is idempotent, even a
rerun that started from the top would add nothing twice.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import select, text
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
from tollgate.quality.layers import run_consistency
from tollgate.reference.nomenclature import locodes, nomenclature, vague_description_terms


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


Prepared = tuple[int, PreparedFiling | list[RecordError], dict[str, str] | None]


def prepare_record(
    rec: SourceRecord, received_at: datetime, mapping: ColumnMapping | None = None
) -> PreparedFiling | list[RecordError]:
    return _prepare_one(rec, received_at, mapping)[1]


def _prepare_one(
    rec: SourceRecord, received_at: datetime, mapping: ColumnMapping | None
) -> Prepared:
    if rec.error is not None:
        return rec.position, [rec.error], None
    if isinstance(rec.raw, bytes):
        return rec.position, prepare_json(rec.raw, rec.position, received_at), None
    if not rec.mapped and mapping is not None and rec.raw is not None:
        labels = mapping.labels_of(rec.raw) or None
        return rec.position, prepare(mapping.apply(rec.raw), rec.position, received_at), labels
    return rec.position, prepare(rec.raw, rec.position, received_at), None


def prepare_batch(
    batch: list[SourceRecord], received_at: datetime, mapping: ColumnMapping | None
) -> list[Prepared]:
    """The CPU half of a load (parse, map, validate, check, hash): runs in worker processes."""
    return [_prepare_one(rec, received_at, mapping) for rec in batch]


class _Preparer:
    """Prepares batches ahead of the writer: in ``workers`` forked processes, or in-process
    when ``workers`` is 0. At most ``workers + 1`` batches are in flight, so memory stays
    bounded whatever the size of the source."""

    def __init__(self, workers: int, mapping: ColumnMapping | None) -> None:
        self.mapping = mapping
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            # reference data, loaded before (see _bulk_collection), is shared with the
            # forked workers copy-on-write
            self.pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with_parent,
            )
        self.window = workers + 1

    def run(
        self, batches: Iterator[list[SourceRecord]]
    ) -> Iterator[tuple[list[SourceRecord], datetime, list[Prepared]]]:
        if self.pool is None:
            for batch in batches:
                now = datetime.now(UTC)
                yield batch, now, prepare_batch(batch, now, self.mapping)
            return
        pending: deque[tuple[list[SourceRecord], datetime, Future[list[Prepared]]]] = deque()
        try:
            for batch in batches:
                now = datetime.now(UTC)
                pending.append(
                    (batch, now, self.pool.submit(prepare_batch, batch, now, self.mapping))
                )
                if len(pending) >= self.window:
                    b, t, fut = pending.popleft()
                    yield b, t, fut.result()
            while pending:
                b, t, fut = pending.popleft()
                yield b, t, fut.result()
        finally:
            self.pool.shutdown(cancel_futures=True)


def _die_with_parent() -> None:
    """A worker ends when its loader does, even one killed with SIGKILL (Linux prctl)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return  # not Linux: workers then end when their task queue closes
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@contextmanager
def _bulk_collection() -> Iterator[None]:
    """Tune the cyclic garbage collector for the length of a load.

    A load allocates millions of short-lived objects (models, rows) while thousands of a
    batch stay alive; with the default thresholds the collector runs every 700 allocations
    and walks those survivors each time, which cost up to a third of the CPU in
    measurements. Reference data loaded before is frozen out of collection, and the
    youngest generation is collected every 50,000 allocations instead. Worker processes
    forked inside inherit both."""
    nomenclature(), locodes(), vague_description_terms()
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def default_workers(path: Path) -> int:
    """Worker processes for a load: none for small sources (forking costs more than it
    saves), otherwise one per core."""
    if path.stat().st_size < 4 * 1024 * 1024:
        return 0
    return min(os.cpu_count() or 1, 8)


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
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    check_layers: bool = True,
) -> LoadSummary:
    """Load ``path`` in committed batches; ``progress(records_done, bytes_or_rows)`` per batch."""
    with _bulk_collection():
        return _bulk_load(
            factory,
            path,
            fmt=fmt,
            mapping=mapping,
            actor=actor,
            batch_size=batch_size,
            workers=workers,
            progress=progress,
            check_layers=check_layers,
        )


def _bulk_load(
    factory: sessionmaker[Session],
    path: Path,
    *,
    fmt: str,
    mapping: ColumnMapping | None,
    actor: Actor,
    batch_size: int = 2000,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    check_layers: bool = True,
) -> LoadSummary:
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
    preparer = _Preparer(default_workers(path) if workers is None else workers, mapping)
    batches = _batches(read_source(path, fmt, mapping, skip_to=start), batch_size)
    for number, (batch, received_at, results) in enumerate(preparer.run(batches), start=1):
        if number & (number - 1) == 0:  # batches 1, 2, 4, 8, ...
            refresh_statistics(factory)
        prepared: list[PreparedFiling] = []
        errors: list[RecordError] = []
        labels: dict[int, dict[str, str]] = {}
        for position, out, record_labels in results:
            if isinstance(out, PreparedFiling):
                prepared.append(out)
                if record_labels:
                    labels[position] = record_labels
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
    if check_layers:
        run_consistency(factory)
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


GROWING_TABLES = (
    "filings",
    "filing_versions",
    "filing_links",
    "consignments",
    "consignment_members",
    "consignment_events",
    "quality_findings",
)


def refresh_statistics(factory: sessionmaker[Session]) -> None:
    """Let PostgreSQL's planner see how the tables a load fills have grown.

    A load into fresh tables outruns autovacuum: planning the intake lookups on the
    statistics of an empty table picks sequential scans that get slower with every batch.
    Refreshed at exponentially spaced batches, so the cost stays a few per cent."""
    with factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE " + ", ".join(GROWING_TABLES)))


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
