"""credibility rule sets (RM-9)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credibility_rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_credibility_rule_sets_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credibility_rule_sets")),
        sa.UniqueConstraint(
            "authority_id",
            "version",
            name=op.f("uq_credibility_rule_sets_authority_id_version"),
        ),
    )


def downgrade() -> None:
    op.drop_table("credibility_rule_sets")
