"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:11:48.223408
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("authority", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)

    op.create_table(
        "authorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorities")),
        sa.UniqueConstraint("code", name=op.f("uq_authorities_code")),
        sa.UniqueConstraint("country", name=op.f("uq_authorities_country")),
    )
    op.create_table(
        "event_cursors",
        sa.Column("consumer", sa.String(length=50), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_event_cursors")),
    )
    op.create_table(
        "load_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("committed_position", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("amended", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_jobs")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_load_jobs_fingerprint")),
    )
    op.create_table(
        "consignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_consignments_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignments")),
        sa.UniqueConstraint(
            "reference", "authority_id", name=op.f("uq_consignments_reference_authority_id")
        ),
    )
    with op.batch_alter_table("consignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consignments_authority_id"), ["authority_id"], unique=False
        )

    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filer", sa.String(length=17), nullable=False),
        sa.Column("lrn", sa.String(length=70), nullable=False),
        sa.Column("filing_type", sa.String(length=10), nullable=False),
        sa.Column("layer", sa.String(length=20), nullable=True),
        sa.Column("office", sa.String(length=8), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("first_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_filings_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
        sa.UniqueConstraint("lrn", "filer", "kind", name=op.f("uq_filings_lrn_filer_kind")),
    )
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filings_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_filings_filer"), ["filer"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_filings_last_received_at"), ["last_received_at"], unique=False
        )

    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("load_job_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=True),
        sa.Column("filer", sa.String(length=17), nullable=True),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_job_id"], ["load_jobs.id"], name=op.f("fk_rejections_load_job_id_load_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejections")),
        sa.UniqueConstraint(
            "load_job_id",
            "position",
            "field",
            "code",
            name=op.f("uq_rejections_load_job_id_position_field_code"),
        ),
    )
    with op.batch_alter_table("rejections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rejections_filer"), ["filer"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rejections_load_job_id"), ["load_job_id"], unique=False
        )

    op.create_table(
        "sharing_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_authority_id", sa.Integer(), nullable=False),
        sa.Column("grantee_authority_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grantee_authority_id"],
            ["authorities.id"],
            name=op.f("fk_sharing_grants_grantee_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_authority_id"],
            ["authorities.id"],
            name=op.f("fk_sharing_grants_owner_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_grants")),
        sa.UniqueConstraint(
            "owner_authority_id",
            "grantee_authority_id",
            name=op.f("uq_sharing_grants_owner_authority_id_grantee_authority_id"),
        ),
    )
    with op.batch_alter_table("sharing_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sharing_grants_grantee_authority_id"),
            ["grantee_authority_id"],
            unique=False,
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_users_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_authority_id"), ["authority_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "consignment_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_members_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_consignment_members_filing_id_filings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_members")),
        sa.UniqueConstraint(
            "consignment_id",
            "filing_id",
            name=op.f("uq_consignment_members_consignment_id_filing_id"),
        ),
    )
    with op.batch_alter_table("consignment_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consignment_members_filing_id"), ["filing_id"], unique=False
        )

    op.create_table(
        "filing_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_filing_labels_filing_id_filings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_labels")),
        sa.UniqueConstraint("filing_id", "name", name=op.f("uq_filing_labels_filing_id_name")),
    )
    with op.batch_alter_table("filing_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filing_labels_filing_id"), ["filing_id"], unique=False)

    op.create_table(
        "filing_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=70), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_filing_links_filing_id_filings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_links")),
        sa.UniqueConstraint(
            "filing_id", "kind", "value", name=op.f("uq_filing_links_filing_id_kind_value")
        ),
    )
    with op.batch_alter_table("filing_links", schema=None) as batch_op:
        batch_op.create_index("ix_filing_links_kind_value", ["kind", "value"], unique=False)

    op.create_table(
        "filing_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quality_score", sa.Integer(), nullable=False),
        sa.Column("load_job_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name=op.f("fk_filing_versions_filing_id_filings")
        ),
        sa.ForeignKeyConstraint(
            ["load_job_id"], ["load_jobs.id"], name=op.f("fk_filing_versions_load_job_id_load_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_versions")),
        sa.UniqueConstraint(
            "filing_id", "content_hash", name=op.f("uq_filing_versions_filing_id_content_hash")
        ),
        sa.UniqueConstraint(
            "filing_id", "version", name=op.f("uq_filing_versions_filing_id_version")
        ),
    )
    with op.batch_alter_table("filing_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_filing_versions_load_job_id"), ["load_job_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_filing_versions_lodged_at"), ["lodged_at"], unique=False
        )

    op.create_table(
        "consignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("filing_version_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_consignment_events_consignment_id_consignments"),
        ),
        sa.ForeignKeyConstraint(
            ["filing_version_id"],
            ["filing_versions.id"],
            name=op.f("fk_consignment_events_filing_version_id_filing_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consignment_events")),
    )
    with op.batch_alter_table("consignment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consignment_events_consignment_id"), ["consignment_id"], unique=False
        )

    op.create_table(
        "quality_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_version_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_version_id"],
            ["filing_versions.id"],
            name=op.f("fk_quality_findings_filing_version_id_filing_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_findings")),
    )
    with op.batch_alter_table("quality_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_findings_filing_version_id"), ["filing_version_id"], unique=False
        )
        batch_op.create_index("ix_quality_findings_rule_code", ["rule", "code"], unique=False)
    op.create_table(
        "intake_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_lock")),
    )
    op.execute("INSERT INTO intake_lock (id, batches) VALUES (1, 0)")
    _audit_append_only()


def downgrade() -> None:
    _drop_audit_append_only()
    op.drop_table("intake_lock")
    with op.batch_alter_table("quality_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_findings_rule_code")
        batch_op.drop_index(batch_op.f("ix_quality_findings_filing_version_id"))

    op.drop_table("quality_findings")
    with op.batch_alter_table("consignment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consignment_events_consignment_id"))

    op.drop_table("consignment_events")
    with op.batch_alter_table("filing_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_versions_lodged_at"))
        batch_op.drop_index(batch_op.f("ix_filing_versions_load_job_id"))

    op.drop_table("filing_versions")
    with op.batch_alter_table("filing_links", schema=None) as batch_op:
        batch_op.drop_index("ix_filing_links_kind_value")

    op.drop_table("filing_links")
    with op.batch_alter_table("filing_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_labels_filing_id"))

    op.drop_table("filing_labels")
    with op.batch_alter_table("consignment_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consignment_members_filing_id"))

    op.drop_table("consignment_members")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_authority_id"))

    op.drop_table("users")
    with op.batch_alter_table("sharing_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_grants_grantee_authority_id"))

    op.drop_table("sharing_grants")
    with op.batch_alter_table("rejections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejections_load_job_id"))
        batch_op.drop_index(batch_op.f("ix_rejections_filer"))

    op.drop_table("rejections")
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filings_last_received_at"))
        batch_op.drop_index(batch_op.f("ix_filings_filer"))
        batch_op.drop_index(batch_op.f("ix_filings_authority_id"))

    op.drop_table("filings")
    with op.batch_alter_table("consignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consignments_authority_id"))

    op.drop_table("consignments")
    op.drop_table("load_jobs")
    op.drop_table("event_cursors")
    op.drop_table("authorities")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")


def _audit_append_only() -> None:
    """The audit log refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) at the database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION tollgate_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION tollgate_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION tollgate_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def _drop_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS tollgate_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
