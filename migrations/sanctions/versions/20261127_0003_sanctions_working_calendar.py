"""sanctions: working calendar overrides (public holidays, make-up working days)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "sanctions"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "working_calendar",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("working", sa.Boolean, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_table("working_calendar", schema=S)
