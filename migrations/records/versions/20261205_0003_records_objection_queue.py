"""records: objections know their record's agency, and are indexed for the queues

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "records"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("objections", sa.Column("agency", sa.String(16)), schema=S)
    # A record's agency never changes across its versions; the disputed version names it.
    op.execute(f"""
        UPDATE {S}.objections o SET agency = r.agency
          FROM {S}.credit_records r
         WHERE r.record_id = o.record_id AND r.version = o.version""")
    op.alter_column("objections", "agency", nullable=False, schema=S)
    op.create_index("ix_objections_agency_queue", "objections",
                    ["agency", "status", "filed_at", "id"], schema=S)
    op.create_index("ix_objections_queue", "objections", ["status", "filed_at", "id"], schema=S)
    op.create_index("ix_objections_subject", "objections", ["subject_code", "filed_at", "id"],
                    schema=S)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_objections_subject", "objections", schema=S)
    op.drop_index("ix_objections_queue", "objections", schema=S)
    op.drop_index("ix_objections_agency_queue", "objections", schema=S)
    op.drop_column("objections", "agency", schema=S)
