"""Stored data-quality findings, one row per finding of a filing version."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class QualityFinding(Base):
    __tablename__ = "quality_findings"
    __table_args__ = (Index("ix_quality_findings_rule_code", "rule", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_version_id: Mapped[int] = mapped_column(ForeignKey("filing_versions.id"), index=True)
    rule: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(50))
    field: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(String(500))
