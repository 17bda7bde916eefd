"""Shared fixtures: a real, freshly migrated database per test on SQLite *and* PostgreSQL.

PostgreSQL tests each get their own schema in the ``test`` database (127.0.0.1:5432,
trust auth; override with ``TOLLGATE_TEST_POSTGRES_URL``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tollgate.api.app import create_app
from tollgate.authorities import service as authorities
from tollgate.authorities.seed import seed_authorities
from tollgate.authorities.service import SYSTEM
from tollgate.config import Settings, get_settings
from tollgate.db import make_engine, session_factory, upgrade

POSTGRES_URL = os.environ.get(
    "TOLLGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_engine() -> Iterator[Engine]:
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    # the schema rides in the URL, so a subprocess given the URL sees the same tables
    engine = sa.create_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", pool_size=5)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        e = make_engine(f"sqlite:///{tmp_path / 'tollgate.db'}")
        upgrade(e)
        yield e
        e.dispose()
    else:
        for e in _postgres_engine():
            upgrade(e)
            yield e


@pytest.fixture
def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    f = session_factory(engine)
    with f() as session, session.begin():
        seed_authorities(session)
    return f


@dataclass
class World:
    """Authorities NL and DE with users of every useful role, and their tokens."""

    factory: sessionmaker[Session]
    tokens: dict[str, str]

    def headers(self, user: str, purpose: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.tokens[user]}"}
        if purpose:
            h["X-Purpose"] = purpose
        return h


USERS = {
    "nl-intake": ("NL", ["intake"]),
    "nl-analyst": ("NL", ["analyst"]),
    "nl-coordinator": ("NL", ["coordinator"]),
    "nl-admin": ("NL", ["administrator"]),
    "nl-supervisor": ("NL", ["supervisor"]),
    "nl-officer": ("NL", ["officer"]),
    "de-intake": ("DE", ["intake"]),
    "de-analyst": ("DE", ["analyst"]),
    "de-admin": ("DE", ["administrator"]),
    "de-officer": ("DE", ["officer"]),
}


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    tokens = {}
    with factory() as session, session.begin():
        for username, (authority, roles) in USERS.items():
            authorities.create_user(
                session, actor=SYSTEM, authority_code=authority, username=username, roles=roles
            )
            tokens[username] = authorities.issue_token(session, actor=SYSTEM, username=username)
    return World(factory, tokens)


@pytest.fixture
def client(engine: Engine, world: World, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://",
        max_request_bytes=200_000,
        max_batch_records=50,
        history_path=tmp_path / "history.duckdb",
        cis_key_file=tmp_path / "cis.keys",
    )
    app = create_app(settings=settings, engine=engine)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def cli_db(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI pointed at the test database (and a history store of its own)."""
    monkeypatch.setenv("TOLLGATE_DATABASE_URL", database_url)
    monkeypatch.setenv("TOLLGATE_HISTORY_PATH", str(tmp_path / "history.duckdb"))
    monkeypatch.setenv("TOLLGATE_CIS_KEY_FILE", str(tmp_path / "cis.keys"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
