"""identity: subjects, name grams, roles, code issuance

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "identity"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "subjects",
        sa.Column("code", sa.String(18), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("organization_code", sa.String(9)),
        sa.Column("registration_number", sa.String(15)),
        sa.Column("registered_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.CheckConstraint(
            "kind in ('NATURAL_PERSON','ENTERPRISE','GOVERNMENT_BODY',"
            "'SOCIAL_ORGANIZATION','INSTITUTION')", name="ck_subjects_kind"),
        sa.CheckConstraint("char_length(name) between 1 and 200", name="ck_subjects_name_length"),
        sa.UniqueConstraint("registration_number", name="uq_subjects_registration_number"),
        schema=S,
    )
    op.create_index("ix_subjects_organization_code", "subjects", ["organization_code"], schema=S)
    op.create_index("ix_subjects_name_prefix", "subjects", ["name"], schema=S,
                    postgresql_ops={"name": "text_pattern_ops"})
    op.create_table(
        "subject_name_grams",
        sa.Column("gram", sa.String(2), primary_key=True),
        sa.Column("code", sa.String(18), primary_key=True),
        schema=S,
    )
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("organization_code", sa.String(18),
                  sa.ForeignKey(f"{S}.subjects.code", name="fk_role_assignments_organization_code_subjects"),
                  nullable=False),
        sa.Column("person_code", sa.String(18),
                  sa.ForeignKey(f"{S}.subjects.code", name="fk_role_assignments_person_code_subjects"),
                  nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.CheckConstraint("valid_until is null or valid_until > valid_from",
                           name="ck_role_assignments_window"),
        sa.CheckConstraint(
            "role in ('LEGAL_REPRESENTATIVE','PRINCIPAL_RESPONSIBLE_PERSON',"
            "'DIRECTLY_RESPONSIBLE_PERSON','DIRECTOR','SHAREHOLDER')",
            name="ck_role_assignments_role"),
        schema=S,
    )
    op.create_index("ix_role_assignments_person", "role_assignments",
                    ["person_code", "valid_from"], schema=S)
    op.create_index("ix_role_assignments_organization", "role_assignments",
                    ["organization_code", "valid_from"], schema=S)
    op.create_table(
        "issuance_counters",
        sa.Column("registration_authority", sa.String(1), primary_key=True),
        sa.Column("category", sa.String(1), primary_key=True),
        sa.Column("region_code", sa.String(6), primary_key=True),
        sa.Column("last_value", sa.BigInteger, nullable=False, server_default="0"),
        schema=S,
    )
    op.create_table(
        "issued_codes",
        sa.Column("code", sa.String(18), primary_key=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("issued_codes", "issuance_counters", "role_assignments", "subject_name_grams",
                  "subjects"):
        op.drop_table(table, schema=S)
