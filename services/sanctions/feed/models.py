"""The change feed of the restriction index, replayable from the start."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from services.sanctions.db import Base


class Xid8(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "xid8"


class RestrictionChange(Base):
    """One UPSERT or DELETE of a restriction-index row, in commit order (see feed/repository.py)."""

    __tablename__ = "restriction_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    xid: Mapped[str] = mapped_column(Xid8, server_default=text("pg_current_xact_id()"))
    purpose: Mapped[str] = mapped_column(String(32))
    subject_code: Mapped[str] = mapped_column(String(18))
    measure_code: Mapped[str] = mapped_column(String(64))
    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    op: Mapped[str] = mapped_column(String(8))
    effective_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    effective_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())

    __table_args__ = (Index("ix_restriction_changes_purpose", "purpose", "id"),)
