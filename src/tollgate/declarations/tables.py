"""Stored filings: one row per filing identity, one per version, and the keys that link them.

A filing's identity is (kind, filer, LRN). Resubmitting the same content is recognised by its
content hash and creates nothing; different content is a new version and the old one stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base

# json, not jsonb, on PostgreSQL: written once, read whole (migration 0002 says why)
Document = JSON()


class FilingRecord(Base):
    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("lrn", "filer", "kind"),)  # lrn first: intake probes by it
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    filer: Mapped[str] = mapped_column(String(17), index=True)
    lrn: Mapped[str] = mapped_column(String(70))
    filing_type: Mapped[str] = mapped_column(String(10))
    layer: Mapped[str | None] = mapped_column(String(20))
    office: Mapped[str] = mapped_column(String(8))
    current_version: Mapped[int]
    first_received_at: Mapped[datetime]
    last_received_at: Mapped[datetime] = mapped_column(index=True)


class FilingVersion(Base):
    __tablename__ = "filing_versions"
    __table_args__ = (
        UniqueConstraint("filing_id", "version"),
        UniqueConstraint("filing_id", "content_hash"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    lodged_at: Mapped[datetime] = mapped_column(index=True)
    quality_score: Mapped[int]
    load_job_id: Mapped[int | None] = mapped_column(ForeignKey("load_jobs.id"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict[str, Any]] = mapped_column(Document)


class FilingLink(Base):
    """A key that ties a filing to others: transport documents, containers, MRNs (DM-4)."""

    __tablename__ = "filing_links"
    __table_args__ = (
        UniqueConstraint("filing_id", "kind", "value"),
        Index("ix_filing_links_kind_value", "kind", "value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(70))


class FilingLabel(Base):
    """Ground truth kept beside a filing, never inside it: a labelled history's outcome
    (e.g. KCS 'Fraud') or a synthetic record's planted irregularity. Risk analysis must
    not see it; evaluation of rules and models does."""

    __tablename__ = "filing_labels"
    __table_args__ = (UniqueConstraint("filing_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(String(200))
