"""Dependencies every route declares: the session and the authenticated caller.

A route without ``CurrentActor`` stands out in review: it would be public.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from pydantic import AfterValidator
from sqlalchemy.orm import Session, sessionmaker

from tollgate.authorities.service import Actor, authenticate
from tollgate.cis.crypto import Vault, vault_for
from tollgate.risk.history import History


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with _factory(request)() as session, session.begin():
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_actor(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
) -> Actor:
    token = None
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    with _factory(request)() as session:
        return authenticate(session, token)


CurrentActor = Annotated[Actor, Depends(get_actor)]
Purpose = Annotated[
    str | None,
    Header(alias="X-Purpose", description="Why personal data are read; audited."),
]


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


#: A timestamp in a response: always with its offset. SQLite hands stored (UTC) times back
#: without one; PostgreSQL with one. Clients see the same either way.
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def get_history(request: Request) -> History:
    """The process's history store (one DuckDB connection, opened on first use): the
    rows back-tests and indicators read."""
    state = request.app.state
    history: History | None = getattr(state, "history", None)
    if history is None:
        history = state.history = History(state.settings.history_path)
    return history


HistoryDep = Annotated[History, Depends(get_history)]
FactoryDep = Annotated[sessionmaker[Session], Depends(_factory)]


def get_vault(request: Request) -> Vault:
    """The keys that seal CIS and FIDE personal data (CIS-50), read once per process."""
    state = request.app.state
    vault: Vault | None = getattr(state, "vault", None)
    if vault is None:
        vault = state.vault = vault_for(state.settings)
    return vault


VaultDep = Annotated[Vault, Depends(get_vault)]

#: the largest id a route accepts: ids are 32-bit on SQLite's and PostgreSQL's integer
#: columns, and a larger one must be a 422, not a database error
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
AfterId = Annotated[int, Query(ge=0, le=MAX_ID, description="The last id of the previous page.")]
