"""sanctions: catalogue, listings, objections, repair, restriction index, feed, audit, decision log

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "sanctions"


def _ts(name, nullable=True, **kw):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kw)


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "lists",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("authority", sa.String(16), nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("default_duration_days", sa.Integer),
        sa.Column("max_duration_days", sa.Integer),
        sa.Column("open_ended", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("publicity_working_days", sa.Integer, nullable=False, server_default="0"),
        sa.Column("objection_suspends", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("objection_channel", sa.Text, nullable=False),
        sa.Column("admits_kinds", ARRAY(sa.String(24)), nullable=False),
        sa.Column("extendable", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("max_extension_days", sa.Integer),
        sa.Column("repair_min_days", sa.Integer),
        _ts("updated_at", False, server_default=sa.func.now()),
        sa.CheckConstraint("kind in ('BLACKLIST','REDLIST')", name="ck_lists_kind"),
        sa.CheckConstraint("publicity_working_days >= 0", name="ck_lists_publicity"),
        schema=S,
    )
    op.create_table(
        "measures",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("effect", sa.String(16), nullable=False),
        _ts("updated_at", False, server_default=sa.func.now()),
        sa.CheckConstraint("effect in ('RESTRICTION','INCENTIVE')", name="ck_measures_effect"),
        schema=S,
    )
    op.create_table(
        "memoranda",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("signatories", ARRAY(sa.String(16)), nullable=False),
        _ts("valid_from", False),
        _ts("valid_until"),
        _ts("updated_at", False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "memorandum_measures",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("memorandum_code", sa.String(64), sa.ForeignKey(f"{S}.memoranda.code"),
                  nullable=False),
        sa.Column("list_code", sa.String(64), sa.ForeignKey(f"{S}.lists.code"), nullable=False),
        sa.Column("measure_code", sa.String(64), sa.ForeignKey(f"{S}.measures.code"),
                  nullable=False),
        sa.Column("extends_to_roles", ARRAY(sa.String(32)), nullable=False,
                  server_default="{}"),
        sa.UniqueConstraint("memorandum_code", "list_code", "measure_code",
                            name="uq_memorandum_measures_binding"),
        schema=S,
    )
    op.create_index("ix_memorandum_measures_list", "memorandum_measures", ["list_code"], schema=S)

    op.create_table(
        "listings",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("list_code", sa.String(64), sa.ForeignKey(f"{S}.lists.code"), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("subject_kind", sa.String(24), nullable=False),
        sa.Column("authority", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False),
        _ts("decided_at", False),
        _ts("effective_from", False),
        _ts("publicity_until", False),
        _ts("effective_until"),
        sa.Column("objection_suspends", sa.Boolean, nullable=False),
        sa.Column("objection_channel", sa.Text, nullable=False),
        sa.Column("doc_number", sa.Text, nullable=False),
        sa.Column("doc_kind", sa.Text, nullable=False),
        sa.Column("doc_issued_on", sa.Date, nullable=False),
        sa.Column("doc_authority", sa.Text, nullable=False),
        sa.Column("basis_record_ids", ARRAY(sa.String(64)), nullable=False),
        sa.Column("basis_key", sa.Text, nullable=False),
        sa.Column("withdrawn_record_ids", ARRAY(sa.String(64)), nullable=False,
                  server_default="{}"),
        sa.Column("holds", JSONB, nullable=False, server_default="[]"),
        sa.Column("terminal_status", sa.String(16)),
        _ts("terminal_at"),
        sa.Column("terminal_reason", sa.Text),
        sa.Column("extensions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("effective_until is null or effective_until > effective_from",
                           name="ck_listings_window"),
        sa.CheckConstraint("publicity_until >= effective_from", name="ck_listings_publicity"),
        sa.CheckConstraint("terminal_status is null or terminal_status in "
                           "('LIFTED','REVOKED','REPAIRED')", name="ck_listings_terminal"),
        schema=S,
    )
    op.create_index("ix_listings_subject", "listings", ["subject_code"], schema=S)
    op.create_index("ix_listings_basis", "listings", ["basis_record_ids"], schema=S,
                    postgresql_using="gin")
    op.create_index("uq_listings_open_decision", "listings",
                    ["list_code", "subject_code", "basis_key"], unique=True, schema=S,
                    postgresql_where=sa.text("terminal_status is null"))
    op.create_table(
        "listing_measures",
        sa.Column("listing_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.listings.id"),
                  primary_key=True),
        sa.Column("measure_code", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("effect", sa.String(16), nullable=False),
        sa.Column("memorandum_code", sa.String(64), nullable=False),
        sa.Column("extends_to_roles", ARRAY(sa.String(32)), nullable=False, server_default="{}"),
        schema=S,
    )
    op.create_table(
        "listing_derivations",
        sa.Column("listing_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.listings.id"),
                  primary_key=True),
        sa.Column("person_code", sa.String(18), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("organization_code", sa.String(18), nullable=False),
        schema=S,
    )
    op.create_index("ix_listing_derivations_person", "listing_derivations", ["person_code"],
                    schema=S)
    op.create_table(
        "objections",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("listing_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.listings.id"),
                  nullable=False),
        sa.Column("grounds", sa.Text, nullable=False),
        sa.Column("filed_by", sa.Text, nullable=False),
        _ts("filed_at", False),
        sa.Column("suspends", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="OPEN"),
        sa.Column("resolved_by", sa.Text),
        _ts("resolved_at"),
        sa.Column("reason", sa.Text),
        sa.CheckConstraint("status in ('OPEN','UPHELD','DISMISSED')", name="ck_objections_status"),
        schema=S,
    )
    op.create_index("ix_objections_listing", "objections", ["listing_id"], schema=S)
    op.create_index("uq_objections_one_open", "objections", ["listing_id"], unique=True, schema=S,
                    postgresql_where=sa.text("status = 'OPEN'"))
    op.create_table(
        "repair_applications",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("listing_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.listings.id"),
                  nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("applied_by", sa.Text, nullable=False),
        _ts("applied_at", False),
        sa.Column("status", sa.String(16), nullable=False, server_default="PENDING"),
        sa.Column("decided_by", sa.Text),
        _ts("decided_at"),
        sa.Column("reason", sa.Text),
        sa.CheckConstraint("status in ('PENDING','APPROVED','REJECTED')",
                           name="ck_repair_applications_status"),
        schema=S,
    )
    op.create_index("ix_repair_applications_listing", "repair_applications", ["listing_id"],
                    schema=S)
    op.create_index("uq_repair_applications_one_pending", "repair_applications", ["listing_id"],
                    unique=True, schema=S, postgresql_where=sa.text("status = 'PENDING'"))

    op.create_table(
        "restrictions",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("measure_code", sa.String(64), nullable=False),
        sa.Column("listing_id", UUID(as_uuid=True), nullable=False),
        sa.Column("effect", sa.String(16), nullable=False),
        _ts("effective_from", False),
        _ts("effective_until"),
        sa.Column("via_organization", sa.String(18)),
        sa.Column("via_role", sa.String(32)),
        sa.UniqueConstraint("subject_code", "purpose", "measure_code", "listing_id",
                            name="uq_restrictions_key"),
        schema=S,
    )
    op.create_index("ix_restrictions_listing", "restrictions", ["listing_id"], schema=S)
    op.create_table(
        "restriction_changes",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("measure_code", sa.String(64), nullable=False),
        sa.Column("listing_id", UUID(as_uuid=True), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        _ts("effective_from"),
        _ts("effective_until"),
        _ts("recorded_at", False, server_default=sa.func.now()),
        sa.CheckConstraint("op in ('UPSERT','DELETE')", name="ck_restriction_changes_op"),
        schema=S,
    )
    # The writing transaction's id: the feed serves a row only once every older transaction ended.
    op.execute(f"ALTER TABLE {S}.restriction_changes "
               "ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.create_index("ix_restriction_changes_purpose", "restriction_changes", ["purpose", "id"],
                    schema=S)
    op.create_table(
        "check_audit",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        _ts("checked_at", False),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("subject_code", sa.String(64)),
        sa.Column("outcome", sa.String(16), nullable=False),
        _ts("at"),
        sa.Column("request_id", sa.String(128)),
        sa.Column("detail", sa.Text),
        schema=S,
    )
    op.create_index("ix_check_audit_subject", "check_audit", ["subject_code", "checked_at"],
                    schema=S)
    op.create_table(
        "decision_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("listing_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        _ts("occurred_at", False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("hash", name="uq_decision_log_hash"),
        schema=S,
    )
    op.create_index("ix_decision_log_listing", "decision_log", ["listing_id", "id"], schema=S)
    op.create_table(
        "consumer_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("cursor", sa.Text),
        _ts("updated_at", False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64)),
        sa.Column("effect", sa.Text, nullable=False),
        _ts("processed_at", False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("processed_events", "consumer_cursors", "decision_log", "check_audit",
                  "restriction_changes", "restrictions", "repair_applications", "objections",
                  "listing_derivations", "listing_measures", "listings", "memorandum_measures",
                  "memoranda", "measures", "lists"):
        op.drop_table(table, schema=S)
