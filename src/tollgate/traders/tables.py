"""The trader register, one row per trader and authority."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class RegisteredTrader(Base):
    """What an authority knows of a trader beyond its filings. Kept current in place (the
    audit trail holds every change): an assessment copies the facts it used into its
    reasons, so it stays explainable after the register moves on."""

    __tablename__ = "traders"
    __table_args__ = (UniqueConstraint("authority_id", "eori"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    eori: Mapped[str] = mapped_column(String(17))
    #: AEOC, AEOS or AEOF; None when the trader holds no authorisation
    aeo: Mapped[str | None] = mapped_column(String(4))
    aeo_valid_until: Mapped[date | None]
    #: the third country whose programme authorised it, under a mutual recognition agreement
    aeo_recognised_from: Mapped[str | None] = mapped_column(String(2))
    segment: Mapped[str | None] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
