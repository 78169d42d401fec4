"""Tables of the listing summary (see the package docstring)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.sanctions.db import Base


class ListingFacet(Base):
    """What a listing is grouped and filtered by, its window ends, and its counted status."""

    __tablename__ = "listing_facets"

    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True),
                                                  ForeignKey("sanctions.listings.id"),
                                                  primary_key=True)
    list_code: Mapped[str] = mapped_column(String(64))
    authority: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(24))
    # GB/T 2260 code in the subject's code: characters 3-8 of a USCC, 1-6 of an identity number.
    region_code: Mapped[str] = mapped_column(String(6))
    province: Mapped[str] = mapped_column(String(2))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_month: Mapped[date] = mapped_column(Date)  # first day, Asia/Shanghai
    publicity_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended: Mapped[bool] = mapped_column(Boolean)  # ended by a decision (lifted, revoked, repaired)
    counted_status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        # `listings(filter)`: newest decision first, overall and per authority, list, province.
        Index("ix_listing_facets_decided", "decided_at", "listing_id"),
        Index("ix_listing_facets_authority", "authority", "decided_at", "listing_id"),
        Index("ix_listing_facets_list", "list_code", "decided_at", "listing_id"),
        Index("ix_listing_facets_province", "province", "decided_at", "listing_id"),
        # `workQueue`: publicity windows ending soon, among listings no decision has ended;
        # listings ending soon (the queue) or before a time (`effectiveUntilBefore`).
        Index("ix_listing_facets_publicity_until", "publicity_until",
              postgresql_where=text("NOT ended")),
        Index("ix_listing_facets_effective_until", "effective_until"),
    )


class ListingTally(Base):
    """How many listings are counted under each group and status (changes due come on top)."""

    __tablename__ = "listing_tally"

    list_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    authority: Mapped[str] = mapped_column(String(16), primary_key=True)
    province: Mapped[str] = mapped_column(String(2), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    decided_month: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class ListingStatusChange(Base):
    """A status change a listing makes at `at` by time alone, as its facts stand."""

    __tablename__ = "listing_status_schedule"

    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True),
                                                  ForeignKey("sanctions.listings.id"),
                                                  primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_listing_status_schedule_at", "at"),)
