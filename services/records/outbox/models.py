"""The transactional outbox: events written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from services.records.db import Base


class Xid8(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "xid8"


class OutboxEvent(Base):
    """One event; readers page by (txid, id) and only below the oldest running transaction."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    # The writing transaction's id: ids are allotted before commit, so ordering by id alone
    # would let a reader skip an event whose transaction commits after a later one's.
    txid: Mapped[str] = mapped_column(Xid8, server_default=text("pg_current_xact_id()"))
    type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(BigInteger)
    subject_code: Mapped[str | None] = mapped_column(String(18))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=text("now()"))
    payload: Mapped[dict] = mapped_column(JSONB)

    __table_args__ = (Index("ix_outbox_events_txid_id", "txid", "id"),)
