"""Control tasks, control results (versioned, never overwritten) and seizures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class ControlTask(Base):
    """A control an assessment asks for, queued for an office. One open task per subject
    (a consignment, or a filing outside any consignment): a newer assessment of the same
    subject supersedes the open task rather than adding a second control."""

    __tablename__ = "control_tasks"
    __table_args__ = (
        Index("ix_control_tasks_queue", "authority_id", "status", "office", "due_at"),
        Index("ix_control_tasks_subject", "subject", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), unique=True)
    #: "consignment:<id>" or "filing:<id>"
    subject: Mapped[str] = mapped_column(String(40))
    office: Mapped[str] = mapped_column(String(8))
    stage: Mapped[str] = mapped_column(String(20))
    control: Mapped[str] = mapped_column(String(20))
    random: Mapped[bool]
    due_at: Mapped[datetime]
    #: open, closed or superseded
    status: Mapped[str] = mapped_column(String(10))
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Seizure(Base):
    """One seizure, one report (RM-26): recorded once, referenced by every result and
    every exchange that needs it."""

    __tablename__ = "seizures"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    goods: Mapped[str] = mapped_column(String(200))
    commodity_code: Mapped[str | None] = mapped_column(String(10))
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(10))
    value: Mapped[float]
    place: Mapped[str] = mapped_column(String(35))
    seized_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime]


class ControlResult(Base):
    """An officer's result of a control task. A correction is the next version; the
    newest version is the result."""

    __tablename__ = "control_results"
    __table_args__ = (UniqueConstraint("task_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("control_tasks.id"), index=True)
    version: Mapped[int]
    #: no-irregularity or irregularity
    outcome: Mapped[str] = mapped_column(String(20))
    irregularities: Mapped[list[str]] = mapped_column(JSON)
    duties_at_stake: Mapped[float]
    seizure_id: Mapped[int | None] = mapped_column(ForeignKey("seizures.id"))
    note: Mapped[str] = mapped_column(String(2000))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(index=True)
