"""learned scoring: model versions and real-time scores

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 19:40:00

Issue 6 point 3: ``scoring_models`` keeps each trained model whole (trees, frozen feature
state, training window and validation figures); ``model_scores`` keeps each real-time
score, for drift monitoring (point 6); ``assessments.exploration`` says which controls
the selection made to explore (point 4), so that their results are reported apart.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scoring_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("learner", sa.String(length=40), nullable=False),
        sa.Column("train_start", sa.Date(), nullable=False),
        sa.Column("train_end", sa.Date(), nullable=False),
        sa.Column("valid_start", sa.Date(), nullable=True),
        sa.Column("valid_end", sa.Date(), nullable=True),
        sa.Column("refit", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("labelled", sa.Integer(), nullable=False),
        sa.Column("irregular", sa.Integer(), nullable=False),
        sa.Column("trees", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("importance", sa.JSON(), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("booster", sa.LargeBinary(), nullable=False),
        sa.Column("trained_by", sa.String(length=100), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_scoring_models_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_models")),
        sa.UniqueConstraint(
            "authority_id", "version", name=op.f("uq_scoring_models_authority_id_version")
        ),
    )
    with op.batch_alter_table("scoring_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scoring_models_authority_id"), ["authority_id"])
        batch_op.create_index(batch_op.f("ix_scoring_models_status"), ["status"])
    op.create_table(
        "model_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("filing_version_id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_model_scores_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_model_scores_filing_id_filings")
        ),
        sa.ForeignKeyConstraint(
            ["filing_version_id"],
            ["filing_versions.id"],
            name=op.f("fk_model_scores_filing_version_id_filing_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["scoring_models.id"],
            name=op.f("fk_model_scores_model_id_scoring_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_scores")),
        sa.UniqueConstraint(
            "model_id", "filing_version_id", name=op.f("uq_model_scores_model_id_filing_version_id")
        ),
    )
    with op.batch_alter_table("model_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_model_scores_authority_scored_at", ["authority_id", "scored_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_model_scores_filing_id"), ["filing_id"])
        batch_op.create_index(
            batch_op.f("ix_model_scores_filing_version_id"), ["filing_version_id"]
        )
        batch_op.create_index(batch_op.f("ix_model_scores_model_id"), ["model_id"])

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exploration", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("exploration")
    op.drop_table("model_scores")
    op.drop_table("scoring_models")
