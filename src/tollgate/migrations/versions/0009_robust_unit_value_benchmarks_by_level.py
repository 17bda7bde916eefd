"""robust unit-value benchmarks by level

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:46:46.516950

A benchmark is now per kg or per supplementary unit (``per``), for a code prefix of 6, 4
or 2 digits (``hs6`` becomes ``code``) and one origin or every origin (``origin`` NULL),
with the median and MAD of the logarithm of the unit values. Existing sets were per kg
and per HS6 and origin: they keep their rows, as ``per`` 'kg', without the log
statistics (their items get a ratio but no deviation until a new set is computed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit_value_benchmarks", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_unit_value_benchmarks_authority_id_version_hs6_origin"), type_="unique"
        )
        batch_op.alter_column(
            "hs6", new_column_name="code", existing_type=sa.String(length=6), nullable=False
        )
        batch_op.add_column(
            sa.Column("per", sa.String(length=4), nullable=False, server_default="kg")
        )
        batch_op.add_column(sa.Column("log_median", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("log_mad", sa.Double(), nullable=True))
        batch_op.alter_column("origin", existing_type=sa.String(length=2), nullable=True)
    # a second pass: SQLite's table copy knows the renamed and added columns only now
    with op.batch_alter_table("unit_value_benchmarks", schema=None) as batch_op:
        # the default only carried the existing rows over: new rows always say what they are
        batch_op.alter_column("per", existing_type=sa.String(length=4), server_default=None)
        batch_op.create_unique_constraint(
            batch_op.f("uq_unit_value_benchmarks_authority_id_version_per_code_origin"),
            ["authority_id", "version", "per", "code", "origin"],
        )


def downgrade() -> None:
    # the old shape holds only per-kg benchmarks of one HS6 and one origin
    op.execute(
        "DELETE FROM unit_value_benchmarks WHERE per <> 'kg' OR origin IS NULL OR length(code) <> 6"
    )
    with op.batch_alter_table("unit_value_benchmarks", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_unit_value_benchmarks_authority_id_version_per_code_origin"),
            type_="unique",
        )
        batch_op.drop_column("log_mad")
        batch_op.drop_column("log_median")
        batch_op.drop_column("per")
        batch_op.alter_column("origin", existing_type=sa.String(length=2), nullable=False)
        batch_op.alter_column(
            "code", new_column_name="hs6", existing_type=sa.String(length=6), nullable=False
        )
    with op.batch_alter_table("unit_value_benchmarks", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_unit_value_benchmarks_authority_id_version_hs6_origin"),
            ["authority_id", "version", "hs6", "origin"],
        )
