"""Credit repair applications."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.sanctions.db import Base


class RepairApplication(Base):
    __tablename__ = "repair_applications"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True),
                                                  ForeignKey("sanctions.listings.id"))
    statement: Mapped[str] = mapped_column(Text)
    applied_by: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status in ('PENDING','APPROVED','REJECTED')", name="status"),
        Index("ix_repair_applications_listing", "listing_id"),
        Index("uq_repair_applications_one_pending", "listing_id", unique=True,
              postgresql_where=text("status = 'PENDING'")),
    )
