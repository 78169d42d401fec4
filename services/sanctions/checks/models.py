"""The restriction index (one row per subject, purpose, measure and listing) and the check audit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.sanctions.db import Base


class Restriction(Base):
    """A measure reaching a subject through a listing during [effective_from, effective_until)."""

    __tablename__ = "restrictions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    subject_code: Mapped[str] = mapped_column(String(18))
    purpose: Mapped[str] = mapped_column(String(32))
    measure_code: Mapped[str] = mapped_column(String(64))
    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    effect: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    via_organization: Mapped[str | None] = mapped_column(String(18))
    via_role: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        # `check` and `screen` read this index: (subject, purpose) then the window.
        UniqueConstraint("subject_code", "purpose", "measure_code", "listing_id",
                         name="uq_restrictions_key"),
        Index("ix_restrictions_listing", "listing_id"),
    )


class CheckAuditEntry(Base):
    """Who checked whom, for what, and what they were told. Written in batches (see audit.py)."""

    __tablename__ = "check_audit"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consumer: Mapped[str] = mapped_column(Text)
    # CHECK | SCREEN | FEED | SUBJECT_LISTINGS | LISTING (listings/disclosure.py)
    operation: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    subject_code: Mapped[str | None] = mapped_column(String(64))
    # CLEAR | RESTRICTED | INVALID | PAGE | LISTED | NOT_LISTED
    outcome: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_check_audit_subject", "subject_code", "checked_at"),)
