"""Stored risk profiles, managed lists and assessments.

Profiles and lists are versioned by appending: a change of content *or* of status is a new
row with the next version, so an assessment that names ``(profile_id, version)`` can always
be explained with exactly what hit. Nothing here is updated in place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class RiskProfileVersion(Base):
    __tablename__ = "risk_profile_versions"
    __table_args__ = (UniqueConstraint("authority_id", "profile_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    profile_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    owner: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]
    change: Mapped[str] = mapped_column(String(200))


class ManagedListVersion(Base):
    __tablename__ = "managed_list_versions"
    __table_args__ = (UniqueConstraint("authority_id", "name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))  # codes | names
    entries: Mapped[list[str]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]


class Assessment(Base):
    """One assessment of one filing version; re-assessments add rows, never replace."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_authority_decision", "authority_id", "decision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    filing_version_id: Mapped[int] = mapped_column(ForeignKey("filing_versions.id"), index=True)
    consignment_id: Mapped[int | None] = mapped_column(ForeignKey("consignments.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    trigger: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(20))
    score: Mapped[int]
    random: Mapped[bool]
    #: None, "random" or "uncertainty": a control the selection made to explore (issue 6)
    exploration: Mapped[str | None] = mapped_column(String(12))
    stage: Mapped[str | None] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(8))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    instructions: Mapped[str] = mapped_column(String(8000))
    assessed_at: Mapped[datetime] = mapped_column(index=True)


class AssessmentHit(Base):
    """One profile version that hit in one assessment: the reasons of ``Assessment`` as
    rows, so that control results can be attributed to profiles in SQL (RM-22) without
    unpacking JSON."""

    __tablename__ = "assessment_hits"
    __table_args__ = (Index("ix_assessment_hits_profile", "profile_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    profile_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]


class CredibilityRuleSet(Base):
    """One version of an authority's credibility rule set (RM-9), stored whole: a finding
    names ``(authority, version)`` and so the exact parameters that blocked or flagged."""

    __tablename__ = "credibility_rule_sets"
    __table_args__ = (UniqueConstraint("authority_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    version: Mapped[int]
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]


class UnitValueBenchmark(Base):
    """The unit values of one group of goods of one computed set (RM-15): per kg or per
    supplementary unit (``per``), for an HS code prefix of 6, 4 or 2 digits (``code``)
    and one origin or, with ``origin`` None, every origin. A set is a ``version`` per
    authority; assessment reads the newest, and an assessment's reasons name the values
    it saw, so an old set explains old assessments without being kept current.
    ``log_median`` and ``log_mad`` are None in sets computed before they were recorded."""

    __tablename__ = "unit_value_benchmarks"
    __table_args__ = (UniqueConstraint("authority_id", "version", "per", "code", "origin"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    version: Mapped[int]
    per: Mapped[str] = mapped_column(String(4))
    code: Mapped[str] = mapped_column(String(6))
    origin: Mapped[str | None] = mapped_column(String(2))
    median: Mapped[float]
    p25: Mapped[float]
    p75: Mapped[float]
    log_median: Mapped[float | None]
    log_mad: Mapped[float | None]
    items: Mapped[int]
    period_start: Mapped[date]
    period_end: Mapped[date]
    computed_by: Mapped[str] = mapped_column(String(100))
    computed_at: Mapped[datetime]

    @property
    def level(self) -> str:
        """``hs6_origin``, ``hs6``, ... as ``facts.LEVELS`` names it."""
        return f"hs{len(self.code)}" + ("_origin" if self.origin is not None else "")
