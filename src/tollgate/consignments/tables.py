"""A consignment, the filings that make it up, and the outbox of its change events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class Consignment(Base):
    __tablename__ = "consignments"
    __table_args__ = (UniqueConstraint("reference", "authority_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class ConsignmentMember(Base):
    """``role``: core (house-level or import filing), master, csm."""

    __tablename__ = "consignment_members"
    __table_args__ = (UniqueConstraint("consignment_id", "filing_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id"))
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))


class ConsignmentEvent(Base):
    """Outbox: one row each time a consignment changes. Consumers (the risk engine) keep
    their own cursor in ``event_cursors`` and read rows with a greater id."""

    __tablename__ = "consignment_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id"), index=True)
    filing_version_id: Mapped[int] = mapped_column(ForeignKey("filing_versions.id"))
    reason: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]


class EventCursor(Base):
    __tablename__ = "event_cursors"
    consumer: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_event_id: Mapped[int]
