"""records: sources, credit records (versioned, hash-chained), objections, outbox, scorecard

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

S = "records"

SOURCES = [
    ("SPC", "最高人民法院 Supreme People's Court"),
    ("STA", "国家税务总局 State Taxation Administration"),
    ("SAMR", "国家市场监督管理总局 State Administration for Market Regulation"),
    ("MEM", "应急管理部 Ministry of Emergency Management"),
    ("CAAC", "中国民用航空局 Civil Aviation Administration of China"),
    ("NRA", "国家铁路局 National Railway Administration"),
    ("GACC", "海关总署 General Administration of Customs"),
    ("MOT", "交通运输部 Ministry of Transport"),
    ("NDRC", "国家发展和改革委员会 National Development and Reform Commission"),
    ("PBOC", "中国人民银行 People's Bank of China"),
]

# category, points, amount_threshold, points_over_threshold, cap, rationale
RULES = [
    ("ADMINISTRATIVE_PENALTY", -5, 100000, -5, 30, "administrative penalty; larger fines weigh more"),
    ("JUDGMENT", -10, None, 0, 40, "judgment against the organisation"),
    ("UNFULFILLED_OBLIGATION", -15, None, 0, 45, "obligation under an effective judgment left unfulfilled"),
    ("TAX_ARREARS", -10, 100000, -10, 40, "tax arrears; over RMB 100,000 is a major tax violation"),
    ("FINANCIAL_DEFAULT", -8, 1000000, -7, 40, "default on a financial obligation"),
    ("ABNORMAL_OPERATION", -10, None, 0, 20, "listed for abnormal operations"),
    ("SAFETY_VIOLATION", -10, None, 0, 40, "food or work safety violation"),
    ("CUSTOMS_VIOLATION", -8, None, 0, 32, "customs violation"),
    ("TRAVEL_MISCONDUCT", -3, None, 0, 9, "misconduct on a flight or train"),
    ("COMMENDATION", 3, None, 0, 10, "commendation by an authority"),
]
BANDS = [("A", 90), ("B", 75), ("C", 60), ("D", 0)]


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    sources = op.create_table(
        "sources",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("head_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("head_hash", sa.LargeBinary, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("code ~ '^[A-Z][A-Z0-9_]{1,15}$'", name="ck_sources_code"),
        schema=S,
    )
    op.execute(f"CREATE SEQUENCE {S}.record_id_seq")
    op.create_table(
        "credit_records",
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        # No foreign key to sources: ingestion locks the source row anyway, and a per-row
        # FK trigger would halve COPY throughput.
        sa.Column("agency", sa.String(16), nullable=False),
        sa.Column("source_record_id", sa.String(64), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("subject_kind", sa.String(24), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("doc_number", sa.String(100), nullable=False),
        sa.Column("doc_kind", sa.String(100), nullable=False),
        sa.Column("doc_issued_on", sa.Date, nullable=False),
        sa.Column("doc_authority", sa.String(200), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("conduct_ended_on", sa.Date),
        sa.Column("amount", sa.Numeric(18, 2)),
        sa.Column("disclosure", sa.String(16), nullable=False),
        sa.Column("retention_until", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True)),
        sa.Column("content_hash", sa.LargeBinary, nullable=False),
        sa.Column("chain_seq", sa.BigInteger, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("record_id", "version", name="pk_credit_records"),
        sa.UniqueConstraint("agency", "chain_seq", name="uq_credit_records_agency_chain_seq"),
        sa.CheckConstraint("version >= 1", name="ck_credit_records_version_positive"),
        sa.CheckConstraint("disclosure in ('PUBLIC','SHARED','RESTRICTED')",
                           name="ck_credit_records_disclosure"),
        sa.CheckConstraint("status in ('ACTIVE','DISPUTED','WITHDRAWN','SUPERSEDED')",
                           name="ck_credit_records_status"),
        sa.CheckConstraint("amount is null or amount >= 0",
                           name="ck_credit_records_amount_non_negative"),
        schema=S,
    )
    # One current version per source record; also the index the idempotency check probes.
    # (agency, source_record_id, version) stays unique through the primary key, since a
    # record_id belongs to one (agency, source_record_id).
    op.create_index("uq_credit_records_current", "credit_records", ["agency", "source_record_id"],
                    unique=True, postgresql_where=sa.text("is_current"), schema=S)
    op.create_index("ix_credit_records_subject", "credit_records",
                    ["subject_code", "occurred_on", "record_id"], schema=S)
    op.create_table(
        "objections",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("grounds", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_by", sa.String(200)),
        sa.Column("resolution", sa.Text),
        sa.CheckConstraint("status in ('OPEN','CORRECTED','UPHELD','WITHDRAWN')",
                           name="ck_objections_status"),
        schema=S,
    )
    op.create_index("uq_objections_open_record", "objections", ["record_id"], unique=True,
                    postgresql_where=sa.text("status = 'OPEN'"), schema=S)
    op.create_index("ix_objections_record_id", "objections", ["record_id"], schema=S)
    # txid: the writing transaction; readers page by (txid, id) below the oldest running one.
    op.execute(f"""
        CREATE TABLE {S}.outbox_events (
            id bigserial CONSTRAINT pk_outbox_events PRIMARY KEY,
            txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            type varchar(32) NOT NULL,
            record_id bigint,
            subject_code varchar(18),
            occurred_at timestamptz NOT NULL DEFAULT now(),
            payload jsonb NOT NULL
        )""")
    op.create_index("ix_outbox_events_txid_id", "outbox_events", ["txid", "id"], schema=S)
    rules = op.create_table(
        "scorecard_rules",
        sa.Column("category", sa.String(32), primary_key=True),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("amount_threshold", sa.Numeric(18, 2)),
        sa.Column("points_over_threshold", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cap", sa.Integer, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        schema=S,
    )
    bands = op.create_table(
        "grade_bands",
        sa.Column("grade", sa.String(1), primary_key=True),
        sa.Column("min_score", sa.Integer, nullable=False),
        schema=S,
    )
    op.bulk_insert(sources, [{"code": c, "name": n, "head_seq": 0, "head_hash": b"\x00" * 32}
                             for c, n in SOURCES])
    op.bulk_insert(rules, [{"category": c, "points": p, "amount_threshold": t,
                            "points_over_threshold": o, "cap": cap, "rationale": r}
                           for c, p, t, o, cap, r in RULES])
    op.bulk_insert(bands, [{"grade": g, "min_score": m} for g, m in BANDS])


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in ("grade_bands", "scorecard_rules", "outbox_events", "objections",
                  "credit_records", "sources"):
        op.drop_table(table, schema=S)
    op.execute(f"DROP SEQUENCE IF EXISTS {S}.record_id_seq")
