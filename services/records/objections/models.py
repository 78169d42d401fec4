"""Objections to credit records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from services.records.db import Base


class Objection(Base):
    """A dispute of one record version, open until CORRECTED, UPHELD or WITHDRAWN."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    subject_code: Mapped[str] = mapped_column(String(18))
    agency: Mapped[str] = mapped_column(String(16))  # the record's source: whose queue it is in
    filed_by: Mapped[str] = mapped_column(String(200))
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status in ('OPEN','CORRECTED','UPHELD','WITHDRAWN')", name="status"),
        # One open objection per record: a second one waits for the first to be resolved.
        Index("uq_objections_open_record", "record_id", unique=True,
              postgresql_where=text("status = 'OPEN'")),
        # The queues, earliest deadline (= earliest filing) first: an agency's, everyone's, and a
        # subject's own.
        Index("ix_objections_agency_queue", "agency", "status", "filed_at", "id"),
        Index("ix_objections_queue", "status", "filed_at", "id"),
        Index("ix_objections_subject", "subject_code", "filed_at", "id"),
    )
