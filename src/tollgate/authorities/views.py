"""Administration routes: authorities, users, tokens, sharing grants."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tollgate.api.deps import CurrentActor, SessionDep
from tollgate.authorities import service

router = APIRouter(tags=["administration"])


class AuthorityOut(BaseModel):
    code: str
    name: str
    kind: str
    country: str | None


class UserIn(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")
    roles: list[str] = Field(min_length=1)


class UserOut(BaseModel):
    username: str
    authority: str
    roles: list[str]


class TokenIn(BaseModel):
    label: str = Field(default="api", max_length=100)
    valid_days: int | None = Field(default=365, ge=1, le=3650)


class TokenOut(BaseModel):
    token: str = Field(description="Shown once; only its hash is stored.")


class GrantIn(BaseModel):
    grantee: str


@router.get("/authorities", response_model=list[AuthorityOut])
def authorities(actor: CurrentActor, session: SessionDep) -> list[AuthorityOut]:
    return [
        AuthorityOut(code=a.code, name=a.name, kind=a.kind, country=a.country)
        for a in service.list_authorities(session)
    ]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, actor: CurrentActor, session: SessionDep) -> UserOut:
    """Create a user in the administrator's own authority."""
    code = actor.authority_code or ""
    user = service.create_user(
        session, actor=actor, authority_code=code, username=body.username, roles=body.roles
    )
    return UserOut(username=user.username, authority=code, roles=user.roles)


@router.post("/users/{username}/tokens", response_model=TokenOut, status_code=201)
def issue_token(username: str, body: TokenIn, actor: CurrentActor, session: SessionDep) -> TokenOut:
    return TokenOut(
        token=service.issue_token(
            session, actor=actor, username=username, label=body.label, valid_days=body.valid_days
        )
    )


@router.delete("/users/{username}/tokens")
def revoke_tokens(username: str, actor: CurrentActor, session: SessionDep) -> dict[str, int]:
    return {"revoked": service.revoke_tokens(session, actor=actor, username=username)}


@router.post("/sharing", status_code=204)
def grant(body: GrantIn, actor: CurrentActor, session: SessionDep) -> None:
    """Let another authority read this authority's filings."""
    service.grant_sharing(
        session, actor=actor, owner=actor.authority_code or "", grantee=body.grantee
    )
