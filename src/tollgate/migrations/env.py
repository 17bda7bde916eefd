"""Alembic environment: runs on the connection ``tollgate.db.upgrade`` hands over, or on
``TOLLGATE_DATABASE_URL`` when invoked by the ``alembic`` command."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from tollgate.config import get_settings
from tollgate.db import make_engine
from tollgate.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    with make_engine(get_settings().database_url).begin() as conn:
        _run(conn)
