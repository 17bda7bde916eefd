"""FIDE tables, kept apart from every other table (CIS-26, CIS-30).

Nothing here references a table outside FIDE: the supplier is an authority *code*, not a
key into ``authorities``, so no join reaches from a FIDE record to alerts, declarations or
users. The only foreign key is a record's own index rows pointing at the record itself;
no column points from one record to another. Personal data exist only sealed (CIS-50);
the searchable values exist only as blind indexes, and those are computed per supplier,
so two suppliers' records of one person share no stored value a join could pair.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class FideContravention(Base):
    """One entry of an authority's published list of serious contraventions (CIS-27):
    FIDE entries of that authority cite one by ``code``."""

    __tablename__ = "fide_contraventions"
    __table_args__ = (UniqueConstraint("authority", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    #: the penalty that makes it serious: at least 12 months, or at least EUR 15,000
    max_imprisonment_months: Mapped[int | None]
    max_fine_eur: Mapped[int | None] = mapped_column(_BIGINT)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(100))


class FideRecord(Base):
    """One person or business investigated by one supplying authority (CIS-29, CIS-30).

    ``identity`` is the blind index of what makes two entries "the same subject" for
    this supplier; the unique constraint keeps it to one record each. ``expires_on`` is
    the first day the record may no longer exist (CIS-35), recomputed on every change."""

    __tablename__ = "fide_records"
    __table_args__ = (UniqueConstraint("authority", "identity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(10))
    identity: Mapped[str] = mapped_column(String(32))
    #: the CIS-31 personal fields, one Fernet token
    sealed: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(30))
    field: Mapped[str] = mapped_column(String(200))
    contravention: Mapped[str] = mapped_column(String(40))
    handling_authority: Mapped[str] = mapped_column(String(200))
    authority_nationality: Mapped[str] = mapped_column(String(2))
    contact: Mapped[str] = mapped_column(String(300))
    file_number: Mapped[str] = mapped_column(String(60))
    entered_on: Mapped[date]
    entered_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
    last_investigative_act: Mapped[date]
    expires_on: Mapped[date] = mapped_column(index=True)


class FideKey(Base):
    """One query key of one record (CIS-34), blinded under the supplier's namespace."""

    __tablename__ = "fide_keys"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("fide_records.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    blind: Mapped[str] = mapped_column(String(32), index=True)
