"""Bulk-load jobs with their committed position (for resuming) and rejected records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class LoadJob(Base):
    """One bulk load of one source; ``committed_position`` advances in the same transaction
    as the records it covers, so a killed load resumes exactly where its data stopped."""

    __tablename__ = "load_jobs"
    __table_args__ = (UniqueConstraint("fingerprint"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    fingerprint: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))  # running | done
    committed_position: Mapped[int]
    accepted: Mapped[int]
    unchanged: Mapped[int]
    amended: Mapped[int]
    rejected: Mapped[int]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class Rejection(Base):
    """A record that was refused, with the machine-readable reason (never silently dropped)."""

    __tablename__ = "rejections"
    __table_args__ = (UniqueConstraint("load_job_id", "position", "field", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    load_job_id: Mapped[int | None] = mapped_column(ForeignKey("load_jobs.id"), index=True)
    position: Mapped[int]
    record_id: Mapped[str | None] = mapped_column(String(100))
    filer: Mapped[str | None] = mapped_column(String(17), index=True)
    field: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(String(1000))
    received_at: Mapped[datetime]


class IntakeLock(Base):
    """One row, updated first by every SQLite intake batch to take the write lock early."""

    __tablename__ = "intake_lock"
    id: Mapped[int] = mapped_column(primary_key=True)
    batches: Mapped[int]
