"""Listings: a subject on a list, its window, its basis, and what it reaches."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.sanctions.db import Base


class ListingStatus(str, enum.Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    LIFTED = "LIFTED"
    REVOKED = "REVOKED"
    REPAIRED = "REPAIRED"


TERMINAL = (ListingStatus.LIFTED, ListingStatus.REVOKED, ListingStatus.REPAIRED)


class Listing(Base):
    """A decision putting one subject on one list. Status is derived from these facts and a time.

    `holds` is a JSON list of suspensions ({kind, ref, from, until}); `terminal_*` is set once by
    a lift, an upheld objection or an approved repair.
    """

    __tablename__ = "listings"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    list_code: Mapped[str] = mapped_column(String(64), ForeignKey("sanctions.lists.code"))
    subject_code: Mapped[str] = mapped_column(String(18))
    subject_kind: Mapped[str] = mapped_column(String(24))
    authority: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    publicity_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    objection_suspends: Mapped[bool] = mapped_column(Boolean)
    objection_channel: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str] = mapped_column(Text)
    doc_kind: Mapped[str] = mapped_column(Text)
    doc_issued_on: Mapped[date] = mapped_column(Date)
    doc_authority: Mapped[str] = mapped_column(Text)
    basis_record_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    basis_key: Mapped[str] = mapped_column(Text)
    withdrawn_record_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    holds: Mapped[list[dict]] = mapped_column(JSONB, default=list)
    terminal_status: Mapped[str | None] = mapped_column(String(16))
    terminal_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terminal_reason: Mapped[str | None] = mapped_column(Text)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Migrated listings (POST /listings/bulk): the agency's own id, the agency whose system it
    # came from, and a digest of the facts as last submitted; null on decided listings.
    source_listing_id: Mapped[str | None] = mapped_column(String(64))
    imported_from: Mapped[str | None] = mapped_column(String(16))
    import_digest: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_listings_subject", "subject_code"),
        Index("ix_listings_basis", "basis_record_ids", postgresql_using="gin"),
        # Two authorities deciding the same listing at once: one wins, the other gets CONFLICT.
        Index("uq_listings_open_decision", "list_code", "subject_code", "basis_key", unique=True,
              postgresql_where=text("terminal_status is null")),
        # One migrated listing per (agency, sourceListingId): resubmissions find it.
        Index("uq_listings_source", "authority", "source_listing_id", unique=True,
              postgresql_where=text("source_listing_id is not null")),
    )


class ListingMeasure(Base):
    """The measures a listing carries, fixed at decision time from the memoranda then in force."""

    __tablename__ = "listing_measures"

    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True),
                                                  ForeignKey("sanctions.listings.id"),
                                                  primary_key=True)
    measure_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    effect: Mapped[str] = mapped_column(String(16))
    memorandum_code: Mapped[str] = mapped_column(String(64))
    extends_to_roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)


class Derivation(Base):
    """A person reached by an organisation's listing through a role held on the decision date."""

    __tablename__ = "listing_derivations"

    listing_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True),
                                                  ForeignKey("sanctions.listings.id"),
                                                  primary_key=True)
    person_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_code: Mapped[str] = mapped_column(String(18))

    __table_args__ = (Index("ix_listing_derivations_person", "person_code"),)
