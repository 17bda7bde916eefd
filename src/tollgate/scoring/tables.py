"""Stored models and the scores they gave.

A model version is kept whole — its trees, the feature state frozen at the end of its
training window, the window itself and the figures measured on the period after it — so
that any score can be explained and reproduced years later with exactly what produced
it. Versions are never edited; only their status moves (candidate → active → retired),
each move audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class ScoringModel(Base):
    __tablename__ = "scoring_models"
    __table_args__ = (UniqueConstraint("authority_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    version: Mapped[int]
    #: candidate | active | retired
    status: Mapped[str] = mapped_column(String(10), index=True)
    learner: Mapped[str] = mapped_column(String(40))
    train_start: Mapped[date]
    train_end: Mapped[date]
    valid_start: Mapped[date | None]
    valid_end: Mapped[date | None]
    #: trained again on training and validation rows together, with the trees found
    refit: Mapped[bool]
    rows: Mapped[int]
    labelled: Mapped[int]
    irregular: Mapped[int]
    trees: Mapped[int]
    features: Mapped[list[str]] = mapped_column(JSON)
    #: ``metrics.Evaluation.as_dict`` on the validation period, when there was one
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    importance: Mapped[list[list[Any]]] = mapped_column(JSON)
    #: score deciles of the validation (else training) declarations: the drift reference
    reference: Mapped[list[float]] = mapped_column(JSON)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    booster: Mapped[bytes] = mapped_column(LargeBinary)
    trained_by: Mapped[str] = mapped_column(String(100))
    trained_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]

    @property
    def entity_histories(self) -> bool:
        """Whether the version reads the entity histories (validation may leave them out)."""
        return any(name.startswith("rate:") for name in self.features)


class ModelScore(Base):
    """One real-time score of one filing version by one model: what drift is measured on
    (how the selection used it is the assessment's ``exploration``)."""

    __tablename__ = "model_scores"
    __table_args__ = (
        UniqueConstraint("model_id", "filing_version_id"),
        Index("ix_model_scores_authority_scored_at", "authority_id", "scored_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("scoring_models.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    filing_version_id: Mapped[int] = mapped_column(ForeignKey("filing_versions.id"), index=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    scored_at: Mapped[datetime]
