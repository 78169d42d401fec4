"""records: known_subjects, a durable cache of subject kinds learned from identity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "records"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "known_subjects",
        sa.Column("code", sa.String(18), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_table("known_subjects", schema=S)
