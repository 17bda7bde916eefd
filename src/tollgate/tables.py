"""Every table of every domain, imported in one place so migrations see the whole schema."""

from tollgate.audit.tables import AuditEntry
from tollgate.authorities.tables import ApiToken, Authority, SharingGrant, User
from tollgate.cis.tables import (
    CisAccessRequest,
    CisAlert,
    CisAlertKey,
    CisConflict,
    CisConsent,
    CisCopy,
    CisCourtDecision,
    CisDesignation,
    CisHit,
    CisHitReport,
    CisInaccuracy,
    CisNotification,
    CisQuery,
    CisQueryCheck,
)
from tollgate.consignments.tables import (
    Consignment,
    ConsignmentEvent,
    ConsignmentMember,
    EventCursor,
)
from tollgate.controls.tables import ControlResult, ControlTask, Seizure
from tollgate.db import Base
from tollgate.declarations.tables import FilingLabel, FilingLink, FilingRecord, FilingVersion
from tollgate.fide.tables import FideContravention, FideKey, FideRecord
from tollgate.intake.tables import IntakeLock, LoadJob, Rejection
from tollgate.quality.tables import QualityFinding
from tollgate.risk.tables import (
    Assessment,
    AssessmentHit,
    CredibilityRuleSet,
    ManagedListVersion,
    RiskProfileVersion,
    UnitValueBenchmark,
)
from tollgate.scoring.tables import ModelScore, ScoringModel
from tollgate.traders.tables import RegisteredTrader

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "Assessment",
    "AssessmentHit",
    "AuditEntry",
    "Authority",
    "CisAccessRequest",
    "CisAlert",
    "CisAlertKey",
    "CisConflict",
    "CisConsent",
    "CisCopy",
    "CisCourtDecision",
    "CisDesignation",
    "CisHit",
    "CisHitReport",
    "CisInaccuracy",
    "CisNotification",
    "CisQuery",
    "CisQueryCheck",
    "Consignment",
    "ConsignmentEvent",
    "ConsignmentMember",
    "ControlResult",
    "ControlTask",
    "CredibilityRuleSet",
    "EventCursor",
    "FideContravention",
    "FideKey",
    "FideRecord",
    "FilingLabel",
    "FilingLink",
    "FilingRecord",
    "FilingVersion",
    "IntakeLock",
    "LoadJob",
    "ManagedListVersion",
    "ModelScore",
    "QualityFinding",
    "RegisteredTrader",
    "Rejection",
    "RiskProfileVersion",
    "ScoringModel",
    "Seizure",
    "SharingGrant",
    "UnitValueBenchmark",
    "User",
    "metadata",
]
