"""Who may do what: authorities, users, hashed API tokens and sharing grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tollgate.db import Base


class Authority(Base):
    """A national customs administration, an EU body or a partner authority."""

    __tablename__ = "authorities"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # customs | eu_body | partner
    # the country whose customs offices this authority runs: filings lodged at an office of
    # that country belong to it. None for EU bodies and partner authorities.
    country: Mapped[str | None] = mapped_column(String(2), unique=True)
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token; only its SHA-256 is kept, so a leaked table yields no usable token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SharingGrant(Base):
    """``grantee`` may read the filings owned by ``owner`` (RM-5, RM-19)."""

    __tablename__ = "sharing_grants"
    __table_args__ = (UniqueConstraint("owner_authority_id", "grantee_authority_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    grantee_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    created_at: Mapped[datetime]
