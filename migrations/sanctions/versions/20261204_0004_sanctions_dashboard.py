"""sanctions: summaries the dashboards read (listing facets, tally, status schedule; check volume)

Backfilled from what is already there: the listing summary by the same statements the service
uses to rebuild it (services/sanctions/listings/summary), the check volume from the audit.
If those statements ever need columns a later migration adds, freeze a copy of them here.

Revision ID: 0004_dashboard
Revises: 0003
Create Date: 2026-12-04
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004_dashboard"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "sanctions"


def _ts(name, nullable=True, **kw):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kw)


def upgrade() -> None:
    from services.sanctions.checks.volume import REBUILD as VOLUME_REBUILD
    from services.sanctions.listings.summary.repository import rebuild_statements

    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "listing_facets",
        sa.Column("listing_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.listings.id"),
                  primary_key=True),
        sa.Column("list_code", sa.String(64), nullable=False),
        sa.Column("authority", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(24), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("province", sa.String(2), nullable=False),
        _ts("decided_at", nullable=False),
        sa.Column("decided_month", sa.Date, nullable=False),
        _ts("publicity_until", nullable=False),
        _ts("effective_until"),
        sa.Column("ended", sa.Boolean, nullable=False),
        sa.Column("counted_status", sa.String(16), nullable=False),
        schema=S,
    )
    for name, cols in (("decided", ["decided_at", "listing_id"]),
                       ("authority", ["authority", "decided_at", "listing_id"]),
                       ("list", ["list_code", "decided_at", "listing_id"]),
                       ("province", ["province", "decided_at", "listing_id"])):
        op.create_index(f"ix_listing_facets_{name}", "listing_facets", cols, schema=S)
    op.create_index("ix_listing_facets_publicity_until", "listing_facets", ["publicity_until"],
                    schema=S, postgresql_where=sa.text("NOT ended"))
    op.create_index("ix_listing_facets_effective_until", "listing_facets", ["effective_until"],
                    schema=S)
    op.create_table(
        "listing_tally",
        sa.Column("list_code", sa.String(64), primary_key=True),
        sa.Column("authority", sa.String(16), primary_key=True),
        sa.Column("province", sa.String(2), primary_key=True),
        sa.Column("subject_kind", sa.String(24), primary_key=True),
        sa.Column("decided_month", sa.Date, primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
        schema=S,
    )
    op.create_table(
        "listing_status_schedule",
        sa.Column("listing_id", UUID(as_uuid=True), sa.ForeignKey(f"{S}.listings.id"),
                  primary_key=True),
        _ts("at", primary_key=True),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        schema=S,
    )
    op.create_index("ix_listing_status_schedule_at", "listing_status_schedule", ["at"], schema=S)
    op.create_table(
        "check_volume",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("purpose", sa.String(32), primary_key=True),
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("checks", sa.BigInteger, nullable=False),
        sa.Column("restricted", sa.BigInteger, nullable=False),
        sa.Column("invalid", sa.BigInteger, nullable=False),
        schema=S,
    )
    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    for sql in [*rebuild_statements(), *VOLUME_REBUILD]:
        bind.execute(sa.text(sql), {"now": now} if ":now" in sql else {})


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("check_volume", "listing_status_schedule", "listing_tally", "listing_facets"):
        op.drop_table(table, schema=S)
