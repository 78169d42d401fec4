"""Sources (agencies) and credit records, one row per version."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.records.db import SCHEMA, Base

GENESIS_HASH = b"\x00" * 32

RECORD_ID_SEQ = Sequence("record_id_seq", schema=SCHEMA)


class Source(Base):
    """An agency that submits records; holds the head of its hash chain."""

    __tablename__ = "sources"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    head_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")
    head_hash: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                    server_default=func.now())


class CreditRecord(Base):
    """A version of a fact about a subject from a source agency, backed by a legal document.

    `record_id` is stable across versions; a correction adds a version and supersedes the old one.
    Content fields and chain fields are immutable; `status`, `is_current` and `archived_at` are
    lifecycle state outside the hash chain.
    """

    __tablename__ = "credit_records"

    record_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(16))
    source_record_id: Mapped[str] = mapped_column(String(64))
    subject_code: Mapped[str] = mapped_column(String(18))
    subject_kind: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str] = mapped_column(String(100))
    doc_kind: Mapped[str] = mapped_column(String(100))
    doc_issued_on: Mapped[date] = mapped_column(Date)
    doc_authority: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[date] = mapped_column(Date)
    conduct_ended_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    disclosure: Mapped[str] = mapped_column(String(16))
    retention_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[bytes] = mapped_column(LargeBinary)
    chain_seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        Index("uq_credit_records_current", "agency", "source_record_id", unique=True,
              postgresql_where=text("is_current")),
        UniqueConstraint("agency", "chain_seq"),
        Index("ix_credit_records_subject", "subject_code", "occurred_on", "record_id"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("disclosure in ('PUBLIC','SHARED','RESTRICTED')", name="disclosure"),
        CheckConstraint("status in ('ACTIVE','DISPUTED','WITHDRAWN','SUPERSEDED')", name="status"),
        CheckConstraint("amount is null or amount >= 0", name="amount_non_negative"),
    )

    @property
    def public_id(self) -> str:
        return str(self.record_id)


class KnownSubject(Base):
    """A subject identity confirmed, with its kind: identity never deletes subjects nor changes
    a code's kind, so what was learned once stays true and identity is asked once per code."""

    __tablename__ = "known_subjects"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    learned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
