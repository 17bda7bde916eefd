"""Authorities, users, API tokens and the question every request asks: who is this, and
what may they see?"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tollgate.audit.log import record
from tollgate.authorities.roles import AUTHORITY_KINDS, ROLE_PERMISSIONS, ROLES, Permission
from tollgate.authorities.tables import ApiToken, Authority, SharingGrant, User
from tollgate.errors import Conflict, NotAuthenticated, NotAuthorised, NotFound, ValidationFailed
from tollgate.reference.codes import is_country

TOKEN_PREFIX = "tg_"  # noqa: S105 -- a public prefix that makes leaked tokens greppable


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller. ``username`` 'system' is the local CLI operator."""

    username: str
    authority_id: int | None
    authority_code: str | None
    roles: frozenset[str]

    @property
    def permissions(self) -> frozenset[Permission]:
        out: set[Permission] = set()
        for role in self.roles:
            out |= ROLE_PERMISSIONS.get(role, frozenset())
        return frozenset(out)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise NotAuthorised(
                f"user {self.username!r} (roles: {', '.join(sorted(self.roles)) or 'none'}) "
                f"lacks permission {permission.value!r}"
            )


#: The local operator of the CLI: trusted like a database administrator, but audited.
SYSTEM = Actor(username="system", authority_id=None, authority_code=None, roles=ROLES)


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_authority(
    session: Session, *, actor: Actor, code: str, name: str, kind: str, country: str | None
) -> Authority:
    if kind not in AUTHORITY_KINDS:
        raise ValidationFailed(f"authority kind must be one of {sorted(AUTHORITY_KINDS)}")
    if country is not None and not is_country(country):
        raise ValidationFailed(f"{country!r} is not an ISO 3166 country code")
    if session.scalar(select(Authority).where(Authority.code == code)) is not None:
        raise Conflict(f"authority {code!r} exists already")
    authority = Authority(code=code, name=name, kind=kind, country=country, created_at=_now())
    session.add(authority)
    session.flush()
    record(
        session,
        actor=actor,
        action="create_authority",
        object_type="authority",
        object_id=code,
        detail={"name": name, "kind": kind, "country": country},
    )
    return authority


def ensure_authority(
    session: Session, *, actor: Actor, code: str, name: str, kind: str, country: str | None
) -> Authority:
    existing = session.scalar(select(Authority).where(Authority.code == code))
    if existing is not None:
        return existing
    return create_authority(session, actor=actor, code=code, name=name, kind=kind, country=country)


def get_authority(session: Session, code: str) -> Authority:
    authority = session.scalar(select(Authority).where(Authority.code == code))
    if authority is None:
        raise NotFound(f"no authority {code!r}")
    return authority


def acting_for(session: Session, actor: Actor, code: str | None, what: str) -> Authority:
    """The authority a user acts for in ``what`` (e.g. "back-test on the history of"):
    their own, or — for the system operator only — the one named."""
    code = code or actor.authority_code
    if code is None:
        raise ValidationFailed(f"name the authority to {what}")
    if actor.authority_code is not None and code != actor.authority_code:
        raise NotAuthorised(f"user {actor.username!r} cannot {what} {code}")
    return get_authority(session, code)


def list_authorities(session: Session) -> list[Authority]:
    return list(session.scalars(select(Authority).order_by(Authority.code)))


def authority_ids_by_country(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Authority.country, Authority.id).where(Authority.country.is_not(None))
    )
    return {country: aid for country, aid in rows if country is not None}


