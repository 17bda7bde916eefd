"""Issue 2 §5: the audit log is append-only (the database refuses changes) and
tamper-evident (``verify`` finds an altered or removed entry)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from factories import house
from tollgate.audit import log
from tollgate.authorities.service import SYSTEM
from tollgate.intake.service import submit


def _fill(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        submit(session, actor=SYSTEM, records=[house(lrn="A"), house(lrn="B")])
        log.record(
            session,
            actor=SYSTEM,
            action="read_personal_data",
            object_type="filing",
            object_id="1/1",
            purpose="case 7",
            detail={"n": 1},
        )


def test_every_write_is_audited_and_chain_verifies(factory: sessionmaker[Session]) -> None:
    _fill(factory)
    with factory() as session:
        actions = [e.action for e in log.entries(session, limit=1000)]
        assert "submit_filings" in actions and "create_authority" in actions
        report = log.verify(session)
        assert report.intact and report.entries == len(actions)


def test_database_refuses_update_and_delete(factory: sessionmaker[Session]) -> None:
    _fill(factory)
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            factory() as session,
            session.begin(),
        ):
            session.execute(sa.text(statement))


def test_verify_finds_altered_and_removed_entries(factory: sessionmaker[Session]) -> None:
    _fill(factory)
    engine = factory.kw["bind"]
    drop = (
        "DROP TRIGGER audit_log_append_only ON audit_log"
        if engine.dialect.name == "postgresql"
        else "DROP TRIGGER audit_log_no_update"
    )
    with engine.begin() as conn:  # an intruder with DDL rights goes round the trigger
        conn.execute(sa.text(drop))
        conn.execute(
            sa.text(
                "UPDATE audit_log SET purpose = 'nothing to see' "
                "WHERE action = 'read_personal_data'"
            )
        )
    with factory() as session:
        report = log.verify(session)
        assert not report.intact and report.reason == "its content was altered"
        target = session.scalar(
            sa.text("SELECT seq FROM audit_log WHERE action = 'read_personal_data'")
        )
        assert report.broken_at == target
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_delete"))
            conn.execute(
                sa.text(
                    "UPDATE audit_log SET purpose = 'case 7' WHERE action = 'read_personal_data'"
                )
            )
            conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
        with factory() as session:
            report = log.verify(session)
            assert report.reason == "an entry before it is missing" and report.broken_at == 4
