"""filing documents as json, not jsonb, on PostgreSQL

A filing version's document is written once and always read whole (the DQ-6 pass, the
consignment view, the risk engine); every query that selects filings does so on extracted
columns. jsonb's binary form costs twice the server CPU on insert and a re-serialisation
on every read, for operators nothing uses. ``json`` still validates the text.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE filing_versions ALTER COLUMN document TYPE json USING document::json"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE filing_versions ALTER COLUMN document TYPE jsonb USING document::jsonb"
        )
