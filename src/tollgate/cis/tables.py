"""CIS tables. Personal data live only in ``sealed`` columns (Fernet tokens, CIS-50);
everything else here is what the Decision lets any designated user see.

FIDE is not here: it is a separate store (``tollgate.fide``, CIS-26) with no key into
these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class CisDesignation(Base):
    """An authority's designation for the CIS (CIS-13, CIS-48): what it may read, for which
    purposes, whether it enters data, to whom its data may go, and whether its data
    protection is in place (CIS-38). No designation, no access."""

    __tablename__ = "cis_designations"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), unique=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    may_enter: Mapped[bool]
    #: CIS-12: whether this authority's law allows specific checks
    specific_checks_allowed: Mapped[bool]
    #: CIS-38: data protection provisions in force, and the supervisory authority named
    data_protection_in_force: Mapped[bool]
    supervisory_authority: Mapped[str | None] = mapped_column(String(200))
    #: CIS-40: the listed risk management / operational analysis services
    analysis_services: Mapped[list[str]] = mapped_column(JSON)
    #: CIS-48: authorities this authority's data may be transmitted to (codes)
    transmit_to: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class CisAlert(Base):
    """One alert, in its current state; every change is also an audit entry (CIS-47).

    ``status``: active, restricted (moved at a missed review, CIS-23/25) or deleted (a
    tombstone with no content, kept so that hits and notifications still resolve)."""

    __tablename__ = "cis_alerts"
    __table_args__ = (
        Index("ix_cis_alerts_status_review", "status", "review_due"),
        # the screening index catches up on alerts changed since it last looked
        Index("ix_cis_alerts_updated_at", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    version: Mapped[int]
    category: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(1000))
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the personal fields and the CIS-9 justification, sealed; None without personal data
    sealed: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
    #: CIS-22: the next yearly review; CIS-23: ``kept_at`` records a keep decision
    review_due: Mapped[date]
    kept_at: Mapped[datetime | None]
    #: CIS-24: when the one-month notice before the move was sent
    notice_sent_at: Mapped[datetime | None]
    #: CIS-25: moved to the restricted area, and deleted one year later
    restricted_at: Mapped[datetime | None]
    delete_after: Mapped[date | None]
    deleted_at: Mapped[datetime | None]
    deleted_why: Mapped[str | None] = mapped_column(String(200))


class CisAlertKey(Base):
    """The alert's identifying values as blind indexes (kind and value under an HMAC): the
    sealed content cannot be searched, these can — for conflicting entries (CIS-20) and a
    data subject's request (CIS-42) — without revealing the values."""

    __tablename__ = "cis_alert_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    key: Mapped[str] = mapped_column(String(32), index=True)


class CisHit(Base):
    """A screening match of an alert on a filing version, awaiting review (CIS-10/11)."""

    __tablename__ = "cis_hits"
    __table_args__ = (UniqueConstraint("alert_id", "filing_version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    filing_version_id: Mapped[int] = mapped_column(ForeignKey("filing_versions.id"), index=True)
    consignment_id: Mapped[int | None] = mapped_column(ForeignKey("consignments.id"))
    #: the authority that owns the filing, i.e. the one that checks
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    score: Mapped[float]
    #: what matched what: may name the person, so sealed
    sealed_detail: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending|confirmed|rejected
    #: the action this authority carries out, after CIS-12 conversion
    action: Mapped[str] = mapped_column(String(30))
    converted_from: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime]
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    #: the assessment a confirmed hit added its action to
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))


class CisHitReport(Base):
    """The information a checking authority sends the supplier after a hit (CIS-10)."""

    __tablename__ = "cis_hit_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("cis_hits.id"), index=True)
    from_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    to_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    items: Mapped[list[str]] = mapped_column(JSON)
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class CisNotification(Base):
    """A durable notification to an authority (hit reports, conflicts, inaccuracies,
    review notices, consent requests): queryable until acknowledged and after."""

    __tablename__ = "cis_notifications"
    __table_args__ = (Index("ix_cis_notifications_recipient", "recipient_id", "id"),)
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    kind: Mapped[str] = mapped_column(String(40))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    #: what happened, without personal data (those stay behind the alert's reference)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))


class CisConsent(Base):
    """A request to use an alert's data for another purpose or to pass them on, and the
    supplier's answer (CIS-14, CIS-15, CIS-16)."""

    __tablename__ = "cis_consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    use: Mapped[str] = mapped_column(String(20))  # other_purpose | transmission
    recipient: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10))  # pending | granted | refused
    conditions: Mapped[str | None] = mapped_column(String(1000))
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))


class CisInaccuracy(Base):
    """Evidence that an alert is inaccurate or unlawfully stored, sent to its supplier
    (CIS-19) or raised by the supplier itself (CIS-18), and how it was resolved."""

    __tablename__ = "cis_inaccuracies"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    ground: Mapped[str] = mapped_column(String(20))  # inaccurate | unlawful
    evidence: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(12))  # open | corrected | deleted | rejected
    reported_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(1000))


class CisConflict(Base):
    """A new entry that conflicts with an earlier alert (CIS-20): the earlier supplier is
    notified; until it agrees, only the non-conflicting parts were entered."""

    __tablename__ = "cis_conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    earlier_alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    new_alert_id: Mapped[int | None] = mapped_column(ForeignKey("cis_alerts.id"))
    new_supplier_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    #: the conflicting parts as proposed (field -> value), sealed: may be personal
    sealed_parts: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))  # open | agreed | refused
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class CisCourtDecision(Base):
    """A final court decision on an alert's data (CIS-21), as applied."""

    __tablename__ = "cis_court_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    court_reference: Mapped[str] = mapped_column(String(200))
    ruling: Mapped[str] = mapped_column(String(10))  # amend | delete
    sealed_changes: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(200))


class CisQuery(Base):
    """Every query of the CIS (CIS-47): who, when, why, with what, and how much came
    back. ``sampled`` puts it in the committee's lawfulness review (CIS-49). Records are
    deleted six months after ``at``; they serve that oversight only."""

    __tablename__ = "cis_queries"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    authority: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(30))
    purpose: Mapped[str | None] = mapped_column(String(500))
    sealed_criteria: Mapped[str] = mapped_column(Text)
    results: Mapped[int]
    sampled: Mapped[bool] = mapped_column(index=True)


class CisQueryCheck(Base):
    """The committee's lawfulness check of one sampled query (CIS-49)."""

    __tablename__ = "cis_query_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("cis_queries.id"), unique=True)
    checked_at: Mapped[datetime]
    checked_by: Mapped[str] = mapped_column(String(100))
    lawful: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(1000))


class CisCopy(Base):
    """A copy of another supplier's alert in a national risk management or operational
    analysis system (CIS-40), reviewed yearly and kept at most ten years (CIS-41)."""

    __tablename__ = "cis_copies"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("cis_alerts.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    system: Mapped[str] = mapped_column(String(30))  # risk_management | operational_analysis
    service: Mapped[str] = mapped_column(String(200))
    copied_by: Mapped[str] = mapped_column(String(100))
    copied_at: Mapped[datetime]
    review_due: Mapped[date]
    expires_on: Mapped[date]
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: personal fields the analysis needs, sealed; None once anonymised
    sealed: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]


class CisAccessRequest(Base):
    """A data subject's request for access, rectification or erasure (CIS-42, CIS-43)."""

    __tablename__ = "cis_access_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(15))  # access | rectification | erasure
    #: who asks (names, date of birth, document) and what they ask, sealed
    sealed_subject: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    #: per matching alert: the supplier's position (CIS-42: asked before answering)
    positions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
