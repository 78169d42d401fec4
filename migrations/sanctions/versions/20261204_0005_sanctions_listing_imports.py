"""sanctions: listings migrated from an agency's own system (POST /listings/bulk)

`source_listing_id` is the agency's own id of a listing it decided elsewhere, `imported_from`
the agency whose system it came from, `import_digest` a hash of the facts as last submitted (a
resubmission with the same digest changes nothing). One listing per (authority,
source_listing_id). Decided listings keep all three null.

Revision ID: 0005_listing_imports
Revises: 0004_dashboard
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_listing_imports"
down_revision = "0004_dashboard"
branch_labels = None
depends_on = None

S = "sanctions"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("listings", sa.Column("source_listing_id", sa.String(64)), schema=S)
    op.add_column("listings", sa.Column("imported_from", sa.String(16)), schema=S)
    op.add_column("listings", sa.Column("import_digest", sa.String(64)), schema=S)
    op.create_index("uq_listings_source", "listings", ["authority", "source_listing_id"],
                    unique=True, schema=S,
                    postgresql_where=sa.text("source_listing_id is not null"))


def downgrade() -> None:
    op.drop_index("uq_listings_source", table_name="listings", schema=S)
    for column in ("import_digest", "imported_from", "source_listing_id"):
        op.drop_column("listings", column, schema=S)