def create_user(
    session: Session, *, actor: Actor, authority_code: str, username: str, roles: Iterable[str]
) -> User:
    actor.require(Permission.MANAGE_USERS)
    authority = get_authority(session, authority_code)
    if actor.authority_id is not None and actor.authority_id != authority.id:
        raise NotAuthorised("an administrator manages the users of their own authority only")
    role_list = sorted(set(roles))
    unknown = [r for r in role_list if r not in ROLES]
    if unknown:
        raise ValidationFailed(f"unknown roles {unknown}; known roles: {sorted(ROLES)}")
    if not role_list:
        raise ValidationFailed("a user needs at least one role")
    user = User(
        authority_id=authority.id,
        username=username,
        roles=role_list,
        active=True,
        created_at=_now(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"user {username!r} exists already") from exc
    record(
        session,
        actor=actor,
        action="create_user",
        object_type="user",
        object_id=username,
        detail={"authority": authority_code, "roles": role_list},
    )
    return user


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _check_manages(session: Session, actor: Actor, user: User) -> None:
    actor.require(Permission.MANAGE_USERS)
    if actor.authority_id is not None and actor.authority_id != user.authority_id:
        raise NotAuthorised("an administrator manages the users of their own authority only")


def issue_token(
    session: Session,
    *,
    actor: Actor,
    username: str,
    label: str = "api",
    valid_days: int | None = 365,
) -> str:
    """Create a token and return it in clear — the only time it is ever visible."""
    user = _user(session, username)
    _check_manages(session, actor, user)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now() + timedelta(days=valid_days) if valid_days else None
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(secret),
            label=label,
            created_at=_now(),
            expires_at=expires,
            revoked_at=None,
        )
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="issue_token",
        object_type="user",
        object_id=username,
        detail={"label": label, "expires_at": expires.isoformat() if expires else None},
    )
    return secret


def revoke_tokens(session: Session, *, actor: Actor, username: str) -> int:
    user = _user(session, username)
    _check_manages(session, actor, user)
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = _now()
    record(
        session,
        actor=actor,
        action="revoke_tokens",
        object_type="user",
        object_id=username,
        detail={"count": len(tokens)},
    )
    return len(tokens)


def authenticate(session: Session, token: str | None) -> Actor:
    if not token:
        raise NotAuthenticated("missing bearer token (header 'Authorization: Bearer <token>')")
    row = session.execute(
        select(ApiToken, User, Authority)
        .join(User, User.id == ApiToken.user_id)
        .join(Authority, Authority.id == User.authority_id)
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None:
        raise NotAuthenticated("unknown token")
    api_token, user, authority = row
    if api_token.revoked_at is not None:
        raise NotAuthenticated("token revoked")
    if api_token.expires_at is not None:
        expires = api_token.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires < _now():
            raise NotAuthenticated("token expired")
    if not user.active:
        raise NotAuthenticated("user deactivated")
    return Actor(
        username=user.username,
        authority_id=authority.id,
        authority_code=authority.code,
        roles=frozenset(user.roles),
    )


def grant_sharing(session: Session, *, actor: Actor, owner: str, grantee: str) -> None:
    """Let ``grantee`` read the filings ``owner`` holds. Only the owner's administrator may."""
    actor.require(Permission.MANAGE_SHARING)
    owner_auth, grantee_auth = get_authority(session, owner), get_authority(session, grantee)
    if actor.authority_id is not None and actor.authority_id != owner_auth.id:
        raise NotAuthorised("only the owning authority shares its own data")
    exists = session.scalar(
        select(SharingGrant).where(
            SharingGrant.owner_authority_id == owner_auth.id,
            SharingGrant.grantee_authority_id == grantee_auth.id,
        )
    )
    if exists is None:
        session.add(
            SharingGrant(
                owner_authority_id=owner_auth.id,
                grantee_authority_id=grantee_auth.id,
                created_at=_now(),
            )
        )
        session.flush()
    record(
        session,
        actor=actor,
        action="grant_sharing",
        object_type="authority",
        object_id=owner,
        detail={"grantee": grantee},
    )


def visible_authority_ids(session: Session, actor: Actor) -> set[int] | None:
    """The owners whose data ``actor`` may read; None means all (the local system operator)."""
    if actor.authority_id is None:
        return None
    granted = session.scalars(
        select(SharingGrant.owner_authority_id).where(
            SharingGrant.grantee_authority_id == actor.authority_id
        )
    )
    return {actor.authority_id, *granted}
